import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { ERROR_CODES, type ErrorCode } from './error-codes';

/**
 * What Node's HTTP parser refuses before the app sees a request (no route, no middleware), by the parser's
 * error code, as Node itself answers them but in the API's error shape: Node's own answer is a bare status
 * line with no body.
 */
const ANSWERS: Record<string, { code: ErrorCode; message: string }> = {
  // Also a URL too long: the request line counts towards the same limit.
  HPE_HEADER_OVERFLOW: { code: 'HEADERS_TOO_LARGE', message: 'The URL and headers are too large' },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    code: 'PAYLOAD_TOO_LARGE',
    message: 'The chunk extensions of the body are too large',
  },
  ERR_HTTP_REQUEST_TIMEOUT: { code: 'REQUEST_TIMEOUT', message: 'The request did not arrive in time' },
};
const UNREADABLE = { code: 'BAD_REQUEST', message: 'The request is not well-formed HTTP' } as const;

/**
 * Answers the HTTP server's client errors (a request Node could not parse, or that did not arrive in time)
 * with a JSON error body and closes the connection, as Node does. Installed on every server that serves the
 * app (server.ts), and by the tests on theirs.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // Nothing can be said on a connection the client has closed, or in the middle of a response already started.
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    socket.end(errorResponse(ANSWERS[error.code ?? ''] ?? UNREADABLE), () => socket.destroy());
  });
}

function errorResponse({ code, message }: { code: ErrorCode; message: string }): string {
  const status = ERROR_CODES[code].status;
  const body = JSON.stringify({ message, code });
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Cache-Control: no-store\r\n' +
    'Connection: close\r\n\r\n' +
    body
  );
}

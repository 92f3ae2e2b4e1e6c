import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  /** The server answered the message's end with an error (refuseMessage): it did not take it. */
  refused: boolean;
}

/** What the server does with the next transactions (a test changes it between steps). */
export interface SmtpBehaviour {
  /** Answer RCPT TO with this SMTP error (e.g. 450 for a temporary refusal, 550 permanent). */
  refuseRecipient?: { code: number; message: string };
  /** Hold the answer to RCPT TO this long (the client is mid-transaction, before the message). */
  rcptDelayMs?: number;
  /** Hold the 250 after the message's final dot this long (the mail is complete, its answer not yet sent). */
  answerDelayMs?: number;
  /** Answer the message's final dot with this error instead of 250. */
  refuseMessage?: { code: number; message: string };
}

export interface TestSmtpServer {
  url: string;
  port: number;
  /** Every message whose final dot the server saw, answered or not, in arrival order. */
  received: ReceivedMail[];
  /** Transactions that began a message (DATA) and were dropped before its end. */
  aborted: number;
  behaviour: SmtpBehaviour;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * A real SMTP server in the test process (the smtp-server package, nodemailer's sibling), on a loopback port:
 * every transaction goes over TCP through the SMTP protocol as with any server, and a test can make it refuse,
 * stall or drop at a chosen step. `port` 0 picks a free one; a given port lets a test start it late (mail
 * first fails to connect, then arrives).
 */
export async function startSmtpServer(
  options: { port?: number; behaviour?: SmtpBehaviour } = {},
): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const state = { aborted: 0 };
  const behaviour: SmtpBehaviour = options.behaviour ?? {};
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    // close() waits this long for clients still connected (a test may leave one mid-transaction on purpose).
    closeTimeout: 500,
    logger: false,
    onRcptTo(_address: SMTPServerAddress, _session, callback) {
      const answer = () => {
        const refusal = behaviour.refuseRecipient;
        if (!refusal) return callback();
        const error = new Error(refusal.message) as Error & { responseCode: number };
        error.responseCode = refusal.code;
        callback(error);
      };
      if (behaviour.rcptDelayMs) setTimeout(answer, behaviour.rcptDelayMs).unref();
      else answer();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      // The stream ends at the final dot; a client that drops the connection before it destroys the stream with
      // an error instead (smtp-server discards the unfinished message), counted as aborted.
      stream.on('end', () => {
        void (async () => {
          const parsed = await simpleParser(Buffer.concat(chunks));
          const refusal = behaviour.refuseMessage;
          received.push({
            refused: refusal !== undefined,
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address).join(','),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            messageId: parsed.messageId ?? '',
          });
          if (behaviour.answerDelayMs) await sleep(behaviour.answerDelayMs);
          if (!refusal) return callback();
          const error = new Error(refusal.message) as Error & { responseCode: number };
          error.responseCode = refusal.code;
          callback(error);
        })();
      });
      stream.on('error', () => (state.aborted += 1));
    },
  });
  server.on('error', () => undefined); // a client dropping mid-transaction is what some tests do
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = (server as unknown as { server: { address(): AddressInfo } }).server.address();
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    received,
    get aborted() {
      return state.aborted;
    },
    behaviour,
    async waitFor(count, timeoutMs = 10_000) {
      const started = Date.now();
      while (received.length < count) {
        if (Date.now() - started > timeoutMs)
          throw new Error(`expected ${count} mails within ${timeoutMs} ms, got ${received.length}`);
        await sleep(20);
      }
      return received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The token in a mailed link (`...?token=<token>`). */
export function tokenFromMail(mail: ReceivedMail): string {
  const match = /[?&]token=([\w-]+)/.exec(mail.text);
  if (!match?.[1]) throw new Error(`no token link in the mail:\n${mail.text}`);
  return match[1];
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import mongoose from 'mongoose';
import { answerClientErrors } from '../../src/lib/http-client-errors';
import { buildTestApp, TEST_JWT_SECRET } from '../helpers/app';
import { testDatabaseUri, useTestDatabase } from '../helpers/db';
import { startServerProcess, type RunningServer } from '../helpers/spawn-server';

/**
 * Requests Node's HTTP parser refuses before the app sees them (a 20 KB URL, headers past the limit, bytes
 * that are not HTTP, a request that never finishes) are answered in the API's error shape, not with Node's
 * bare status line: on a real http.Server with the handler server.ts installs, and by the server process.
 */
useTestDatabase({ clean: false });

const LONG_URL = `/api/products?q=${'a'.repeat(20 * 1024)}`;

/** Sends raw bytes and reads the whole answer until the server closes the connection. */
function exchange(
  port: number,
  bytes: string,
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
  });
}

describe('on a real http.Server with the client error handler', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    // A short request timeout, checked often, so that the 408 comes quickly.
    server = createServer({ requestTimeout: 300, connectionsCheckingInterval: 50 }, buildTestApp());
    answerClientErrors(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('when the URL is 20 KB long, then the answer is a JSON 431 HEADERS_TOO_LARGE', async () => {
    const res = await fetch(`http://127.0.0.1:${port}${LONG_URL}`);

    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ message: expect.any(String), code: 'HEADERS_TOO_LARGE' });
  });

  it('when the headers are past the limit, then the answer is a JSON 431 and the connection is closed', async () => {
    const res = await exchange(
      port,
      `GET /api/products HTTP/1.1\r\nHost: x\r\nX-Padding: ${'b'.repeat(20 * 1024)}\r\n\r\n`,
    );

    expect(res.status).toBe(431);
    expect(res.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8', connection: 'close' });
    expect(JSON.parse(res.body)).toEqual({ message: 'The URL and headers are too large', code: 'HEADERS_TOO_LARGE' });
  });

  it('when the bytes are not HTTP, then the answer is a JSON 400 BAD_REQUEST', async () => {
    const res = await exchange(port, 'HELLO THERE\r\n\r\n');

    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('when a request never finishes arriving, then the answer is a JSON 408 REQUEST_TIMEOUT', async () => {
    const res = await exchange(port, 'GET /api/products HTTP/1.1\r\nHost: x\r\n');

    expect(res.status).toBe(408);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'REQUEST_TIMEOUT' });
  });
});

describe('the server process', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServerProcess({
      NODE_ENV: 'test',
      MONGOOSE_CONNECTION_STRING: testDatabaseUri(mongoose.connection.name),
      JWT_SECRET: TEST_JWT_SECRET,
      STRIPE_WEBHOOK_SECRET: 'whsec_client_errors',
      LOG_LEVEL: 'info',
      REQUEST_LOG: 'off',
    });
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('when the URL is 20 KB long, then it answers a JSON 431 HEADERS_TOO_LARGE, and keeps serving', async () => {
    const res = await fetch(`${server.baseUrl}${LONG_URL}`);
    const body: unknown = await res.json();
    const after = await fetch(`${server.baseUrl}/health`);

    expect(res.status).toBe(431);
    expect(body).toEqual({ message: expect.any(String), code: 'HEADERS_TOO_LARGE' });
    expect(after.status).toBe(200);
  });
});

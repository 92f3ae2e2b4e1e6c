import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Config } from '../../src/config/env';

/**
 * The Stripe stand-ins the payment tests run against: localstripe (stateful: declines, cancels, webhooks)
 * and stripe-mock (validates requests against Stripe's OpenAPI spec). CI starts them (.ci/run) and sets
 * the variables; elsewhere jest's globalSetup starts them with scripts/stripe-standins.sh.
 */
const STANDIN_VARIABLES = ['LOCALSTRIPE_URL', 'STRIPE_MOCK_URL'] as const;
const ROOT = path.resolve(__dirname, '../..');
const SCRIPT = path.join(ROOT, 'scripts/stripe-standins.sh');
const execFileAsync = promisify(execFile);

function requiredUrl(name: (typeof STANDIN_VARIABLES)[number]): string {
  const url = process.env[name];
  if (!url)
    throw new Error(`${name} is not set: jest globalSetup should have provided it (tests/helpers/stripe-services.ts)`);
  return url;
}

export const localstripeUrl = () => requiredUrl('LOCALSTRIPE_URL');
export const stripeMockUrl = () => requiredUrl('STRIPE_MOCK_URL');

/** Gateway settings for a Stripe-compatible server at `url`: no retries and a short timeout, so failures show fast. */
export function stripeSettingsFor(url: string, overrides: Partial<Config['stripe']> = {}): Config['stripe'] {
  const { hostname, port, protocol } = new URL(url);
  return {
    // stripe-mock wants a key that looks real: letters and digits after sk_test_.
    secretKey: 'sk_test_PaymentsSuite123',
    webhookSecret: 'whsec_payments_suite',
    api: { host: hostname, port: Number(port), protocol: protocol === 'https:' ? 'https' : 'http' },
    timeoutMs: 5000,
    maxNetworkRetries: 0,
    ...overrides,
  };
}

/** A service the run needs could not be provided: the message says what to do (printed without a stack). */
export class SetupFailure extends Error {}

const hasCommand = (name: string) =>
  execFileAsync('bash', ['-c', `command -v ${name}`]).then(
    () => true,
    () => false,
  );

/**
 * Installs the pinned stand-ins into .tools/ when neither .tools/ nor PATH has them, where python3 and go
 * exist (`npm install && npm test` is then all a machine with internet needs). Quiet when already there.
 */
async function installStandinsIfMissing(env: NodeJS.ProcessEnv): Promise<void> {
  const present = (name: string) =>
    execFileAsync('bash', ['-c', `[[ -x .tools/venv/bin/${name} || -x .tools/bin/${name} ]] || command -v ${name}`], {
      cwd: ROOT,
    }).then(
      () => true,
      () => false,
    );
  if ((await present('localstripe')) && (await present('stripe-mock'))) return;
  const lacking = [];
  for (const tool of ['python3', 'go']) if (!(await hasCommand(tool))) lacking.push(tool);
  if (lacking.length > 0) {
    throw new SetupFailure(
      `The payment tests need localstripe and stripe-mock, and installing them needs ${lacking.join(' and ')} (not found). ` +
        'Install python3 and go, or set LOCALSTRIPE_URL and STRIPE_MOCK_URL to running servers.',
    );
  }
  process.stderr.write('Installing the pinned Stripe stand-ins (localstripe, stripe-mock) into .tools/ once ...\n');
  await execFileAsync('bash', [SCRIPT, 'install'], { env, maxBuffer: 16 * 1024 * 1024 }).catch(
    (error: { stderr?: string; message: string }) => {
      const detail = (error.stderr || error.message).trim().split('\n').slice(-3).join(' / ');
      throw new SetupFailure(
        `Installing the Stripe stand-ins failed (${detail}). Run \`bash scripts/stripe-standins.sh install\` to see why.`,
      );
    },
  );
}

/**
 * For jest's globalSetup: when the variables are not set (and this is not CI), starts both stand-ins in a
 * run directory of this jest run's own (installing them first when missing) and sets them. Returns how to
 * stop what it started.
 */
export async function provideStripeStandins(): Promise<(() => Promise<void>) | undefined> {
  const missing = STANDIN_VARIABLES.filter((name) => !process.env[name]);
  if (missing.length === 0) return undefined;
  if (process.env.CI) {
    throw new SetupFailure(`${missing.join(' and ')} not set: CI must start the Stripe stand-ins (see .ci/run)`);
  }
  await installStandinsIfMissing(process.env);
  const runDir = await mkdtemp(path.join(tmpdir(), 'stripe-standins-'));
  const env = { ...process.env, STRIPE_STANDINS_RUN_DIR: runDir };
  const started = await execFileAsync('bash', [SCRIPT, 'start'], { env }).catch(
    async (error: { stderr?: string; message: string }) => {
      await rm(runDir, { recursive: true, force: true });
      const detail = (error.stderr || error.message).trim().split('\n').slice(-3).join(' / ');
      throw new SetupFailure(
        `The payment tests need localstripe and stripe-mock, and they could not be started (${detail}). ` +
          'Run `bash scripts/stripe-standins.sh install` (needs python3 and go), or set LOCALSTRIPE_URL and STRIPE_MOCK_URL to running servers.',
      );
    },
  );
  for (const line of started.stdout.split('\n')) {
    const [name, value] = line.split('=', 2);
    if (value && missing.some((variable) => variable === name)) process.env[name as string] = value;
  }
  return async () => {
    await execFileAsync('bash', [SCRIPT, 'stop'], { env });
    await rm(runDir, { recursive: true, force: true });
  };
}

export interface TestServer {
  url: string;
  close(): Promise<void>;
}

/** An HTTP server on a free loopback port. An async handler that fails answers 500 with the reason (or drops the connection). */
export async function startHttpServer(
  handler: (request: http.IncomingMessage, response: http.ServerResponse) => void | Promise<void>,
): Promise<TestServer> {
  const server = http.createServer((request, response) => {
    Promise.resolve(handler(request, response)).catch((error: unknown) => {
      if (response.headersSent) response.destroy();
      else response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Where a localstripe webhook that is no longer wanted points: localstripe cannot forget one and posts every event
 * to every webhook it knows. A privileged port nothing listens on, never handed out as an ephemeral port, so a later
 * test's server cannot end up receiving another suite's events (signed with another secret).
 */
export const DEAD_WEBHOOK_URL = 'http://127.0.0.1:9/';

/** A loopback port nobody listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = await startHttpServer(() => undefined);
  await server.close();
  return Number(new URL(server.url).port);
}

const readBody = async (request: http.IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

export interface Delivery {
  headers: http.IncomingHttpHeaders;
  rawBody: Buffer;
  status: number;
}

export interface WebhookReceiver extends TestServer {
  deliveries: Delivery[];
  /** Resolves with the first delivery (past or future) that matches; rejects after timeoutMs. */
  waitFor(matches: (delivery: Delivery) => boolean, timeoutMs?: number): Promise<Delivery>;
}

/** Records every POST; `statusFor` chooses the answer for the nth delivery (1-based), 200 by default. */
export async function startWebhookReceiver(
  statusFor: (attempt: number) => number = () => 200,
): Promise<WebhookReceiver> {
  const deliveries: Delivery[] = [];
  const waiters = new Set<() => void>();
  const server = await startHttpServer(async (request, response) => {
    const rawBody = await readBody(request);
    const status = statusFor(deliveries.length + 1);
    deliveries.push({ headers: request.headers, rawBody, status });
    response.writeHead(status).end();
    for (const wake of waiters) wake();
  });
  const waitFor = (matches: (delivery: Delivery) => boolean, timeoutMs = 5000) =>
    new Promise<Delivery>((resolve, reject) => {
      const check = () => {
        const found = deliveries.find(matches);
        if (!found) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`No matching webhook delivery within ${timeoutMs} ms (${deliveries.length} received)`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return { ...server, deliveries, waitFor };
}

export interface RecordedExchange {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  status: number;
}

/** fetch sets these itself. */
const HOP_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

/**
 * A pass-through proxy in front of `target` that keeps each request it forwarded and the status it got back.
 * `rewrite` may change an answer before it is passed on (stripe-mock's fixtures are fixed: a test can make a
 * list answer hold what it needs).
 */
export async function startRecordingProxy(
  target: string,
  rewrite?: (request: { method: string; path: string }, answer: Buffer) => Buffer,
): Promise<TestServer & { exchanges: RecordedExchange[] }> {
  const exchanges: RecordedExchange[] = [];
  const server = await startHttpServer(async (request, response) => {
    const body = await readBody(request);
    const upstream = await fetch(new URL(request.url ?? '/', target), {
      method: request.method,
      headers: Object.entries(request.headers).flatMap(([name, value]) =>
        typeof value === 'string' && !HOP_HEADERS.has(name) ? [[name, value] as [string, string]] : [],
      ),
      body: request.method === 'GET' ? undefined : body,
    });
    const received = Buffer.from(await upstream.arrayBuffer());
    const answer = rewrite ? rewrite({ method: request.method ?? '', path: request.url ?? '' }, received) : received;
    exchanges.push({
      method: request.method ?? '',
      path: request.url ?? '',
      headers: request.headers,
      body: body.toString(),
      status: upstream.status,
    });
    response
      .writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' })
      .end(answer);
  });
  return { ...server, exchanges };
}

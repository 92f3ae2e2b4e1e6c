import mongoose from 'mongoose';
import Stripe from 'stripe';
import { UserModel } from '../../src/models/user.model';
import { useTestDatabase } from '../helpers/db';
import { startServerProcess, type RunningServer } from '../helpers/spawn-server';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';
import { stripeEvent } from '../helpers/webhooks';

/**
 * The database taken away from the real server process, through a TCP proxy the test cuts and restores:
 * requests that need it answer 503 DATABASE_UNAVAILABLE within about 2 s (never the driver's old 10 s),
 * webhooks answer 5xx so Stripe retries, and the server recovers without a restart, with its indexes.
 * Default driver settings (MONGO_* unset), so the figures are the ones production gets.
 */
useTestDatabase({ clean: false });

const ADMIN = { email: 'outage-admin@example.com', password: 'outage-admin-password-1' };
const WEBHOOK_SECRET = 'whsec_outage_test';
const BOUND_MS = 3000;

let proxy: TcpProxy;
let server: RunningServer;

interface Answer {
  status: number;
  body: Record<string, any>;
  ms: number;
  at: number;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const started = Date.now();
  const payload = typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body);
  const res = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { ...(payload !== undefined && { 'content-type': 'application/json' }), ...headers },
    body: payload,
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? (JSON.parse(text) as Record<string, any>) : {},
    ms: Date.now() - started,
    at: Date.now(),
  };
}

function signedWebhook() {
  const payload = JSON.stringify(
    stripeEvent('payment_intent.succeeded', {
      id: 'pi_outage',
      object: 'payment_intent',
      amount: 100,
      currency: 'usd',
      status: 'succeeded',
      metadata: {},
    }),
  );
  const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
  return call('POST', '/api/orders/webhook', payload, { 'stripe-signature': signature });
}

async function until(check: () => Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return false;
}

let token: string;
let productId: string;

beforeAll(async () => {
  const standin = new URL(process.env.MONGODB_TEST_URI!);
  proxy = await startTcpProxy({ host: standin.hostname, port: Number(standin.port) });
  server = await startServerProcess({
    NODE_ENV: 'development',
    MONGOOSE_CONNECTION_STRING: `mongodb://127.0.0.1:${proxy.port}/${mongoose.connection.name}`,
    JWT_SECRET: 'outage-secret-long-enough-for-anything-0123456789',
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    BCRYPT_COST: '4',
    REQUEST_LOG: 'off',
    LOG_LEVEL: 'info',
  });
  const admin = (await call('POST', '/api/login', ADMIN)).body.token as string;
  productId = (
    await call(
      'POST',
      '/api/products',
      { name: 'Outage', description: 'Stock', price: 5, currency: 'USD', stock: 1000 },
      { authorization: admin },
    )
  ).body.data.id;
  await call('POST', '/api/registration', {
    name: 'Buyer',
    email: 'outage-buyer@example.com',
    password: 'password123',
  });
  token = (await call('POST', '/api/login', { email: 'outage-buyer@example.com', password: 'password123' })).body
    .token as string;
}, 60_000);

afterAll(async () => {
  await proxy?.restore().catch(() => undefined);
  expect(await server?.stop()).toBe(0);
  await proxy?.close();
});

const order = () =>
  call('POST', '/api/orders/create', { items: [{ productId, quantity: 1 }] }, { authorization: token });

describe('a database outage', () => {
  it('when the database is cut, then requests that need it answer 503 within the bound (webhooks 5xx), and it recovers without a restart', async () => {
    // Requests in flight at the moment of the cut.
    const inFlight = Array.from({ length: 10 }, order);
    await new Promise((resolve) => setTimeout(resolve, 15));
    const cutAt = Date.now();
    await proxy.cut();
    const interrupted = await Promise.all(inFlight);

    const during: Array<Answer & { what: string }> = [];
    while (Date.now() - cutAt < 6000) {
      const round = await Promise.all([
        call('GET', '/api/products').then((a) => ({ ...a, what: 'product list' })),
        call('GET', '/api/profile', undefined, { authorization: token }).then((a) => ({ ...a, what: 'profile' })),
        order().then((a) => ({ ...a, what: 'order' })),
        call('POST', '/api/login', { email: 'outage-buyer@example.com', password: 'password123' }).then((a) => ({
          ...a,
          what: 'login',
        })),
        signedWebhook().then((a) => ({ ...a, what: 'webhook' })),
      ]);
      during.push(...round);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const health = await call('GET', '/health');
    const ready = await call('GET', '/ready');

    const restoredAt = Date.now();
    await proxy.restore();
    let recovered: Answer | undefined;
    await until(async () => {
      recovered = await call('GET', '/api/products');
      return recovered.status === 200;
    }, 20_000);
    const recoveryMs = recovered!.at - restoredAt;
    const afterwards = await order();

    const firstFailure = [...interrupted, ...during].filter((a) => a.status === 503).sort((a, b) => a.at - b.at)[0];
    const slowest = Math.max(...during.map((a) => a.ms));
    console.info(
      `outage: first 503 ${firstFailure ? firstFailure.at - cutAt : 'none'} ms after the cut; ${during.length} requests during the outage, ` +
        `slowest ${slowest} ms, median ${during.map((a) => a.ms).sort((a, b) => a - b)[Math.floor(during.length / 2)]} ms; ` +
        `in flight at the cut: ${interrupted.map((a) => `${a.status}/${a.ms}ms`).join(' ')}; recovered ${recoveryMs} ms after the database returned` +
        ` (driver reconnects by the watchdog: ${server.output().match(/database driver stuck/g)?.length ?? 0})`,
    );
    // Nothing the outage causes is an unexpected (500) error.
    expect(
      server
        .output()
        .split('\n')
        .filter((line) => line.includes('unhandled error')),
    ).toEqual([]);

    for (const answer of interrupted) {
      expect([201, 503]).toContain(answer.status);
      expect(answer.at - cutAt).toBeLessThan(BOUND_MS);
    }
    for (const answer of during) {
      expect({ what: answer.what, status: answer.status, code: answer.body.code }).toEqual({
        what: answer.what,
        status: 503,
        code: 'DATABASE_UNAVAILABLE',
      });
      expect(answer.ms).toBeLessThan(BOUND_MS);
    }
    expect(health.status).toBe(200);
    expect(ready.status).toBe(503);
    expect(recovered?.status).toBe(200);
    expect(recoveryMs).toBeLessThan(10_000);
    expect(afterwards.status).toBe(201);
    expect((await call('GET', '/ready')).status).toBe(200);
    expect(server.output()).toMatch(/database unreachable/);
  }, 60_000);

  it('when the indexes are lost while it runs, then the next reconnect recreates them and duplicate emails are refused again', async () => {
    // One by one: the stand-in's dropIndexes('*') trips over another collection's index names.
    for (const { name } of await UserModel.collection.indexes())
      if (name !== '_id_') await UserModel.collection.dropIndex(name!);
    expect((await UserModel.collection.indexes()).map((index) => index.name)).toEqual(['_id_']);

    await proxy.cut();
    expect(await until(async () => (await call('GET', '/api/products')).status === 503, 10_000)).toBe(true);
    await proxy.restore();
    expect(await until(async () => (await call('GET', '/api/products')).status === 200, 20_000)).toBe(true);

    const user = { name: 'Twice', email: 'twice@example.com', password: 'password123' };
    const first = await call('POST', '/api/registration', user);
    const second = await call('POST', '/api/registration', { ...user, email: ' TWICE@example.com ' });

    expect(first.status).toBe(201);
    expect(second).toMatchObject({ status: 409, body: { code: 'EMAIL_TAKEN' } });
    expect(await UserModel.countDocuments({ email: 'twice@example.com' })).toBe(1);
    expect(await UserModel.collection.indexes()).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: { email: 1 }, unique: true })]),
    );
  }, 60_000);
});

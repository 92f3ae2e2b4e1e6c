import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import request from 'supertest';
import { silentLogger } from '../../src/lib/logger';
import { IdempotencyKeyModel } from '../../src/models/idempotency-key.model';
import { OpenOrderTallyModel } from '../../src/models/open-order-tally.model';
import { OrderModel } from '../../src/models/order.model';
import { ProductModel } from '../../src/models/product.model';
import type { PaymentGateway } from '../../src/payments/gateway';
import { createSimulatedGateway } from '../../src/payments/simulated.gateway';
import { buildTestApp, testConfig } from '../helpers/app';
import { adminToken, createProduct, registerAndLogin } from '../helpers/builders';
import { testDatabaseUri, useTestDatabase } from '../helpers/db';
import { call, startServerProcess, type RunningServer } from '../helpers/spawn-server';

/**
 * A creation killed (SIGKILL, as kill -9) between two of its writes, in the real server process, through
 * FAULT_CRASH_AT: the retry with the same Idempotency-Key on a restarted server must not be refused until the
 * key's TTL, and nothing the dead creation took (stock, the account's open-order slot) may stay taken.
 */
useTestDatabase({ clean: false });

const ADMIN = { email: 'crash-admin@example.com', password: 'crash-admin-password-1' };
/** Long enough for the early retry below to land within it (it must still find the key busy). */
const CREATION_TIMEOUT_SECONDS = 12;

function serverEnv(extra: Record<string, string> = {}) {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    MONGOOSE_CONNECTION_STRING: testDatabaseUri(mongoose.connection.name),
    JWT_SECRET: 'crash-test-jwt-secret-0123456789abcdef',
    STRIPE_WEBHOOK_SECRET: 'whsec_crash_test',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    BCRYPT_COST: '4',
    ORDER_STOCK_WAIT_MS: '200',
    STRIPE_TIMEOUT_MS: '500',
    ORDER_CREATION_TIMEOUT_SECONDS: String(CREATION_TIMEOUT_SECONDS),
    ...extra,
  };
}

/** A buyer, a product with 5 units, and a create request that the server may die in the middle of. */
async function shop(server: RunningServer) {
  const admin = (await call(server, 'POST', '/api/login', ADMIN)).body.token as string;
  const product = await call(
    server,
    'POST',
    '/api/products',
    { name: `Crash ${randomBytes(3).toString('hex')}`, description: 'x', price: 10, currency: 'USD', stock: 5 },
    { authorization: admin },
  );
  const user = { name: 'Crash', email: `crash.${randomBytes(4).toString('hex')}@example.com`, password: 'password123' };
  await call(server, 'POST', '/api/registration', user);
  const token = (await call(server, 'POST', '/api/login', { email: user.email, password: user.password })).body
    .token as string;
  return { token, productId: product.body.data.id as string };
}

async function createDies(server: RunningServer, token: string, productId: string, key: string) {
  const died = await fetch(`${server.baseUrl}/api/orders/create`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token, 'idempotency-key': key },
    body: JSON.stringify({ items: [{ productId, quantity: 2 }] }),
  }).then(
    () => false,
    () => true,
  );
  expect(died).toBe(true);
  expect(await server.stop()).toBeNull(); // killed by a signal, not exited
}

jest.setTimeout(90_000);

describe.each([
  ['order.after-idempotency-key', 'the key is stored, the order not inserted'],
  ['order.after-insert', 'the order is inserted, its stock not reserved'],
])('when the process is killed at %s (%s)', (point) => {
  it('then a retry with the same Idempotency-Key after the creation deadline makes one order, and nothing stays taken', async () => {
    // The instance that dies, and the one the client retries on (a restart, or another instance behind the balancer).
    const [dying, server] = await Promise.all([
      startServerProcess(serverEnv({ FAULT_CRASH_AT: point })),
      startServerProcess(serverEnv()),
    ]);
    const { token, productId } = await shop(dying);
    const key = `checkout-${randomBytes(4).toString('hex')}`;
    const killedAt = Date.now();
    await createDies(dying, token, productId, key);
    expect(await IdempotencyKeyModel.countDocuments({ key })).toBe(1);

    try {
      const retry = () =>
        call(
          server,
          'POST',
          '/api/orders/create',
          { items: [{ productId, quantity: 2 }] },
          { authorization: token, 'idempotency-key': key },
        );
      // Within the deadline the dead creation could still be running: the key is busy.
      const early = await retry();
      expect(Date.now() - killedAt).toBeLessThan(CREATION_TIMEOUT_SECONDS * 1000);
      expect(early.status).toBe(409);
      expect(early.body.code).toBe('IDEMPOTENCY_KEY_IN_USE');

      await new Promise((resolve) =>
        setTimeout(resolve, killedAt + CREATION_TIMEOUT_SECONDS * 1000 + 300 - Date.now()),
      );
      const created = await retry();
      expect(created.status).toBe(201);
      const replayed = await retry();
      expect(replayed.status).toBe(201);
      expect(replayed.body.orderId).toBe(created.body.orderId);

      // One order, 2 of the 5 units held by it alone, one open-order slot.
      expect(await OrderModel.countDocuments({ 'items.productId': productId })).toBe(1);
      const product = await ProductModel.findById(productId).lean().orFail();
      expect(product.stock).toBe(3);
      expect(product.reservedFor.map(String)).toEqual([created.body.orderId]);
      const order = await OrderModel.findById(created.body.orderId).lean().orFail();
      const tally = await OpenOrderTallyModel.findById(order.userId).lean().orFail();
      expect(tally.orders.map(String)).toEqual([created.body.orderId]);
      expect(tally.openUnits).toBe(2);
    } finally {
      await server.stop();
    }
  });
});

describe('a creation that outlives its deadline', () => {
  it('when the gateway answers after the deadline, then the order is not placed: 503, its intent canceled, its units and slot back', async () => {
    const config = testConfig({
      ORDER_CREATION_TIMEOUT_SECONDS: '1',
      ORDER_STOCK_WAIT_MS: '0',
      STRIPE_TIMEOUT_MS: '500',
      STRIPE_MAX_NETWORK_RETRIES: '0',
    });
    const inner = createSimulatedGateway({
      webhookSecret: config.stripe.webhookSecret,
      webhookUrl: () => undefined,
      deliveryDelayMs: 0,
      logger: silentLogger,
    });
    const created: string[] = [];
    const slow: PaymentGateway = {
      ...inner,
      createPaymentIntent: async (input) => {
        const intent = await inner.createPaymentIntent(input);
        created.push(intent.id);
        await new Promise((resolve) => setTimeout(resolve, 1300));
        return intent;
      },
    };
    const app = buildTestApp({
      env: {
        ORDER_CREATION_TIMEOUT_SECONDS: '1',
        ORDER_STOCK_WAIT_MS: '0',
        STRIPE_TIMEOUT_MS: '500',
        STRIPE_MAX_NETWORK_RETRIES: '0',
      },
      deps: { payments: slow },
    });
    const admin = await adminToken(app);
    const product = await createProduct(app, admin, { stock: 4 });
    const buyer = await registerAndLogin(app);

    const res = await request(app)
      .post('/api/orders/create')
      .set('Authorization', buyer.token)
      .set('Idempotency-Key', 'slow-1')
      .send({ items: [{ productId: product.id, quantity: 3 }] });

    expect(res.status).toBe(503);
    expect(await OrderModel.countDocuments({ 'items.productId': product.id })).toBe(0);
    expect((await ProductModel.findById(product.id).lean().orFail()).stock).toBe(4);
    expect((await inner.retrievePaymentIntent(created[0]!)).status).toBe('canceled');
    expect(await IdempotencyKeyModel.countDocuments({ key: 'slow-1' })).toBe(0);
  });
});

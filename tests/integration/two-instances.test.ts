import { randomBytes } from 'node:crypto';
import mongoose, { Types } from 'mongoose';
import Stripe from 'stripe';
import { OrderModel } from '../../src/models/order.model';
import { ProductModel } from '../../src/models/product.model';
import { WebhookEventModel } from '../../src/models/webhook-event.model';
import { testDatabaseUri, useTestDatabase } from '../helpers/db';
import { call, startServerProcess, type RunningServer } from '../helpers/spawn-server';
import { localstripeUrl } from '../helpers/stripe-services';
import { intentFor, stripeEvent } from '../helpers/webhooks';

/**
 * Two real server processes on one database, as Render runs several instances of the web service: the
 * login limits are shared, one event delivered to both at once is applied once, and the expiry job running
 * in both cancels each expired order once. Both use localstripe as their shared Stripe.
 */
useTestDatabase({ clean: false });

const ADMIN = { email: 'twins-admin@example.com', password: 'twins-admin-password-1' };
const WEBHOOK_SECRET = `whsec_${randomBytes(12).toString('hex')}`;
const ACCOUNT_LIMIT = 4;

let servers: [RunningServer, RunningServer];

async function newUser(server: RunningServer) {
  const user = { name: 'Twin', email: `twin.${randomBytes(4).toString('hex')}@example.com`, password: 'password123' };
  expect((await call(server, 'POST', '/api/registration', user)).status).toBe(201);
  return user;
}

async function tokenFor(server: RunningServer, user: { email: string; password: string }) {
  const login = await call(server, 'POST', '/api/login', { email: user.email, password: user.password });
  expect(login.status).toBe(200);
  return login.body.token as string;
}

async function productWithStock(stock: number) {
  const admin = await tokenFor(servers[0], ADMIN);
  const created = await call(
    servers[0],
    'POST',
    '/api/products',
    { name: `Twin ${randomBytes(3).toString('hex')}`, description: 'Shared', price: 12.5, currency: 'USD', stock },
    { authorization: admin },
  );
  expect(created.status).toBe(201);
  return created.body.data.id as string;
}

beforeAll(async () => {
  const stripe = new URL(localstripeUrl());
  const env = {
    NODE_ENV: 'development',
    MONGOOSE_CONNECTION_STRING: testDatabaseUri(mongoose.connection.name),
    JWT_SECRET: 'twins-secret-long-enough-for-anything-0123456789',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    BCRYPT_COST: '4',
    REQUEST_LOG: 'off',
    LOG_LEVEL: 'info',
    STRIPE_SECRET_KEY: 'sk_test_twins_localstripe',
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_HOST: stripe.hostname,
    STRIPE_API_PORT: stripe.port,
    STRIPE_API_PROTOCOL: 'http',
    STRIPE_MAX_NETWORK_RETRIES: '0',
    LOGIN_ACCOUNT_RATE_LIMIT_MAX: String(ACCOUNT_LIMIT),
    ORDER_SWEEP_INTERVAL_SECONDS: '1',
  };
  servers = await Promise.all([startServerProcess(env), startServerProcess(env)]);
}, 60_000);

afterAll(async () => {
  const codes = await Promise.all((servers ?? []).map((server) => server.stop()));
  expect(codes).toEqual([0, 0]);
});

describe('two instances on one database', () => {
  it('when failed logins for one account alternate between the instances, then they meet 429 within the per-account limit; another account still logs in', async () => {
    const victim = await newUser(servers[0]);
    const other = await newUser(servers[1]);

    const statuses = [];
    for (let i = 0; i <= ACCOUNT_LIMIT; i += 1)
      statuses.push(
        (await call(servers[i % 2]!, 'POST', '/api/login', { email: victim.email, password: 'wrong-password' })).status,
      );
    const rightPassword = await call(servers[1], 'POST', '/api/login', {
      email: victim.email,
      password: victim.password,
    });

    expect(statuses).toEqual([...Array<number>(ACCOUNT_LIMIT).fill(401), 429]);
    expect(rightPassword).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
    expect(
      (await call(servers[0], 'POST', '/api/login', { email: other.email, password: other.password })).status,
    ).toBe(200);
    expect(
      (await call(servers[1], 'POST', '/api/login', { email: other.email, password: other.password })).status,
    ).toBe(200);
  });

  it('when one signed event is delivered to both instances at the same moment, then it is applied once: one history entry, stock committed once', async () => {
    const productId = await productWithStock(10);
    const buyer = await newUser(servers[0]);
    const token = await tokenFor(servers[0], buyer);
    const order = await call(
      servers[0],
      'POST',
      '/api/orders/create',
      { items: [{ productId, quantity: 2 }] },
      { authorization: token },
    );
    expect(order.status).toBe(201);
    const event = stripeEvent('payment_intent.succeeded', intentFor({ ...order.body.data, id: order.body.orderId }));
    const payload = JSON.stringify(event);
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });

    const deliveries = await Promise.all(
      servers.map((server) => call(server, 'POST', '/api/orders/webhook', payload, { 'stripe-signature': signature })),
    );

    expect(deliveries.map((d) => d.status)).toEqual([200, 200]);
    const stored = await OrderModel.findById(order.body.orderId).lean();
    expect(stored?.status).toBe('paid');
    expect(stored?.history.filter((entry) => entry.status === 'paid')).toHaveLength(1);
    expect(stored?.stock).toBe('committed');
    const product = await ProductModel.findById(productId).lean();
    expect(product?.stock).toBe(8);
    expect(product?.reservedFor).toEqual([]);
    // Both deliveries are recorded; which one wrote the outcome last ('applied' or 'no_change') is a race.
    expect(await WebhookEventModel.findById(event.id).lean()).toMatchObject({
      deliveries: 2,
      processedAt: expect.any(Date),
    });
  });

  it('when orders expire while the expiry job runs in both instances, then each is canceled exactly once and its stock comes back once', async () => {
    const productId = await productWithStock(10);
    const buyer = await newUser(servers[1]);
    const tokens = [await tokenFor(servers[0], buyer), await tokenFor(servers[1], buyer)];
    const orderIds: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const created = await call(
        servers[i % 2]!,
        'POST',
        '/api/orders/create',
        { items: [{ productId, quantity: 1 }] },
        { authorization: tokens[i % 2]! },
      );
      expect(created.status).toBe(201);
      orderIds.push(created.body.orderId as string);
    }
    expect((await ProductModel.findById(productId).lean())?.stock).toBe(4);
    const ids = orderIds.map((id) => new Types.ObjectId(id));

    // The payment window closes for all six (ORDER_PAYMENT_TIMEOUT_MINUTES is at least a minute; the job runs every second).
    await OrderModel.updateMany({ _id: { $in: ids } }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const deadline = Date.now() + 20_000;
    while (
      (await OrderModel.countDocuments({ _id: { $in: ids }, status: 'canceled', stock: 'released' })) < ids.length &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await new Promise((resolve) => setTimeout(resolve, 2500)); // more passes of both jobs: nothing may change twice

    const orders = await OrderModel.find({ _id: { $in: ids } }).lean();
    for (const order of orders) {
      expect(order.status).toBe('canceled');
      expect(order.history.filter((entry) => entry.status === 'canceled')).toEqual([
        expect.objectContaining({ reason: 'payment_timeout' }),
      ]);
      expect(order.stock).toBe('released');
    }
    const product = await ProductModel.findById(productId).lean();
    expect(product?.stock).toBe(10);
    expect(product?.reservedFor).toEqual([]);
    // The sweep's JSON log line: {"level":"info",...,"message":"order sweep","expired":n,...}.
    const expiredBy = servers.map((server) =>
      server
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{') && line.includes('"message":"order sweep"'))
        .reduce((sum, line) => sum + Number((JSON.parse(line) as { expired?: number }).expired ?? 0), 0),
    );
    console.info(
      `expiry job in two instances: ${ids.length} expired orders canceled by instance A ${expiredBy[0]}, instance B ${expiredBy[1]}`,
    );
    expect(expiredBy[0]! + expiredBy[1]!).toBe(ids.length);
  }, 40_000);
});

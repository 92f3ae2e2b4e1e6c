import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import Stripe from 'stripe';
import { OrderModel } from '../../src/models/order.model';
import { ProductModel } from '../../src/models/product.model';
import { testDatabaseUri, useTestDatabase } from '../helpers/db';
import { call, startServerProcess, type RunningServer } from '../helpers/spawn-server';
import { localstripeUrl } from '../helpers/stripe-services';
import { intentFor, stripeEvent } from '../helpers/webhooks';

/**
 * The guarantees that hold one process's concurrent requests together must hold across instances too, since
 * Render's load balancer spreads one client's requests over them: two real server processes on one database
 * and one Stripe (localstripe), every race split between them. Stock (Product.reservedFor and a conditional
 * $inc), Idempotency-Keys (unique userId + key), the hoarding cap (one tally per account) and refunds (the
 * refundsVersion guard, also for a refund's Idempotency-Key) live in MongoDB, never in a process's memory. tests/integration/two-instances.test.ts
 * covers login limits, one webhook event delivered to both, and the expiry job running in both.
 */
useTestDatabase({ clean: false });

const ADMIN = { email: 'scale-admin@example.com', password: 'scale-admin-password-1' };
const WEBHOOK_SECRET = `whsec_${randomBytes(12).toString('hex')}`;
const MAX_OPEN_ORDERS = 3;

let servers: [RunningServer, RunningServer];

/** Instance A for even i, B for odd: what a round-robin load balancer does. */
const instance = (i: number) => servers[i % 2]!;

async function buyer(i = 0) {
  const user = { name: 'Scale', email: `scale.${randomBytes(5).toString('hex')}@example.com`, password: 'password123' };
  expect((await call(instance(i), 'POST', '/api/registration', user)).status).toBe(201);
  const login = await call(instance(i + 1), 'POST', '/api/login', { email: user.email, password: user.password });
  expect(login.status).toBe(200);
  return login.body.token as string;
}

async function productWithStock(stock: number, price = 12.5) {
  const admin = (await call(servers[0], 'POST', '/api/login', ADMIN)).body.token as string;
  const created = await call(
    servers[1],
    'POST',
    '/api/products',
    { name: `Scale ${randomBytes(3).toString('hex')}`, description: 'Shared', price, currency: 'USD', stock },
    { authorization: admin },
  );
  expect(created.status).toBe(201);
  return created.body.data.id as string;
}

/** An order of 4 x 12.50 USD paid through localstripe (its intent succeeded there), marked paid by Stripe's signed event. */
async function paidOrderOf50() {
  const productId = await productWithStock(10, 12.5);
  const token = await buyer();
  const order = await call(
    servers[0],
    'POST',
    '/api/orders/create',
    { items: [{ productId, quantity: 4 }] },
    { authorization: token },
  );
  expect(order.status).toBe(201);
  expect(
    (
      await call(
        servers[1],
        'POST',
        `/api/orders/${order.body.orderId}/pay`,
        { paymentMethod: 'pm_card_visa' },
        { authorization: token },
      )
    ).status,
  ).toBe(200);
  const payload = JSON.stringify(
    stripeEvent('payment_intent.succeeded', intentFor({ ...order.body.data, id: order.body.orderId })),
  );
  const paid = await fetch(`${servers[0].baseUrl}/api/orders/webhook`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET }),
    },
    body: payload,
  });
  expect(paid.status).toBe(200);
  const admin = (await call(servers[1], 'POST', '/api/login', ADMIN)).body.token as string;
  return { orderId: order.body.orderId as string, admin };
}

beforeAll(async () => {
  const stripe = new URL(localstripeUrl());
  const env = {
    NODE_ENV: 'development',
    MONGOOSE_CONNECTION_STRING: testDatabaseUri(mongoose.connection.name),
    JWT_SECRET: 'scale-secret-long-enough-for-anything-0123456789',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    BCRYPT_COST: '4',
    REQUEST_LOG: 'off',
    LOG_LEVEL: 'info',
    STRIPE_SECRET_KEY: 'sk_test_scale_localstripe',
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_HOST: stripe.hostname,
    STRIPE_API_PORT: stripe.port,
    STRIPE_API_PROTOCOL: 'http',
    STRIPE_MAX_NETWORK_RETRIES: '0',
    ORDER_MAX_OPEN_PER_USER: String(MAX_OPEN_ORDERS),
    REGISTRATION_RATE_LIMIT_MAX: '1000',
  };
  servers = await Promise.all([startServerProcess(env), startServerProcess(env)]);
}, 60_000);

afterAll(async () => {
  const codes = await Promise.all((servers ?? []).map((server) => server.stop()));
  expect(codes).toEqual([0, 0]);
});

describe('two instances behind a load balancer, one MongoDB', () => {
  it('when 16 buyers race for the last 5 units through both instances, then exactly 5 orders are placed and stock ends at 0', async () => {
    const productId = await productWithStock(5);
    const tokens = await Promise.all(Array.from({ length: 16 }, (_, i) => buyer(i)));

    const answers = await Promise.all(
      tokens.map((token, i) =>
        call(
          instance(i),
          'POST',
          '/api/orders/create',
          { items: [{ productId, quantity: 1 }] },
          { authorization: token },
        ),
      ),
    );

    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(5);
    expect(statuses.filter((status) => status !== 201).every((status) => status === 409)).toBe(true);
    const product = await ProductModel.findById(productId).lean();
    expect(product?.stock).toBe(0);
    expect(product?.reservedFor).toHaveLength(5);
    expect(await OrderModel.countDocuments({ 'items.productId': product!._id, placedAt: { $ne: null } })).toBe(5);
  });

  it('when one Idempotency-Key reaches both instances at the same moment, then one order is made and no second reservation', async () => {
    const productId = await productWithStock(10);
    const token = await buyer();
    const key = `checkout-${randomBytes(4).toString('hex')}`;
    const body = { items: [{ productId, quantity: 2 }] };

    const answers = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        call(instance(i), 'POST', '/api/orders/create', body, { authorization: token, 'idempotency-key': key }),
      ),
    );

    const created = answers.filter((answer) => answer.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    // A duplicate still running elsewhere is told so (409 IDEMPOTENCY_KEY_IN_USE); every 201 is the same order.
    expect(answers.filter((answer) => answer.status !== 201).map((answer) => answer.body.code)).toEqual(
      answers.filter((answer) => answer.status !== 201).map(() => 'IDEMPOTENCY_KEY_IN_USE'),
    );
    expect(new Set(created.map((answer) => answer.body.orderId)).size).toBe(1);
    expect((await ProductModel.findById(productId).lean())?.stock).toBe(8);
  });

  it(`when 8 orders from one account arrive at both instances at once, then exactly ${MAX_OPEN_ORDERS} are placed (ORDER_MAX_OPEN_PER_USER)`, async () => {
    const productId = await productWithStock(100);
    const token = await buyer();

    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        call(
          instance(i),
          'POST',
          '/api/orders/create',
          { items: [{ productId, quantity: 1 }] },
          { authorization: token },
        ),
      ),
    );

    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(MAX_OPEN_ORDERS);
    expect(answers.filter((answer) => answer.status === 409).map((answer) => answer.body.code)).toEqual(
      Array(8 - MAX_OPEN_ORDERS).fill('OPEN_ORDER_LIMIT'),
    );
    expect((await ProductModel.findById(productId).lean())?.stock).toBe(100 - MAX_OPEN_ORDERS);
  });

  it('when ten refunds of 10 race for a 50 order through both instances, then exactly five reach Stripe and nothing is over-refunded', async () => {
    const { orderId, admin } = await paidOrderOf50();

    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        call(
          instance(i),
          'POST',
          `/api/orders/${orderId}/refund`,
          { amount: 10 },
          { authorization: admin, 'idempotency-key': `refund-${i}` },
        ),
      ),
    );

    expect(answers.filter((answer) => answer.status === 202)).toHaveLength(5);
    expect(answers.filter((answer) => answer.status !== 202).map((answer) => answer.body.code)).toEqual(
      Array(5).fill('REFUND_EXCEEDS_REMAINDER'),
    );
    const stored = await OrderModel.findById(orderId).lean();
    const accepted = stored!.refunds.filter((refund) => refund.status !== 'refused');
    expect(accepted).toHaveLength(5);
    expect(accepted.reduce((sum, refund) => sum + refund.amountMinor, 0)).toBe(5000);
    expect(new Set(accepted.map((refund) => refund.refundId)).size).toBe(5);
  }, 30_000);

  it('when one refund Idempotency-Key reaches both instances at the same moment, then one refund is made', async () => {
    const { orderId, admin } = await paidOrderOf50();

    const answers = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        call(
          instance(i),
          'POST',
          `/api/orders/${orderId}/refund`,
          { amount: 20 },
          { authorization: admin, 'idempotency-key': 'refund-once' },
        ),
      ),
    );

    const accepted = answers.filter((answer) => answer.status === 202);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(answers.filter((answer) => answer.status !== 202).map((answer) => answer.body.code)).toEqual(
      answers.filter((answer) => answer.status !== 202).map(() => 'IDEMPOTENCY_KEY_IN_USE'),
    );
    expect(new Set(accepted.map((answer) => answer.body.data.refundId)).size).toBe(1);
    const stored = await OrderModel.findById(orderId).lean();
    expect(stored!.refunds.filter((refund) => refund.status !== 'refused')).toEqual([
      expect.objectContaining({ amountMinor: 2000, idempotencyKey: 'refund-once' }),
    ]);
  }, 30_000);
});

import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { ProductModel } from '../../src/models/product.model';
import { testDatabaseUri, useTestDatabase } from '../helpers/db';
import { call, startServerProcess, type RunningServer } from '../helpers/spawn-server';
import { DEAD_WEBHOOK_URL, localstripeUrl } from '../helpers/stripe-services';

/**
 * The assignment's flow against the real server process, as a client would run it with curl:
 * register, log in, create a product (admin), create an order, pay it from the backend, and wait for
 * the signed webhook to mark it paid (or failed).
 */
useTestDatabase({ clean: false });

const ADMIN = { email: 'admin@example.com', password: 'admin-password-1' };

/** A request to a spawned server, as the buyer or admin whose `Bearer` token is given. */
const callAs = (server: RunningServer, method: string, path: string, body?: unknown, token?: string) =>
  call(server, method, path, body, token ? { authorization: token } : {});

async function waitForStatus(server: RunningServer, token: string, orderId: string, wanted: string) {
  let last = '';
  for (let i = 0; i < 100; i += 1) {
    last = (await callAs(server, 'GET', `/api/orders/${orderId}`, undefined, token)).body.data.status;
    if (last === wanted) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return last;
}

async function shopperFlow(server: RunningServer) {
  const email = `john.${randomBytes(4).toString('hex')}@example.com`;
  expect(
    (await callAs(server, 'POST', '/api/registration', { name: 'John Doe', email, password: 'password123' })).status,
  ).toBe(201);
  const token = (await callAs(server, 'POST', '/api/login', { email, password: 'password123' })).body.token as string;
  const adminToken = (await callAs(server, 'POST', '/api/login', ADMIN)).body.token as string;
  const product = await callAs(
    server,
    'POST',
    '/api/products',
    {
      name: 'Wireless Mouse',
      description: 'A high-precision wireless mouse.',
      price: 25.99,
      currency: 'USD',
      stock: 100,
    },
    adminToken,
  );
  expect(product.status).toBe(201);
  return { token, productId: product.body.data.id as string };
}

async function orderAndPay(
  server: RunningServer,
  shopper: { token: string; productId: string },
  paymentMethod: string,
) {
  const order = await callAs(
    server,
    'POST',
    '/api/orders/create',
    { items: [{ productId: shopper.productId, quantity: 2 }] },
    shopper.token,
  );
  expect(order.status).toBe(201);
  expect(order.body).toMatchObject({
    message: 'Order created successfully',
    clientSecret: expect.stringMatching(/^pi_\w+_secret_\w+$/),
  });
  const pay = await callAs(server, 'POST', `/api/orders/${order.body.orderId}/pay`, { paymentMethod }, shopper.token);
  return { orderId: order.body.orderId as string, pay };
}

const baseEnv = () => ({
  NODE_ENV: 'development',
  MONGOOSE_CONNECTION_STRING: testDatabaseUri(mongoose.connection.name),
  JWT_SECRET: 'e2e-secret-long-enough-for-anything-0123456789',
  ADMIN_EMAIL: ADMIN.email,
  ADMIN_PASSWORD: ADMIN.password,
  BCRYPT_COST: '4',
  REQUEST_LOG: 'off',
});

describe('end to end with the simulated gateway (no Stripe key)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServerProcess({
      ...baseEnv(),
      STRIPE_WEBHOOK_SECRET: 'whsec_e2e_simulated',
      SIMULATED_WEBHOOK_DELAY_MS: '50',
    });
  });
  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  });

  it('when the shopper pays with pm_card_visa, then the signed webhook marks the order paid', async () => {
    const shopper = await shopperFlow(server);

    const { orderId, pay } = await orderAndPay(server, shopper, 'pm_card_visa');

    expect(pay).toMatchObject({ status: 200, body: { data: { paymentStatus: 'succeeded' } } });
    expect(await waitForStatus(server, shopper.token, orderId, 'paid')).toBe('paid');
    expect(server.output()).toMatch(/simulated/i);
    expect((await ProductModel.findById(shopper.productId).lean())?.stock).toBe(98);
  });

  it('when the card is declined, then 402 and the webhook marks the order failed; a retry with a good card pays it', async () => {
    const shopper = await shopperFlow(server);

    const { orderId, pay } = await orderAndPay(server, shopper, 'pm_card_chargeCustomerFail');
    const failed = await waitForStatus(server, shopper.token, orderId, 'failed');
    const retry = await callAs(
      server,
      'POST',
      `/api/orders/${orderId}/pay`,
      { paymentMethod: 'pm_card_visa' },
      shopper.token,
    );

    expect(pay.status).toBe(402);
    expect(pay.body.code).toBe('CARD_DECLINED');
    expect(failed).toBe('failed');
    expect(retry.status).toBe(200);
    expect(await waitForStatus(server, shopper.token, orderId, 'paid')).toBe('paid');
  });
});

describe('end to end with localstripe (a Stripe test key pointed at a Stripe-compatible server)', () => {
  let server: RunningServer;
  const webhookSecret = `whsec_${randomBytes(12).toString('hex')}`;
  beforeAll(async () => {
    const stripe = new URL(localstripeUrl());
    server = await startServerProcess({
      ...baseEnv(),
      STRIPE_SECRET_KEY: 'sk_test_e2e_localstripe',
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      STRIPE_API_HOST: stripe.hostname,
      STRIPE_API_PORT: stripe.port,
      STRIPE_API_PROTOCOL: 'http',
      STRIPE_MAX_NETWORK_RETRIES: '0',
    });
    // localstripe delivers its own signed events to every registered URL: register this server's webhook.
    expect(
      (await registerWebhook(`${server.baseUrl.replace('localhost', '127.0.0.1')}/api/orders/webhook`)).status,
    ).toBe(200);
  });
  const registration = `${localstripeUrl()}/_config/webhooks/e2e_${randomBytes(4).toString('hex')}`;
  const registerWebhook = (url: string) =>
    fetch(registration, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ url, secret: webhookSecret }),
    });
  afterAll(async () => {
    // localstripe cannot forget a webhook: once this server's port is free again, another test's server may get it.
    await registerWebhook(DEAD_WEBHOOK_URL);
    expect(await server.stop()).toBe(0);
  });

  it("when the shopper pays with pm_card_visa, then localstripe's own payment_intent.succeeded marks the order paid", async () => {
    const shopper = await shopperFlow(server);

    const { orderId, pay } = await orderAndPay(server, shopper, 'pm_card_visa');

    expect(pay).toMatchObject({ status: 200, body: { data: { paymentStatus: 'succeeded' } } });
    expect(await waitForStatus(server, shopper.token, orderId, 'paid')).toBe('paid');
    expect(server.output()).toMatch(/Stripe \(test mode\)/);
  });

  it("when the card is declined (pm_card_chargeCustomerFail), then 402 and localstripe's payment_intent.payment_failed marks it failed", async () => {
    const shopper = await shopperFlow(server);

    const { orderId, pay } = await orderAndPay(server, shopper, 'pm_card_chargeCustomerFail');

    expect(pay.status).toBe(402);
    expect(pay.body).toMatchObject({
      code: 'CARD_DECLINED',
      details: [{ message: expect.any(String), declineCode: 'card_declined', orderId }],
    });
    expect(await waitForStatus(server, shopper.token, orderId, 'failed')).toBe('failed');
  });

  it('when the shopper cancels, then localstripe cancels the intent and the stock comes back', async () => {
    const shopper = await shopperFlow(server);
    const order = await callAs(
      server,
      'POST',
      '/api/orders/create',
      { items: [{ productId: shopper.productId, quantity: 5 }] },
      shopper.token,
    );

    const canceled = await callAs(server, 'POST', `/api/orders/${order.body.orderId}/cancel`, undefined, shopper.token);

    expect(canceled).toMatchObject({ status: 200, body: { data: { status: 'canceled' } } });
    expect((await ProductModel.findById(shopper.productId).lean())?.stock).toBe(100);
  });
});

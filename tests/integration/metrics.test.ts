import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import mongoose from 'mongoose';
import request from 'supertest';
import { silentLogger } from '../../src/lib/logger';
import { createMetrics, type Metrics } from '../../src/lib/metrics';
import { createSimulatedGateway } from '../../src/payments/simulated.gateway';
import { buildTestApp, testConfig } from '../helpers/app';
import { adminToken, createOrder, createProduct, registerAndLogin } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';
import { sweeperFor } from '../helpers/sweeper';
import { deliver, intentFor, stripeEvent, type OrderRef } from '../helpers/webhooks';

useTestDatabase();

const TOKEN = 'metrics-token-0123456789abcdef';
const config = testConfig({ METRICS_TOKEN: TOKEN });

/** An app with /metrics on, its own metrics, and the simulated gateway (kept, for the expiry job). */
function metricsApp(env: Record<string, string> = {}, metrics: Metrics = createMetrics()) {
  const payments = createSimulatedGateway({
    webhookSecret: config.stripe.webhookSecret,
    webhookUrl: () => undefined,
    deliveryDelayMs: 0,
    logger: silentLogger,
  });
  const app = buildTestApp({ env: { METRICS_TOKEN: TOKEN, ...env }, deps: { metrics, payments } });
  return { app, metrics, payments };
}

async function scrape(app: Express): Promise<string> {
  const res = await request(app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
  return res.text;
}

/** The value of one sample, e.g. `shop_payments_total{outcome="succeeded"}`; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const orderRef = (created: Awaited<ReturnType<typeof createOrder>>): OrderRef => ({
  id: created.orderId,
  paymentIntentId: created.data.paymentIntentId,
  amount: created.data.amount,
  currency: created.data.currency,
});

describe('GET /metrics: access', () => {
  it('when METRICS_TOKEN is not set, then /metrics is a 404 like any unknown route', async () => {
    const res = await request(buildTestApp()).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);

    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      message: 'Route GET /metrics not found',
      code: 'ROUTE_NOT_FOUND',
      requestId: expect.any(String),
    });
    // Nor does another method give it away with a 405.
    expect((await request(buildTestApp()).post('/metrics')).status).toBe(404);
  });

  it.each([
    ['no Authorization header', undefined],
    ['a wrong token', `Bearer wrong-token-0123456789abcdef`],
    ['the token cut short', `Bearer ${TOKEN.slice(0, -1)}`],
    ['the token with more after it', `Bearer ${TOKEN}x`],
    ['the token in another scheme', `Basic ${TOKEN}`],
    ['the bare token', TOKEN],
  ])('when the request has %s, then 401 JSON and no metrics', async (_label, authorization) => {
    const { app } = metricsApp();

    const req = request(app).get('/metrics');
    const res = authorization ? await req.set('Authorization', authorization) : await req;

    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.body).toEqual({
      message: expect.any(String),
      code: 'INVALID_METRICS_TOKEN',
      requestId: expect.any(String),
    });
    expect(res.text).not.toContain('http_request_duration_seconds');
  });

  it('when the token is right, then 200 in Prometheus text format with the process and business metrics', async () => {
    const { app } = metricsApp({}, createMetrics({ processMetrics: true }));

    const res = await request(app).get('/metrics').set('Authorization', `bearer ${TOKEN}`).expect(200);

    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers['cache-control']).toBe('no-store');
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'http_request_duration_seconds',
    ]) {
      expect(res.text).toContain(`# TYPE ${name} `);
    }
    expect(sample(res.text, 'shop_orders_created_total')).toBe(0);
    expect(sample(res.text, 'shop_refunds_total')).toBe(0);
    expect(sample(res.text, 'shop_stock_conflicts_total')).toBe(0);
    for (const outcome of ['succeeded', 'failed', 'canceled'])
      expect(sample(res.text, `shop_payments_total{outcome="${outcome}"}`)).toBe(0);
  });

  it('when /api is rate limited, then scrapes are not', async () => {
    const { app } = metricsApp({ API_RATE_LIMIT_MAX: '2' });

    for (let i = 0; i < 5; i += 1) await scrape(app);
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await request(app).get('/api/products')).status);

    expect(statuses).toEqual([200, 200, 429]);
  });

  it('when two apps run in one process, then each has its own numbers', async () => {
    const first = metricsApp();
    const second = metricsApp();
    const product = await createProduct(first.app, await adminToken(first.app));
    const buyer = await registerAndLogin(first.app);

    await createOrder(first.app, buyer.token, [{ productId: product.id, quantity: 1 }]);

    expect(sample(await scrape(first.app), 'shop_orders_created_total')).toBe(1);
    expect(sample(await scrape(second.app), 'shop_orders_created_total')).toBe(0);
  });
});

describe('GET /metrics: request latency labels', () => {
  it('when many unknown paths and many order ids are requested, then the route label stays a template', async () => {
    const { app } = metricsApp();
    const buyer = await registerAndLogin(app);
    const random = () => randomBytes(6).toString('hex');

    for (let i = 0; i < 40; i += 1)
      await request(app)
        .get(i % 2 ? `/${random()}` : `/api/${random()}/${random()}`)
        .expect(404);
    for (let i = 0; i < 30; i += 1) {
      await request(app)
        .get(`/api/orders/${new mongoose.Types.ObjectId().toHexString()}`)
        .set('Authorization', buyer.token)
        .expect(404);
    }
    await request(app).get(`/api/orders/${random()}`).set('Authorization', buyer.token).expect(400);
    await request(app)
      .post(`/api/orders/${new mongoose.Types.ObjectId().toHexString()}/cancel`)
      .set('Authorization', buyer.token)
      .expect(404);
    await request(app).get(`/api/products/${new mongoose.Types.ObjectId().toHexString()}`).expect(404);

    const text = await scrape(app);
    const series = text.split('\n').filter((line) => line.startsWith('http_request_duration_seconds_count{'));
    const labels = series.map((line) =>
      Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]])),
    );
    expect(new Set(labels.map((l) => l.route))).toEqual(
      new Set([
        '/api/registration',
        '/api/login',
        'unmatched',
        '/api/orders/:id',
        '/api/orders/:id/cancel',
        '/api/products/:id',
      ]),
    );
    expect(labels).toEqual(
      expect.arrayContaining([
        { method: 'GET', route: 'unmatched', status_code: '404' },
        { method: 'GET', route: '/api/orders/:id', status_code: '404' },
        { method: 'GET', route: '/api/orders/:id', status_code: '400' },
      ]),
    );
    expect(series.length).toBeLessThanOrEqual(8);
    expect(sample(text, 'http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"}')).toBe(
      40,
    );
    expect(
      sample(text, 'http_request_duration_seconds_count{method="GET",route="/api/orders/:id",status_code="404"}'),
    ).toBe(30);
  });
});

describe('GET /metrics: business counters', () => {
  it('when orders are created, replayed, refused for stock, paid by a signed webhook and redelivered, then each counter moves once', async () => {
    const { app } = metricsApp();
    const product = await createProduct(app, await adminToken(app), { stock: 3 });
    const buyer = await registerAndLogin(app);
    const body = { items: [{ productId: product.id, quantity: 2 }] };

    const created = await request(app)
      .post('/api/orders/create')
      .set('Authorization', buyer.token)
      .set('Idempotency-Key', 'k-1')
      .send(body)
      .expect(201);
    await request(app)
      .post('/api/orders/create')
      .set('Authorization', buyer.token)
      .set('Idempotency-Key', 'k-1')
      .send(body)
      .expect(201);
    await request(app).post('/api/orders/create').set('Authorization', buyer.token).send(body).expect(409);
    const order = orderRef(created.body as Awaited<ReturnType<typeof createOrder>>);
    const paid = stripeEvent('payment_intent.succeeded', intentFor(order));
    await deliver(app, paid).expect(200);
    await deliver(app, paid).expect(200);
    await deliver(app, stripeEvent('payment_intent.succeeded', intentFor(order))).expect(200);
    await deliver(app, stripeEvent('customer.created', { id: 'cus_1', object: 'customer' })).expect(200);

    const text = await scrape(app);
    expect(sample(text, 'shop_orders_created_total')).toBe(1);
    expect(sample(text, 'shop_stock_conflicts_total')).toBe(1);
    expect(sample(text, 'shop_payments_total{outcome="succeeded"}')).toBe(1);
    expect(sample(text, 'shop_webhook_events_total{type="payment_intent.succeeded",outcome="applied"}')).toBe(1);
    expect(sample(text, 'shop_webhook_events_total{type="payment_intent.succeeded",outcome="duplicate"}')).toBe(1);
    expect(sample(text, 'shop_webhook_events_total{type="payment_intent.succeeded",outcome="no_change"}')).toBe(1);
    expect(sample(text, 'shop_webhook_events_total{type="other",outcome="ignored"}')).toBe(1);
    expect(text).not.toContain('customer.created');
    expect(
      sample(text, 'http_request_duration_seconds_count{method="POST",route="/api/orders/create",status_code="201"}'),
    ).toBe(2);
    expect(
      sample(text, 'http_request_duration_seconds_count{method="POST",route="/api/orders/create",status_code="409"}'),
    ).toBe(1);
  });

  it('when payments fail, are canceled by the customer, by Stripe and by the expiry job, then each order counts once', async () => {
    const metrics = createMetrics();
    const { app, payments } = metricsApp({}, metrics);
    const product = await createProduct(app, await adminToken(app), { stock: 10 });
    const buyer = await registerAndLogin(app);
    const items = [{ productId: product.id, quantity: 1 }];
    const declined = await createOrder(app, buyer.token, items);
    const canceledByBuyer = await createOrder(app, buyer.token, items);
    await createOrder(app, buyer.token, items); // left unpaid: the expiry job cancels it

    const failure = {
      status: 'requires_payment_method',
      amount_received: 0,
      last_payment_error: { code: 'card_declined', decline_code: 'generic_decline', message: 'Declined' },
    };
    await deliver(app, stripeEvent('payment_intent.payment_failed', intentFor(orderRef(declined), failure))).expect(
      200,
    );
    await deliver(app, stripeEvent('payment_intent.payment_failed', intentFor(orderRef(declined), failure))).expect(
      200,
    );
    await request(app)
      .post(`/api/orders/${canceledByBuyer.orderId}/cancel`)
      .set('Authorization', buyer.token)
      .expect(200);
    // Stripe then reports the cancel the customer made: the order has already moved, so it does not count again.
    await deliver(
      app,
      stripeEvent(
        'payment_intent.canceled',
        intentFor(orderRef(canceledByBuyer), { status: 'canceled', amount_received: 0 }),
      ),
    ).expect(200);
    await request(app).post(`/api/orders/${declined.orderId}/cancel`).set('Authorization', buyer.token).expect(200);
    // The expiry job, sharing the app's metrics as server.ts wires it, cancels the order left unpaid.
    const later = new Date(Date.now() + config.orders.paymentTimeoutMs + 60_000);
    const sweeper = sweeperFor({ payments, clock: () => later, metrics, config });
    expect((await sweeper.sweepOnce()).expired).toBe(1);
    await sweeper.sweepOnce();

    const text = await scrape(app);
    expect(sample(text, 'shop_payments_total{outcome="failed"}')).toBe(1);
    expect(sample(text, 'shop_payments_total{outcome="canceled"}')).toBe(3);
    expect(sample(text, 'shop_payments_total{outcome="succeeded"}')).toBe(0);
    expect(sample(text, 'shop_webhook_events_total{type="payment_intent.payment_failed",outcome="applied"}')).toBe(1);
    expect(sample(text, 'shop_webhook_events_total{type="payment_intent.payment_failed",outcome="no_change"}')).toBe(1);
    expect(sample(text, 'shop_webhook_events_total{type="payment_intent.canceled",outcome="no_change"}')).toBe(1);
  });

  it('when the gateway accepts a refund, then shop_refunds_total counts it', async () => {
    const { app, metrics } = metricsApp();

    metrics.refundAccepted();

    expect(sample(await scrape(app), 'shop_refunds_total')).toBe(1);
  });
});

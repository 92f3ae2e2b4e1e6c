import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import mongoose from 'mongoose';
import Stripe from 'stripe';
import request from 'supertest';
import { createApp, type AppDeps } from '../../src/app';
import { isDatabaseReady } from '../../src/db';
import { createSimulatedGateway } from '../../src/payments/simulated.gateway';
import { buildTestApp, TEST_JWT_SECRET, testConfig } from '../helpers/app';
import { adminToken, createProduct, getOrder, registerAndLogin } from '../helpers/builders';
import { testDatabaseUri, useTestDatabase } from '../helpers/db';
import { captureLogs, type LogEntry } from '../helpers/logs';
import { spawnTsScript, startServerProcess } from '../helpers/spawn-server';
import { deliver, stripeEvent, TEST_WEBHOOK_SECRET } from '../helpers/webhooks';

useTestDatabase();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The test app with request logging on, at debug level, writing into memory. */
function appWithLogs(deps: Partial<AppDeps> = {}) {
  const logs = captureLogs('debug');
  const app = buildTestApp({ env: { REQUEST_LOG: 'on', LOG_LEVEL: 'debug' }, deps: { logger: logs.logger, ...deps } });
  return { app, logs };
}

const accessLines = (entries: LogEntry[]) => entries.filter((e) => e.message === 'request completed');

describe('request ids in logs', () => {
  it('when a webhook is served, then every line logged for it, the service lines too, carries its request id', async () => {
    const { app, logs } = appWithLogs();
    const event = stripeEvent('payment_intent.succeeded', {
      id: 'pi_nobody',
      object: 'payment_intent',
      amount: 500,
      amount_received: 500,
      currency: 'usd',
      metadata: {},
    });

    await deliver(app, event).set('X-Request-Id', 'trace-webhook-1').expect(200);

    const entries = logs.entries();
    expect(entries.map((e) => e.message)).toEqual(
      expect.arrayContaining(['stripe event for an unknown payment intent', 'stripe event', 'request completed']),
    );
    for (const entry of entries) expect(entry.requestId).toBe('trace-webhook-1');
    expect(accessLines(entries)).toEqual([
      expect.objectContaining({
        level: 'info',
        method: 'POST',
        route: '/api/orders/webhook',
        url: '/api/orders/webhook',
        status: 200,
        durationMs: expect.any(Number),
      }),
    ]);
  });

  it('when two requests run at the same time, then each line carries the id of the request it was logged for', async () => {
    const { app, logs } = appWithLogs();
    const events = ['a', 'b', 'c', 'd'].map((suffix) =>
      stripeEvent('payment_intent.succeeded', {
        id: `pi_nobody_${suffix}`,
        object: 'payment_intent',
        amount: 1,
        amount_received: 1,
        currency: 'usd',
        metadata: {},
      }),
    );

    await Promise.all(events.map((event, i) => deliver(app, event).set('X-Request-Id', `parallel-${i}`).expect(200)));

    const serviceLines = logs.entries().filter((e) => e.message === 'stripe event');
    expect(serviceLines).toHaveLength(4);
    for (const line of serviceLines)
      expect(line.requestId).toBe(`parallel-${events.findIndex((e) => e.id === line.id)}`);
  });

  it('when writes and reads take turns, then the log context is held only while a write runs, and every line still has its id', async () => {
    let databaseUp = true;
    const { app, logs } = appWithLogs({ isDatabaseAvailable: () => databaseUp });
    const webhook = (suffix: string) =>
      deliver(
        app,
        stripeEvent('payment_intent.succeeded', {
          id: `pi_turns_${suffix}`,
          object: 'payment_intent',
          amount: 1,
          amount_received: 1,
          currency: 'usd',
          metadata: {},
        }),
      )
        .set('X-Request-Id', `turn-${suffix}`)
        .expect(200);

    await webhook('a'); // the context is taken, then given back when the response closes
    await new Promise((resolve) => setImmediate(resolve));
    databaseUp = false;
    const read = await request(app).get('/api/products').set('X-Request-Id', 'turn-read').expect(503);
    databaseUp = true;
    await webhook('b'); // and taken again

    expect(read.body.requestId).toBe('turn-read');
    const entries = logs.entries();
    expect(entries.find((e) => e.message === 'request failed')).toEqual(
      expect.objectContaining({ requestId: 'turn-read', status: 503, level: 'warn' }),
    );
    const serviceLines = entries.filter((e) => e.message === 'stripe event');
    expect(serviceLines.map((e) => e.requestId)).toEqual(['turn-a', 'turn-b']);
    for (const entry of entries) expect(entry.requestId).toEqual(expect.stringMatching(/^turn-/));
  });

  it('when REQUEST_LOG is off, then no access lines are written', async () => {
    const logs = captureLogs('debug');
    const app = buildTestApp({ env: { REQUEST_LOG: 'off', LOG_LEVEL: 'debug' }, deps: { logger: logs.logger } });

    await request(app).get('/health').expect(200);
    await request(app).get('/nowhere').expect(404);

    expect(logs.entries()).toEqual([]);
  });

  it('when requests hit routes, unknown paths and errors inside routers, then access lines name route templates', async () => {
    const { app, logs } = appWithLogs();
    const user = await registerAndLogin(app);
    const id = new mongoose.Types.ObjectId().toHexString();

    await request(app).get(`/api/orders/${id}`).set('Authorization', user.token).expect(404);
    await request(app).get('/api/orders/not-an-id').set('Authorization', user.token).expect(400);
    await request(app)
      .post(`/api/orders/${id}/pay`)
      .set('Authorization', user.token)
      .send({ paymentMethod: 'pm_card_visa' })
      .expect(404);
    await request(app).get('/api/orders').set('Authorization', user.token).expect(200);
    await request(app).get(`/somewhere/${id}`).expect(404);
    await request(app).get('/health').expect(200);

    const routes = accessLines(logs.entries()).map((e) => [e.route, e.status, e.level]);
    expect(routes).toEqual([
      ['/api/registration', 201, 'info'],
      ['/api/login', 200, 'info'],
      ['/api/orders/:id', 404, 'info'],
      ['/api/orders/:id', 400, 'info'],
      ['/api/orders/:id/pay', 404, 'info'],
      ['/api/orders', 200, 'info'],
      ['unmatched', 404, 'info'],
      ['/health', 200, 'debug'],
    ]);
  });
});

describe('request ids in error bodies', () => {
  /** Every error answer carries the request id: the same as the X-Request-Id header and its access line. */
  function expectTraceable(res: request.Response, entries: LogEntry[], status: number, code: string) {
    expect(res.status).toBe(status);
    expect(res.body).toEqual(
      expect.objectContaining({ code, message: expect.any(String), requestId: res.headers['x-request-id'] }),
    );
    expect(res.body.requestId).toMatch(UUID);
    expect(accessLines(entries).find((e) => e.requestId === res.body.requestId)).toEqual(
      expect.objectContaining({ status }),
    );
  }

  it('when a route is unknown (404), then the body has the request id', async () => {
    const { app, logs } = appWithLogs();
    expectTraceable(await request(app).get('/api/nothing-here'), logs.entries(), 404, 'ROUTE_NOT_FOUND');
  });

  it('when the body is malformed (400), then the body has the request id', async () => {
    const { app, logs } = appWithLogs();
    const res = await request(app).post('/api/login').set('Content-Type', 'application/json').send('{"email":');
    expectTraceable(res, logs.entries(), 400, 'MALFORMED_JSON');
  });

  it('when a token is missing (401), then the body has the request id', async () => {
    const { app, logs } = appWithLogs();
    expectTraceable(await request(app).get('/api/profile'), logs.entries(), 401, 'UNAUTHORIZED');
  });

  it('when the database does not answer (503), then the body has the request id', async () => {
    const { app, logs } = appWithLogs({ isDatabaseReady: () => Promise.resolve(false) });
    expectTraceable(await request(app).get('/ready'), logs.entries(), 503, 'NOT_READY');
  });

  it('when something unexpected breaks (500), then the body has the request id and the error is logged under it', async () => {
    const config = testConfig();
    const simulated = createSimulatedGateway({
      webhookSecret: config.stripe.webhookSecret,
      webhookUrl: () => undefined,
      deliveryDelayMs: 0,
      logger: captureLogs().logger,
    });
    const broken = { ...simulated, createPaymentIntent: () => Promise.reject(new TypeError('gateway adapter bug')) };
    const { app, logs } = appWithLogs({ payments: broken });
    const product = await createProduct(app, await adminToken(app));
    const buyer = await registerAndLogin(app);

    const res = await request(app)
      .post('/api/orders/create')
      .set('Authorization', buyer.token)
      .send({ items: [{ productId: product.id, quantity: 1 }] });

    expectTraceable(res, logs.entries(), 500, 'INTERNAL_ERROR');
    expect(logs.entries()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          level: 'error',
          message: 'unhandled error',
          requestId: res.body.requestId,
          error: expect.stringContaining('gateway adapter bug'),
        }),
        expect.objectContaining({
          level: 'error',
          message: 'request completed',
          requestId: res.body.requestId,
          route: '/api/orders/create',
          status: 500,
        }),
      ]),
    );
  });
});

describe('inbound X-Request-Id', () => {
  it.each([
    ['a UUID', '3b241101-e2bb-4255-8caf-4136c566a962'],
    ['128 plain characters', 'a'.repeat(128)],
    ['letters, digits, dot, dash and underscore', 'req_2024.06-30.A1'],
  ])('when it is %s, then it is kept, echoed and used in the logs', async (_label, id) => {
    const { app, logs } = appWithLogs();

    const res = await request(app).get('/api/nothing-here').set('X-Request-Id', id).expect(404);

    expect(res.headers['x-request-id']).toBe(id);
    expect(res.body.requestId).toBe(id);
    expect(accessLines(logs.entries())[0]?.requestId).toBe(id);
  });

  it.each([
    ['129 characters', 'a'.repeat(129)],
    ['a space', 'two words'],
    ['a JSON fragment', '","level":"error'],
    ['non-ASCII letters', 'Grüße'],
    ['a CR/LF lookalike', 'abc%0d%0aSet-Cookie:x'],
  ])('when it has %s, then a new id replaces it', async (_label, id) => {
    const { app } = appWithLogs();

    const res = await request(app).get('/api/nothing-here').set('X-Request-Id', id).expect(404);

    expect(res.headers['x-request-id']).toMatch(UUID);
    expect(res.body.requestId).toBe(res.headers['x-request-id']);
  });
});

describe('log redaction', () => {
  it('when a whole shop flow and its error cases are logged at debug level, then no password, token, client secret, signature or webhook secret is written', async () => {
    const logs = captureLogs('debug');
    const config = testConfig({ REQUEST_LOG: 'on', LOG_LEVEL: 'debug' });
    let webhookUrl: string | undefined;
    const payments = createSimulatedGateway({
      webhookSecret: config.stripe.webhookSecret,
      webhookUrl: () => webhookUrl,
      deliveryDelayMs: 0,
      logger: logs.logger,
    });
    const app = createApp({ config, logger: logs.logger, isDatabaseReady, payments });
    const server = app.listen(0);
    await new Promise((resolve) => server.once('listening', resolve));
    webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/orders/webhook`;
    const secrets: string[] = [TEST_WEBHOOK_SECRET, TEST_JWT_SECRET];
    try {
      // Register, log in, read the profile: passwords in bodies, the JWT in a response and in a header.
      const password = `Pw-${randomBytes(6).toString('hex')}`;
      const admin = await adminToken(app);
      const buyer = await registerAndLogin(app, { password });
      secrets.push(password, 'admin-password-1', admin.replace('Bearer ', ''), buyer.token.replace('Bearer ', ''));
      await request(server)
        .get('/api/profile')
        .set('Authorization', buyer.token)
        .set('Cookie', 'session=cookie-secret-value')
        .expect(200);
      secrets.push('cookie-secret-value');

      // Order with an Idempotency-Key (created, then replayed), paid; the gateway delivers its signed event.
      const product = await createProduct(app, admin, { stock: 5 });
      const body = { items: [{ productId: product.id, quantity: 1 }] };
      const created = await request(server)
        .post('/api/orders/create')
        .set('Authorization', buyer.token)
        .set('Idempotency-Key', 'checkout-observability')
        .send(body)
        .expect(201);
      await request(server)
        .post('/api/orders/create')
        .set('Authorization', buyer.token)
        .set('Idempotency-Key', 'checkout-observability')
        .send(body)
        .expect(201);
      secrets.push(created.body.clientSecret as string);
      await request(server)
        .post(`/api/orders/${created.body.orderId}/pay`)
        .set('Authorization', buyer.token)
        .send({ paymentMethod: 'pm_card_visa' })
        .expect(200);
      await payments.settle();
      expect((await getOrder(app, buyer.token, created.body.orderId as string)).status).toBe('paid');

      // A signed webhook sent by hand, and one signed with another secret.
      const event = JSON.stringify(stripeEvent('customer.created', { id: 'cus_1', object: 'customer' }));
      const signature = Stripe.webhooks.generateTestHeaderString({ payload: event, secret: TEST_WEBHOOK_SECRET });
      const forged = Stripe.webhooks.generateTestHeaderString({ payload: event, secret: 'whsec_forged_secret_value' });
      await request(server)
        .post('/api/orders/webhook')
        .set('Content-Type', 'application/json')
        .set('Stripe-Signature', signature)
        .send(event)
        .expect(200);
      await request(server)
        .post('/api/orders/webhook')
        .set('Content-Type', 'application/json')
        .set('Stripe-Signature', forged)
        .send(event)
        .expect(400);
      secrets.push(signature, forged, 'whsec_forged_secret_value', signature.split(',v1=')[1]!);

      // Error cases: a wrong password, a malformed body carrying a password, a tampered token.
      await request(server).post('/api/login').send({ email: buyer.email, password: 'Wrong-pass-123' }).expect(401);
      await request(server)
        .post('/api/login')
        .set('Content-Type', 'application/json')
        .send(`{"email":"${buyer.email}","password":"Leaky-pass-456"`)
        .expect(400);
      const tampered = `${buyer.token.slice(0, -4)}AAAA`;
      await request(server).get('/api/profile').set('Authorization', tampered).expect(401);
      secrets.push('Wrong-pass-123', 'Leaky-pass-456', tampered.replace('Bearer ', ''));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }

    const text = logs.text();
    const entries = logs.entries();
    // The log is there and detailed (debug: request headers on access lines) ...
    const routes = new Set(accessLines(entries).map((e) => e.route));
    for (const route of [
      '/api/registration',
      '/api/login',
      '/api/profile',
      '/api/orders/create',
      '/api/orders/:id/pay',
      '/api/orders/webhook',
    ])
      expect(routes).toContain(route);
    const headers = accessLines(entries).map((e) => e.headers as Record<string, unknown>);
    expect(headers).toEqual(
      expect.arrayContaining([expect.objectContaining({ authorization: '[redacted]', cookie: '[redacted]' })]),
    );
    expect(headers).toEqual(expect.arrayContaining([expect.objectContaining({ 'stripe-signature': '[redacted]' })]));
    expect(entries.map((e) => e.message)).toEqual(
      expect.arrayContaining(['stripe event', 'Simulated webhook delivered']),
    );
    // ... and holds none of the secrets that went through it.
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    expect(text).not.toMatch(/_secret_\w/);
    expect(text).not.toMatch(/v1=[\da-f]{16}/);
    expect(text).not.toMatch(/whsec_\w/);
  });
});

describe('the server process', () => {
  const productionEnv = () => ({
    NODE_ENV: 'production',
    MONGOOSE_CONNECTION_STRING: testDatabaseUri(mongoose.connection.name),
    JWT_SECRET: randomBytes(32).toString('hex'),
    STRIPE_SECRET_KEY: 'sk_test_observability',
    STRIPE_PUBLISHABLE_KEY: 'pk_test_observability',
    STRIPE_WEBHOOK_SECRET: 'whsec_observability',
    BCRYPT_COST: '4',
  });

  it('when it runs in production with stdout on a pipe, then it writes JSON lines with no colour codes, access lines included', async () => {
    const server = await startServerProcess({ ...productionEnv(), METRICS_TOKEN: 'process-metrics-token-0123' });
    try {
      await fetch(`${server.baseUrl}/api/nowhere`, { headers: { 'x-request-id': 'process-production' } });
      // server.ts wires one set of metrics, process metrics included, into the app.
      const scrape = await fetch(`${server.baseUrl}/metrics`, {
        headers: { authorization: 'Bearer process-metrics-token-0123' },
      });
      expect(scrape.status).toBe(200);
      const text = await scrape.text();
      expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
      expect(text).toContain('http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"} 1');
    } finally {
      expect(await server.stop('SIGTERM')).toBe(0);
    }

    const output = server.output();
    expect(output).not.toContain('\u001b[');
    const lines = output
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as LogEntry);
    expect(lines.map((l) => l.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^listening on/), 'stopped']),
    );
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          level: 'info',
          message: 'request completed',
          requestId: 'process-production',
          method: 'GET',
          route: 'unmatched',
          status: 404,
        }),
      ]),
    );
    for (const line of lines)
      expect(line).toEqual(
        expect.objectContaining({ level: expect.any(String), time: expect.any(String), message: expect.any(String) }),
      );
  });

  it('when development logging (readable where possible) writes to a pipe, then it writes JSON lines with no colour codes', async () => {
    const run = spawnTsScript('tests/helpers/log-lines.ts', [], { NODE_ENV: 'development', FORCE_COLOR: '1' });

    expect(await run.exited).toBe(0);
    const output = run.output();
    expect(output).not.toContain('\u001b[');
    expect(
      output
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as LogEntry),
    ).toEqual([
      expect.objectContaining({ level: 'info', message: 'plain line', orderId: 'o1' }),
      expect.objectContaining({
        level: 'warn',
        message: 'line in a request',
        requestId: 'pipe-check',
        password: '[redacted]',
      }),
      expect.objectContaining({ level: 'error', message: 'error line' }),
    ]);
  });
});

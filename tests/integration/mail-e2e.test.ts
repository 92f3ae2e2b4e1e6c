import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import Stripe from 'stripe';
import { MailModel } from '../../src/models/mail.model';
import { OrderModel } from '../../src/models/order.model';
import { UserModel } from '../../src/models/user.model';
import { testDatabaseUri, useTestDatabase } from '../helpers/db';
import { startSmtpServer, tokenFromMail, type ReceivedMail, type TestSmtpServer } from '../helpers/smtp';
import { call, startServerProcess, type RunningServer } from '../helpers/spawn-server';
import { localstripeUrl } from '../helpers/stripe-services';
import { intentFor, stripeEvent } from '../helpers/webhooks';

/**
 * The whole path of a shop's mail through real server processes: a registration's verification mail over SMTP,
 * an order paid with localstripe, and its "paid" mail arriving once although the signed webhook is delivered
 * three times to two instances; then servers killed (SIGKILL, as kill -9): while sending that mail (the next one
 * sends it once after its lease has run out), between the webhook's move to paid and the step that records the mail
 * (the next one's expiry job records it, and it arrives once), and just after the SMTP server took a mail (the next
 * one parks it as outcome_unknown instead of sending it twice).
 */
useTestDatabase({ clean: false });

const ADMIN = { email: 'mail-e2e-admin@example.com', password: 'mail-e2e-admin-password-1' };
const WEBHOOK_SECRET = `whsec_${randomBytes(12).toString('hex')}`;

let smtp: TestSmtpServer;
beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(() => smtp.close());

function serverEnv(extra: Record<string, string> = {}): Record<string, string> {
  const stripe = new URL(localstripeUrl());
  return {
    NODE_ENV: 'development',
    MONGOOSE_CONNECTION_STRING: testDatabaseUri(mongoose.connection.name),
    JWT_SECRET: 'mail-e2e-secret-long-enough-for-anything-0123456789',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    BCRYPT_COST: '4',
    REQUEST_LOG: 'off',
    LOG_LEVEL: 'info',
    STRIPE_SECRET_KEY: 'sk_test_mail_e2e_localstripe',
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_HOST: stripe.hostname,
    STRIPE_API_PORT: stripe.port,
    STRIPE_API_PROTOCOL: 'http',
    STRIPE_MAX_NETWORK_RETRIES: '0',
    SMTP_URL: smtp.url,
    SHOP_NAME: 'E2E Shop',
    SHOP_URL: 'https://e2e.example.com/',
    MAIL_POLL_INTERVAL_SECONDS: '1',
    // The lease is four SMTP timeouts and 10 s: 12 s, how long a killed sender's mail waits before another takes it.
    MAIL_SMTP_TIMEOUT_MS: '500',
    ...extra,
  };
}

/** A request to a server that kills itself while answering it: the connection drops, and the process ends by a signal. */
async function callThatKills(
  server: RunningServer,
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const died = await call(server, method, path, body, headers).then(
    () => false,
    () => true,
  );
  expect(died).toBe(true);
  expect(await server.stop()).toBeNull(); // killed by a signal, not exited
}

async function until<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function mailsTo(email: string, subject: RegExp, count: number, timeoutMs = 15_000): Promise<ReceivedMail[]> {
  const started = Date.now();
  for (;;) {
    const mails = smtp.received.filter((mail) => mail.to === email && subject.test(mail.subject));
    if (mails.length >= count) return mails;
    if (Date.now() - started > timeoutMs)
      throw new Error(`expected ${count} mails to ${email} matching ${subject}, got ${mails.length}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function shopperWithOrder(server: RunningServer) {
  const buyer = {
    name: 'Eve <Buyer>',
    email: `e2e.${randomBytes(4).toString('hex')}@example.com`,
    password: 'password123',
  };
  expect((await call(server, 'POST', '/api/registration', buyer)).status).toBe(201);
  const token = (await call(server, 'POST', '/api/login', { email: buyer.email, password: buyer.password })).body
    .token as string;
  const admin = (await call(server, 'POST', '/api/login', ADMIN)).body.token as string;
  const product = await call(
    server,
    'POST',
    '/api/products',
    { name: `Lamp <${randomBytes(2).toString('hex')}>`, description: 'Bright', price: 19.5, currency: 'EUR', stock: 5 },
    { authorization: admin },
  );
  expect(product.status).toBe(201);
  const order = await call(
    server,
    'POST',
    '/api/orders/create',
    { items: [{ productId: product.body.data.id, quantity: 2 }] },
    { authorization: token },
  );
  expect(order.status).toBe(201);
  return { buyer, token, order: order.body };
}

function signedSuccess(order: Record<string, any>) {
  const payload = JSON.stringify(
    stripeEvent('payment_intent.succeeded', intentFor({ ...order.data, id: order.orderId })),
  );
  return { payload, signature: Stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET }) };
}

describe('a shopper on two instances', () => {
  let servers: [RunningServer, RunningServer];
  beforeAll(async () => {
    servers = await Promise.all([startServerProcess(serverEnv()), startServerProcess(serverEnv())]);
  }, 60_000);
  afterAll(async () => {
    expect(await Promise.all((servers ?? []).map((server) => server.stop()))).toEqual(servers ? [0, 0] : []);
  });

  it('when they register, verify, order and pay, then the paid mail arrives once though the webhook comes three times to two instances', async () => {
    const [a, b] = servers;
    const { buyer, token, order } = await shopperWithOrder(a);

    const [verification] = await mailsTo(buyer.email, /confirm your email address/, 1);
    expect(verification!.html).toContain('Eve &lt;Buyer&gt;');
    expect((await call(b, 'POST', '/api/email/verify', { token: tokenFromMail(verification!) })).status).toBe(200);
    const paid = await call(
      b,
      'POST',
      `/api/orders/${order.orderId}/pay`,
      { paymentMethod: 'pm_card_visa' },
      { authorization: token },
    );
    expect(paid.body.data).toMatchObject({ paymentStatus: 'succeeded' });
    const { payload, signature } = signedSuccess(order);
    const deliveries = await Promise.all(
      [a, b, a].map((server) =>
        call(server, 'POST', '/api/orders/webhook', payload, { 'stripe-signature': signature }),
      ),
    );

    expect(deliveries.map((delivery) => delivery.status)).toEqual([200, 200, 200]);
    const [mail] = await mailsTo(buyer.email, /is paid/, 1);
    expect(mail!.subject).toBe(`E2E Shop: your order ${order.orderId} is paid`);
    expect(mail!.text).toContain('2 x Lamp <');
    expect(mail!.text).toContain('Total: 39.00 EUR');
    expect(mail!.html).toMatch(/Lamp &lt;[a-f\d]{4}&gt;/);
    expect(mail!.text).toContain(`https://e2e.example.com/#/orders/${order.orderId}`);
    await new Promise((resolve) => setTimeout(resolve, 2500)); // more passes of both workers: nothing may be sent twice
    expect(
      smtp.received.filter((received) => received.to === buyer.email && /is paid/.test(received.subject)),
    ).toHaveLength(1);
    expect(await MailModel.findById(`order-paid:${order.orderId}`).lean()).toMatchObject({
      status: 'sent',
      attempts: 1,
    });
    expect((await OrderModel.findById(order.orderId).lean())?.status).toBe('paid');
  }, 60_000);
});

describe('a server killed while it sends', () => {
  it('when it is killed (SIGKILL) between the webhook and the end of the send, then the next server sends the mail once', async () => {
    const doomed = await startServerProcess(serverEnv());
    const { buyer, order } = await shopperWithOrder(doomed);
    await mailsTo(buyer.email, /confirm your email address/, 1); // its worker is idle again
    smtp.behaviour.rcptDelayMs = 60_000; // the next transaction stalls before its message: the mail is not handed over
    const { payload, signature } = signedSuccess(order);

    expect((await call(doomed, 'POST', '/api/orders/webhook', payload, { 'stripe-signature': signature })).status).toBe(
      200,
    );
    const key = `order-paid:${order.orderId}`;
    for (let waited = 0; (await MailModel.findById(key).lean())?.status !== 'sending'; waited += 50) {
      if (waited > 10_000) throw new Error('the mail was never claimed');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await doomed.stop('SIGKILL');
    smtp.behaviour.rcptDelayMs = 0;
    expect(await MailModel.findById(key).lean()).toMatchObject({ status: 'sending', handedOverAt: null });

    const next = await startServerProcess(serverEnv());
    try {
      const [mail] = await mailsTo(buyer.email, /is paid/, 1, 30_000);
      expect(mail!.subject).toContain(order.orderId as string);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(
        smtp.received.filter((received) => received.to === buyer.email && /is paid/.test(received.subject)),
      ).toHaveLength(1);
      expect(await MailModel.findById(key).lean()).toMatchObject({ status: 'sent', attempts: 2 });
    } finally {
      expect(await next.stop()).toBe(0);
    }
  }, 90_000);
});

describe('a server killed between two writes (FAULT_CRASH_AT)', () => {
  it('when it dies after the webhook stored the order paid and before the step that settles its stock and records the mail, then the next server records it and it arrives once', async () => {
    const doomed = await startServerProcess(serverEnv({ FAULT_CRASH_AT: 'payment.before-settle' }));
    const { buyer, order } = await shopperWithOrder(doomed);
    await mailsTo(buyer.email, /confirm your email address/, 1);
    const { payload, signature } = signedSuccess(order);

    await callThatKills(doomed, 'POST', '/api/orders/webhook', payload, { 'stripe-signature': signature });
    const key = `order-paid:${order.orderId}`;
    expect(await OrderModel.findById(order.orderId).lean()).toMatchObject({ status: 'paid', stock: 'held' });
    expect(await MailModel.findById(key).lean()).toBeNull();

    // The expiry job's pass settles what a crash left unsettled, recording the mail on the way; Stripe's redelivery
    // of the unanswered event then finds nothing left to do.
    const next = await startServerProcess(serverEnv({ ORDER_SWEEP_INTERVAL_SECONDS: '1' }));
    try {
      const [mail] = await mailsTo(buyer.email, /is paid/, 1, 30_000);
      expect(mail!.subject).toContain(order.orderId as string);
      const redelivered = await call(next, 'POST', '/api/orders/webhook', payload, { 'stripe-signature': signature });
      expect(redelivered.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(
        smtp.received.filter((received) => received.to === buyer.email && /is paid/.test(received.subject)),
      ).toHaveLength(1);
      expect(await MailModel.findById(key).lean()).toMatchObject({ status: 'sent', attempts: 1 });
      expect(await OrderModel.findById(order.orderId).lean()).toMatchObject({ status: 'paid', stock: 'committed' });
    } finally {
      expect(await next.stop()).toBe(0);
    }
  }, 90_000);

  it('when it dies just after the SMTP server took a mail, then the next server parks it as outcome_unknown, counted, and never sends it again', async () => {
    const doomed = await startServerProcess(serverEnv({ FAULT_CRASH_AT: 'mail.after-handover' }));
    const buyer = {
      name: 'Hand Over',
      email: `handover.${randomBytes(4).toString('hex')}@example.com`,
      password: 'password123',
    };
    // Registration records the verification mail; the worker hands it over, the server dies before recording that.
    await call(doomed, 'POST', '/api/registration', buyer).catch(() => undefined);
    await mailsTo(buyer.email, /confirm your email address/, 1);
    await until(
      'the crash',
      () => Promise.resolve(doomed.child.signalCode),
      (signal) => signal !== null,
    );
    expect(await doomed.stop()).toBeNull();
    const account = await UserModel.findOne({ email: buyer.email }).lean();
    const key = `email-verification:${account!._id.toHexString()}:registration`;
    expect(await MailModel.findById(key).lean()).toMatchObject({ status: 'sending', handedOverAt: expect.any(Date) });

    const metricsToken = 'mail-e2e-metrics-token-0123456789';
    const next = await startServerProcess(serverEnv({ METRICS_TOKEN: metricsToken }));
    try {
      // After the dead sender's lease (12 s here): it may have arrived, so it is parked for a person.
      const parked = await until(
        'the mail parked',
        () => MailModel.findById(key).lean(),
        (mail) => mail?.status === 'parked',
        40_000,
      );
      expect(parked).toMatchObject({ parkedReason: 'outcome_unknown' });
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(smtp.received.filter((received) => received.to === buyer.email)).toHaveLength(1);
      const metrics = await fetch(`${next.baseUrl}/metrics`, {
        headers: { authorization: `Bearer ${metricsToken}` },
      }).then((res) => res.text());
      expect(metrics).toMatch(/shop_mails_parked_total\{template="email-verification",reason="outcome_unknown"\} 1/);
    } finally {
      expect(await next.stop()).toBe(0);
    }
  }, 90_000);
});

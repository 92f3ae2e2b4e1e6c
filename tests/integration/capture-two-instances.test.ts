import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import Stripe from 'stripe';
import { OrderModel } from '../../src/models/order.model';
import { ProductModel } from '../../src/models/product.model';
import { SimulatedIdempotencyKeyModel, SimulatedIntentModel } from '../../src/payments/simulated.store';
import { testDatabaseUri, useTestDatabase } from '../helpers/db';
import { call, startServerProcess, type RunningServer } from '../helpers/spawn-server';
import { closedPort } from '../helpers/stripe-services';
import { stripeEvent } from '../helpers/webhooks';

/**
 * Manual capture with two real server processes on one database, as Render runs several instances: each
 * instance's simulated gateway delivers its signed events to the other one, so the payment_intent.succeeded of
 * a capture made through instance A is applied by instance B while A applies the capture's own answer, and the
 * same capture is sent to both at once. The order's conditional update decides: captured once, paid once,
 * its units sold once.
 */
useTestDatabase({ clean: false });

const ADMIN = { email: 'capture-twins-admin@example.com', password: 'capture-twins-password-1' };
const WEBHOOK_SECRET = `whsec_${randomBytes(12).toString('hex')}`;

let servers: [RunningServer, RunningServer];

async function login(server: RunningServer, user: { email: string; password: string }) {
  const res = await call(server, 'POST', '/api/login', user);
  expect(res.status).toBe(200);
  return res.body.token as string;
}

/** Waits (tightly) until the gateway has captured the intent, then delivers its payment_intent.succeeded, signed, to both instances. */
async function deliverOnceCaptured(intentId: string) {
  let intent: Record<string, unknown> | null = null;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    intent = await SimulatedIntentModel.findOne({ _id: intentId, status: 'succeeded' }).lean();
    if (intent) break;
  }
  if (!intent) throw new Error('the intent was never captured');
  const { _id, ...fields } = intent;
  const payload = JSON.stringify(stripeEvent('payment_intent.succeeded', { id: _id, ...fields }));
  const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
  const deliveries = await Promise.all(
    servers.map((server) =>
      fetch(`${server.baseUrl}/api/orders/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': signature },
        body: payload,
      }),
    ),
  );
  expect(deliveries.map((delivery) => delivery.status)).toEqual([200, 200]);
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  const ports = [await closedPort(), await closedPort()];
  const env = (own: number, other: number) => ({
    NODE_ENV: 'development',
    PORT: String(own),
    MONGOOSE_CONNECTION_STRING: testDatabaseUri(mongoose.connection.name),
    JWT_SECRET: 'capture-twins-secret-long-enough-0123456789',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    BCRYPT_COST: '4',
    REQUEST_LOG: 'off',
    LOG_LEVEL: 'info',
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    PAYMENT_CAPTURE: 'manual',
    SIMULATED_WEBHOOK_URL: `http://127.0.0.1:${other}/api/orders/webhook`,
    SIMULATED_WEBHOOK_DELAY_MS: '0',
  });
  servers = await Promise.all([
    startServerProcess(env(ports[0]!, ports[1]!)),
    startServerProcess(env(ports[1]!, ports[0]!)),
  ]);
}, 60_000);

afterAll(async () => {
  const codes = await Promise.all((servers ?? []).map((server) => server.stop()));
  expect(codes).toEqual([0, 0]);
});

describe('manual capture on two instances', () => {
  it('when one capture is sent to both instances at once and its webhook races it, then it is captured once, paid once, its units sold once', async () => {
    const [a, b] = servers;
    const admin = await login(a, ADMIN);
    const buyer = {
      name: 'Twin',
      email: `capture.twin.${randomBytes(4).toString('hex')}@example.com`,
      password: 'password123',
    };
    expect((await call(b, 'POST', '/api/registration', buyer)).status).toBe(201);
    const token = await login(b, buyer);

    const movedBy: string[] = [];
    for (let round = 0; round < 6; round += 1) {
      const product = await call(
        a,
        'POST',
        '/api/products',
        { name: `Twin ${round}`, description: 'Shared', price: 10, currency: 'USD', stock: 6 },
        { authorization: admin },
      );
      const productId = product.body.data.id as string;
      const created = await call(
        round % 2 ? a : b,
        'POST',
        '/api/orders/create',
        { items: [{ productId, quantity: 2 }] },
        { authorization: token },
      );
      expect(created.status).toBe(201);
      const orderId = created.body.orderId as string;
      const paid = await call(
        round % 2 ? b : a,
        'POST',
        `/api/orders/${orderId}/pay`,
        { paymentMethod: 'pm_card_visa' },
        { authorization: token },
      );
      expect(paid.body.data.paymentStatus).toBe('requires_capture');
      await waitFor(
        async () => (await OrderModel.findById(orderId).lean())?.status === 'authorized',
        'the authorization event',
      );

      const key = `twin-capture-${round}`;
      const intentId = created.body.data.paymentIntentId as string;
      // Besides the gateway's own event (to the other instance), Stripe's succeeded event is delivered to both
      // instances the moment the capture has happened at the gateway, while the capturing instance applies its answer.
      const [answers] = await Promise.all([
        Promise.all(
          servers.map((server) =>
            call(
              server,
              'POST',
              `/api/orders/${orderId}/capture`,
              {},
              { authorization: admin, 'idempotency-key': key },
            ),
          ),
        ),
        deliverOnceCaptured(intentId),
      ]);
      // Stripe's payment_intent.succeeded goes to the other instance: wait until the webhook has been seen too.
      await waitFor(async () => (await OrderModel.findById(orderId).lean())?.status === 'paid', 'the capture');
      await new Promise((resolve) => setTimeout(resolve, 300));

      const statuses = answers.map((answer) => answer.status).sort();
      expect(statuses[0]).toBe(200);
      expect([200, 409]).toContain(statuses[1]);
      for (const answer of answers.filter((x) => x.status === 409))
        expect(answer.body.code).toBe('IDEMPOTENCY_KEY_IN_USE');
      const order = (await OrderModel.findById(orderId).lean())!;
      expect(order.history.filter((entry) => entry.status === 'paid')).toHaveLength(1);
      movedBy.push(order.history.find((entry) => entry.status === 'paid')!.reason);
      expect(order).toMatchObject({ status: 'paid', stock: 'committed', capture: { status: 'succeeded' } });
      expect(await ProductModel.findById(productId).lean()).toMatchObject({ stock: 4, reservedFor: [] });
      expect(await SimulatedIntentModel.findById(order.paymentIntentId).lean()).toMatchObject({
        status: 'succeeded',
        amount_received: 2000,
      });
      expect(
        await SimulatedIdempotencyKeyModel.countDocuments({ _id: new RegExp(`^capture:order_${orderId}_capture_`) }),
      ).toBe(1);
    }
    // Which came first is up to the race: 'captured' (the capture's own answer) or 'payment_succeeded' (its webhook).
    console.info(`capture on two instances: the order was paid by ${movedBy.join(', ')}`);
    const [outputA, outputB] = servers.map((server) => server.output());
    expect(`${outputA}\n${outputB}`).not.toMatch(/"level":"error"/);
  }, 60_000);
});

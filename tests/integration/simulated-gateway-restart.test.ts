import { randomBytes, randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { silentLogger } from '../../src/lib/logger';
import { OrderModel } from '../../src/models/order.model';
import { createSimulatedGateway } from '../../src/payments/simulated.gateway';
import { SimulatedWebhookModel } from '../../src/payments/simulated.store';
import { testDatabaseUri, useTestDatabase } from '../helpers/db';
import { call as callServer, startServerProcess, type RunningServer } from '../helpers/spawn-server';

/**
 * The simulated gateway is what every newcomer runs, and `npm run dev` restarts on every save: its intents,
 * charges, refunds and idempotency records live in MongoDB, so a restart (or a crash) forgets nothing. A
 * payment reported `succeeded` just before a kill -9, whose webhook was still waiting to be sent, is found by
 * the next process's expiry job and applied.
 */
useTestDatabase({ clean: false });

const gateway = () =>
  createSimulatedGateway({
    webhookSecret: 'whsec_restart',
    webhookUrl: () => undefined,
    deliveryDelayMs: 0,
    logger: silentLogger,
  });

describe('the simulated gateway across a restart', () => {
  it('when a second gateway runs on the same database, then it knows the first one’s intents, payments and refunds, and replays its keys', async () => {
    const first = gateway();
    const key = randomUUID();
    const input = { amountMinor: 4200, currency: 'EUR', metadata: { orderId: 'order_restart' }, idempotencyKey: key };
    const intent = await first.createPaymentIntent(input);
    await first.confirmPaymentIntent(intent.id, 'pm_card_visa');
    const refund = await first.createRefund({
      paymentIntentId: intent.id,
      amountMinor: 1200,
      currency: 'EUR',
      metadata: {},
      idempotencyKey: `${key}-r`,
    });
    await first.settle();

    const second = gateway();

    expect(await second.retrievePaymentIntent(intent.id)).toEqual({
      id: intent.id,
      status: 'succeeded',
      currency: 'EUR',
      amountReceivedMinor: 4200,
      metadata: { orderId: 'order_restart' },
    });
    expect(await second.createPaymentIntent(input)).toEqual(intent);
    expect(
      await second.createRefund({
        paymentIntentId: intent.id,
        amountMinor: 1200,
        currency: 'EUR',
        metadata: {},
        idempotencyKey: `${key}-r`,
      }),
    ).toEqual(refund);
    // What is left on the charge is remembered too: 30.00 of 42.00.
    await expect(
      second.createRefund({
        paymentIntentId: intent.id,
        amountMinor: 3001,
        currency: 'EUR',
        metadata: {},
        idempotencyKey: randomUUID(),
      }),
    ).rejects.toMatchObject({ kind: 'invalid_request', code: 'amount_too_large' });
    expect(await second.cancelPaymentIntent(intent.id)).toEqual({ status: 'succeeded' });
    await second.settle();
  });

  describe('through the real server process', () => {
    let server: RunningServer | undefined;
    const admin = { email: 'restart-admin@example.com', password: 'restart-admin-password-1' };
    const env = () => ({
      NODE_ENV: 'development',
      MONGOOSE_CONNECTION_STRING: testDatabaseUri(mongoose.connection.name),
      JWT_SECRET: 'restart-secret-long-enough-for-anything-0123456789',
      STRIPE_WEBHOOK_SECRET: 'whsec_restart_process',
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      BCRYPT_COST: '4',
      REQUEST_LOG: 'off',
      LOG_LEVEL: 'info',
      ORDER_SWEEP_INTERVAL_SECONDS: '1',
      // The payment's webhook waits long enough to be lost in the kill.
      SIMULATED_WEBHOOK_DELAY_MS: '60000',
    });
    /** A GET, or a POST when there is a body, to the running server, as the holder of `token`. */
    const call = (path: string, body?: unknown, token?: string) =>
      callServer(server!, body === undefined ? 'GET' : 'POST', path, body, token ? { authorization: token } : {});

    afterEach(async () => {
      await server?.stop('SIGKILL');
    });

    /** On the running server: an admin's token, a product with 5 units at 10.00, and a new buyer who can order it. */
    async function shop(name: string) {
      const adminToken = (await call('/api/login', admin)).body.token as string;
      const product = await call(
        '/api/products',
        { name: `${name} ${randomBytes(3).toString('hex')}`, description: 'x', price: 10, currency: 'USD', stock: 5 },
        adminToken,
      );
      const buyer = {
        name,
        email: `${name.toLowerCase()}.${randomBytes(4).toString('hex')}@example.com`,
        password: 'password123',
      };
      await call('/api/registration', buyer);
      const token = (await call('/api/login', { email: buyer.email, password: buyer.password })).body.token as string;
      const placeOrder = async (quantity: number) =>
        (await call('/api/orders/create', { items: [{ productId: product.body.data.id, quantity }] }, token)).body
          .orderId as string;
      return { adminToken, token, placeOrder };
    }

    /** The order's status once it is `wanted`, or as it is when `ms` have passed. */
    async function waitForStatus(orderId: string, token: string, wanted: string, ms: number) {
      const statusOf = async () => (await call(`/api/orders/${orderId}`, undefined, token)).body.data.status as string;
      const deadline = Date.now() + ms;
      let status = await statusOf();
      while (status !== wanted && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        status = await statusOf();
      }
      return status;
    }

    it('when the server is killed right after a payment succeeded, then the next process finds the payment and the order ends paid', async () => {
      server = await startServerProcess(env());
      const { token, placeOrder } = await shop('Restart');
      const orderId = await placeOrder(2);
      const unpaidId = await placeOrder(1);
      const paid = await call(`/api/orders/${orderId}/pay`, { paymentMethod: 'pm_card_visa' }, token);
      expect(paid).toMatchObject({ status: 200, body: { data: { paymentStatus: 'succeeded' } } });

      await server.stop('SIGKILL');
      server = await startServerProcess(env());
      // The payment window closes (ORDER_PAYMENT_TIMEOUT_MINUTES is at least a minute): the job, every second, asks the gateway.
      await OrderModel.updateOne({ _id: orderId }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
      await waitForStatus(orderId, token, 'paid', 15_000);
      const canceled = await call(`/api/orders/${unpaidId}/cancel`, {}, token);

      const after = await call(`/api/orders/${orderId}`, undefined, token);
      expect(after.body.data).toMatchObject({
        status: 'paid',
        history: expect.arrayContaining([expect.objectContaining({ status: 'paid', reason: 'reconciled' })]),
      });
      // The restarted process also still knows the unpaid order's intent: the customer can cancel it.
      expect(canceled).toMatchObject({ status: 200, body: { data: { status: 'canceled' } } });
    }, 60_000);

    it('when the server is killed while a refund’s events wait to be sent, then the next process sends them and the order ends refunded', async () => {
      // The refund's events wait 3 s: the kill comes first. Nothing else would ever settle the refund: the
      // gateway has it (refundId known), so only its events can move the order.
      const slowEvents = { ...env(), SIMULATED_WEBHOOK_DELAY_MS: '3000' };
      // The test before leaves its own undelivered events (its kill came first too): not this test's concern.
      await SimulatedWebhookModel.deleteMany({});
      server = await startServerProcess(slowEvents);
      const { adminToken, token, placeOrder } = await shop('Refund');
      const orderId = await placeOrder(2);
      await call(`/api/orders/${orderId}/pay`, { paymentMethod: 'pm_card_visa' }, token);
      expect(await waitForStatus(orderId, token, 'paid', 15_000)).toBe('paid');

      const refund = await call(`/api/orders/${orderId}/refund`, {}, adminToken);
      expect(refund.status).toBe(202);
      await server.stop('SIGKILL');
      const waiting = await SimulatedWebhookModel.find().lean();
      expect(waiting.map((event) => event.type).sort()).toEqual(['charge.refunded', 'refund.created']);
      expect((await OrderModel.findById(orderId).lean())?.status).toBe('paid');

      server = await startServerProcess(slowEvents);
      expect(await waitForStatus(orderId, token, 'refunded', 30_000)).toBe('refunded');
      const after = (await call(`/api/orders/${orderId}`, undefined, token)).body.data;
      expect(after).toMatchObject({ status: 'refunded', refundedAmount: 20 });
      expect(after.refunds).toEqual([expect.objectContaining({ status: 'succeeded' })]);
      expect(await SimulatedWebhookModel.countDocuments()).toBe(0);
    }, 90_000);
  });
});

import { Types } from 'mongoose';
import request from 'supertest';
import { silentLogger } from '../../src/lib/logger';
import { IdempotencyKeyModel } from '../../src/models/idempotency-key.model';
import { OrderModel } from '../../src/models/order.model';
import { ProductModel } from '../../src/models/product.model';
import { createSimulatedGateway } from '../../src/payments/simulated.gateway';
import { buildTestApp, testConfig } from '../helpers/app';
import { adminToken, createOrder, createProduct, getOrder, registerAndLogin } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';
import { sweeperFor } from '../helpers/sweeper';
import { deliver, intentFor, stripeEvent } from '../helpers/webhooks';

useTestDatabase();

const MINUTE = 60_000;
let now = new Date('2026-11-27T10:00:00Z');
const clock = () => now;
const config = testConfig({ ORDER_PAYMENT_TIMEOUT_MINUTES: '30' });
const payments = createSimulatedGateway({
  webhookSecret: config.stripe.webhookSecret,
  webhookUrl: () => undefined,
  deliveryDelayMs: 0,
  logger: silentLogger,
});
const app = buildTestApp({ deps: { payments, clock } });
const sweeperOn = () => sweeperFor({ payments, clock, config });

let admin: string;
let buyer: { token: string };
let productId: string;
beforeEach(async () => {
  now = new Date('2026-11-27T10:00:00Z');
  admin = await adminToken(app);
  buyer = await registerAndLogin(app);
  productId = (await createProduct(app, admin, { stock: 10 })).id;
});

const stock = async () => (await ProductModel.findById(productId).lean())!.stock;

describe('the expiry job', () => {
  it('when an order is unpaid past the timeout, then it is canceled, its intent too, and its stock comes back', async () => {
    const order = await createOrder(app, buyer.token, [{ productId, quantity: 3 }]);
    now = new Date(now.getTime() + 29 * MINUTE);
    expect((await sweeperOn().sweepOnce()).expired).toBe(0);

    now = new Date(now.getTime() + 2 * MINUTE);
    const result = await sweeperOn().sweepOnce();

    expect(result.expired).toBe(1);
    const expired = await getOrder(app, buyer.token, order.orderId);
    expect(expired.status).toBe('canceled');
    expect(expired.history.at(-1)).toMatchObject({ status: 'canceled', reason: 'payment_timeout' });
    expect(await stock()).toBe(10);
    // The intent is canceled too: paying now fails at the gateway as well as in the order.
    expect(
      (
        await request(app)
          .post(`/api/orders/${order.orderId}/pay`)
          .set('Authorization', buyer.token)
          .send({ paymentMethod: 'pm_card_visa' })
      ).status,
    ).toBe(409);
  });

  it('when a failed order expires, then it is canceled as well; paid orders are never touched', async () => {
    const failing = await createOrder(app, buyer.token, [{ productId, quantity: 1 }]);
    const paying = await createOrder(app, buyer.token, [{ productId, quantity: 2 }]);
    await deliver(
      app,
      stripeEvent(
        'payment_intent.payment_failed',
        intentFor({ ...failing.data, id: failing.orderId }, { status: 'requires_payment_method', amount_received: 0 }),
      ),
    ).expect(200);
    await deliver(
      app,
      stripeEvent('payment_intent.succeeded', intentFor({ ...paying.data, id: paying.orderId })),
    ).expect(200);
    now = new Date(now.getTime() + 31 * MINUTE);

    await sweeperOn().sweepOnce();

    expect((await getOrder(app, buyer.token, failing.orderId)).status).toBe('canceled');
    expect((await getOrder(app, buyer.token, paying.orderId)).status).toBe('paid');
    expect(await stock()).toBe(8);
  });

  it('when the intent succeeded but its webhook has not arrived yet, then the job applies the payment and the late webhook changes nothing', async () => {
    const order = await createOrder(app, buyer.token, [{ productId, quantity: 2 }]);
    await request(app)
      .post(`/api/orders/${order.orderId}/pay`)
      .set('Authorization', buyer.token)
      .send({ paymentMethod: 'pm_card_visa' })
      .expect(200);
    now = new Date(now.getTime() + 31 * MINUTE);

    const result = await sweeperOn().sweepOnce();
    await deliver(app, stripeEvent('payment_intent.succeeded', intentFor({ ...order.data, id: order.orderId }))).expect(
      200,
    );

    expect(result).toMatchObject({ expired: 0, reconciled: 1 });
    const paid = await getOrder(app, buyer.token, order.orderId);
    expect(paid.status).toBe('paid');
    expect(paid.history.filter((h) => h.status === 'paid')).toEqual([
      expect.objectContaining({ reason: 'reconciled' }),
    ]);
    expect(await stock()).toBe(8);
  });

  it('when two instances sweep at once, then each order is canceled once and its stock comes back once', async () => {
    const orders = await Promise.all([1, 2, 3].map(() => createOrder(app, buyer.token, [{ productId, quantity: 2 }])));
    expect(await stock()).toBe(4);
    now = new Date(now.getTime() + 31 * MINUTE);

    const [a, b] = await Promise.all([sweeperOn().sweepOnce(), sweeperOn().sweepOnce()]);

    expect(a.expired + b.expired).toBe(3);
    expect(await stock()).toBe(10);
    for (const order of orders) {
      const history = (await getOrder(app, buyer.token, order.orderId)).history;
      expect(history.filter((h) => h.status === 'canceled')).toHaveLength(1);
    }
  });

  it('when order creation was interrupted after reserving stock, then the job gives the stock back and removes the order', async () => {
    // What a crash between reserving stock and attaching the PaymentIntent leaves behind.
    const orderId = new Types.ObjectId();
    const user = await registerAndLogin(app);
    await OrderModel.create({
      _id: orderId,
      userId: user.id,
      items: [{ productId, name: 'x', unitPriceMinor: 2599, quantity: 4, lineTotalMinor: 10396 }],
      amountMinor: 10396,
      currency: 'USD',
      expiresAt: new Date(now.getTime() + 30 * MINUTE),
      history: [{ status: 'pending', at: now, reason: 'order_created' }],
    });
    await IdempotencyKeyModel.create({
      userId: user.id,
      key: 'k',
      requestHash: 'h',
      orderId,
      expiresAt: new Date(now.getTime() + 24 * 60 * MINUTE),
    });
    await ProductModel.updateOne({ _id: productId }, { $inc: { stock: -4 }, $push: { reservedFor: orderId } });
    expect((await request(app).get('/api/orders').set('Authorization', user.token)).body.data).toEqual([]);

    now = new Date(now.getTime() + 10 * MINUTE);
    expect((await sweeperOn().sweepOnce()).removed).toBe(0);
    now = new Date(now.getTime() + 40 * MINUTE);
    const result = await sweeperOn().sweepOnce();
    await sweeperOn().sweepOnce();

    expect(result.removed).toBe(1);
    expect(await OrderModel.findById(orderId)).toBeNull();
    expect(await IdempotencyKeyModel.countDocuments({ orderId })).toBe(0);
    expect(await ProductModel.findById(productId).lean()).toMatchObject({ stock: 10, reservedFor: [] });
  });

  it('when a final status was stored but its stock step was interrupted, then the job finishes the stock step once', async () => {
    const sold = await createOrder(app, buyer.token, [{ productId, quantity: 1 }]);
    const dropped = await createOrder(app, buyer.token, [{ productId, quantity: 2 }]);
    await OrderModel.updateOne({ _id: sold.orderId }, { $set: { status: 'paid' } });
    await OrderModel.updateOne({ _id: dropped.orderId }, { $set: { status: 'canceled' } });

    const result = await sweeperOn().sweepOnce();
    await sweeperOn().sweepOnce();

    expect(result.settled).toBe(2);
    expect(await ProductModel.findById(productId).lean()).toMatchObject({ stock: 9, reservedFor: [] });
    expect(await OrderModel.findById(sold.orderId).lean()).toMatchObject({ stock: 'committed' });
    expect(await OrderModel.findById(dropped.orderId).lean()).toMatchObject({ stock: 'released' });
  });

  it('when an idempotency key is older than its TTL, then it is deleted and the key can make a new order', async () => {
    const body = { items: [{ productId, quantity: 1 }] };
    const first = await request(app)
      .post('/api/orders/create')
      .set('Authorization', buyer.token)
      .set('Idempotency-Key', 'daily')
      .send(body)
      .expect(201);
    now = new Date(now.getTime() + 25 * 60 * MINUTE);

    await sweeperOn().sweepOnce();
    const second = await request(app)
      .post('/api/orders/create')
      .set('Authorization', buyer.token)
      .set('Idempotency-Key', 'daily')
      .send(body)
      .expect(201);

    expect(second.body.orderId).not.toBe(first.body.orderId);
  });

  it('when paying after the payment window closed but before the job ran, then 409', async () => {
    const order = await createOrder(app, buyer.token, [{ productId, quantity: 1 }]);
    now = new Date(now.getTime() + 31 * MINUTE);

    const res = await request(app)
      .post(`/api/orders/${order.orderId}/pay`)
      .set('Authorization', buyer.token)
      .send({ paymentMethod: 'pm_card_visa' });

    expect(res.status).toBe(409);
    expect(res.body.code).toBe('ORDER_EXPIRED');
  });

  it('when started, then it sweeps on its interval and stops cleanly', async () => {
    const fast = sweeperFor({
      payments,
      clock,
      config: { ...config, orders: { ...config.orders, sweepIntervalMs: 20 } },
    });
    const order = await createOrder(app, buyer.token, [{ productId, quantity: 5 }]);
    now = new Date(now.getTime() + 31 * MINUTE);

    fast.start();
    for (let i = 0; i < 100 && (await getOrder(app, buyer.token, order.orderId)).status !== 'canceled'; i += 1)
      await new Promise((r) => setTimeout(r, 20));
    await fast.stop();

    expect((await getOrder(app, buyer.token, order.orderId)).status).toBe('canceled');
    expect(await stock()).toBe(10);
  });
});

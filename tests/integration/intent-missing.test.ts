import { Types } from 'mongoose';
import request from 'supertest';
import { silentLogger } from '../../src/lib/logger';
import { OpenOrderTallyModel } from '../../src/models/open-order-tally.model';
import { OrderModel } from '../../src/models/order.model';
import { ProductModel } from '../../src/models/product.model';
import { createSimulatedGateway } from '../../src/payments/simulated.gateway';
import { createStripeGateway } from '../../src/payments/stripe.gateway';
import { buildTestApp, testConfig } from '../helpers/app';
import { adminToken, createOrder, createProduct, getOrder, registerAndLogin } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';
import { sweeperFor } from '../helpers/sweeper';
import { localstripeUrl, stripeSettingsFor } from '../helpers/stripe-services';

/**
 * The gateway answers that an order's payment intent does not exist: the simulated gateway's store was lost,
 * or STRIPE_SECRET_KEY now names another account. Played here by placing orders through the simulated gateway
 * and then asking localstripe, which has never heard of their intents. That answer is final: the order is
 * canceled, its units and its open-order slot come back, and a note says why.
 */
useTestDatabase();

const MINUTE = 60_000;
let now = new Date('2026-11-27T10:00:00Z');
const clock = () => now;
const env = { ORDER_PAYMENT_TIMEOUT_MINUTES: '30', ORDER_MAX_OPEN_PER_USER: '2' };
const config = testConfig(env);
const placingPayments = createSimulatedGateway({
  webhookSecret: config.stripe.webhookSecret,
  webhookUrl: () => undefined,
  deliveryDelayMs: 0,
  logger: silentLogger,
});
const placing = buildTestApp({ env, deps: { clock, payments: placingPayments } });
const otherAccount = createStripeGateway(stripeSettingsFor(localstripeUrl()), silentLogger);
const switched = buildTestApp({ env, deps: { clock, payments: otherAccount } });

let buyer: { token: string; id: string };
let productId: string;
beforeEach(async () => {
  now = new Date('2026-11-27T10:00:00Z');
  buyer = await registerAndLogin(placing);
  productId = (await createProduct(placing, await adminToken(placing), { stock: 10 })).id;
});

const stock = async () => (await ProductModel.findById(productId).lean())!.stock;
const openOrders = async () => (await OpenOrderTallyModel.findById(new Types.ObjectId(buyer.id)).lean())?.openOrders;
const notesOf = async (orderId: string) => (await OrderModel.findById(orderId).lean())!.notes;

describe('a payment intent the gateway does not know', () => {
  it('when the expiry job finds it, then the order is canceled, its units and open-order slot come back, and it is noted; later passes change nothing', async () => {
    const order = await createOrder(placing, buyer.token, [{ productId, quantity: 3 }]);
    expect(await openOrders()).toBe(1);
    now = new Date(now.getTime() + 31 * MINUTE);

    const first = await sweeperFor({ payments: otherAccount, clock, config }).sweepOnce();
    const second = await sweeperFor({ payments: otherAccount, clock, config }).sweepOnce();

    expect(first.expired).toBe(1);
    expect(second.expired).toBe(0);
    const canceled = await getOrder(placing, buyer.token, order.orderId);
    expect(canceled.status).toBe('canceled');
    expect(canceled.history.filter((h) => h.status === 'canceled')).toEqual([
      expect.objectContaining({ reason: 'intent_missing' }),
    ]);
    expect(await notesOf(order.orderId)).toEqual([
      expect.objectContaining({
        kind: 'intent_missing',
        detail: expect.objectContaining({ paymentIntentId: order.data.paymentIntentId }),
      }),
    ]);
    expect(await stock()).toBe(10);
    expect(await openOrders()).toBe(0);
    expect(await OrderModel.findById(order.orderId).lean()).toMatchObject({ stock: 'released' });
  });

  it('when the customer cancels, then 200 and the order is canceled, its units and slot back, instead of 400 PAYMENT_REQUEST_REJECTED', async () => {
    const order = await createOrder(placing, buyer.token, [{ productId, quantity: 2 }]);
    await createOrder(placing, buyer.token, [{ productId, quantity: 1 }]);
    await request(placing)
      .post('/api/orders/create')
      .set('Authorization', buyer.token)
      .send({ items: [{ productId, quantity: 1 }] })
      .expect(409);

    const res = await request(switched).post(`/api/orders/${order.orderId}/cancel`).set('Authorization', buyer.token);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ message: 'Order canceled', data: { id: order.orderId, status: 'canceled' } });
    expect(await notesOf(order.orderId)).toEqual([expect.objectContaining({ kind: 'intent_missing' })]);
    expect(await stock()).toBe(9);
    expect(await openOrders()).toBe(1);
    // The slot it held is free again.
    await request(placing)
      .post('/api/orders/create')
      .set('Authorization', buyer.token)
      .send({ items: [{ productId, quantity: 1 }] })
      .expect(201);
  });

  it('when the order is paid, then the expiry job never asks about it, whatever the gateway knows', async () => {
    const order = await createOrder(placing, buyer.token, [{ productId, quantity: 1 }]);
    await request(placing)
      .post(`/api/orders/${order.orderId}/pay`)
      .set('Authorization', buyer.token)
      .send({ paymentMethod: 'pm_card_visa' })
      .expect(200);
    now = new Date(now.getTime() + 31 * MINUTE);
    // Its webhook was never delivered: the job reconciles it with the gateway that took the payment.
    expect((await sweeperFor({ payments: placingPayments, clock, config }).sweepOnce()).reconciled).toBe(1);

    const result = await sweeperFor({ payments: otherAccount, clock, config }).sweepOnce();

    expect(result.expired).toBe(0);
    expect((await getOrder(placing, buyer.token, order.orderId)).status).toBe('paid');
    expect(await stock()).toBe(9);
  });
});

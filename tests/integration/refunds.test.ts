import request from 'supertest';
import { OrderModel } from '../../src/models/order.model';
import { ProductModel } from '../../src/models/product.model';
import { GatewayError, type CreateRefundInput } from '../../src/payments/gateway';
import { createOrder, createProduct, getOrder } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';
import { sweeperFor } from '../helpers/sweeper';
import {
  deliverPaymentSucceeded,
  paidOrder,
  shopPeople,
  startRefundShop,
  type PaidOrder,
  type RefundShop,
} from '../helpers/refund-shop';
import { chargeFor, deliver, stripeEvent } from '../helpers/webhooks';

/**
 * Admin refunds through the HTTP API with the simulated gateway, which behaves like Stripe test mode and
 * POSTs its signed refund.created and charge.refunded events to the app's own webhook: the whole flow
 * offline. The order's refunded amount and status change only when those events arrive.
 */
useTestDatabase();

let shop: RefundShop;
let people: Awaited<ReturnType<typeof shopPeople>>;

beforeAll(async () => {
  shop = await startRefundShop({ deliverEvents: true });
});
afterAll(async () => {
  await shop.close();
});
beforeEach(async () => {
  shop.gateway.attempts.length = 0;
  shop.gateway.accepted.length = 0;
  people = await shopPeople(shop.app);
});

const refund = (orderId: string, body?: object, options: { token?: string | null; key?: string } = {}) => {
  const req = request(shop.app).post(`/api/orders/${orderId}/refund`);
  const token = options.token === undefined ? people.admin : options.token;
  if (token) req.set('Authorization', token);
  if (options.key) req.set('Idempotency-Key', options.key);
  return body === undefined ? req : req.send(body);
};

const adminView = (orderId: string) =>
  getOrder(shop.app, people.admin, orderId) as Promise<
    Awaited<ReturnType<typeof getOrder>> & { refunds: Array<Record<string, unknown>> }
  >;
const stockOf = async (productId: string) => (await ProductModel.findById(productId).lean())!.stock;
const stored = (orderId: string) => OrderModel.findById(orderId).lean();

describe('POST /api/orders/:id/refund with the simulated gateway', () => {
  it('when an admin refunds part and then the rest, then each is 202 and the confirmations make the order refunded', async () => {
    // Arrange: 2 x 25 USD, paid
    const order = await paidOrder(shop, people);

    // Act: 20 first
    const first = await refund(order.orderId, { amount: 20, reason: 'requested_by_customer' });
    await shop.settle();
    const partly = await adminView(order.orderId);
    // then the rest (amount omitted)
    const rest = await refund(order.orderId, {});
    await shop.settle();
    const done = await adminView(order.orderId);

    // Assert
    expect(first.status).toBe(202);
    expect(first.body).toEqual({
      message: 'Refund requested',
      data: {
        orderId: order.orderId,
        refundId: expect.stringMatching(/^re_/),
        amount: 20,
        currency: 'USD',
        status: 'succeeded',
      },
    });
    expect(partly).toMatchObject({ status: 'paid', refundedAmount: 20 });
    expect(rest.status).toBe(202);
    expect(rest.body.data).toMatchObject({ amount: 30, status: 'succeeded' });
    expect(done).toMatchObject({ status: 'refunded', refundedAmount: 50 });
    expect(done.history.at(-1)).toMatchObject({ status: 'refunded', reason: 'refunded' });
    expect(done.refunds).toEqual([
      expect.objectContaining({
        refundId: first.body.data.refundId,
        amount: 20,
        reason: 'requested_by_customer',
        restock: false,
        status: 'succeeded',
        source: 'admin',
      }),
      expect.objectContaining({
        refundId: rest.body.data.refundId,
        amount: 30,
        reason: null,
        restock: false,
        status: 'succeeded',
        source: 'admin',
      }),
    ]);
    expect(shop.gateway.accepted.map((r) => r.amountMinor)).toEqual([2000, 3000]);
    expect(shop.gateway.attempts.map((a) => a.idempotencyKey)).toEqual(
      done.refunds.map((r) => `order_${order.orderId}_refund_${String(r.id)}`),
    );
  });

  it('when an admin refunds, then who asked, how much, why and the restock flag are recorded, and the buyer sees the refund without the admin', async () => {
    const order = await paidOrder(shop, people);
    const admin = (await request(shop.app).get('/api/profile').set('Authorization', people.admin).expect(200)).body
      .details as {
      id: string;
      email: string;
    };

    const res = await refund(order.orderId, { amount: 5.5, reason: 'duplicate', restock: true }).expect(202);
    await shop.settle();

    const [entry] = (await adminView(order.orderId)).refunds;
    expect(entry).toEqual({
      id: expect.stringMatching(/^[a-f\d]{24}$/),
      refundId: res.body.data.refundId,
      source: 'admin',
      amount: 5.5,
      reason: 'duplicate',
      restock: true,
      status: 'succeeded',
      requestedAt: expect.any(String),
      requestedBy: { userId: admin.id, email: admin.email },
    });
    const buyerView = (
      await request(shop.app).get(`/api/orders/${order.orderId}`).set('Authorization', people.buyer).expect(200)
    ).body.data;
    expect(buyerView.refunds).toEqual([expect.not.objectContaining({ requestedBy: expect.anything() })]);
    expect(buyerView.refundedAmount).toBe(5.5);
    const note = (await stored(order.orderId))!.notes.find((n) => n.kind === 'refund_requested');
    expect(note?.detail).toEqual({
      requestId: entry!.id,
      by: { userId: admin.id, email: admin.email },
      amountMinor: 550,
      reason: 'duplicate',
      restock: true,
    });
    expect(shop.gateway.attempts[0]).toMatchObject({
      reason: 'duplicate',
      metadata: { orderId: order.orderId, refundRequestId: entry!.id, requestedBy: admin.id },
    });
  });

  it('when a refund asks for restock and the order ends fully refunded, then its units go back on sale once', async () => {
    const order = await paidOrder(shop, people, { quantity: 3, stock: 10 });
    expect(await stockOf(order.productId)).toBe(7);

    await refund(order.orderId, { amount: 10, restock: true }).expect(202);
    await shop.settle();
    const afterPart = await stockOf(order.productId);
    await refund(order.orderId, {}).expect(202);
    await shop.settle();

    expect(afterPart).toBe(7);
    expect(await stockOf(order.productId)).toBe(10);
    expect(await stored(order.orderId)).toMatchObject({ status: 'refunded', stock: 'restocked' });
  });

  it('when no refund asks for restock, then a fully refunded order leaves its units sold', async () => {
    const order = await paidOrder(shop, people, { quantity: 3, stock: 10 });

    await refund(order.orderId).expect(202);
    await shop.settle();

    expect(await stockOf(order.productId)).toBe(7);
    expect(await stored(order.orderId)).toMatchObject({ status: 'refunded', stock: 'committed' });
  });

  it('when the same Idempotency-Key is sent five times at once, then one refund is made and every 202 is that refund', async () => {
    const order = await paidOrder(shop, people);

    const answers = await Promise.all(
      [1, 2, 3, 4, 5].map(() => refund(order.orderId, { amount: 10 }, { key: 'refund-once' })),
    );
    await shop.settle();
    const replay = await refund(order.orderId, { amount: 10 }, { key: 'refund-once' });

    const accepted = answers.filter((a) => a.status === 202);
    expect(
      answers.every((a) => a.status === 202 || (a.status === 409 && a.body.code === 'IDEMPOTENCY_KEY_IN_USE')),
    ).toBe(true);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(new Set(accepted.map((a) => a.body.data.refundId)).size).toBe(1);
    expect(shop.gateway.accepted).toHaveLength(1);
    expect(replay.status).toBe(202);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.data).toEqual({
      orderId: order.orderId,
      refundId: accepted[0]!.body.data.refundId,
      amount: 10,
      currency: 'USD',
      status: 'succeeded',
    });
    expect((await adminView(order.orderId)).refunds).toHaveLength(1);
    expect((await adminView(order.orderId)).refundedAmount).toBe(10);
  });

  it('when two different refunds that together exceed what is left arrive at once, then one is 202 and the other 409', async () => {
    const order = await paidOrder(shop, people); // 50 USD

    const answers = await Promise.all([refund(order.orderId, { amount: 30 }), refund(order.orderId, { amount: 30 })]);
    await shop.settle();

    expect(answers.map((a) => a.status).sort()).toEqual([202, 409]);
    expect(answers.find((a) => a.status === 409)!.body).toMatchObject({
      code: 'REFUND_EXCEEDS_REMAINDER',
      details: [{ path: 'amount', remaining: 20 }],
    });
    expect(shop.gateway.accepted).toHaveLength(1);
    expect(await adminView(order.orderId)).toMatchObject({ status: 'paid', refundedAmount: 30 });
  });

  it('when ten refunds of 10 race for 50, then exactly five are accepted and the order ends refunded', async () => {
    const order = await paidOrder(shop, people);

    const answers = await Promise.all(Array.from({ length: 10 }, () => refund(order.orderId, { amount: 10 })));
    await shop.settle();

    expect(answers.filter((a) => a.status === 202)).toHaveLength(5);
    expect(
      answers
        .filter((a) => a.status === 409)
        .every((a) => ['REFUND_EXCEEDS_REMAINDER', 'REFUND_BUSY'].includes(a.body.code)),
    ).toBe(true);
    expect(shop.gateway.accepted).toHaveLength(5);
    expect(await adminView(order.orderId)).toMatchObject({ status: 'refunded', refundedAmount: 50 });
  });

  it('when the gateway accepts refunds, then shop_refunds_total counts each once and not the replays', async () => {
    const before = await counter(shop);
    const order = await paidOrder(shop, people);

    await refund(order.orderId, { amount: 10 }, { key: 'count-1' }).expect(202);
    await refund(order.orderId, { amount: 10 }, { key: 'count-1' }).expect(202);
    await refund(order.orderId, { amount: 15 }).expect(202);
    await refund(order.orderId, { amount: 100 }).expect(409);
    await shop.settle();

    expect((await counter(shop)) - before).toBe(2);
  });
});

describe('refused refund requests change nothing', () => {
  let order: PaidOrder;
  beforeEach(async () => {
    order = await paidOrder(shop, people);
    await refund(order.orderId, { amount: 10 }, { key: 'first-refund' }).expect(202);
    await shop.settle();
    shop.gateway.attempts.length = 0;
  });

  it.each([
    ['no token', 401, 'UNAUTHORIZED', () => refund(order.orderId, { amount: 1 }, { token: null })],
    ['a buyer token', 403, 'FORBIDDEN', () => refund(order.orderId, { amount: 1 }, { token: people.buyer })],
    [
      'a buyer token on an unknown order',
      403,
      'FORBIDDEN',
      () => refund('0123456789abcdef01234567', { amount: 1 }, { token: people.buyer }),
    ],
    ['an unknown order', 404, 'ORDER_NOT_FOUND', () => refund('0123456789abcdef01234567', { amount: 1 })],
    ['a malformed order id', 400, 'VALIDATION_ERROR', () => refund('not-an-id', { amount: 1 })],
    ['amount 12.345 in USD', 400, 'VALIDATION_ERROR', () => refund(order.orderId, { amount: 12.345 })],
    ['amount -1', 400, 'VALIDATION_ERROR', () => refund(order.orderId, { amount: -1 })],
    ['amount 0', 400, 'VALIDATION_ERROR', () => refund(order.orderId, { amount: 0 })],
    ['amount "5" as text', 400, 'VALIDATION_ERROR', () => refund(order.orderId, { amount: '5' })],
    ['amount null', 400, 'VALIDATION_ERROR', () => refund(order.orderId, { amount: null })],
    ['an amount too large for Stripe', 400, 'VALIDATION_ERROR', () => refund(order.orderId, { amount: 1e21 })],
    ['an unknown reason', 400, 'VALIDATION_ERROR', () => refund(order.orderId, { amount: 1, reason: 'changed_mind' })],
    ['restock as text', 400, 'VALIDATION_ERROR', () => refund(order.orderId, { amount: 1, restock: 'yes' })],
    ['a misspelt field (amout)', 400, 'VALIDATION_ERROR', () => refund(order.orderId, { amout: 1 })],
    ['an operator as amount', 400, 'VALIDATION_ERROR', () => refund(order.orderId, { amount: { $gt: 0 } })],
    [
      'a text body',
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      () => refund(order.orderId).set('Content-Type', 'text/plain').send('amount=5'),
    ],
    [
      'more than is left (40.01 of 40)',
      409,
      'REFUND_EXCEEDS_REMAINDER',
      () => refund(order.orderId, { amount: 40.01 }),
    ],
    [
      'the same Idempotency-Key with another body',
      422,
      'IDEMPOTENCY_KEY_REUSED',
      () => refund(order.orderId, { amount: 11 }, { key: 'first-refund' }),
    ],
    [
      'a bad Idempotency-Key',
      400,
      'VALIDATION_ERROR',
      () => refund(order.orderId, { amount: 1 }, { key: 'ü'.repeat(3) }),
    ],
  ])(
    'when the request has %s, then it answers %i and nothing is refunded or recorded',
    async (_label, status, code, send) => {
      const before = await stored(order.orderId);

      const res = await send();
      await shop.settle();

      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ code, message: expect.any(String) });
      expect(shop.gateway.attempts).toHaveLength(0);
      expect(await stored(order.orderId)).toEqual(before);
    },
  );

  it.each([
    [
      'pending',
      async () => (await createOrder(shop.app, people.buyer, [{ productId: order.productId, quantity: 1 }])).orderId,
    ],
    [
      'canceled',
      async () => {
        const created = await createOrder(shop.app, people.buyer, [{ productId: order.productId, quantity: 1 }]);
        await request(shop.app)
          .post(`/api/orders/${created.orderId}/cancel`)
          .set('Authorization', people.buyer)
          .expect(200);
        await shop.settle();
        return created.orderId;
      },
    ],
  ])('when the order is %s, then it answers 409 ORDER_NOT_REFUNDABLE and nothing changes', async (_label, make) => {
    const orderId = await make();
    const before = await stored(orderId);

    const res = await refund(orderId, { amount: 1 });

    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'ORDER_NOT_REFUNDABLE' });
    expect(shop.gateway.attempts).toHaveLength(0);
    expect(await stored(orderId)).toEqual(before);
  });

  it('when the order is already refunded, then a further refund is 409 and nothing changes', async () => {
    await refund(order.orderId, {}).expect(202);
    await shop.settle();
    shop.gateway.attempts.length = 0;
    const before = await stored(order.orderId);

    const res = await refund(order.orderId, { amount: 1 });

    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'ORDER_NOT_REFUNDABLE' });
    expect(shop.gateway.attempts).toHaveLength(0);
    expect(await stored(order.orderId)).toEqual(before);
  });

  it('when a JPY order is refunded with decimals, then it is a 400 naming the currency', async () => {
    const yen = await paidOrder(shop, people, { price: 500, currency: 'JPY', quantity: 1 });

    const res = await refund(yen.orderId, { amount: 12.5 });

    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ path: 'amount', message: 'Amount must be a whole number for JPY' }]);
    expect(shop.gateway.attempts).toHaveLength(0);
  });
});

async function counter(s: RefundShop): Promise<number> {
  const metric = await s.metrics.registry.getSingleMetric('shop_refunds_total')!.get();
  return metric.values[0]?.value ?? 0;
}

describe('the gateway refuses, fails or cannot be reached', () => {
  let quiet: RefundShop;
  let failNext = 0;
  /** A provider whose refunds stay pending (bank transfers do): answered without the simulated charge changing. */
  let pendingNext = 0;
  beforeAll(async () => {
    // No event delivery: these tests play Stripe's webhook themselves.
    quiet = await startRefundShop({
      deliverEvents: false,
      around: async (input, call, attempt) => {
        if (failNext > 0) {
          failNext -= 1;
          throw new GatewayError('unavailable', 'The payment provider could not be reached, please try again');
        }
        if (pendingNext > 0) {
          pendingNext -= 1;
          return {
            id: `re_pending${attempt}x${Date.now()}`,
            status: 'pending',
            amountMinor: input.amountMinor,
            currency: input.currency,
          };
        }
        return call();
      },
    });
  });
  afterAll(async () => {
    await quiet.close();
  });
  beforeEach(async () => {
    failNext = 0;
    pendingNext = 0;
    quiet.gateway.attempts.length = 0;
    quiet.gateway.accepted.length = 0;
    people = await shopPeople(quiet.app);
  });

  const markPaid = (order: PaidOrder) => deliverPaymentSucceeded(quiet, order);
  const quietRefund = (orderId: string, body: object, key?: string) => {
    const req = request(quiet.app).post(`/api/orders/${orderId}/refund`).set('Authorization', people.admin);
    if (key) req.set('Idempotency-Key', key);
    return req.send(body);
  };
  const refundEvent = (order: PaidOrder, refundId: string, amount: number, status: string, requestId?: string) =>
    stripeEvent('refund.updated', {
      id: refundId,
      object: 'refund',
      amount: Math.round(amount * 100),
      currency: 'usd',
      status,
      payment_intent: order.paymentIntentId,
      metadata: requestId ? { orderId: order.orderId, refundRequestId: requestId } : {},
    });

  it('when the gateway refuses (more than Stripe has left), then 409 REFUND_REFUSED, the reservation is released and the attempt is recorded as refused', async () => {
    const order = await paidOrder(quiet, people, { markPaid });
    // Refunded in the Stripe dashboard: the gateway knows, the order has not heard yet.
    await quiet.gateway.createRefund({
      paymentIntentId: order.paymentIntentId,
      amountMinor: 4000,
      currency: 'USD',
      metadata: {},
      idempotencyKey: 'dashboard-1',
    });

    const res = await quietRefund(order.orderId, { amount: 20, restock: true });

    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      code: 'REFUND_REFUSED',
      message: expect.stringMatching(/greater than unrefunded amount/),
    });
    const view = (await getOrder(quiet.app, people.admin, order.orderId)) as unknown as {
      refunds: Array<Record<string, unknown>>;
      refundedAmount: number;
      status: string;
    };
    expect(view).toMatchObject({ status: 'paid', refundedAmount: 0 });
    expect(view.refunds).toEqual([
      expect.objectContaining({ amount: 20, status: 'refused', refundId: null, restock: true }),
    ]);
    // The refused request reserved nothing: the whole amount is still asked for.
    const again = await quietRefund(order.orderId, { amount: 10 });
    expect(again.status).toBe(202);
  });

  it('when the gateway cannot be reached, then 502, the request is kept, and a retry with the same key makes the refund once', async () => {
    const order = await paidOrder(quiet, people, { markPaid });
    failNext = 1;

    const first = await quietRefund(order.orderId, { amount: 10 }, 'flaky-1');
    const kept = (await OrderModel.findById(order.orderId).lean())!.refunds;
    const other = await quietRefund(order.orderId, { amount: 45 });
    const retry = await quietRefund(order.orderId, { amount: 10 }, 'flaky-1');

    expect(first.status).toBe(502);
    expect(first.body).toMatchObject({
      code: 'PAYMENT_GATEWAY_ERROR',
      details: [{ refundRequestId: kept[0]!.requestId }],
    });
    expect(kept).toEqual([
      expect.objectContaining({ status: 'requested', settlement: 'reserved', amountMinor: 1000, refundId: null }),
    ]);
    // The kept request still counts against what is left.
    expect(other.status).toBe(409);
    expect(retry.status).toBe(202);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(quiet.gateway.attempts.map((a) => a.idempotencyKey)).toEqual([
      `order_${order.orderId}_refund_${kept[0]!.requestId}`,
      `order_${order.orderId}_refund_${kept[0]!.requestId}`,
    ]);
    expect(quiet.gateway.accepted).toHaveLength(1);
  });

  it('when a request was interrupted before the gateway answered, then the expiry job sends it again once its lease is over', async () => {
    const order = await paidOrder(quiet, people, { markPaid });
    failNext = 1;
    await quietRefund(order.orderId, { amount: 12 }).expect(502);
    // What a crash mid-call leaves: the attempt's lease still running.
    await OrderModel.updateOne(
      { _id: order.orderId },
      { $set: { 'refunds.0.attemptUntil': new Date(Date.now() + 60_000) } },
    );
    const sweeperAt = (at: Date) => sweeperFor({ payments: quiet.gateway, clock: () => at });

    const early = await sweeperAt(new Date()).sweepOnce();
    const late = await sweeperAt(new Date(Date.now() + 120_000)).sweepOnce();
    const again = await sweeperAt(new Date(Date.now() + 600_000)).sweepOnce();

    expect(early.refundsResumed).toBe(0);
    expect(late.refundsResumed).toBe(1);
    expect(again.refundsResumed).toBe(0);
    expect(quiet.gateway.accepted).toHaveLength(1);
    expect((await OrderModel.findById(order.orderId).lean())!.refunds).toEqual([
      expect.objectContaining({
        status: 'succeeded',
        settlement: 'reserved',
        refundId: quiet.gateway.accepted[0]!.id,
        attemptUntil: null,
      }),
    ]);
  });

  it('when an interrupted request is older than the gateway remembers its key, then it is not sent again: it is left for a person', async () => {
    const order = await paidOrder(quiet, people, { markPaid });
    failNext = 1;
    await quietRefund(order.orderId, { amount: 12 }, 'old-1').expect(502);
    // Stripe keeps idempotency keys for 24 hours: sending it again now could refund twice.
    await OrderModel.updateOne(
      { _id: order.orderId },
      { $set: { 'refunds.0.requestedAt': new Date(Date.now() - 24 * 3_600_000) } },
    );
    const sweeper = sweeperFor({ payments: quiet.gateway, clock: () => new Date(Date.now() + 120_000) });

    const swept = await sweeper.sweepOnce();
    const retry = await quietRefund(order.orderId, { amount: 12 }, 'old-1');

    expect(swept.refundsResumed).toBe(0);
    expect(retry.status).toBe(409);
    expect(retry.body).toMatchObject({ code: 'REFUND_NEEDS_REVIEW' });
    expect(quiet.gateway.attempts).toHaveLength(1);
    expect((await OrderModel.findById(order.orderId).lean())!.refunds).toEqual([
      expect.objectContaining({ status: 'requested', settlement: 'reserved' }),
    ]);
  });

  it('when a pending refund fails (refund.failed), then its reservation is released and the amount can be refunded again', async () => {
    const order = await paidOrder(quiet, people, { markPaid });
    pendingNext = 1;
    const accepted = await quietRefund(order.orderId, {}).expect(202);
    const requestId = (await OrderModel.findById(order.orderId).lean())!.refunds[0]!.requestId;
    const blocked = await quietRefund(order.orderId, { amount: 1 });

    await deliver(quiet.app, refundEvent(order, accepted.body.data.refundId, 50, 'pending', requestId)).expect(200);
    await deliver(quiet.app, {
      ...refundEvent(order, accepted.body.data.refundId, 50, 'failed', requestId),
      type: 'refund.failed',
    }).expect(200);
    // A late, older event cannot bring it back.
    await deliver(quiet.app, refundEvent(order, accepted.body.data.refundId, 50, 'pending', requestId)).expect(200);
    const view = (await getOrder(quiet.app, people.admin, order.orderId)) as unknown as {
      refunds: Array<Record<string, unknown>>;
      refundedAmount: number;
      status: string;
    };
    const retried = await quietRefund(order.orderId, { amount: 50 });

    expect(accepted.body.data.status).toBe('pending');
    expect(blocked.status).toBe(409);
    expect(view).toMatchObject({ status: 'paid', refundedAmount: 0 });
    expect(view.refunds).toEqual([expect.objectContaining({ status: 'failed' })]);
    expect((await OrderModel.findById(order.orderId).lean())!.refunds[0]).toMatchObject({ settlement: 'released' });
    expect(retried.status).toBe(202);
  });

  it('when only refund events confirm (no charge.refunded), then they alone make the order refunded', async () => {
    const order = await paidOrder(quiet, people, { markPaid });
    const a = await quietRefund(order.orderId, { amount: 20 }).expect(202);
    const b = await quietRefund(order.orderId, {}).expect(202);

    await deliver(quiet.app, refundEvent(order, a.body.data.refundId, 20, 'succeeded')).expect(200);
    const partly = await getOrder(quiet.app, people.admin, order.orderId);
    await deliver(quiet.app, refundEvent(order, b.body.data.refundId, 30, 'succeeded')).expect(200);

    expect(partly).toMatchObject({ status: 'paid', refundedAmount: 20 });
    expect(await getOrder(quiet.app, people.admin, order.orderId)).toMatchObject({
      status: 'refunded',
      refundedAmount: 50,
    });
  });

  it('when only charge.refunded confirms (no refund events), then the totals alone make the order refunded and nothing is counted twice', async () => {
    const order = await paidOrder(quiet, people, { markPaid });
    await quietRefund(order.orderId, { amount: 20 }).expect(202);

    await deliver(quiet.app, stripeEvent('charge.refunded', chargeFor({ ...order, id: order.orderId }, 20))).expect(
      200,
    );
    const rest = await quietRefund(order.orderId, {});
    const tooMuch = await quietRefund(order.orderId, { amount: 0.01 });
    await deliver(quiet.app, stripeEvent('charge.refunded', chargeFor({ ...order, id: order.orderId }, 50))).expect(
      200,
    );

    // 20 confirmed by the total and still reserved by its request is counted once: 30 were left.
    expect(rest.status).toBe(202);
    expect(rest.body.data.amount).toBe(30);
    expect(tooMuch.status).toBe(409);
    expect(await getOrder(quiet.app, people.admin, order.orderId)).toMatchObject({
      status: 'refunded',
      refundedAmount: 50,
    });
  });

  it('when a refund made in the Stripe dashboard is reported, then it is recorded and counts against what is left', async () => {
    const order = await paidOrder(quiet, people, { markPaid });

    await deliver(quiet.app, refundEvent(order, 're_dashboard123', 15, 'succeeded')).expect(200);
    await deliver(quiet.app, refundEvent(order, 're_dashboard123', 15, 'succeeded')).expect(200);
    const over = await quietRefund(order.orderId, { amount: 35.01 });
    const rest = await quietRefund(order.orderId, {});

    const view = (await getOrder(quiet.app, people.admin, order.orderId)) as unknown as {
      refunds: Array<Record<string, unknown>>;
      refundedAmount: number;
    };
    expect(view.refunds[0]).toMatchObject({
      source: 'external',
      refundId: 're_dashboard123',
      amount: 15,
      status: 'succeeded',
      requestedBy: null,
    });
    expect(view.refundedAmount).toBe(15);
    expect(over.status).toBe(409);
    expect(rest.body.data).toMatchObject({ amount: 35 });
  });

  it('when the confirmation is delivered twice and concurrently, then a restock puts the units back exactly once', async () => {
    const order = await paidOrder(quiet, people, { markPaid, quantity: 4, stock: 6 });
    const accepted = await quietRefund(order.orderId, { restock: true }).expect(202);
    const full = stripeEvent('charge.refunded', chargeFor({ ...order, id: order.orderId }, 100));
    const refundDone = refundEvent(order, accepted.body.data.refundId, 100, 'succeeded');
    expect(await stockOf(order.productId)).toBe(2);

    const answers = await Promise.all([
      deliver(quiet.app, full),
      deliver(quiet.app, full),
      deliver(quiet.app, refundDone),
      deliver(quiet.app, stripeEvent('charge.refunded', chargeFor({ ...order, id: order.orderId }, 100))),
      deliver(quiet.app, refundDone),
    ]);
    await deliver(quiet.app, full).expect(200);

    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await stockOf(order.productId)).toBe(6);
    expect(await OrderModel.findById(order.orderId).lean()).toMatchObject({ status: 'refunded', stock: 'restocked' });
    expect((await ProductModel.findById(order.productId).lean())!.restockedFor.map(String)).toEqual([order.orderId]);
  });

  it('when the process died between the move to refunded and the restock, then the expiry job restocks each product once', async () => {
    const first = await createProduct(quiet.app, people.admin, { price: 10, stock: 5 });
    const second = await createProduct(quiet.app, people.admin, { price: 10, stock: 5 });
    const created = await createOrder(quiet.app, people.buyer, [
      { productId: first.id, quantity: 2 },
      { productId: second.id, quantity: 3 },
    ]);
    await request(quiet.app)
      .post(`/api/orders/${created.orderId}/pay`)
      .set('Authorization', people.buyer)
      .send({ paymentMethod: 'pm_card_visa' })
      .expect(200);
    const order = {
      orderId: created.orderId,
      productId: first.id,
      paymentIntentId: created.data.paymentIntentId,
      amount: 50,
      currency: 'USD',
      quantity: 5,
    };
    await markPaid(order);
    await quietRefund(order.orderId, { restock: true }).expect(202);
    // The state a crash leaves: the order moved to refunded, the first product restocked, the second not.
    await OrderModel.updateOne({ _id: order.orderId }, { $set: { status: 'refunded', refundedMinor: 5000 } });
    await ProductModel.updateOne({ _id: first.id }, { $inc: { stock: 2 }, $push: { restockedFor: order.orderId } });
    const sweeper = sweeperFor({ payments: quiet.gateway, clock: () => new Date() });

    const settled = (await sweeper.sweepOnce()).settled;
    await sweeper.sweepOnce();
    await deliver(quiet.app, stripeEvent('charge.refunded', chargeFor({ ...order, id: order.orderId }, 50))).expect(
      200,
    );

    expect(settled).toBe(1);
    expect((await ProductModel.findById(first.id).lean())!.stock).toBe(5);
    expect((await ProductModel.findById(second.id).lean())!.stock).toBe(5);
    expect(await OrderModel.findById(order.orderId).lean()).toMatchObject({ stock: 'restocked' });
  });

  it('when the refund event arrives before the gateway answer is stored, then the request is matched by its metadata and counted once', async () => {
    let deliverFirst: ((input: CreateRefundInput, id: string) => Promise<void>) | undefined;
    const racing = await startRefundShop({
      deliverEvents: false,
      around: async (input, call) => {
        const answer = await call();
        await deliverFirst?.(input, answer.id);
        return answer;
      },
    });
    try {
      const racePeople = await shopPeople(racing.app);
      const order = await paidOrder(racing, racePeople, {
        markPaid: (o) =>
          deliver(
            racing.app,
            stripeEvent('payment_intent.succeeded', {
              id: o.paymentIntentId,
              object: 'payment_intent',
              amount: 5000,
              amount_received: 5000,
              currency: 'usd',
              status: 'succeeded',
              metadata: { orderId: o.orderId },
            }),
          )
            .expect(200)
            .then(() => undefined),
      });
      deliverFirst = async (input, id) => {
        await deliver(
          racing.app,
          refundEvent(order, id, input.amountMinor / 100, 'succeeded', input.metadata.refundRequestId),
        ).expect(200);
      };
      const before = await counter(racing);

      const res = await request(racing.app)
        .post(`/api/orders/${order.orderId}/refund`)
        .set('Authorization', racePeople.admin)
        .send({ amount: 50 });

      expect(res.status).toBe(202);
      expect((await counter(racing)) - before).toBe(1);
      const [entry] = (await OrderModel.findById(order.orderId).lean())!.refunds;
      expect(entry).toMatchObject({ refundId: res.body.data.refundId, status: 'succeeded', settlement: 'confirmed' });
      expect((await OrderModel.findById(order.orderId).lean())!.status).toBe('refunded');
    } finally {
      await racing.close();
    }
  });
});

describe('refund webhook events', () => {
  it.each([
    ['an amount as text', { amount: '5' }, 'data.object.amount'],
    ['no currency', { currency: undefined }, 'data.object.currency'],
    ['a numeric payment_intent', { payment_intent: 5 }, 'data.object.payment_intent'],
    ['a status that is not text', { status: 5 }, 'data.object.status'],
  ])(
    'when a signed refund.updated has %s, then it is a 400 INVALID_EVENT and not recorded',
    async (_label, change, path) => {
      const event = stripeEvent('refund.updated', {
        id: 're_bad',
        object: 'refund',
        amount: 500,
        currency: 'usd',
        status: 'succeeded',
        payment_intent: 'pi_x',
        metadata: {},
        ...change,
      });

      const res = await deliver(shop.app, event);

      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        code: 'INVALID_EVENT',
        details: expect.arrayContaining([expect.objectContaining({ path })]),
      });
    },
  );

  it('when a refund event names an unknown payment intent, then it is acknowledged and changes nothing', async () => {
    const res = await deliver(
      shop.app,
      stripeEvent('refund.created', {
        id: 're_unknown',
        object: 'refund',
        amount: 500,
        currency: 'usd',
        status: 'succeeded',
        payment_intent: 'pi_unknown',
        metadata: {},
      }),
    );

    expect(res.status).toBe(200);
  });
});

import request from 'supertest';
import { OrderModel } from '../../src/models/order.model';
import { testConfig } from '../helpers/app';
import { getOrder } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';
import {
  deliverPaymentSucceeded,
  paidOrder,
  shopPeople,
  startRefundShop,
  type PaidOrder,
  type RefundShop,
} from '../helpers/refund-shop';

/**
 * A refund the gateway refuses leaves a trace on the order (the admin sees `refused`), but only a bounded one:
 * the newest REFUND_REFUSED_ATTEMPTS_KEPT refused attempts and their `refund_requested` notes, so repeated
 * refused attempts cannot grow the order without bound.
 */
useTestDatabase();

const KEPT = 3;
let shop: RefundShop;
let people: Awaited<ReturnType<typeof shopPeople>>;

beforeAll(async () => {
  shop = await startRefundShop({ deliverEvents: false, env: { REFUND_REFUSED_ATTEMPTS_KEPT: String(KEPT) } });
});
afterAll(async () => {
  await shop.close();
});
beforeEach(async () => {
  people = await shopPeople(shop.app);
});

const markPaid = (order: PaidOrder) => deliverPaymentSucceeded(shop, order);

describe('refused refund attempts', () => {
  it('when REFUND_REFUSED_ATTEMPTS_KEPT is not set, then ten are kept', () => {
    expect(testConfig().refunds.refusedAttemptsKept).toBe(10);
  });

  it('when the gateway refuses many attempts, then only the newest few stay on the order (entries and notes), each shown as refused', async () => {
    const order = await paidOrder(shop, people, { price: 25, quantity: 2, markPaid });
    // Refunded in full in the Stripe dashboard: the gateway refuses every further refund; the order has not heard yet.
    await shop.gateway.createRefund({
      paymentIntentId: order.paymentIntentId,
      amountMinor: 5000,
      currency: 'USD',
      metadata: {},
      idempotencyKey: 'dash',
    });
    const attempts = [1, 2, 3, 4, 5, 6, 7, 8];

    for (const amount of attempts) {
      const res = await request(shop.app)
        .post(`/api/orders/${order.orderId}/refund`)
        .set('Authorization', people.admin)
        .send({ amount });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('REFUND_REFUSED');
    }

    const view = (await getOrder(shop.app, people.admin, order.orderId)) as unknown as {
      refunds: Array<{ amount: number; status: string }>;
    };
    expect(view.refunds).toEqual([6, 7, 8].map((amount) => expect.objectContaining({ amount, status: 'refused' })));
    const { refunds, notes } = (await OrderModel.findById(order.orderId).lean())!;
    const requested = notes.filter((note) => note.kind === 'refund_requested');
    expect(requested.map((note) => (note.detail as { requestId: string }).requestId)).toEqual(
      refunds.map((entry) => entry.requestId),
    );
    // A refused attempt still leaves the whole amount to ask for.
    expect(shop.gateway.attempts).toHaveLength(attempts.length + 1);
  });

  it('when refusals and accepted refunds mix, then accepted ones are never dropped, only the oldest refused ones', async () => {
    const order = await paidOrder(shop, people, { price: 25, quantity: 2, markPaid });
    await request(shop.app)
      .post(`/api/orders/${order.orderId}/refund`)
      .set('Authorization', people.admin)
      .send({ amount: 10 })
      .expect(202);
    await shop.gateway.createRefund({
      paymentIntentId: order.paymentIntentId,
      amountMinor: 4000,
      currency: 'USD',
      metadata: {},
      idempotencyKey: 'dash-2',
    });

    for (const amount of [1, 2, 3, 4, 5]) {
      await request(shop.app)
        .post(`/api/orders/${order.orderId}/refund`)
        .set('Authorization', people.admin)
        .send({ amount })
        .expect(409);
    }

    const view = (await getOrder(shop.app, people.admin, order.orderId)) as unknown as {
      refunds: Array<{ amount: number; status: string }>;
    };
    expect(view.refunds.map((entry) => [entry.amount, entry.status])).toEqual([
      [10, 'succeeded'],
      [3, 'refused'],
      [4, 'refused'],
      [5, 'refused'],
    ]);
    const notes = (await OrderModel.findById(order.orderId).lean())!.notes.filter(
      (note) => note.kind === 'refund_requested',
    );
    expect(notes.map((note) => (note.detail as { amountMinor: number }).amountMinor)).toEqual([1000, 300, 400, 500]);
  });
});

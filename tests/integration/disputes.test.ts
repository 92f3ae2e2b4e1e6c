import mongoose from 'mongoose';
import request from 'supertest';
import { OrderModel } from '../../src/models/order.model';
import { WebhookEventModel } from '../../src/models/webhook-event.model';
import { getOrder } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';
import { capturingLogger } from '../helpers/logs';
import { paidOrder, shopPeople, startRefundShop, type PaidOrder, type RefundShop } from '../helpers/refund-shop';
import { deliver, disputeBalanceTransaction, disputeFor, stripeEvent, type OrderRef } from '../helpers/webhooks';

/**
 * Disputes (chargebacks and inquiries) through the webhook, with events signed as Stripe signs them and shaped
 * as Stripe sends them at our pinned API version (localstripe has no disputes): recorded on the order and shown
 * to the admin, "under review" for the buyer, refunds refused while open, funds withdrawn and reinstated in the
 * money kept, counted and logged for an operator, and every duplicate, late, out-of-order or concurrent
 * delivery applied once.
 */
useTestDatabase({ monitorCommands: true });

const logs = capturingLogger();
let shop: RefundShop;
let people: Awaited<ReturnType<typeof shopPeople>>;

beforeAll(async () => {
  shop = await startRefundShop({ deliverEvents: true, logger: logs });
});
beforeEach(async () => {
  people = await shopPeople(shop.app);
  logs.entries.length = 0;
});
afterAll(async () => {
  await shop.close();
});

const refOf = (order: PaidOrder): OrderRef => ({
  id: order.orderId,
  paymentIntentId: order.paymentIntentId,
  amount: order.amount,
  currency: order.currency,
});
const adminView = async (id: string) =>
  (await request(shop.app).get(`/api/orders/${id}`).set('Authorization', people.admin).expect(200)).body.data;
const disputesTotal = async (status: string) => {
  const text = await shop.metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`shop_disputes_total{status="${status}"} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
};
const send = (type: string, dispute: object, id?: string) =>
  deliver(shop.app, stripeEvent(type, dispute as Record<string, unknown>, id));

async function disputedOrder(overrides: Record<string, unknown> = {}) {
  const order = await paidOrder(shop, people, { price: 25, quantity: 2 });
  const dispute = disputeFor(refOf(order), overrides);
  return { order, dispute };
}

describe('a dispute opens', () => {
  it('when charge.dispute.created arrives, then the admin sees it, the buyer sees the payment under review, and an operator is told', async () => {
    const { order, dispute } = await disputedOrder();
    const before = (await disputesTotal('needs_response')) ?? 0;

    expect((await send('charge.dispute.created', dispute)).status).toBe(200);

    const admin = await adminView(order.orderId);
    expect(admin).toMatchObject({
      status: 'paid',
      paymentReview: 'disputed',
      disputes: [
        {
          id: dispute.id,
          amount: 50,
          currency: 'USD',
          reason: 'fraudulent',
          status: 'needs_response',
          open: true,
          evidenceDueBy: new Date(dispute.evidence_details.due_by * 1000).toISOString(),
          fundsWithdrawn: 0,
          fundsReinstated: 0,
        },
      ],
      money: { paid: 50, refunded: 0, disputeWithdrawn: 0, disputeReinstated: 0, kept: 50 },
    });
    const buyer = await request(shop.app)
      .get(`/api/orders/${order.orderId}`)
      .set('Authorization', people.buyer)
      .expect(200);
    expect(buyer.body.data).toMatchObject({ status: 'paid', paymentReview: 'disputed' });
    expect(buyer.body.data).not.toHaveProperty('disputes');
    expect(buyer.body.data).not.toHaveProperty('money');
    expect(await disputesTotal('needs_response')).toBe(before + 1);
    expect(logs.at('error')).toEqual([
      expect.objectContaining({
        message: 'payment disputed: respond with evidence before the deadline',
        fields: expect.objectContaining({
          disputeId: dispute.id,
          evidenceDueBy: admin.disputes[0].evidenceDueBy,
          orderId: order.orderId,
        }),
      }),
    ]);
  });

  it('when a refund is asked for while the dispute is open, then 409 ORDER_DISPUTED and nothing is reserved or sent', async () => {
    const { order, dispute } = await disputedOrder();
    await send('charge.dispute.created', dispute);
    const attempts = shop.gateway.attempts.length;

    const res = await request(shop.app)
      .post(`/api/orders/${order.orderId}/refund`)
      .set('Authorization', people.admin)
      .send({ amount: 10 });

    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      code: 'ORDER_DISPUTED',
      details: [{ disputeId: dispute.id, status: 'needs_response' }],
    });
    expect((await OrderModel.findById(order.orderId).lean())!.refunds).toEqual([]);
    expect(shop.gateway.attempts.length).toBe(attempts);
  });

  it('when the dispute names only its charge (no payment intent), then it is found by the charge the payment made', async () => {
    const order = await paidOrder(shop, people);
    const chargeId = (await OrderModel.findById(order.orderId).lean())!.chargeId;
    expect(chargeId).toMatch(/^ch_/);

    await send(
      'charge.dispute.created',
      disputeFor({ ...refOf(order), paymentIntentId: null, chargeId }, { payment_intent: null }),
    );

    expect((await adminView(order.orderId)).disputes).toHaveLength(1);
  });

  it('when the same event is delivered twice, at once and again later, then the dispute is recorded and counted once', async () => {
    const { order, dispute } = await disputedOrder();
    const event = stripeEvent('charge.dispute.created', dispute);
    const before = (await disputesTotal('needs_response')) ?? 0;

    await Promise.all([deliver(shop.app, event), deliver(shop.app, event)]);
    await deliver(shop.app, event);
    // The same report under another event id (Stripe's .updated carrying nothing new) changes nothing either.
    await send('charge.dispute.updated', dispute);

    const stored = (await OrderModel.findById(order.orderId).lean())!;
    expect(stored.disputes).toHaveLength(1);
    expect(await disputesTotal('needs_response')).toBe(before + 1);
    expect(logs.at('error')).toHaveLength(1);
    expect(await WebhookEventModel.findById(event.id).lean()).toMatchObject({ deliveries: 3 });
  });

  it('when created and updated events about one dispute arrive at the same moment, then both apply, one after the other', async () => {
    const { order, dispute } = await disputedOrder();

    await Promise.all([
      send('charge.dispute.created', dispute),
      send('charge.dispute.updated', { ...dispute, status: 'under_review' }),
      send('charge.dispute.funds_withdrawn', {
        ...dispute,
        balance_transactions: [disputeBalanceTransaction(refOf(order), 'dispute')],
      }),
    ]);

    const admin = await adminView(order.orderId);
    expect(admin.disputes).toEqual([expect.objectContaining({ status: 'under_review', fundsWithdrawn: 50 })]);
    expect(admin.money).toMatchObject({ disputeWithdrawn: 50, kept: 0 });
  });
});

describe('a dispute runs its course', () => {
  it('when funds are withdrawn and the dispute is won, then the money kept falls and comes back, and refunds work again', async () => {
    const { order, dispute } = await disputedOrder();
    await send('charge.dispute.created', dispute);
    await send('charge.dispute.funds_withdrawn', {
      ...dispute,
      balance_transactions: [disputeBalanceTransaction(refOf(order), 'dispute')],
    });
    expect((await adminView(order.orderId)).money).toEqual({
      paid: 50,
      refunded: 0,
      disputeWithdrawn: 50,
      disputeReinstated: 0,
      kept: 0,
    });

    await send('charge.dispute.updated', { ...dispute, status: 'under_review' });
    await send('charge.dispute.closed', { ...dispute, status: 'won' });
    await send('charge.dispute.funds_reinstated', {
      ...dispute,
      status: 'won',
      balance_transactions: [
        disputeBalanceTransaction(refOf(order), 'dispute'),
        disputeBalanceTransaction(refOf(order), 'dispute_reversal'),
      ],
    });

    const admin = await adminView(order.orderId);
    expect(admin.disputes).toEqual([
      expect.objectContaining({ status: 'won', open: false, fundsWithdrawn: 50, fundsReinstated: 50 }),
    ]);
    expect(admin.money).toEqual({ paid: 50, refunded: 0, disputeWithdrawn: 50, disputeReinstated: 50, kept: 50 });
    expect(admin).not.toHaveProperty('paymentReview');
    expect(await disputesTotal('won')).toBeGreaterThanOrEqual(1);
    await request(shop.app)
      .post(`/api/orders/${order.orderId}/refund`)
      .set('Authorization', people.admin)
      .send({ amount: 10 })
      .expect(202);
  });

  it('when the dispute is lost, then the money withdrawn stays withdrawn: the order keeps nothing', async () => {
    const { order, dispute } = await disputedOrder();
    await send('charge.dispute.created', dispute);
    await send('charge.dispute.funds_withdrawn', dispute);
    await send('charge.dispute.closed', { ...dispute, status: 'lost' });

    const admin = await adminView(order.orderId);
    expect(admin).toMatchObject({
      status: 'paid',
      disputes: [{ status: 'lost', open: false }],
      money: { kept: 0, disputeWithdrawn: 50 },
    });
    expect(logs.at('warn')).toEqual(
      expect.arrayContaining([expect.objectContaining({ message: 'dispute closed: lost' })]),
    );
  });

  it('when the events come out of order (closed before created), then the dispute stays closed and nothing is reopened', async () => {
    const { order, dispute } = await disputedOrder();

    await send('charge.dispute.closed', { ...dispute, status: 'won' });
    await send('charge.dispute.created', dispute);
    await send('charge.dispute.updated', { ...dispute, status: 'under_review' });

    const admin = await adminView(order.orderId);
    expect(admin.disputes).toEqual([expect.objectContaining({ status: 'won', open: false })]);
    expect(admin).not.toHaveProperty('paymentReview');
  });

  it('when an inquiry becomes a chargeback, then it stays one dispute whose status moves on', async () => {
    const { order, dispute } = await disputedOrder({ status: 'warning_needs_response' });
    await send('charge.dispute.created', dispute);
    await send('charge.dispute.updated', { ...dispute, status: 'needs_response' });

    expect((await adminView(order.orderId)).disputes).toEqual([
      expect.objectContaining({ status: 'needs_response', open: true }),
    ]);
  });
});

describe('disputes that do not fit', () => {
  it('when a dispute concerns a payment no order holds, then 200, nothing changes, and an operator is told', async () => {
    const res = await send(
      'charge.dispute.created',
      disputeFor({ id: 'x', paymentIntentId: 'pi_nobodys', amount: 10, currency: 'USD' }),
    );

    expect(res.status).toBe(200);
    expect(logs.at('error')).toEqual([
      expect.objectContaining({ message: 'dispute of a payment no order holds: look at it in the Stripe Dashboard' }),
    ]);
  });

  it('when a dispute is in another currency than the order, then it is not recorded and the mismatch is noted', async () => {
    const { order, dispute } = await disputedOrder({ currency: 'eur' });

    await send('charge.dispute.created', dispute);

    const stored = (await OrderModel.findById(order.orderId).lean())!;
    expect(stored.disputes ?? []).toEqual([]);
    expect(stored.notes).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'payment_mismatch' })]));
  });

  it.each([
    ['an amount as text', { amount: '5000' }],
    ['no status', { status: undefined }],
    ['no currency', { currency: undefined }],
  ])(
    'when a signed dispute event has %s, then 400 INVALID_EVENT and nothing is recorded',
    async (_label, overrides) => {
      const { order, dispute } = await disputedOrder(overrides);

      const res = await send('charge.dispute.created', dispute);

      expect(res.status).toBe(400);
      expect(res.body.code).toBe('INVALID_EVENT');
      expect((await OrderModel.findById(order.orderId).lean())!.disputes ?? []).toEqual([]);
    },
  );
});

describe('GET /api/admin/orders?disputed=true', () => {
  const finds: Array<Record<string, unknown>> = [];
  const listener = (event: { commandName: string; command: Record<string, unknown> }) => {
    if (event.commandName === 'find' && event.command.find === 'orders') finds.push(event.command);
  };
  beforeAll(() => mongoose.connection.getClient().on('commandStarted', listener));
  afterAll(() => mongoose.connection.getClient().off('commandStarted', listener));

  it('when some orders are disputed, then the filter lists exactly those, newest first, in keyset pages on its own index', async () => {
    const disputed: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const { order, dispute } = await disputedOrder();
      await send('charge.dispute.created', dispute);
      disputed.push(order.orderId);
    }
    await paidOrder(shop, people); // not disputed

    finds.length = 0;
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await request(shop.app)
        .get('/api/admin/orders')
        .query({ disputed: 'true', limit: 2, ...(cursor && { cursor }) })
        .set('Authorization', people.admin)
        .expect(200);
      seen.push(
        ...page.body.data.map((o: { id: string; disputes: unknown[] }) => (expect(o.disputes).toHaveLength(1), o.id)),
      );
      cursor = page.body.pagination.nextCursor ?? undefined;
    } while (cursor);

    expect(seen).toEqual([...disputed].reverse());
    const indexes = (await OrderModel.collection.indexes()).map((i) => JSON.stringify(i.key));
    expect(indexes).toContain(JSON.stringify({ disputed: 1, createdAt: -1, _id: -1 }));
    for (const command of finds) {
      expect(command.skip).toBeUndefined();
      expect((command.filter as Record<string, unknown>).disputed).toBe(true);
    }
    const refused = await request(shop.app).get('/api/admin/orders?disputed=false').set('Authorization', people.admin);
    expect(refused.status).toBe(400);
  });

  it('when the buyer reads their own order list, then a disputed order shows under review there too', async () => {
    const { order, dispute } = await disputedOrder();
    await send('charge.dispute.created', dispute);

    const list = await request(shop.app).get('/api/orders').set('Authorization', people.buyer).expect(200);

    expect(list.body.data.find((o: { id: string }) => o.id === order.orderId)).toMatchObject({
      paymentReview: 'disputed',
    });
    expect((await getOrder(shop.app, people.buyer, order.orderId)).status).toBe('paid');
  });
});

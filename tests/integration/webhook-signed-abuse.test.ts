import { OrderModel } from '../../src/models/order.model';
import { ProductModel } from '../../src/models/product.model';
import { WebhookEventModel } from '../../src/models/webhook-event.model';
import { buildTestApp } from '../helpers/app';
import { getOrder } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';
import { chargeFor, deliver, intentFor, stripeEvent, useOrderToPay } from '../helpers/webhooks';

/**
 * Correctly signed events that try what a careless handler lets through: types named like the members of
 * Object.prototype, and refund reports that contradict the order (more refunded than paid, a "fully refunded"
 * flag with nothing refunded, refunds of unknown ids adding up past the amount).
 */
useTestDatabase();
const app = buildTestApp();

// 2 x 15.00: a 30.00 order.
const placed = useOrderToPay(app, { price: 15, stock: 10 });

const stored = async () => (await OrderModel.findById(placed.order.id).lean())!;
const stock = async () => (await ProductModel.findById(placed.productId).lean())!.stock;
const markPaid = () => deliver(app, stripeEvent('payment_intent.succeeded', intentFor(placed.order))).expect(200);
const mismatchNotes = async (eventId: string) =>
  (await stored()).notes.filter((note) => note.kind === 'payment_mismatch' && note.eventId === eventId);

describe('signed events whose type is named like an Object.prototype member', () => {
  it.each([
    'toString',
    'constructor',
    '__proto__',
    'hasOwnProperty',
    'valueOf',
    'isPrototypeOf',
    'toLocaleString',
    '__defineGetter__',
  ])('when the type is %s, then 200 { received: true }, recorded as ignored, and nothing changes', async (type) => {
    const event = stripeEvent(type, { ...intentFor(placed.order), object: 'payment_intent' });

    const res = await deliver(app, event);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: true });
    expect(await WebhookEventModel.findById(event.id).lean()).toMatchObject({
      type,
      outcome: 'ignored',
      processedAt: expect.any(Date),
    });
    expect(await stored()).toMatchObject({ status: 'pending', notes: [], refundedMinor: 0 });
  });
});

describe('signed refund reports are bounded by the order', () => {
  it('when charge.refunded reports 60.00 refunded on a 30.00 order, then 30.00 counts (refunded), and the contradiction is noted once', async () => {
    await markPaid();
    const event = stripeEvent('charge.refunded', chargeFor(placed.order, 60, { refunded: true }));

    await deliver(app, event).expect(200);
    await deliver(app, { ...event }).expect(200);

    expect(await getOrder(app, placed.buyer.token, placed.order.id)).toMatchObject({
      status: 'refunded',
      refundedAmount: 30,
    });
    expect((await stored()).refundedMinor).toBe(3000);
    expect(await mismatchNotes(event.id)).toEqual([
      expect.objectContaining({
        detail: expect.objectContaining({
          problems: ['refunded more than paid'],
          reportedMinor: 6000,
          paidMinor: 3000,
        }),
      }),
    ]);
  });

  it('when charge.refunded says refunded: true with nothing refunded, then the order stays paid, keeps its units, and the contradiction is noted', async () => {
    await markPaid();
    const event = stripeEvent('charge.refunded', chargeFor(placed.order, 0, { refunded: true }));

    await deliver(app, event).expect(200);

    expect(await getOrder(app, placed.buyer.token, placed.order.id)).toMatchObject({
      status: 'paid',
      refundedAmount: 0,
    });
    expect(await stored()).toMatchObject({ stock: 'committed' });
    expect(await stock()).toBe(8);
    expect(await mismatchNotes(event.id)).toEqual([
      expect.objectContaining({
        detail: expect.objectContaining({ problems: ['fully refunded flag without the money'] }),
      }),
    ]);
  });

  it('when three refunds of unknown ids of 20.00 each are reported on a 30.00 order, then only what fits is recorded and the rest is noted', async () => {
    await markPaid();
    const refundEvent = (n: number) =>
      stripeEvent('refund.created', {
        id: `re_unknown_${n}_${placed.order.id}`,
        object: 'refund',
        amount: 2000,
        currency: 'usd',
        status: 'succeeded',
        payment_intent: placed.order.paymentIntentId,
        metadata: {},
      });
    const events = [refundEvent(1), refundEvent(2), refundEvent(3)];

    for (const event of events) await deliver(app, event).expect(200);

    const view = (await getOrder(app, placed.buyer.token, placed.order.id)) as Awaited<ReturnType<typeof getOrder>> & {
      refunds: unknown[];
    };
    expect(view).toMatchObject({ status: 'paid', refundedAmount: 20 });
    expect(view.refunds).toEqual([
      expect.objectContaining({ refundId: `re_unknown_1_${placed.order.id}`, amount: 20, source: 'external' }),
    ]);
    for (const event of events.slice(1)) {
      expect(await mismatchNotes(event.id)).toEqual([
        expect.objectContaining({ detail: expect.objectContaining({ problems: ['refunds exceed what was paid'] }) }),
      ]);
      expect(await WebhookEventModel.findById(event.id).lean()).toMatchObject({ outcome: 'mismatch' });
    }
  });
});

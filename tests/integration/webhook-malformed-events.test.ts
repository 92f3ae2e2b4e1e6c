import { OrderModel } from '../../src/models/order.model';
import { ProductModel } from '../../src/models/product.model';
import { WebhookEventModel } from '../../src/models/webhook-event.model';
import { buildTestApp } from '../helpers/app';
import { adminToken, createOrder, createProduct, getOrder } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';
import { capturingLogger } from '../helpers/logs';
import { chargeFor, deliver, eventId, intentFor, stripeEvent, useOrderToPay } from '../helpers/webhooks';

useTestDatabase();
const logger = capturingLogger();
const app = buildTestApp({ deps: { logger } });

const placed = useOrderToPay(app, { price: 12.5, stock: 10 });
// The tests read only what their own events log, not what making the order did.
beforeEach(() => {
  logger.entries.length = 0;
});

type Make = (id: string) => object;
const succeededWith =
  (changes: Record<string, unknown>): Make =>
  (id) =>
    stripeEvent('payment_intent.succeeded', { ...intentFor(placed.order), ...changes }, id);
const envelopeWith =
  (type: string, changes: Record<string, unknown>): Make =>
  (id) => ({ ...stripeEvent(type, intentFor(placed.order), id), ...changes });
const without =
  (key: string): Make =>
  (id) => {
    const object: Record<string, unknown> = { ...intentFor(placed.order) };
    delete object[key];
    return stripeEvent('payment_intent.succeeded', object, id);
  };

describe('POST /api/orders/webhook: correctly signed but malformed events', () => {
  it.each<[string, Make, string]>([
    ['data: null', envelopeWith('payment_intent.succeeded', { data: null }), 'data'],
    ['data.object missing', envelopeWith('payment_intent.succeeded', { data: {} }), 'data.object'],
    ['data.object a string', envelopeWith('payment_intent.succeeded', { data: { object: 'pi_1' } }), 'data.object'],
    ['no currency', without('currency'), 'data.object.currency'],
    ['a currency that is not a code', succeededWith({ currency: 'dollars' }), 'data.object.currency'],
    ['amount "2500"', succeededWith({ amount: '2500', amount_received: '2500' }), 'data.object.amount'],
    ['a negative amount', succeededWith({ amount_received: -2500 }), 'data.object.amount_received'],
    ['a fractional amount', succeededWith({ amount_received: 2500.5 }), 'data.object.amount_received'],
    ['a numeric intent id', succeededWith({ id: 42 }), 'data.object.id'],
    ['metadata with a number', succeededWith({ metadata: { orderId: 7 } }), 'data.object.metadata.orderId'],
    ['metadata a string', succeededWith({ metadata: 'orderId' }), 'data.object.metadata'],
    ['an empty event id', (id) => ({ ...succeededWith({})(id), id: '' }), 'id'],
    [
      'a failure whose last_payment_error is text',
      (id) =>
        stripeEvent(
          'payment_intent.payment_failed',
          intentFor(placed.order, { status: 'requires_payment_method', last_payment_error: 'declined' }),
          id,
        ),
      'data.object.last_payment_error',
    ],
    [
      'a cancel without intent id',
      (id) => stripeEvent('payment_intent.canceled', { ...intentFor(placed.order), id: null }, id),
      'data.object.id',
    ],
    [
      'a refund with amount_refunded "500"',
      (id) => stripeEvent('charge.refunded', chargeFor(placed.order, 5, { amount_refunded: '500' }), id),
      'data.object.amount_refunded',
    ],
    [
      'a refund without currency',
      (id) => stripeEvent('charge.refunded', chargeFor(placed.order, 5, { currency: undefined }), id),
      'data.object.currency',
    ],
    [
      'a refund whose refunded flag is text',
      (id) => stripeEvent('charge.refunded', chargeFor(placed.order, 5, { refunded: 'yes' }), id),
      'data.object.refunded',
    ],
    [
      'a refund whose payment_intent is a number',
      (id) => stripeEvent('charge.refunded', chargeFor(placed.order, 5, { payment_intent: 5 }), id),
      'data.object.payment_intent',
    ],
  ])(
    'when the event has %s, then 400 INVALID_EVENT naming the field, logged once, and nothing changes or is recorded',
    async (_label, make, path) => {
      const event = make(eventId());

      const res = await deliver(app, event);

      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ message: 'Malformed Stripe event', code: 'INVALID_EVENT' });
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
      expect(await OrderModel.findById(placed.order.id).lean()).toMatchObject({
        status: 'pending',
        notes: [],
        refundedMinor: 0,
      });
      expect((await ProductModel.findById(placed.productId).lean())?.stock).toBe(8);
      expect(await WebhookEventModel.countDocuments()).toBe(0);
      expect(logger.entries.filter((entry) => /malformed/.test(entry.message))).toHaveLength(1);
    },
  );

  it('when a malformed event is refused, then its corrected retry (same event id) still applies', async () => {
    const id = eventId();
    await deliver(app, succeededWith({ amount_received: '2500' })(id)).expect(400);

    await deliver(app, succeededWith({})(id)).expect(200);

    expect((await getOrder(app, placed.buyer.token, placed.order.id)).status).toBe('paid');
    expect(await WebhookEventModel.findById(id).lean()).toMatchObject({ outcome: 'applied', deliveries: 1 });
  });

  it('when an event of a type this code does not handle has data: null, then it is still 200 and ignored', async () => {
    const event = { ...stripeEvent('customer.updated', {}), data: null };

    await deliver(app, event).expect(200, { received: true });

    expect(await WebhookEventModel.findById(event.id).lean()).toMatchObject({ outcome: 'ignored' });
  });

  it("when a refund figure is not a whole number of the order's minor units, then it is recorded as a mismatch, not a 500", async () => {
    const admin = await adminToken(app);
    const isk = await createProduct(app, admin, { price: 1000, currency: 'ISK', stock: 5 });
    const created = await createOrder(app, placed.buyer.token, [{ productId: isk.id, quantity: 1 }]);
    const iskOrder = {
      id: created.orderId,
      paymentIntentId: created.data.paymentIntentId,
      amount: created.data.amount,
      currency: 'ISK',
    };
    await deliver(app, stripeEvent('payment_intent.succeeded', intentFor(iskOrder))).expect(200);

    // ISK is two-decimal in Stripe's units but has no minor unit: 12345 is 123.45 ISK, not expressible.
    await deliver(app, stripeEvent('charge.refunded', chargeFor(iskOrder, 0, { amount_refunded: 12345 }))).expect(200);

    const stored = await OrderModel.findById(iskOrder.id).lean();
    expect(stored).toMatchObject({ status: 'paid', refundedMinor: 0 });
    expect(stored?.notes).toEqual([
      expect.objectContaining({ kind: 'payment_mismatch', detail: expect.objectContaining({ problems: ['amount'] }) }),
    ]);
  });
});

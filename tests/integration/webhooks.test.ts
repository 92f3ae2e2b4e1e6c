import mongoose from 'mongoose';
import request from 'supertest';
import Stripe from 'stripe';
import { OrderModel } from '../../src/models/order.model';
import { ProductModel } from '../../src/models/product.model';
import { WebhookEventModel } from '../../src/models/webhook-event.model';
import { buildTestApp } from '../helpers/app';
import { getOrder } from '../helpers/builders';
import { testDatabaseUri, useTestDatabase } from '../helpers/db';
import { chargeFor, deliver, intentFor, stripeEvent, useOrderToPay } from '../helpers/webhooks';

useTestDatabase();
const app = buildTestApp();

const placed = useOrderToPay(app, { price: 12.5, stock: 10 });

const product = async () => (await ProductModel.findById(placed.productId).lean())!;
const succeeded = (overrides: Record<string, unknown> = {}, id?: string) =>
  stripeEvent('payment_intent.succeeded', intentFor(placed.order, overrides), id);
const failed = (id?: string) =>
  stripeEvent(
    'payment_intent.payment_failed',
    intentFor(placed.order, {
      status: 'requires_payment_method',
      amount_received: 0,
      last_payment_error: {
        code: 'card_declined',
        decline_code: 'insufficient_funds',
        message: 'Your card has insufficient funds.',
      },
    }),
    id,
  );
const canceled = (id?: string) =>
  stripeEvent('payment_intent.canceled', intentFor(placed.order, { status: 'canceled', amount_received: 0 }), id);

describe('POST /api/orders/webhook: signatures', () => {
  const payload = () => JSON.stringify(succeeded());

  it.each([
    ['no signature', () => ({ body: payload(), header: undefined, reason: 'Missing Stripe-Signature header' })],
    [
      'a malformed signature',
      () => ({ body: payload(), header: 'garbage', reason: 'Unable to extract timestamp and signatures from header' }),
    ],
    [
      'another secret',
      () => ({
        body: payload(),
        header: Stripe.webhooks.generateTestHeaderString({ payload: payload(), secret: 'whsec_other' }),
        reason: 'No signatures found matching the expected signature for payload.',
      }),
    ],
    [
      'a body changed after signing',
      () => {
        const signed = payload();
        return {
          body: signed.replace('"amount":2500', '"amount":1'),
          header: Stripe.webhooks.generateTestHeaderString({ payload: signed, secret: 'whsec_test_secret' }),
          reason: 'No signatures found matching the expected signature for payload.',
        };
      },
    ],
    [
      'a signature older than 5 minutes',
      () => {
        const body = payload();
        return {
          body,
          header: Stripe.webhooks.generateTestHeaderString({
            payload: body,
            secret: 'whsec_test_secret',
            timestamp: Math.floor(Date.now() / 1000) - 301,
          }),
          reason: 'Timestamp outside the tolerance zone',
        };
      },
    ],
  ])('when the delivery has %s, then 400 saying why, and nothing changes', async (_label, make) => {
    const { body, header, reason } = make();

    const req = request(app).post('/api/orders/webhook').set('Content-Type', 'application/json');
    const res = await (header ? req.set('Stripe-Signature', header) : req).send(body);

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      message: 'Invalid webhook signature',
      code: 'INVALID_SIGNATURE',
      details: [{ message: reason }],
      requestId: expect.any(String),
    });
    expect((await getOrder(app, placed.buyer.token, placed.order.id)).status).toBe('pending');
    expect(await WebhookEventModel.countDocuments()).toBe(0);
  });

  it('when the signature is right, then it answers { received: true } exactly', async () => {
    const res = await deliver(app, succeeded());

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: true });
  });
});

describe('POST /api/orders/webhook: effects', () => {
  it('when the payment succeeds, then the order is paid, its history names the event and the units stay sold', async () => {
    const event = succeeded();

    await deliver(app, event).expect(200);

    const paid = await getOrder(app, placed.buyer.token, placed.order.id);
    expect(paid.status).toBe('paid');
    expect(paid.history).toEqual([
      expect.objectContaining({ status: 'pending' }),
      expect.objectContaining({ status: 'paid', reason: 'payment_succeeded', eventId: event.id }),
    ]);
    expect(await product()).toMatchObject({ stock: 8, reservedFor: [] });
    expect(await WebhookEventModel.findById(event.id).lean()).toMatchObject({
      type: 'payment_intent.succeeded',
      outcome: 'applied',
      processedAt: expect.any(Date),
    });
  });

  it('when the same event arrives twice in a row, then it changes things once', async () => {
    const event = succeeded();

    await deliver(app, event).expect(200);
    await deliver(app, event).expect(200);

    const paid = await getOrder(app, placed.buyer.token, placed.order.id);
    expect(paid.history.filter((h) => h.status === 'paid')).toHaveLength(1);
    expect(await WebhookEventModel.findById(event.id).lean()).toMatchObject({ deliveries: 2, outcome: 'applied' });
  });

  it('when the same event is delivered 10 times at once, then it changes things once', async () => {
    const event = canceled();

    const responses = await Promise.all(Array.from({ length: 10 }, () => deliver(app, event)));

    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    const current = await getOrder(app, placed.buyer.token, placed.order.id);
    expect(current.status).toBe('canceled');
    expect(current.history.filter((h) => h.status === 'canceled')).toHaveLength(1);
    expect((await product()).stock).toBe(10);
  });

  it('when a payment fails, then the order is failed (with the reason) and a later success still makes it paid', async () => {
    await deliver(app, failed()).expect(200);
    const afterFailure = await request(app)
      .get(`/api/orders/${placed.order.id}`)
      .set('Authorization', placed.buyer.token)
      .expect(200);

    await deliver(app, succeeded()).expect(200);

    expect(afterFailure.body.data).toMatchObject({
      status: 'failed',
      lastPaymentError: { code: 'card_declined', declineCode: 'insufficient_funds' },
    });
    expect((await getOrder(app, placed.buyer.token, placed.order.id)).history.map((h) => h.status)).toEqual([
      'pending',
      'failed',
      'paid',
    ]);
    expect((await product()).stock).toBe(8);
  });

  it('when a failure or a cancel arrives after the success (out of order), then the order stays paid and keeps its units', async () => {
    await deliver(app, succeeded()).expect(200);

    await deliver(app, failed()).expect(200);
    await deliver(app, canceled()).expect(200);

    expect((await getOrder(app, placed.buyer.token, placed.order.id)).status).toBe('paid');
    expect((await product()).stock).toBe(8);
  });

  it('when the intent is canceled, then the order is canceled and its units come back once, also on redelivery', async () => {
    const event = canceled();

    await deliver(app, event).expect(200);
    await deliver(app, event).expect(200);
    await deliver(app, canceled()).expect(200);

    expect((await getOrder(app, placed.buyer.token, placed.order.id)).status).toBe('canceled');
    expect(await product()).toMatchObject({ stock: 10, reservedFor: [] });
  });

  it('when money arrives for a canceled order, then it stays canceled and the late payment is recorded for a refund', async () => {
    await deliver(app, canceled()).expect(200);

    await deliver(app, succeeded()).expect(200);

    const stored = await OrderModel.findById(placed.order.id).lean();
    expect(stored?.status).toBe('canceled');
    expect(stored?.notes).toEqual([expect.objectContaining({ kind: 'late_success' })]);
    expect((await product()).stock).toBe(10);
  });

  it.each([
    ['the amount received differs', { amount_received: 2499, amount: 2499 }, 'amount'],
    ['the currency differs', { currency: 'eur' }, 'currency'],
  ])('when %s, then the order is not paid and the mismatch is recorded', async (_label, overrides, problem) => {
    const event = succeeded(overrides);

    await deliver(app, event).expect(200);

    const stored = await OrderModel.findById(placed.order.id).lean();
    expect(stored?.status).toBe('pending');
    expect(stored?.notes).toEqual([
      expect.objectContaining({
        kind: 'payment_mismatch',
        eventId: event.id,
        detail: expect.objectContaining({ problems: [problem] }),
      }),
    ]);
    expect(await WebhookEventModel.findById(event.id).lean()).toMatchObject({ outcome: 'mismatch' });
  });

  it("when the intent id is not the order's but its metadata names the order, then the intent decides: unknown intent, the order is untouched", async () => {
    const event = succeeded({ id: 'pi_someone_else' });

    await deliver(app, event).expect(200, { received: true });

    const stored = await OrderModel.findById(placed.order.id).lean();
    expect(stored).toMatchObject({ status: 'pending', notes: [] });
    expect(await WebhookEventModel.findById(event.id).lean()).toMatchObject({ outcome: 'unknown_intent' });
  });

  it('when the event is about an unknown intent or of an unknown type, then 200 and nothing changes', async () => {
    const unknownIntent = stripeEvent('payment_intent.succeeded', {
      ...intentFor(placed.order),
      id: 'pi_unknown',
      metadata: {},
    });
    const unknownType = stripeEvent('customer.created', { id: 'cus_1', object: 'customer' });

    await deliver(app, unknownIntent).expect(200, { received: true });
    await deliver(app, unknownType).expect(200, { received: true });

    expect((await getOrder(app, placed.buyer.token, placed.order.id)).status).toBe('pending');
    expect(await WebhookEventModel.findById(unknownIntent.id).lean()).toMatchObject({ outcome: 'unknown_intent' });
    expect(await WebhookEventModel.findById(unknownType.id).lean()).toMatchObject({ outcome: 'ignored' });
  });

  it('when a charge is refunded in part and then in full, then the refunds are recorded and the order becomes refunded', async () => {
    await deliver(app, succeeded()).expect(200);

    await deliver(app, stripeEvent('charge.refunded', chargeFor(placed.order, 5))).expect(200);
    const partly = await getOrder(app, placed.buyer.token, placed.order.id);
    await deliver(app, stripeEvent('charge.refunded', chargeFor(placed.order, 25))).expect(200);
    // An older partial-refund event delivered late cannot lower the refunded total.
    await deliver(app, stripeEvent('charge.refunded', chargeFor(placed.order, 5))).expect(200);

    expect(partly).toMatchObject({ status: 'paid', refundedAmount: 5 });
    expect(await getOrder(app, placed.buyer.token, placed.order.id)).toMatchObject({
      status: 'refunded',
      refundedAmount: 25,
    });
    expect((await OrderModel.findById(placed.order.id).lean())?.notes.filter((n) => n.kind === 'refund')).toHaveLength(
      3,
    );
    expect((await product()).stock).toBe(8);
  });

  it('when the full refund is reported before the success, then the order ends refunded', async () => {
    await deliver(app, stripeEvent('charge.refunded', chargeFor(placed.order, 25))).expect(200);

    await deliver(app, succeeded()).expect(200);

    expect((await getOrder(app, placed.buyer.token, placed.order.id)).status).toBe('refunded');
  });

  it('when the event was received but its processing was cut short, then a redelivery completes it', async () => {
    const event = succeeded();
    // What a crash after storing the receipt and moving the order, but before the stock step, leaves behind.
    await WebhookEventModel.create({ _id: event.id, type: event.type, receivedAt: new Date(), deliveries: 1 });
    await OrderModel.updateOne(
      { _id: placed.order.id },
      {
        $set: { status: 'paid' },
        $push: { history: { status: 'paid', at: new Date(), reason: 'payment_succeeded', eventId: event.id } },
      },
    );

    await deliver(app, event).expect(200);

    expect(await OrderModel.findById(placed.order.id).lean()).toMatchObject({ status: 'paid', stock: 'committed' });
    expect(
      (await OrderModel.findById(placed.order.id).lean())?.history.filter((h) => h.status === 'paid'),
    ).toHaveLength(1);
    expect(await product()).toMatchObject({ stock: 8, reservedFor: [] });
    expect(await WebhookEventModel.findById(event.id).lean()).toMatchObject({ processedAt: expect.any(Date) });
  });

  it("when the database is down, then the webhook answers 5xx, and Stripe's retry later applies the event", async () => {
    const event = succeeded();
    const name = mongoose.connection.name;
    mongoose.set('bufferTimeoutMS', 300);
    await mongoose.disconnect();

    try {
      const down = await deliver(app, event);
      expect(down.status).toBeGreaterThanOrEqual(500);
      expect(down.body.code).toBe('DATABASE_UNAVAILABLE');
    } finally {
      await mongoose.connect(testDatabaseUri(name), { autoIndex: false });
      mongoose.set('bufferTimeoutMS', 10_000);
    }
    await deliver(app, event).expect(200);

    expect((await getOrder(app, placed.buyer.token, placed.order.id)).status).toBe('paid');
    expect(await WebhookEventModel.findById(event.id).lean()).toMatchObject({ outcome: 'applied' });
  });

  it('when the body is not JSON but correctly signed, then 400', async () => {
    const payload = 'not json';
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_test_secret' });

    const res = await request(app)
      .post('/api/orders/webhook')
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', header)
      .send(payload);

    expect(res.status).toBe(400);
  });
});

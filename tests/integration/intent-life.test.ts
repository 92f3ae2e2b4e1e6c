import request from 'supertest';
import { OrderModel } from '../../src/models/order.model';
import { ProductModel } from '../../src/models/product.model';
import { buildTestApp } from '../helpers/app';
import { getOrder } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';
import { chargeFor, deliver, intentFor, stripeEvent, useOrderToPay } from '../helpers/webhooks';

/**
 * The rest of a payment intent's life, from events signed and shaped as Stripe's: a payment processing (bank
 * debits) or waiting for the customer (3-D Secure) shown on the order; an intent canceled at Stripe or in the
 * Dashboard canceling its order and freeing its stock; a refund made in the Dashboard applied as ours are.
 */
useTestDatabase();
const app = buildTestApp();

const placed = useOrderToPay(app, { price: 12.5, stock: 10 });

const view = async () =>
  (await request(app).get(`/api/orders/${placed.order.id}`).set('Authorization', placed.buyer.token).expect(200)).body
    .data;
const product = async () => (await ProductModel.findById(placed.productId).lean())!;

describe('payment_intent.processing and payment_intent.requires_action', () => {
  it('when the payment is processing, then the open order shows it; once it succeeds, the order is paid and shows nothing more', async () => {
    await deliver(
      app,
      stripeEvent('payment_intent.processing', intentFor(placed.order, { status: 'processing', amount_received: 0 })),
    ).expect(200);
    expect(await view()).toMatchObject({ status: 'pending', paymentStatus: 'processing' });

    await deliver(app, stripeEvent('payment_intent.succeeded', intentFor(placed.order))).expect(200);

    const paid = await view();
    expect(paid.status).toBe('paid');
    expect(paid).not.toHaveProperty('paymentStatus');
    // A late processing event changes nothing on a paid order.
    await deliver(
      app,
      stripeEvent('payment_intent.processing', intentFor(placed.order, { status: 'processing' })),
    ).expect(200);
    expect(await view()).not.toHaveProperty('paymentStatus');
  });

  it('when the customer must authenticate, then the order notes it once per event and shows it; a decline then replaces it', async () => {
    const action = stripeEvent(
      'payment_intent.requires_action',
      intentFor(placed.order, { status: 'requires_action', amount_received: 0 }),
    );

    await Promise.all([deliver(app, action), deliver(app, action)]);
    expect(await view()).toMatchObject({ status: 'pending', paymentStatus: 'requires_action' });
    expect(
      (await OrderModel.findById(placed.order.id).lean())!.notes.filter((n) => n.kind === 'requires_action'),
    ).toHaveLength(1);

    await deliver(
      app,
      stripeEvent(
        'payment_intent.payment_failed',
        intentFor(placed.order, {
          status: 'requires_payment_method',
          amount_received: 0,
          last_payment_error: {
            code: 'payment_intent_authentication_failure',
            message: 'The provided PaymentMethod has failed authentication.',
          },
        }),
      ),
    ).expect(200);

    const failed = await view();
    expect(failed).toMatchObject({
      status: 'failed',
      lastPaymentError: { code: 'payment_intent_authentication_failure' },
    });
    expect(failed).not.toHaveProperty('paymentStatus');
  });
});

describe('an intent canceled by Stripe or in the Dashboard', () => {
  it('when payment_intent.canceled arrives for a pending order, then it is canceled and its units come back once, however often it is delivered', async () => {
    const event = stripeEvent(
      'payment_intent.canceled',
      intentFor(placed.order, { status: 'canceled', amount_received: 0, cancellation_reason: 'abandoned' }),
    );

    await Promise.all([deliver(app, event), deliver(app, event)]);
    await deliver(app, stripeEvent('payment_intent.canceled', event.data.object));

    const canceled = await getOrder(app, placed.buyer.token, placed.order.id);
    expect(canceled.status).toBe('canceled');
    expect(canceled.history.filter((h) => h.status === 'canceled')).toEqual([
      expect.objectContaining({ reason: 'payment_intent_canceled' }),
    ]);
    expect(await product()).toMatchObject({ stock: 10, reservedFor: [] });
  });

  it('when the cancel arrives after the payment succeeded, then the order stays paid and its units stay sold', async () => {
    await deliver(app, stripeEvent('payment_intent.succeeded', intentFor(placed.order))).expect(200);

    await deliver(app, stripeEvent('payment_intent.canceled', intentFor(placed.order, { status: 'canceled' }))).expect(
      200,
    );

    expect((await view()).status).toBe('paid');
    expect(await product()).toMatchObject({ stock: 8, reservedFor: [] });
  });
});

describe('a refund made in the Stripe Dashboard', () => {
  it('when its refund and charge events arrive for a fulfilled order, then it is recorded as external and the order is refunded, as one of ours', async () => {
    await deliver(
      app,
      stripeEvent('payment_intent.succeeded', intentFor(placed.order, { latest_charge: 'ch_dashboard' })),
    ).expect(200);
    await request(app)
      .post(`/api/orders/${placed.order.id}/fulfil`)
      .set('Authorization', placed.admin)
      .send({ carrier: 'DHL' })
      .expect(200);
    const refund = {
      id: 're_dashboard',
      object: 'refund',
      amount: 2500,
      currency: 'usd',
      status: 'succeeded',
      payment_intent: placed.order.paymentIntentId,
      metadata: {},
    };

    await deliver(app, stripeEvent('refund.created', refund)).expect(200);
    await deliver(app, stripeEvent('charge.refunded', chargeFor(placed.order, 25, { id: 'ch_dashboard' }))).expect(200);

    const refunded = await request(app)
      .get(`/api/orders/${placed.order.id}`)
      .set('Authorization', placed.admin)
      .expect(200);
    expect(refunded.body.data).toMatchObject({
      status: 'refunded',
      refundedAmount: 25,
      refunds: [{ refundId: 're_dashboard', source: 'external', status: 'succeeded', amount: 25 }],
      fulfilment: { carrier: 'DHL' },
      chargeId: 'ch_dashboard',
      money: { paid: 25, refunded: 25, kept: 0 },
    });
  });
});

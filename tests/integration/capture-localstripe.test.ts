import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type Stripe from 'stripe';
import { silentLogger } from '../../src/lib/logger';
import { ProductModel } from '../../src/models/product.model';
import { lookUpIntent } from '../../src/payments/intent-outcomes';
import { readEvent } from '../../src/payments/stripe.events';
import { createStripeGateway } from '../../src/payments/stripe.gateway';
import { createWebhookVerifier } from '../../src/payments/webhook';
import { buildTestApp, testConfig } from '../helpers/app';
import { adminToken, createOrder, createProduct, getOrder, registerAndLogin } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';
import { useLocalstripeWebhookReceiver } from '../helpers/localstripe';
import { localstripeUrl, stripeSettingsFor, type Delivery } from '../helpers/stripe-services';
import { sweeperFor } from '../helpers/sweeper';

/**
 * Manual capture through the Stripe adapter against localstripe, which keeps state: intents created with
 * capture_method manual are authorized on confirm (requires_capture), captured or canceled, and it posts
 * payment_intent.succeeded after a capture. What it lacks (no payment_intent.amount_capturable_updated or
 * payment_intent.canceled events, no amount_received or amount_capturable, a partial capture modelled as a
 * full one plus a refund, no idempotency keys) is covered by the simulated gateway and signed events
 * (manual-capture.test.ts) and by stripe-mock for the requests' validity (payments-stripe-mock.test.ts).
 */
useTestDatabase();

const gateway = () => createStripeGateway(stripeSettingsFor(localstripeUrl()), silentLogger);
const input = () => ({
  amountMinor: 4200,
  currency: 'EUR',
  metadata: { orderId: `order_${randomUUID()}` },
  idempotencyKey: randomUUID(),
  captureMethod: 'manual' as const,
});

describe('Stripe gateway against localstripe: manual capture', () => {
  it('when a manual intent is confirmed, then it is authorized: requires_capture, all of it capturable, read as an authorization', async () => {
    const payments = gateway();
    const intent = await payments.createPaymentIntent(input());

    const confirmed = await payments.confirmPaymentIntent(intent.id, 'pm_card_visa');

    expect(confirmed).toEqual({ status: 'requires_capture' });
    expect(await payments.retrievePaymentIntent(intent.id)).toMatchObject({
      status: 'requires_capture',
      amountReceivedMinor: 0,
      manualCapture: { amountMinor: 4200, capturableMinor: 4200 },
    });
    expect(await lookUpIntent(payments, intent.id)).toMatchObject({
      kind: 'payment_authorized',
      amountMinor: 4200,
      currency: 'EUR',
    });
  });

  it('when it is captured, then it succeeds with all of it received; a second capture reports it captured, nothing more', async () => {
    const payments = gateway();
    const intent = await payments.createPaymentIntent(input());
    await payments.confirmPaymentIntent(intent.id, 'pm_card_visa');

    const captured = await payments.capturePaymentIntent(intent.id, { currency: 'EUR', idempotencyKey: randomUUID() });
    const again = await payments.capturePaymentIntent(intent.id, { currency: 'EUR', idempotencyKey: randomUUID() });

    expect(captured).toEqual({ status: 'succeeded', amountReceivedMinor: 4200 });
    expect(again).toEqual({ status: 'succeeded', amountReceivedMinor: 4200 });
    expect(await lookUpIntent(payments, intent.id)).toMatchObject({
      kind: 'payment_succeeded',
      amountMinor: 4200,
      intentAmountMinor: 4200,
    });
  });

  it('when an authorization is canceled (voided), then it is canceled', async () => {
    const payments = gateway();
    const intent = await payments.createPaymentIntent(input());
    await payments.confirmPaymentIntent(intent.id, 'pm_card_visa');

    expect(await payments.cancelPaymentIntent(intent.id, { idempotencyKey: randomUUID() })).toEqual({
      status: 'canceled',
    });
    expect((await payments.retrievePaymentIntent(intent.id)).status).toBe('canceled');
  });

  describe('its webhook', () => {
    const webhook = useLocalstripeWebhookReceiver('capture-suite');

    it('when an authorization is captured, then localstripe sends payment_intent.succeeded, which reads as a manual capture of all of it', async () => {
      const payments = gateway();
      const intent = await payments.createPaymentIntent(input());
      await payments.confirmPaymentIntent(intent.id, 'pm_card_visa');

      await payments.capturePaymentIntent(intent.id, { currency: 'EUR', idempotencyKey: randomUUID() });
      const delivery = await webhook.receiver.waitFor((d: Delivery) => {
        const event = JSON.parse(d.rawBody.toString()) as Stripe.Event;
        return event.type === 'payment_intent.succeeded' && (event.data.object as { id?: string }).id === intent.id;
      });

      const event = readEvent(
        createWebhookVerifier(webhook.secret)(delivery.rawBody, delivery.headers['stripe-signature'] as string),
      );
      expect(event.outcome).toMatchObject({
        kind: 'payment_succeeded',
        intentId: intent.id,
        amountMinor: 4200,
        intentAmountMinor: 4200,
      });
    });
  });
});

describe('the shop on localstripe with PAYMENT_CAPTURE=manual', () => {
  const env = { PAYMENT_CAPTURE: 'manual' };
  const payments = gateway();
  const app = buildTestApp({ env, deps: { payments } });
  const later = () => new Date(Date.now() + 31 * 60_000);

  /** localstripe sends no authorization event: the expiry job finds the authorization when the payment window closes. */
  async function authorized(stock: number) {
    const admin = await adminToken(app);
    const buyer = await registerAndLogin(app);
    const product = await createProduct(app, admin, { price: 21, currency: 'EUR', stock });
    const created = await createOrder(app, buyer.token, [{ productId: product.id, quantity: 2 }]);
    const paid = await request(app)
      .post(`/api/orders/${created.orderId}/pay`)
      .set('Authorization', buyer.token)
      .send({ paymentMethod: 'pm_card_visa' });
    expect(paid.body.data.paymentStatus).toBe('requires_capture');
    await sweeperFor({ payments, clock: later, config: testConfig(env) }).sweepOnce();
    expect((await getOrder(app, buyer.token, created.orderId)).status).toBe('authorized');
    return { admin, buyer, productId: product.id, orderId: created.orderId, intentId: created.data.paymentIntentId };
  }

  it('when the admin captures through the API, then localstripe captures it and the order is paid, its units sold', async () => {
    const order = await authorized(5);

    const res = await request(app)
      .post(`/api/orders/${order.orderId}/capture`)
      .set('Authorization', order.admin)
      .expect(200);

    expect(res.body.data).toMatchObject({ status: 'paid', capture: { status: 'succeeded', amount: 42 } });
    expect((await payments.retrievePaymentIntent(order.intentId)).status).toBe('succeeded');
    expect(await ProductModel.findById(order.productId).lean()).toMatchObject({ stock: 3, reservedFor: [] });
  });

  it('when the admin voids it through the API, then localstripe cancels it and the units come back', async () => {
    const order = await authorized(5);

    await request(app).post(`/api/orders/${order.orderId}/void`).set('Authorization', order.admin).expect(200);

    expect((await payments.retrievePaymentIntent(order.intentId)).status).toBe('canceled');
    expect(await ProductModel.findById(order.productId).lean()).toMatchObject({ stock: 5, reservedFor: [] });
    // A capture after the void is refused by the provider: 409, and the order stays canceled.
    const capture = await request(app).post(`/api/orders/${order.orderId}/capture`).set('Authorization', order.admin);
    expect(capture.status).toBe(409);
  });
});

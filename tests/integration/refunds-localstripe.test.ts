import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import request from 'supertest';
import { silentLogger } from '../../src/lib/logger';
import { OrderModel } from '../../src/models/order.model';
import { ProductModel } from '../../src/models/product.model';
import { GatewayError } from '../../src/payments/gateway';
import { STRIPE_API_VERSION, sdkApiVersion } from '../../src/payments/stripe.api-version';
import { createStripeGateway } from '../../src/payments/stripe.gateway';
import { buildTestApp } from '../helpers/app';
import { adminToken, createOrder, createProduct, getOrder, registerAndLogin } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';
import { DEAD_WEBHOOK_URL, localstripeUrl, stripeSettingsFor } from '../helpers/stripe-services';

/**
 * Refunds through the real stripe SDK against localstripe, which keeps state like Stripe. Two gaps of
 * localstripe shape this file: it implements only charge/payment_intent/amount/metadata on refunds (a
 * `reason` is a 400 "Unexpected reason"), and it never sends charge.refunded or refund.* webhooks. So the
 * API flow sends no reason, and after each refund the test plays Stripe's webhook sender: it reads the
 * charge (and the refund) from localstripe through the SDK and POSTs them to our webhook as signed
 * events, exactly as Stripe would deliver them. The payment itself is confirmed by localstripe's own
 * payment_intent.succeeded webhook.
 */
useTestDatabase();

const WEBHOOK_SECRET = `whsec_refunds${randomUUID().replaceAll('-', '')}`;
const settings = stripeSettingsFor(localstripeUrl(), { webhookSecret: WEBHOOK_SECRET });
const stripe = new Stripe(settings.secretKey!, { ...settings.api, apiVersion: sdkApiVersion, maxNetworkRetries: 0 });

describe('Stripe gateway refunds against localstripe (real SDK)', () => {
  const gateway = createStripeGateway(settings, silentLogger);

  async function paidIntent(amountMinor: number) {
    const intent = await gateway.createPaymentIntent({
      amountMinor,
      currency: 'EUR',
      metadata: { orderId: `order_${randomUUID()}` },
      idempotencyKey: randomUUID(),
    });
    await gateway.confirmPaymentIntent(intent.id, 'pm_card_visa');
    return intent.id;
  }

  it('when a paid intent is refunded in part, then localstripe accepts it and its charge shows the amount refunded', async () => {
    const intentId = await paidIntent(4200);

    const refund = await gateway.createRefund({
      paymentIntentId: intentId,
      amountMinor: 1200,
      currency: 'EUR',
      metadata: { orderId: 'order_x', refundRequestId: 'request_1' },
      idempotencyKey: randomUUID(),
    });

    expect(refund).toEqual({
      id: expect.stringMatching(/^re_/),
      status: 'succeeded',
      amountMinor: 1200,
      currency: 'EUR',
    });
    // localstripe expands latest_charge; Stripe sends its id.
    const latest = (await stripe.paymentIntents.retrieve(intentId)).latest_charge;
    const charge = await stripe.charges.retrieve(typeof latest === 'string' ? latest : latest!.id);
    expect(charge).toMatchObject({ amount: 4200, amount_refunded: 1200, refunded: false, payment_intent: intentId });
    expect(await stripe.refunds.retrieve(refund.id)).toMatchObject({
      amount: 1200,
      status: 'succeeded',
      metadata: { refundRequestId: 'request_1' },
    });
  });

  it('when a reason is sent, then localstripe refuses it (it does not implement the parameter) and the adapter reports a refused request', async () => {
    const intentId = await paidIntent(1000);

    const refunding = gateway.createRefund({
      paymentIntentId: intentId,
      amountMinor: 100,
      currency: 'EUR',
      reason: 'duplicate',
      metadata: {},
      idempotencyKey: randomUUID(),
    });

    await expect(refunding).rejects.toEqual(
      expect.objectContaining({ kind: 'invalid_request', message: 'Unexpected reason' }),
    );
    await expect(refunding).rejects.toBeInstanceOf(GatewayError);
  });
});

describe('POST /api/orders/:id/refund with the Stripe gateway against localstripe', () => {
  const payments = createStripeGateway(settings, silentLogger);
  const app = buildTestApp({ env: { STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET }, deps: { payments } });
  const registration = `${localstripeUrl()}/_config/webhooks/refunds-suite-${randomUUID()}`;
  let server: http.Server;

  const register = async (url: string) => {
    const response = await fetch(registration, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ url, secret: WEBHOOK_SECRET }),
    });
    expect(response.status).toBe(200);
  };

  beforeAll(async () => {
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // localstripe confirms the payment with its own signed payment_intent.succeeded.
    await register(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/orders/webhook`);
  });
  afterAll(async () => {
    // localstripe cannot forget a webhook: point ours where nobody listens.
    await register(DEAD_WEBHOOK_URL);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Plays Stripe's webhook sender with localstripe's own data: the object as the SDK reads it, signed with our endpoint secret. */
  function deliverAsStripe(type: string, object: object) {
    const payload = JSON.stringify({
      id: `evt_${randomBytes(12).toString('hex')}`,
      object: 'event',
      api_version: STRIPE_API_VERSION,
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      data: { object },
    });
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
    return request(app)
      .post('/api/orders/webhook')
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', signature)
      .send(payload);
  }

  async function waitForStatus(token: string, orderId: string, wanted: string) {
    let status = '';
    for (let i = 0; i < 100 && status !== wanted; i += 1) {
      status = (await getOrder(app, token, orderId)).status;
      if (status !== wanted) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return status;
  }

  it('when an admin refunds part and then the rest, then localstripe accepts both and the confirmations built from its charge make the order refunded (with restock)', async () => {
    // Arrange: a paid order of 2 x 21 EUR, confirmed by localstripe's webhook.
    const admin = await adminToken(app);
    const buyer = await registerAndLogin(app);
    const product = await createProduct(app, admin, { price: 21, currency: 'EUR', stock: 5 });
    const order = await createOrder(app, buyer.token, [{ productId: product.id, quantity: 2 }]);
    await request(app)
      .post(`/api/orders/${order.orderId}/pay`)
      .set('Authorization', buyer.token)
      .send({ paymentMethod: 'pm_card_visa' })
      .expect(200);
    expect(await waitForStatus(buyer.token, order.orderId, 'paid')).toBe('paid');

    // Act 1: 12 EUR through the API (the real SDK sends it to localstripe), then Stripe's events for it.
    const first = await request(app)
      .post(`/api/orders/${order.orderId}/refund`)
      .set('Authorization', admin)
      .set('Idempotency-Key', 'ls-refund-1')
      .send({ amount: 12, restock: true });
    const replay = await request(app)
      .post(`/api/orders/${order.orderId}/refund`)
      .set('Authorization', admin)
      .set('Idempotency-Key', 'ls-refund-1')
      .send({ amount: 12, restock: true });
    const refund = await stripe.refunds.retrieve(first.body.data.refundId);
    const afterFirst = await stripe.charges.retrieve(refund.charge as string);
    await deliverAsStripe('refund.created', refund).expect(200);
    await deliverAsStripe('charge.refunded', afterFirst).expect(200);
    const partly = await getOrder(app, admin, order.orderId);

    // Act 2: the rest, and Stripe's charge.refunded for it.
    const rest = await request(app).post(`/api/orders/${order.orderId}/refund`).set('Authorization', admin).send({});
    const afterRest = await stripe.charges.retrieve(refund.charge as string);
    await deliverAsStripe('charge.refunded', afterRest).expect(200);
    await deliverAsStripe('charge.refunded', afterRest).expect(200);

    // Assert
    expect(first.status).toBe(202);
    expect(first.body).toEqual({
      message: 'Refund requested',
      data: {
        orderId: order.orderId,
        refundId: expect.stringMatching(/^re_/),
        amount: 12,
        currency: 'EUR',
        status: 'succeeded',
      },
    });
    expect(replay.status).toBe(202);
    expect(replay.body.data.refundId).toBe(first.body.data.refundId);
    expect(refund).toMatchObject({
      amount: 1200,
      payment_intent: order.data.paymentIntentId,
      metadata: { orderId: order.orderId },
    });
    expect(afterFirst).toMatchObject({ amount_refunded: 1200, refunded: false });
    expect(partly).toMatchObject({ status: 'paid', refundedAmount: 12 });
    expect(rest.status).toBe(202);
    expect(rest.body.data).toMatchObject({ amount: 30, currency: 'EUR', status: 'succeeded' });
    expect(afterRest).toMatchObject({ amount_refunded: 4200, refunded: true });
    expect(await getOrder(app, admin, order.orderId)).toMatchObject({ status: 'refunded', refundedAmount: 42 });
    // localstripe's charge lists its refunds (as Stripe did before 2022-11-15): each request is confirmed by id too.
    expect(await OrderModel.findById(order.orderId).lean()).toMatchObject({
      stock: 'restocked',
      refunds: [{ settlement: 'confirmed' }, { settlement: 'confirmed' }],
    });
    expect((await ProductModel.findById(product.id).lean())!.stock).toBe(5);
  });
});

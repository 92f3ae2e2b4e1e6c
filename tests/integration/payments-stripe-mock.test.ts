import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { silentLogger } from '../../src/lib/logger';
import type { PaymentGateway } from '../../src/payments/gateway';
import { STRIPE_API_VERSION, sdkApiVersion } from '../../src/payments/stripe.api-version';
import { createStripeGateway } from '../../src/payments/stripe.gateway';
import {
  startRecordingProxy,
  stripeMockUrl,
  stripeSettingsFor,
  type RecordedExchange,
  type TestServer,
} from '../helpers/stripe-services';

/**
 * stripe-mock checks every request against Stripe's OpenAPI spec (and, started with -strict-version-check,
 * that it was sent for that spec's API version). It keeps no state, so statuses never change here; what
 * this proves is that each request the adapter sends is one the real API accepts. A recording proxy in
 * between shows exactly what was sent.
 */
describe('Stripe gateway against stripe-mock (request validity)', () => {
  let proxy: TestServer & { exchanges: RecordedExchange[] };
  let gateway: PaymentGateway;

  const form = (exchange: RecordedExchange | undefined) =>
    Object.fromEntries(new URLSearchParams(exchange?.body ?? ''));

  beforeAll(async () => {
    proxy = await startRecordingProxy(stripeMockUrl());
  });

  beforeEach(() => {
    proxy.exchanges.length = 0;
    gateway = createStripeGateway(stripeSettingsFor(proxy.url), silentLogger);
  });

  afterAll(async () => {
    await proxy.close();
  });

  it('when an intent is created, then stripe-mock accepts the parameters we send', async () => {
    // Arrange
    const idempotencyKey = `order-${randomUUID()}`;

    // Act
    const intent = await gateway.createPaymentIntent({
      amountMinor: 2599,
      currency: 'USD',
      metadata: { orderId: 'order_42', userId: 'user_7' },
      idempotencyKey,
    });

    // Assert
    expect(intent).toEqual({
      id: expect.stringMatching(/^pi_/),
      clientSecret: expect.stringContaining('_secret_'),
      status: 'requires_payment_method',
    });
    const [exchange] = proxy.exchanges;
    expect(exchange).toMatchObject({ method: 'POST', path: '/v1/payment_intents', status: 200 });
    expect(exchange?.headers).toMatchObject({
      'idempotency-key': idempotencyKey,
      'stripe-version': STRIPE_API_VERSION,
    });
    expect(form(exchange)).toEqual({
      amount: '2599',
      currency: 'usd',
      'payment_method_types[0]': 'card',
      'metadata[orderId]': 'order_42',
      'metadata[userId]': 'user_7',
    });
  });

  it('when the currency has other Stripe units (ISK), then the amount is sent in Stripe units', async () => {
    await gateway.createPaymentIntent({
      amountMinor: 5000,
      currency: 'ISK',
      metadata: {},
      idempotencyKey: randomUUID(),
    });

    expect(proxy.exchanges[0]?.status).toBe(200);
    expect(form(proxy.exchanges[0])).toMatchObject({ amount: '500000', currency: 'isk' });
  });

  it('when an intent is confirmed, then the payment method update and the bare confirm are both accepted', async () => {
    // Act
    const result = await gateway.confirmPaymentIntent('pi_stripe_mock', 'pm_card_visa');

    // Assert: stripe-mock never changes status, but it did accept both calls.
    expect(result).toEqual({ status: expect.any(String) });
    expect(proxy.exchanges.map(({ method, path, status }) => `${method} ${path} ${status}`)).toEqual([
      'POST /v1/payment_intents/pi_stripe_mock 200',
      'POST /v1/payment_intents/pi_stripe_mock/confirm 200',
    ]);
    expect(form(proxy.exchanges[0])).toEqual({ payment_method: 'pm_card_visa' });
    expect(form(proxy.exchanges[1])).toEqual({});
  });

  it('when an intent is canceled, then the request is accepted', async () => {
    const result = await gateway.cancelPaymentIntent('pi_stripe_mock');

    expect(result).toEqual({ status: expect.any(String) });
    expect(proxy.exchanges.map(({ path, status }) => `${path} ${status}`)).toEqual([
      '/v1/payment_intents/pi_stripe_mock/cancel 200',
    ]);
    expect(proxy.exchanges[0]?.body).toBe('');
  });

  describe('the checks are real', () => {
    const rawClient = (apiVersion?: Stripe.LatestApiVersion) => {
      const { host, port, protocol } = stripeSettingsFor(stripeMockUrl()).api;
      return new Stripe('sk_test_raw', { host, port, protocol, apiVersion, maxNetworkRetries: 0 });
    };

    it('when a parameter the API does not have is sent, then stripe-mock refuses it', async () => {
      const creating = rawClient(sdkApiVersion).paymentIntents.create({
        amount: 2599,
        currency: 'usd',
        bogus_param: 1,
      } as Stripe.PaymentIntentCreateParams);

      await expect(creating).rejects.toMatchObject({
        type: 'StripeInvalidRequestError',
        statusCode: 400,
        message: expect.stringMatching(/additional properties/),
      });
    });

    it("when a request is sent for the SDK's default API version, then stripe-mock refuses it (versions are checked)", async () => {
      const creating = rawClient().paymentIntents.create({ amount: 2599, currency: 'usd' });

      await expect(creating).rejects.toMatchObject({
        statusCode: 400,
        message: expect.stringMatching(/Stripe-Version/),
      });
    });

    it('when the key does not look like a Stripe key, then the gateway reports the provider as unavailable', async () => {
      const badKeyGateway = createStripeGateway(
        stripeSettingsFor(stripeMockUrl(), { secretKey: 'not_a_key' }),
        silentLogger,
      );

      const creating = badKeyGateway.createPaymentIntent({
        amountMinor: 100,
        currency: 'USD',
        metadata: {},
        idempotencyKey: randomUUID(),
      });

      await expect(creating).rejects.toMatchObject({
        kind: 'unavailable',
        message: 'The payment provider could not be reached, please try again',
      });
    });
  });
});

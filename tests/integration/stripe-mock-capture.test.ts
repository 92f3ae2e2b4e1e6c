import { randomUUID } from 'node:crypto';
import { silentLogger } from '../../src/lib/logger';
import { STRIPE_API_VERSION } from '../../src/payments/stripe.api-version';
import { createStripeGateway } from '../../src/payments/stripe.gateway';
import {
  startRecordingProxy,
  stripeMockUrl,
  stripeSettingsFor,
  type RecordedExchange,
  type TestServer,
} from '../helpers/stripe-services';

/**
 * The manual-capture requests of the Stripe adapter against stripe-mock, which checks each against Stripe's
 * spec for our API version: capture_method on create, the capture (all, or amount_to_capture) and the cancel
 * of an authorization, each with its idempotency key. Automatic intents are created exactly as before.
 */
describe('Stripe gateway against stripe-mock: manual capture requests', () => {
  let proxy: TestServer & { exchanges: RecordedExchange[] };
  const gateway = () => createStripeGateway(stripeSettingsFor(proxy.url), silentLogger);
  const form = (exchange: RecordedExchange | undefined) =>
    Object.fromEntries(new URLSearchParams(exchange?.body ?? ''));

  beforeAll(async () => {
    proxy = await startRecordingProxy(stripeMockUrl());
  });
  beforeEach(() => {
    proxy.exchanges.length = 0;
  });
  afterAll(async () => {
    await proxy.close();
  });

  it('when a manual-capture intent is created, then capture_method=manual is sent and accepted; an automatic one sends none', async () => {
    await gateway().createPaymentIntent({
      amountMinor: 2599,
      currency: 'USD',
      metadata: {},
      idempotencyKey: randomUUID(),
      captureMethod: 'manual',
    });
    await gateway().createPaymentIntent({
      amountMinor: 2599,
      currency: 'USD',
      metadata: {},
      idempotencyKey: randomUUID(),
    });

    expect(proxy.exchanges.map((e) => e.status)).toEqual([200, 200]);
    expect(form(proxy.exchanges[0])).toMatchObject({ capture_method: 'manual', amount: '2599' });
    expect(form(proxy.exchanges[1])).not.toHaveProperty('capture_method');
  });

  it('when all of an authorization is captured, then the capture is sent bare with its idempotency key and accepted', async () => {
    const key = `capture-${randomUUID()}`;

    const captured = await gateway().capturePaymentIntent('pi_stripe_mock', { currency: 'USD', idempotencyKey: key });

    expect(captured).toEqual({ status: expect.any(String), amountReceivedMinor: expect.any(Number) });
    expect(proxy.exchanges.map(({ method, path, status }) => `${method} ${path} ${status}`)).toEqual([
      'POST /v1/payment_intents/pi_stripe_mock/capture 200',
    ]);
    expect(proxy.exchanges[0]?.body).toBe('');
    expect(proxy.exchanges[0]?.headers).toMatchObject({ 'idempotency-key': key, 'stripe-version': STRIPE_API_VERSION });
  });

  it('when less is captured, then amount_to_capture is sent in Stripe units and accepted', async () => {
    await gateway().capturePaymentIntent('pi_stripe_mock', {
      amountMinor: 5000,
      currency: 'ISK',
      idempotencyKey: randomUUID(),
    });

    expect(proxy.exchanges[0]?.status).toBe(200);
    expect(form(proxy.exchanges[0])).toEqual({ amount_to_capture: '500000' });
  });

  it('when an authorization is voided, then the cancel is sent bare with its idempotency key and accepted', async () => {
    await gateway().cancelPaymentIntent('pi_stripe_mock', { idempotencyKey: 'order_x_void' });

    expect(proxy.exchanges.map(({ path, status }) => `${path} ${status}`)).toEqual([
      '/v1/payment_intents/pi_stripe_mock/cancel 200',
    ]);
    expect(proxy.exchanges[0]?.body).toBe('');
    expect(proxy.exchanges[0]?.headers['idempotency-key']).toBe('order_x_void');
  });
});

import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import { silentLogger } from '../../src/lib/logger';
import type { CreateRefundInput, PaymentGateway } from '../../src/payments/gateway';
import { STRIPE_API_VERSION } from '../../src/payments/stripe.api-version';
import { parseEvent } from '../../src/payments/stripe.events';
import { createSimulatedGateway, type SimulatedGateway } from '../../src/payments/simulated.gateway';
import { createStripeGateway } from '../../src/payments/stripe.gateway';
import { createWebhookVerifier } from '../../src/payments/webhook';
import { useTestDatabase } from '../helpers/db';
import {
  startRecordingProxy,
  startWebhookReceiver,
  stripeMockUrl,
  stripeSettingsFor,
  type Delivery,
  type RecordedExchange,
  type TestServer,
  type WebhookReceiver,
} from '../helpers/stripe-services';

// The simulated gateway keeps its intents, charges and refunds in MongoDB.
useTestDatabase();

/**
 * PaymentGateway.createRefund in both implementations: the Stripe adapter's requests are checked by
 * stripe-mock against Stripe's OpenAPI spec (through a recording proxy that shows what was sent); the
 * simulated gateway keeps Stripe's rules (partial, full, over-refund refused, idempotency) and sends
 * signed events that our own event schemas accept. localstripe: refunds-localstripe.test.ts.
 */
const refundOf = (overrides: Partial<CreateRefundInput> = {}): CreateRefundInput => ({
  paymentIntentId: 'pi_stripe_mock',
  amountMinor: 1250,
  currency: 'USD',
  metadata: { orderId: 'order_42', refundRequestId: 'request_7', requestedBy: 'admin_1' },
  idempotencyKey: `order_42_refund_${randomUUID()}`,
  ...overrides,
});

describe('Stripe gateway refunds against stripe-mock (request validity)', () => {
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

  it('when a refund with a reason is created, then stripe-mock accepts every parameter and the idempotency key is sent', async () => {
    const input = refundOf({ reason: 'requested_by_customer' });

    const refund = await gateway.createRefund(input);

    expect(refund).toEqual({
      id: expect.stringMatching(/^re_/),
      status: expect.stringMatching(/^(pending|requires_action|succeeded|failed|canceled)$/),
      amountMinor: expect.any(Number),
      currency: expect.any(String),
    });
    const [exchange] = proxy.exchanges;
    expect(exchange).toMatchObject({ method: 'POST', path: '/v1/refunds', status: 200 });
    expect(exchange?.headers).toMatchObject({
      'idempotency-key': input.idempotencyKey,
      'stripe-version': STRIPE_API_VERSION,
    });
    expect(form(exchange)).toEqual({
      payment_intent: 'pi_stripe_mock',
      amount: '1250',
      reason: 'requested_by_customer',
      'metadata[orderId]': 'order_42',
      'metadata[refundRequestId]': 'request_7',
      'metadata[requestedBy]': 'admin_1',
    });
  });

  it('when no reason is given, then none is sent, and ISK goes in Stripe units', async () => {
    await gateway.createRefund(refundOf({ amountMinor: 500, currency: 'ISK' }));

    expect(proxy.exchanges[0]?.status).toBe(200);
    expect(form(proxy.exchanges[0])).not.toHaveProperty('reason');
    expect(form(proxy.exchanges[0])).toMatchObject({ amount: '50000' });
  });
});

describe('simulated gateway refunds', () => {
  const SECRET = 'whsec_simulated_refunds';
  let receiver: WebhookReceiver;
  let gateway: SimulatedGateway;

  const eventsOf = (type: string) =>
    receiver.deliveries.map((d) => JSON.parse(d.rawBody.toString()) as Stripe.Event).filter((e) => e.type === type);
  async function paidIntent(amountMinor = 5000, currency = 'EUR') {
    const intent = await gateway.createPaymentIntent({
      amountMinor,
      currency,
      metadata: { orderId: 'order_1' },
      idempotencyKey: randomUUID(),
    });
    await gateway.confirmPaymentIntent(intent.id, 'pm_card_visa');
    return intent.id;
  }

  beforeEach(async () => {
    receiver = await startWebhookReceiver();
    gateway = createSimulatedGateway({
      webhookSecret: SECRET,
      webhookUrl: () => receiver.url,
      deliveryDelayMs: 0,
      logger: silentLogger,
      retryDelaysMs: [20],
    });
  });
  afterEach(async () => {
    await gateway.settle();
    await receiver.close();
  });

  it('when part and then the rest is refunded, then both succeed and signed refund.created and charge.refunded events report them', async () => {
    const intentId = await paidIntent(5000, 'EUR');

    const first = await gateway.createRefund(
      refundOf({ paymentIntentId: intentId, amountMinor: 2000, currency: 'EUR', reason: 'duplicate' }),
    );
    const rest = await gateway.createRefund(
      refundOf({ paymentIntentId: intentId, amountMinor: 3000, currency: 'EUR' }),
    );
    await gateway.settle();

    expect(first).toEqual({
      id: expect.stringMatching(/^re_[A-Za-z0-9]{24}$/),
      status: 'succeeded',
      amountMinor: 2000,
      currency: 'EUR',
    });
    expect(rest).toMatchObject({ status: 'succeeded', amountMinor: 3000 });
    const verify = createWebhookVerifier(SECRET);
    const parsed = receiver.deliveries.map((d: Delivery) =>
      parseEvent(verify(d.rawBody, d.headers['stripe-signature'] as string)),
    );
    // Deliveries run side by side (as Stripe's do): compare in amount order, not arrival order.
    const byAmount = (key: string) => (a: object, b: object) =>
      (a as Record<string, number>)[key]! - (b as Record<string, number>)[key]!;
    expect(
      parsed
        .filter((e) => e.type === 'refund.created')
        .map((e) => e.object!)
        .sort(byAmount('amount')),
    ).toEqual([
      expect.objectContaining({
        id: first.id,
        amount: 2000,
        currency: 'eur',
        status: 'succeeded',
        payment_intent: intentId,
        metadata: expect.objectContaining({ refundRequestId: 'request_7' }),
      }),
      expect.objectContaining({ id: rest.id, amount: 3000 }),
    ]);
    expect(
      eventsOf('charge.refunded')
        .map((e) => e.data.object)
        .sort(byAmount('amount_refunded')),
    ).toEqual([
      expect.objectContaining({
        object: 'charge',
        amount: 5000,
        amount_refunded: 2000,
        refunded: false,
        payment_intent: intentId,
      }),
      expect.objectContaining({ amount_refunded: 5000, refunded: true }),
    ]);
    expect(
      eventsOf('refund.created').find((e) => (e.data.object as { id: string }).id === first.id)?.data.object,
    ).toMatchObject({
      reason: 'duplicate',
    });
  });

  it.each([
    [
      'more than is left',
      async (id: string) => gateway.createRefund(refundOf({ paymentIntentId: id, amountMinor: 5001, currency: 'EUR' })),
      'amount_too_large',
    ],
    [
      'anything after a full refund',
      async (id: string) => {
        await gateway.createRefund(refundOf({ paymentIntentId: id, amountMinor: 5000, currency: 'EUR' }));
        return gateway.createRefund(refundOf({ paymentIntentId: id, amountMinor: 1, currency: 'EUR' }));
      },
      'charge_already_refunded',
    ],
    [
      'another currency than the charge',
      async (id: string) => gateway.createRefund(refundOf({ paymentIntentId: id, amountMinor: 100, currency: 'USD' })),
      'parameter_invalid_string',
    ],
  ])('when %s is asked, then it is refused as Stripe does', async (_label, ask, code) => {
    const intentId = await paidIntent();

    await expect(ask(intentId)).rejects.toMatchObject({ kind: 'invalid_request', code });
  });

  it('when the intent was never paid or does not exist, then the refund is refused and no event is sent', async () => {
    const unpaid = await gateway.createPaymentIntent({
      amountMinor: 5000,
      currency: 'EUR',
      metadata: {},
      idempotencyKey: randomUUID(),
    });

    await expect(gateway.createRefund(refundOf({ paymentIntentId: unpaid.id, currency: 'EUR' }))).rejects.toMatchObject(
      {
        kind: 'invalid_request',
        code: 'charge_not_refundable',
      },
    );
    await expect(
      gateway.createRefund(refundOf({ paymentIntentId: 'pi_missing', currency: 'EUR' })),
    ).rejects.toMatchObject({
      kind: 'invalid_request',
      code: 'resource_missing',
    });
    await gateway.settle();
    expect(eventsOf('refund.created')).toEqual([]);
  });

  it('when the same idempotency key comes again, then the same refund comes back (nothing refunded twice); with other parameters it is refused', async () => {
    const intentId = await paidIntent();
    const input = refundOf({ paymentIntentId: intentId, amountMinor: 1000, currency: 'EUR' });

    const first = await gateway.createRefund(input);
    const again = await gateway.createRefund(input);
    const reused = gateway.createRefund({ ...input, amountMinor: 999 });

    expect(again).toEqual(first);
    await expect(reused).rejects.toMatchObject({ kind: 'invalid_request', code: 'idempotency_error' });
    await gateway.settle();
    expect(eventsOf('refund.created')).toHaveLength(1);
    // 4000 left: exactly that is still possible.
    await expect(
      gateway.createRefund(refundOf({ paymentIntentId: intentId, amountMinor: 4000, currency: 'EUR' })),
    ).resolves.toMatchObject({
      status: 'succeeded',
    });
  });
});

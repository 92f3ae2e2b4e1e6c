import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import type { Logger } from '../../src/lib/logger';
import { silentLogger } from '../../src/lib/logger';
import { GatewayError } from '../../src/payments/gateway';
import { createSimulatedGateway, type SimulatedGatewayOptions } from '../../src/payments/simulated.gateway';
import { createWebhookVerifier, WebhookSignatureError } from '../../src/payments/webhook';
import { useTestDatabase } from '../helpers/db';
import { startWebhookReceiver, type Delivery, type WebhookReceiver } from '../helpers/stripe-services';

// The simulated gateway keeps its intents, charges and refunds in MongoDB.
useTestDatabase();

const SECRET = 'whsec_simulated_suite';
const verify = createWebhookVerifier(SECRET);

/** The intent an event is about, as the webhook handler will read it. */
const intentOf = (event: Stripe.Event) => event.data.object as unknown as Record<string, unknown>;

const eventIn = (delivery: Delivery) => verify(delivery.rawBody, delivery.headers['stripe-signature'] as string);

const about = (intentId: string, type: string) => (delivery: Delivery) => {
  const event = JSON.parse(delivery.rawBody.toString()) as Stripe.Event;
  return event.type === type && intentOf(event).id === intentId;
};

function recordingLogger() {
  const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const record = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    lines.push({ level, message, fields });
  const logger: Logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
  return { logger, lines };
}

const order = (overrides: Partial<{ amountMinor: number; currency: string; idempotencyKey: string }> = {}) => ({
  amountMinor: 2599,
  currency: 'USD',
  metadata: { orderId: 'order_1', userId: 'user_1' },
  idempotencyKey: `order-${randomUUID()}`,
  ...overrides,
});

describe('simulated payment gateway', () => {
  let receiver: WebhookReceiver;
  const gateways: Array<{ settle(): Promise<void> }> = [];

  const gatewayFor = (options: Partial<SimulatedGatewayOptions> = {}) => {
    const gateway = createSimulatedGateway({
      webhookSecret: SECRET,
      webhookUrl: () => receiver.url,
      deliveryDelayMs: 0,
      logger: silentLogger,
      retryDelaysMs: [20, 40, 80, 160],
      ...options,
    });
    gateways.push(gateway);
    return gateway;
  };

  beforeEach(async () => {
    receiver = await startWebhookReceiver();
  });

  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((gateway) => gateway.settle()));
    await receiver.close();
  });

  it('when an intent is created, then it has Stripe-format ids and awaits a payment method', async () => {
    // Arrange
    const gateway = gatewayFor();

    // Act
    const intent = await gateway.createPaymentIntent(order());

    // Assert
    expect(intent.id).toMatch(/^pi_[A-Za-z0-9]{24}$/);
    expect(intent.clientSecret).toMatch(new RegExp(`^${intent.id}_secret_[A-Za-z0-9]{24}$`));
    expect(intent.status).toBe('requires_payment_method');
    expect(gateway).toMatchObject({ kind: 'simulated', liveMode: false });
  });

  it('when the same idempotency key is used twice, then the first intent is returned again', async () => {
    const gateway = gatewayFor();
    const input = order();

    const first = await gateway.createPaymentIntent(input);
    const again = await gateway.createPaymentIntent(input);
    const other = await gateway.createPaymentIntent(order());

    expect(again).toEqual(first);
    expect(other.id).not.toBe(first.id);
  });

  it('when an idempotency key is reused with another amount, then the request is refused as Stripe does', async () => {
    const gateway = gatewayFor();
    const input = order();
    await gateway.createPaymentIntent(input);

    const reuse = gateway.createPaymentIntent({ ...input, amountMinor: 100 });

    await expect(reuse).rejects.toMatchObject({ kind: 'invalid_request', code: 'idempotency_error' });
  });

  it('when pm_card_visa is confirmed, then the intent succeeds and a signed payment_intent.succeeded arrives', async () => {
    // Arrange
    const gateway = gatewayFor();
    const intent = await gateway.createPaymentIntent(order({ amountMinor: 2599, currency: 'USD' }));

    // Act
    const confirmed = await gateway.confirmPaymentIntent(intent.id, 'pm_card_visa');
    const delivery = await receiver.waitFor(about(intent.id, 'payment_intent.succeeded'));

    // Assert
    expect(confirmed).toEqual({ status: 'succeeded' });
    expect(delivery.headers['content-type']).toMatch(/^application\/json/);
    const event = eventIn(delivery);
    expect(event).toMatchObject({
      id: expect.stringMatching(/^evt_/),
      object: 'event',
      livemode: false,
      type: 'payment_intent.succeeded',
    });
    expect(intentOf(event)).toMatchObject({
      id: intent.id,
      object: 'payment_intent',
      amount: 2599,
      amount_received: 2599,
      currency: 'usd',
      status: 'succeeded',
      metadata: { orderId: 'order_1', userId: 'user_1' },
      client_secret: intent.clientSecret,
      last_payment_error: null,
    });
  });

  it('when a delivered event is checked with another secret, then it does not verify', async () => {
    const gateway = gatewayFor();
    const intent = await gateway.createPaymentIntent(order());
    await gateway.confirmPaymentIntent(intent.id, 'pm_card_mastercard');

    const delivery = await receiver.waitFor(about(intent.id, 'payment_intent.succeeded'));

    const otherVerifier = createWebhookVerifier('whsec_not_ours');
    expect(() => otherVerifier(delivery.rawBody, delivery.headers['stripe-signature'] as string)).toThrow(
      WebhookSignatureError,
    );
  });

  it('when the amount is in a currency whose Stripe units differ, then the event carries Stripe units', async () => {
    const gateway = gatewayFor();
    const intent = await gateway.createPaymentIntent(order({ amountMinor: 5000, currency: 'ISK' }));

    await gateway.confirmPaymentIntent(intent.id, 'pm_card_amex');
    const delivery = await receiver.waitFor(about(intent.id, 'payment_intent.succeeded'));

    expect(intentOf(eventIn(delivery))).toMatchObject({ amount: 500_000, amount_received: 500_000, currency: 'isk' });
  });

  it.each([
    ['pm_card_chargeDeclined', 'card_declined', 'generic_decline', 'Your card was declined.'],
    ['pm_card_visa_chargeDeclined', 'card_declined', 'generic_decline', 'Your card was declined.'],
    ['pm_card_chargeCustomerFail', 'card_declined', 'generic_decline', 'Your card was declined.'],
    [
      'pm_card_chargeDeclinedInsufficientFunds',
      'card_declined',
      'insufficient_funds',
      'Your card has insufficient funds.',
    ],
    ['pm_card_chargeDeclinedExpiredCard', 'expired_card', 'expired_card', 'Your card has expired.'],
  ])(
    'when %s is confirmed, then it is declined (%s, %s) and payment_intent.payment_failed arrives',
    async (paymentMethod, code, declineCode, message) => {
      // Arrange
      const gateway = gatewayFor();
      const intent = await gateway.createPaymentIntent(order());

      // Act
      const confirming = gateway.confirmPaymentIntent(intent.id, paymentMethod);

      // Assert
      await expect(confirming).rejects.toEqual(new GatewayError('declined', message, code, declineCode));
      await expect(confirming).rejects.toMatchObject({ kind: 'declined', code, declineCode });
      const event = eventIn(await receiver.waitFor(about(intent.id, 'payment_intent.payment_failed')));
      expect(intentOf(event)).toMatchObject({
        status: 'requires_payment_method',
        amount_received: 0,
        last_payment_error: {
          type: 'card_error',
          code,
          decline_code: declineCode,
          message,
          payment_method: { id: paymentMethod },
        },
      });
    },
  );

  it('when a declined intent is confirmed again with a good card, then it succeeds', async () => {
    const gateway = gatewayFor();
    const intent = await gateway.createPaymentIntent(order());
    await expect(gateway.confirmPaymentIntent(intent.id, 'pm_card_chargeDeclined')).rejects.toMatchObject({
      kind: 'declined',
    });

    const retried = await gateway.confirmPaymentIntent(intent.id, 'pm_card_visa');

    expect(retried).toEqual({ status: 'succeeded' });
    const event = eventIn(await receiver.waitFor(about(intent.id, 'payment_intent.succeeded')));
    expect(intentOf(event)).toMatchObject({ status: 'succeeded', last_payment_error: null });
  });

  it.each(['card_visa', 'tok_visa', 'pm_1NotInThisAccount'])(
    'when the payment method %s is unknown, then the request is invalid (resource_missing)',
    async (paymentMethod) => {
      const gateway = gatewayFor();
      const intent = await gateway.createPaymentIntent(order());

      const confirming = gateway.confirmPaymentIntent(intent.id, paymentMethod);

      await expect(confirming).rejects.toMatchObject({
        kind: 'invalid_request',
        code: 'resource_missing',
        message: `No such PaymentMethod: '${paymentMethod}'`,
      });
    },
  );

  it('when a fresh intent is canceled, then it is canceled and payment_intent.canceled arrives', async () => {
    const gateway = gatewayFor();
    const intent = await gateway.createPaymentIntent(order());

    const canceled = await gateway.cancelPaymentIntent(intent.id);

    expect(canceled).toEqual({ status: 'canceled' });
    const event = eventIn(await receiver.waitFor(about(intent.id, 'payment_intent.canceled')));
    expect(intentOf(event)).toMatchObject({ status: 'canceled', amount_received: 0 });
  });

  it('when a paid intent is canceled, then nothing changes and it reports succeeded', async () => {
    const gateway = gatewayFor();
    const intent = await gateway.createPaymentIntent(order());
    await gateway.confirmPaymentIntent(intent.id, 'pm_card_visa');

    const canceled = await gateway.cancelPaymentIntent(intent.id);
    await gateway.settle();

    expect(canceled).toEqual({ status: 'succeeded' });
    expect(receiver.deliveries.filter(about(intent.id, 'payment_intent.canceled'))).toHaveLength(0);
  });

  it.each([
    ['canceled', 'cancel'],
    ['succeeded', 'pay'],
  ])(
    'when a %s intent is confirmed, then Stripe-style payment_intent_unexpected_state is returned',
    async (status, step) => {
      const gateway = gatewayFor();
      const intent = await gateway.createPaymentIntent(order());
      if (step === 'cancel') await gateway.cancelPaymentIntent(intent.id);
      else await gateway.confirmPaymentIntent(intent.id, 'pm_card_visa');

      const confirming = gateway.confirmPaymentIntent(intent.id, 'pm_card_visa');

      await expect(confirming).rejects.toMatchObject({
        kind: 'invalid_request',
        code: 'payment_intent_unexpected_state',
        message: expect.stringContaining(`status of ${status}`),
      });
    },
  );

  it('when the intent id is unknown, then every operation is an invalid request (resource_missing)', async () => {
    const gateway = gatewayFor();

    await expect(gateway.confirmPaymentIntent('pi_missing', 'pm_card_visa')).rejects.toMatchObject({
      kind: 'invalid_request',
      code: 'resource_missing',
    });
    await expect(gateway.cancelPaymentIntent('pi_missing')).rejects.toMatchObject({
      kind: 'invalid_request',
      code: 'resource_missing',
    });
  });

  it('when the webhook answers 500 first, then the event is retried, re-signed, and delivered once accepted', async () => {
    // Arrange
    await receiver.close();
    receiver = await startWebhookReceiver((attempt) => (attempt === 1 ? 500 : 200));
    const { logger, lines } = recordingLogger();
    const gateway = gatewayFor({ logger });
    const intent = await gateway.createPaymentIntent(order());

    // Act
    await gateway.confirmPaymentIntent(intent.id, 'pm_card_visa');
    await gateway.settle();

    // Assert
    expect(receiver.deliveries.map((delivery) => delivery.status)).toEqual([500, 200]);
    const [first, second] = receiver.deliveries as [Delivery, Delivery];
    expect(second.rawBody.equals(first.rawBody)).toBe(true);
    expect(eventIn(second).type).toBe('payment_intent.succeeded');
    expect(lines.map(({ level, message }) => `${level} ${message}`)).toEqual([
      'warn Simulated webhook delivery failed: will retry',
      'info Simulated webhook delivered',
    ]);
  });

  it('when the webhook never accepts, then delivery stops after five attempts and says so', async () => {
    await receiver.close();
    receiver = await startWebhookReceiver(() => 503);
    const { logger, lines } = recordingLogger();
    const gateway = gatewayFor({ logger });
    const intent = await gateway.createPaymentIntent(order());

    await gateway.confirmPaymentIntent(intent.id, 'pm_card_visa');
    await gateway.settle();

    expect(receiver.deliveries).toHaveLength(5);
    expect(lines.at(-1)).toMatchObject({
      level: 'error',
      message: 'Simulated webhook not delivered: giving up',
      fields: { attempt: 5, failure: 'HTTP 503' },
    });
  });

  it('when nothing listens at the webhook URL, then the connection error is retried like a failed answer', async () => {
    const { logger, lines } = recordingLogger();
    const unreachable = `${receiver.url}/webhook`;
    await receiver.close();
    const gateway = gatewayFor({ logger, webhookUrl: () => unreachable, retryDelaysMs: [10] });
    const intent = await gateway.createPaymentIntent(order());

    await gateway.confirmPaymentIntent(intent.id, 'pm_card_visa');
    await gateway.settle();

    expect(lines.map(({ level }) => level)).toEqual(['warn', 'error']);
    expect(String(lines[1]?.fields?.failure)).toMatch(/ECONNREFUSED/);
    receiver = await startWebhookReceiver();
  });

  it('when no webhook URL is known, then the event is dropped with a warning', async () => {
    const { logger, lines } = recordingLogger();
    const gateway = gatewayFor({ logger, webhookUrl: () => undefined });
    const intent = await gateway.createPaymentIntent(order());

    await gateway.confirmPaymentIntent(intent.id, 'pm_card_visa');
    await gateway.settle();

    expect(receiver.deliveries).toHaveLength(0);
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', message: expect.stringMatching(/dropped/) })]);
  });

  it('when a delivery delay is set, then the event waits for it and settle() waits for the event', async () => {
    const gateway = gatewayFor({ deliveryDelayMs: 300 });
    const intent = await gateway.createPaymentIntent(order());
    const started = Date.now();

    await gateway.confirmPaymentIntent(intent.id, 'pm_card_visa');
    expect(receiver.deliveries).toHaveLength(0);
    await gateway.settle();

    expect(receiver.deliveries).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });
});

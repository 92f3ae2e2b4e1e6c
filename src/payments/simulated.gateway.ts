import { randomInt } from 'node:crypto';
import type { Logger } from '../lib/logger';
import { minorFromStripe, toStripeAmount } from '../lib/money';
import { GatewayError, type PaymentGateway, type PaymentIntentRef, type PaymentIntentStatus, type RefundRef } from './gateway';
import { STRIPE_API_VERSION } from './stripe.api-version';
import { testCardOutcome, type CardDecline } from './simulated.cards';
import { createWebhookSender } from './simulated.webhooks';

export interface SimulatedGatewayOptions {
  webhookSecret: string;
  webhookUrl: () => string | undefined;
  deliveryDelayMs: number;
  logger: Logger;
  fetchImpl?: typeof fetch;
  retryDelaysMs?: readonly number[];
}

export interface SimulatedGateway extends PaymentGateway {
  readonly kind: 'simulated';
  /** Waits for the webhook deliveries in flight: for tests and graceful shutdown. */
  settle(): Promise<void>;
}

/** The PaymentIntent fields Stripe puts in its events, kept in Stripe's own shape. */
interface SimulatedIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  status: PaymentIntentStatus;
  metadata: Record<string, string>;
  client_secret: string;
  payment_method: string | null;
  payment_method_types: string[];
  last_payment_error: { type: 'card_error'; code: string; decline_code: string; message: string; payment_method: { id: string } } | null;
  canceled_at: number | null;
  cancellation_reason: null;
  created: number;
  livemode: false;
  latest_charge: string | null;
}

/** The charge a succeeded intent made, as Stripe puts it in charge.* events (no `refunds` list: it is not included by default since 2022-11-15). */
interface SimulatedCharge {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  captured: true;
  currency: string;
  paid: true;
  payment_intent: string;
  refunded: boolean;
  status: 'succeeded';
  metadata: Record<string, string>;
  created: number;
  livemode: false;
}

interface SimulatedRefund {
  id: string;
  object: 'refund';
  amount: number;
  charge: string;
  currency: string;
  metadata: Record<string, string>;
  payment_intent: string;
  reason: string | null;
  status: 'succeeded';
  failure_reason: null;
  created: number;
}

const idempotencyError = (key: string) =>
  new GatewayError(
    'invalid_request',
    `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
    'idempotency_error',
  );

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const randomAlphanumeric = (length: number) => Array.from({ length }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');
const stripeId = (prefix: string) => `${prefix}_${randomAlphanumeric(24)}`;
const unixNow = () => Math.floor(Date.now() / 1000);

/**
 * Payments with no Stripe account, for development and tests (never production): an in-memory
 * PaymentIntent store that follows Stripe test mode's rules and delivers Stripe-signed events to our own
 * webhook, so the whole payment flow runs end to end.
 */
export function createSimulatedGateway(options: SimulatedGatewayOptions): SimulatedGateway {
  const intents = new Map<string, SimulatedIntent>();
  const charges = new Map<string, SimulatedCharge>();
  /** Stripe replays the first response for a reused key, and refuses the key with other parameters. */
  const idempotent = new Map<string, { fingerprint: string; response: PaymentIntentRef }>();
  const idempotentRefunds = new Map<string, { fingerprint: string; response: RefundRef }>();
  const webhooks = createWebhookSender({
    secret: options.webhookSecret,
    url: options.webhookUrl,
    delayMs: options.deliveryDelayMs,
    logger: options.logger,
    fetchImpl: options.fetchImpl,
    retryDelaysMs: options.retryDelaysMs,
  });

  const emit = (type: string, object: SimulatedIntent | SimulatedCharge | SimulatedRefund) =>
    webhooks.send({
      id: stripeId('evt'),
      object: 'event',
      api_version: STRIPE_API_VERSION,
      created: unixNow(),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      // A snapshot: later changes to the object must not show in an event already queued.
      data: { object: structuredClone(object) },
    });

  const find = (id: string): SimulatedIntent => {
    const intent = intents.get(id);
    if (!intent) throw new GatewayError('invalid_request', `No such payment_intent: '${id}'`, 'resource_missing');
    return intent;
  };

  const decline = (intent: SimulatedIntent, paymentMethod: string, { code, declineCode, message }: CardDecline): never => {
    // As in Stripe, a declined intent goes back to requires_payment_method and may be confirmed again.
    intent.status = 'requires_payment_method';
    intent.payment_method = null;
    intent.last_payment_error = { type: 'card_error', code, decline_code: declineCode, message, payment_method: { id: paymentMethod } };
    emit('payment_intent.payment_failed', intent);
    throw new GatewayError('declined', message, code, declineCode);
  };

  // No I/O here, so nothing to await: `async` keeps the gateway contract that every failure is a rejected promise.
  /* eslint-disable @typescript-eslint/require-await */
  return {
    kind: 'simulated',
    liveMode: false,

    async createPaymentIntent({ amountMinor, currency, metadata, idempotencyKey }) {
      const amount = toStripeAmount(amountMinor, currency);
      const fingerprint = JSON.stringify([amount, currency.toLowerCase(), Object.entries(metadata).sort()]);
      const earlier = idempotent.get(idempotencyKey);
      if (earlier && earlier.fingerprint !== fingerprint) throw idempotencyError(idempotencyKey);
      if (earlier) return { ...earlier.response };
      const id = stripeId('pi');
      const intent: SimulatedIntent = {
        id,
        object: 'payment_intent',
        amount,
        amount_received: 0,
        currency: currency.toLowerCase(),
        status: 'requires_payment_method',
        metadata: { ...metadata },
        client_secret: `${id}_secret_${randomAlphanumeric(24)}`,
        payment_method: null,
        payment_method_types: ['card'],
        last_payment_error: null,
        canceled_at: null,
        cancellation_reason: null,
        created: unixNow(),
        livemode: false,
        latest_charge: null,
      };
      intents.set(id, intent);
      const response = { id, clientSecret: intent.client_secret, status: intent.status };
      idempotent.set(idempotencyKey, { fingerprint, response });
      return { ...response };
    },

    async confirmPaymentIntent(id, paymentMethod) {
      const intent = find(id);
      if (intent.status === 'succeeded' || intent.status === 'canceled') {
        throw new GatewayError(
          'invalid_request',
          `You cannot confirm this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be confirmed: requires_confirmation, requires_payment_method, requires_action.`,
          'payment_intent_unexpected_state',
        );
      }
      const outcome = testCardOutcome(paymentMethod);
      if (outcome.kind === 'unknown') {
        throw new GatewayError('invalid_request', `No such PaymentMethod: '${paymentMethod}'`, 'resource_missing');
      }
      if (outcome.kind === 'declined') return decline(intent, paymentMethod, outcome.decline);
      intent.status = 'succeeded';
      intent.payment_method = paymentMethod;
      intent.amount_received = intent.amount;
      intent.last_payment_error = null;
      const charge: SimulatedCharge = {
        id: stripeId('ch'),
        object: 'charge',
        amount: intent.amount,
        amount_captured: intent.amount,
        amount_refunded: 0,
        captured: true,
        currency: intent.currency,
        paid: true,
        payment_intent: intent.id,
        refunded: false,
        status: 'succeeded',
        metadata: { ...intent.metadata },
        created: unixNow(),
        livemode: false,
      };
      charges.set(charge.id, charge);
      intent.latest_charge = charge.id;
      emit('payment_intent.succeeded', intent);
      return { status: intent.status };
    },

    async cancelPaymentIntent(id) {
      const intent = find(id);
      // Stripe refuses these with payment_intent_unexpected_state; the interface reports the final state.
      if (intent.status === 'succeeded' || intent.status === 'canceled') return { status: intent.status };
      intent.status = 'canceled';
      intent.canceled_at = unixNow();
      emit('payment_intent.canceled', intent);
      return { status: intent.status };
    },

    async retrievePaymentIntent(id) {
      const intent = find(id);
      return {
        id,
        status: intent.status,
        currency: intent.currency.toUpperCase(),
        amountReceivedMinor: minorFromStripe(intent.amount_received, intent.currency) ?? null,
        metadata: { ...intent.metadata },
      };
    },

    /**
     * As Stripe does for a card: the refund succeeds at once, refund.created and charge.refunded follow;
     * more than is left on the charge is refused (amount_too_large, charge_already_refunded) and nothing changes.
     */
    async createRefund({ paymentIntentId, amountMinor, currency, reason, metadata, idempotencyKey }) {
      const amount = toStripeAmount(amountMinor, currency);
      const fingerprint = JSON.stringify([paymentIntentId, amount, reason ?? null, Object.entries(metadata).sort()]);
      const earlier = idempotentRefunds.get(idempotencyKey);
      if (earlier && earlier.fingerprint !== fingerprint) throw idempotencyError(idempotencyKey);
      if (earlier) return { ...earlier.response };
      const intent = find(paymentIntentId);
      const charge = intent.latest_charge ? charges.get(intent.latest_charge) : undefined;
      if (intent.status !== 'succeeded' || !charge) {
        throw new GatewayError(
          'invalid_request',
          `This PaymentIntent (${intent.id}) does not have a successful charge to refund.`,
          'charge_not_refundable',
        );
      }
      if (charge.currency !== currency.toLowerCase()) {
        throw new GatewayError('invalid_request', `The refund must be in the charge's currency (${charge.currency}).`, 'parameter_invalid_string');
      }
      if (charge.amount_refunded >= charge.amount) {
        throw new GatewayError('invalid_request', `Charge ${charge.id} has already been refunded.`, 'charge_already_refunded');
      }
      if (amount > charge.amount - charge.amount_refunded) {
        throw new GatewayError(
          'invalid_request',
          `Refund amount (${amount}) is greater than unrefunded amount on charge (${charge.amount - charge.amount_refunded})`,
          'amount_too_large',
        );
      }
      const refund: SimulatedRefund = {
        id: stripeId('re'),
        object: 'refund',
        amount,
        charge: charge.id,
        currency: charge.currency,
        metadata: { ...metadata },
        payment_intent: intent.id,
        reason: reason ?? null,
        status: 'succeeded',
        failure_reason: null,
        created: unixNow(),
      };
      charge.amount_refunded += amount;
      charge.refunded = charge.amount_refunded >= charge.amount;
      emit('refund.created', refund);
      emit('charge.refunded', charge);
      const response: RefundRef = { id: refund.id, status: refund.status, amountMinor, currency: currency.toUpperCase() };
      idempotentRefunds.set(idempotencyKey, { fingerprint, response });
      return { ...response };
    },

    settle: () => webhooks.settle(),
  };
  /* eslint-enable @typescript-eslint/require-await */
}

import Stripe from 'stripe';
import type { Config } from '../config/env';
import type { Logger } from '../lib/logger';
import { minorFromStripe, toStripeAmount } from '../lib/money';
import {
  GatewayError,
  PAYMENT_INTENT_STATUSES,
  REFUND_STATUSES,
  type PaymentGateway,
  type PaymentIntentSnapshot,
  type PaymentIntentStatus,
  type RefundStatus,
} from './gateway';
import { sdkApiVersion } from './stripe.api-version';
import { stripeCustomerOperations } from './stripe.customers';
import { PROVIDER_UNAVAILABLE_MESSAGE, isUnexpectedStateError, toGatewayError } from './stripe.errors';

/** What an intent received. localstripe leaves amount_received out; Stripe always sends it. */
const receivedOf = (intent: Stripe.PaymentIntent, status: PaymentIntentStatus) =>
  typeof intent.amount_received === 'number' ? intent.amount_received : status === 'succeeded' ? intent.amount : 0;

/**
 * PaymentIntents through the official SDK, against api.stripe.com or a Stripe-compatible server
 * (config.api). Every request is one that real Stripe (at STRIPE_API_VERSION), stripe-mock and localstripe
 * all accept: localstripe rejects parameters it does not know (automatic_payment_methods, description ...)
 * and implements confirm only without parameters, hence update-then-confirm.
 */
export function createStripeGateway(config: Config['stripe'], logger: Logger): PaymentGateway {
  const { secretKey } = config;
  if (!secretKey) throw new Error('The Stripe gateway needs STRIPE_SECRET_KEY');
  const { host, port, protocol } = config.api;
  const stripe = new Stripe(secretKey, {
    apiVersion: sdkApiVersion,
    timeout: config.timeoutMs,
    maxNetworkRetries: config.maxNetworkRetries,
    ...(host !== undefined && { host }),
    ...(port !== undefined && { port }),
    ...(protocol !== undefined && { protocol }),
  });

  /** The one place Stripe's errors become GatewayErrors. */
  const call = <T>(operation: string, request: () => Promise<T>): Promise<T> =>
    request().catch((error: unknown) => {
      throw toGatewayError(error, operation, logger);
    });

  const statusOf = (intent: Stripe.PaymentIntent): PaymentIntentStatus => {
    const status = PAYMENT_INTENT_STATUSES.find((known) => known === intent.status);
    if (status) return status;
    logger.error('Stripe returned a PaymentIntent status this code does not know', {
      id: intent.id,
      status: intent.status,
    });
    throw new GatewayError('unavailable', PROVIDER_UNAVAILABLE_MESSAGE);
  };

  const refundStatusOf = (refund: Stripe.Refund): RefundStatus => {
    const status = REFUND_STATUSES.find((known) => known === refund.status);
    if (status) return status;
    // Stripe documents the field as nullable; a refund it has not decided on is still on its way.
    if (refund.status !== null)
      logger.warn('Stripe returned a refund status this code does not know: treated as pending', {
        id: refund.id,
        status: refund.status,
      });
    return 'pending';
  };

  return {
    kind: 'stripe',
    liveMode: /^(sk|rk)_live_/.test(secretKey),

    async createPaymentIntent({ amountMinor, currency, metadata, idempotencyKey, captureMethod }) {
      // The SDK's types describe its own API version, where payment_method_types is gone (see stripe.api-version.ts).
      const params: Stripe.PaymentIntentCreateParams & { payment_method_types: string[] } = {
        amount: toStripeAmount(amountMinor, currency),
        // Stripe answers in lower case; localstripe echoes whatever it was sent.
        currency: currency.toLowerCase(),
        // Card only: a confirm from the server then needs no return_url (dynamic payment methods would).
        payment_method_types: ['card'],
        metadata,
        // Manual capture: confirming only authorizes; capture (or cancel) follows. Sent only when asked for.
        ...(captureMethod && { capture_method: captureMethod }),
      };
      const intent = await call('create', () => stripe.paymentIntents.create(params, { idempotencyKey }));
      if (!intent.client_secret) {
        logger.error('Stripe created a PaymentIntent without a client secret', { id: intent.id });
        throw new GatewayError('unavailable', PROVIDER_UNAVAILABLE_MESSAGE);
      }
      return { id: intent.id, clientSecret: intent.client_secret, status: statusOf(intent) };
    },

    /**
     * A saved card goes with its customer (Stripe refuses it otherwise). A card that needs 3-D Secure leaves the intent
     * in requires_action with Stripe's next_action (use_stripe_sdk): the browser finishes it with Stripe.js's
     * confirmCardPayment(clientSecret). `use_stripe_sdk` is not sent: localstripe refuses any confirm parameter.
     */
    async confirmPaymentIntent(id, paymentMethod, options = {}) {
      const update: Stripe.PaymentIntentUpdateParams = {
        payment_method: paymentMethod,
        ...(options.customerId && { customer: options.customerId }),
      };
      await call('attach payment method', () => stripe.paymentIntents.update(id, update));
      const intent = await call('confirm', () => stripe.paymentIntents.confirm(id));
      const status = statusOf(intent);
      return status === 'requires_action'
        ? { status, nextAction: { type: intent.next_action?.type ?? 'use_stripe_sdk' } }
        : { status };
    },

    async cancelPaymentIntent(id, options = {}) {
      const requestOptions = options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : undefined;
      const final = await stripe.paymentIntents.cancel(id, undefined, requestOptions).catch(async (error: unknown) => {
        if (!isUnexpectedStateError(error)) throw toGatewayError(error, 'cancel', logger);
        // Stripe refuses to cancel an intent that was paid (or canceled) meanwhile: report where it ended.
        const intent = await call('retrieve after refused cancel', () => stripe.paymentIntents.retrieve(id));
        if (intent.status === 'succeeded' || intent.status === 'canceled') return intent;
        throw toGatewayError(error, 'cancel', logger);
      });
      return { status: statusOf(final) };
    },

    async capturePaymentIntent(id, { amountMinor, currency, idempotencyKey }) {
      const params: Stripe.PaymentIntentCaptureParams =
        amountMinor === undefined ? {} : { amount_to_capture: toStripeAmount(amountMinor, currency) };
      const intent = await stripe.paymentIntents
        .capture(id, params, { idempotencyKey })
        .catch(async (error: unknown) => {
          if (!isUnexpectedStateError(error)) throw toGatewayError(error, 'capture', logger);
          // Captured already (a retry after a lost answer, the Dashboard): report what it took. Anything else is refused.
          const current = await call('retrieve after refused capture', () => stripe.paymentIntents.retrieve(id));
          if (current.status === 'succeeded') return current;
          throw toGatewayError(error, 'capture', logger);
        });
      const status = statusOf(intent);
      // Stripe refuses to capture a canceled intent; localstripe answers with it canceled, which means the same.
      if (status === 'canceled') {
        throw new GatewayError(
          'invalid_request',
          'The payment was canceled before it could be captured',
          'payment_intent_unexpected_state',
        );
      }
      return { status, amountReceivedMinor: minorFromStripe(receivedOf(intent, status), intent.currency) ?? null };
    },

    async retrievePaymentIntent(id) {
      const intent = await call('retrieve', () => stripe.paymentIntents.retrieve(id));
      const status = statusOf(intent);
      const manual = intent.capture_method === 'manual';
      return {
        id: intent.id,
        status,
        ...buyerStepOf(intent, status),
        currency: intent.currency.toUpperCase(),
        amountReceivedMinor: minorFromStripe(receivedOf(intent, status), intent.currency) ?? null,
        metadata: { ...intent.metadata },
        ...(manual && {
          manualCapture: {
            amountMinor: minorFromStripe(intent.amount, intent.currency) ?? null,
            // localstripe leaves amount_capturable out: an authorized intent can capture all of it there.
            capturableMinor:
              minorFromStripe(
                typeof intent.amount_capturable === 'number'
                  ? intent.amount_capturable
                  : status === 'requires_capture'
                    ? intent.amount
                    : 0,
                intent.currency,
              ) ?? null,
          },
        }),
      };
    },

    /**
     * `reason` goes as Stripe's own parameter (Stripe acts on it: `fraudulent` feeds Radar's block lists), not
     * as metadata; the order keeps it too. localstripe does not implement the parameter (400 "Unexpected
     * reason"), so a refund with a reason fails there as a refused request: an emulator gap, not ours.
     */
    async createRefund({ paymentIntentId, amountMinor, currency, reason, metadata, idempotencyKey }) {
      const params: Stripe.RefundCreateParams = {
        payment_intent: paymentIntentId,
        amount: toStripeAmount(amountMinor, currency),
        metadata,
        ...(reason !== undefined && { reason }),
      };
      const refund = await call('refund', () => stripe.refunds.create(params, { idempotencyKey }));
      const refunded = minorFromStripe(refund.amount, refund.currency);
      if (refund.currency.toUpperCase() !== currency.toUpperCase() || refunded === undefined) {
        // Refunds are made in the charge's currency: anything else means the request reached the wrong charge.
        logger.error('Stripe created a refund in other units than asked', {
          id: refund.id,
          amount: refund.amount,
          currency: refund.currency,
          asked: currency,
        });
      }
      return {
        id: refund.id,
        status: refundStatusOf(refund),
        amountMinor: refunded ?? amountMinor,
        currency: refund.currency.toUpperCase(),
      };
    },

    ...stripeCustomerOperations(stripe, call, logger),
  };
}

/** What the buyer must do next with an intent (requires_action), or why their last attempt failed (awaiting a card). */
function buyerStepOf(
  intent: Stripe.PaymentIntent,
  status: PaymentIntentStatus,
): Pick<PaymentIntentSnapshot, 'nextAction' | 'lastPaymentError'> {
  if (status === 'requires_action') return { nextAction: { type: intent.next_action?.type ?? 'use_stripe_sdk' } };
  const error = intent.last_payment_error;
  // An error that says nothing (stripe-mock's fixture) is no error to report.
  if (status !== 'requires_payment_method' || !(error?.code || error?.message)) return {};
  return {
    lastPaymentError: {
      code: error.code ?? null,
      declineCode: error.decline_code || null,
      message: error.message ?? null,
    },
  };
}

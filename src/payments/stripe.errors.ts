import Stripe from 'stripe';
import type { Logger } from '../lib/logger';
import { GatewayError } from './gateway';

/** Shown to clients whenever Stripe cannot serve us; the cause is only logged. */
export const PROVIDER_UNAVAILABLE_MESSAGE = 'The payment provider could not be reached, please try again';

type StripeError = Stripe.errors.StripeError;

/**
 * Turns a failed stripe-node call into a GatewayError. Errors that are not Stripe's (a bug in our own code)
 * are returned unchanged so they surface as what they are.
 */
export function toGatewayError(error: unknown, operation: string, logger: Logger): unknown {
  if (!(error instanceof Stripe.errors.StripeError)) return error;
  const detail = describe(error, operation);
  if (isDecline(error)) {
    logger.info('Stripe declined the card', detail);
    // localstripe sends decline_code '' (the SDK keeps it), so fall back to the code as the brief reason.
    return new GatewayError('declined', error.message, error.code, error.decline_code || error.code);
  }
  if (isProviderOrSetupFault(error)) {
    logger.error('Stripe request failed', detail);
    return new GatewayError('unavailable', PROVIDER_UNAVAILABLE_MESSAGE, error.code);
  }
  logger.warn('Stripe refused the request', detail);
  return new GatewayError('invalid_request', error.message, error.code ?? missingCode(error) ?? idempotencyCode(error));
}

/**
 * Stripe answers a declined card with 402 and type card_error. localstripe sends 402 with type
 * invalid_request_error, which the SDK still turns into a StripeCardError; the code is card_declined.
 */
function isDecline(error: StripeError): boolean {
  return (
    error instanceof Stripe.errors.StripeCardError || error.rawType === 'card_error' || error.code === 'card_declined'
  );
}

/**
 * Nothing the client can fix: the network, Stripe's side (5xx, 429, a non-JSON answer), or our own set-up
 * (a revoked or mistyped key, a restricted key lacking a permission).
 */
function isProviderOrSetupFault(error: StripeError): boolean {
  return (
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeAPIError ||
    error instanceof Stripe.errors.StripeRateLimitError ||
    error instanceof Stripe.errors.StripeAuthenticationError ||
    error instanceof Stripe.errors.StripePermissionError ||
    (error.statusCode ?? 0) >= 500
  );
}

/** Stripe's 404s say resource_missing; localstripe's carry no code: the status says the same. */
function missingCode(error: StripeError): string | undefined {
  return error.statusCode === 404 ? 'resource_missing' : undefined;
}

/** Stripe's idempotency_error type carries no code; name it so callers can tell a reused key apart. */
function idempotencyCode(error: StripeError): string | undefined {
  return error instanceof Stripe.errors.StripeIdempotencyError ? 'idempotency_error' : undefined;
}

/** What the log needs to trace a failure (Stripe's request id), without headers or the key. */
function describe(error: StripeError, operation: string): Record<string, unknown> {
  return {
    operation,
    errorType: error.type,
    statusCode: error.statusCode,
    code: error.code,
    declineCode: error.decline_code || undefined,
    message: error.message,
    requestId: error.requestId,
  };
}

/** Stripe refused a state change: payment_intent_unexpected_state (localstripe: a 400 with no code). */
export function isUnexpectedStateError(error: unknown): boolean {
  if (!(error instanceof Stripe.errors.StripeInvalidRequestError)) return false;
  return error.code === 'payment_intent_unexpected_state' || (error.code === undefined && error.statusCode === 400);
}

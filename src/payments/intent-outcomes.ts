import { GatewayError, type PaymentGateway, type PaymentIntentSnapshot } from './gateway';
import type { OutcomeOf, PaymentOutcome } from './outcome';

/**
 * What the gateway answers about one intent, as outcomes (outcome.ts), for every PaymentGateway: the expiry
 * job's reconciliation and the cancels read these, never a provider's statuses or error codes.
 */

/** The provider does not know the intent (Stripe and the simulated gateway: resource_missing). */
export function isIntentMissing(error: unknown): boolean {
  return isResourceMissing(error);
}

/** The provider does not know the object asked about (an intent, a SetupIntent, a payment method, a customer). */
export function isResourceMissing(error: unknown): boolean {
  return error instanceof GatewayError && error.kind === 'invalid_request' && error.code === 'resource_missing';
}

/** The provider refused a change the intent's status does not allow (answering a challenge it is not waiting for ...). */
export function isUnexpectedIntentState(error: unknown): boolean {
  return (
    error instanceof GatewayError &&
    error.kind === 'invalid_request' &&
    error.code === 'payment_intent_unexpected_state'
  );
}

/** The intent as the gateway has it now. A refusal or outage other than "no such intent" is thrown as the GatewayError it is. */
export async function lookUpIntent(gateway: PaymentGateway, intentId: string): Promise<PaymentOutcome> {
  let snapshot: PaymentIntentSnapshot;
  try {
    snapshot = await gateway.retrievePaymentIntent(intentId);
  } catch (error) {
    if (isIntentMissing(error)) return { kind: 'intent_missing', intentId };
    throw error;
  }
  return snapshotOutcome(snapshot);
}

export function snapshotOutcome(snapshot: PaymentIntentSnapshot): PaymentOutcome {
  const intentId = snapshot.id;
  const orderIdHint = snapshot.metadata.orderId;
  const manual = snapshot.manualCapture;
  switch (snapshot.status) {
    case 'succeeded':
      return {
        kind: 'payment_succeeded',
        intentId,
        currency: snapshot.currency,
        amountMinor: snapshot.amountReceivedMinor,
        orderIdHint,
        ...(manual && { intentAmountMinor: manual.amountMinor }),
      };
    case 'canceled':
      return { kind: 'payment_canceled', intentId, orderIdHint };
    case 'processing':
      return { kind: 'payment_processing', intentId, orderIdHint };
    // Authorized (manual capture): the money is held for the order, which must not be canceled as unpaid.
    case 'requires_capture':
      return {
        kind: 'payment_authorized',
        intentId,
        currency: snapshot.currency,
        amountMinor: manual?.capturableMinor ?? null,
        orderIdHint,
      };
    case 'requires_payment_method':
    case 'requires_confirmation':
    case 'requires_action':
      return { kind: 'payment_open', intentId, orderIdHint };
  }
}

/**
 * Cancels the intent. Stripe refuses to cancel a paid intent, so the answer is where it ended: canceled, or
 * succeeded (nothing was canceled); an intent the gateway does not know is intent_missing.
 */
export async function cancelIntent(
  gateway: PaymentGateway,
  intentId: string,
  options: { idempotencyKey?: string } = {},
): Promise<
  OutcomeOf<'payment_canceled'> | OutcomeOf<'intent_missing'> | { kind: 'already_succeeded'; intentId: string }
> {
  try {
    const { status } = await gateway.cancelPaymentIntent(intentId, options.idempotencyKey ? options : undefined);
    return status === 'succeeded' ? { kind: 'already_succeeded', intentId } : { kind: 'payment_canceled', intentId };
  } catch (error) {
    if (isIntentMissing(error)) return { kind: 'intent_missing', intentId };
    throw error;
  }
}

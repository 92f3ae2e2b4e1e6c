import type { PaymentGateway, PaymentIntentSnapshot } from './gateway';
import type { OutcomeOf, PaymentOutcome } from './outcome';

/**
 * What the gateway answers about one intent, as outcomes (outcome.ts), for every PaymentGateway: the expiry
 * job's reconciliation and the cancels read these, never a provider's statuses or error codes.
 */

/** The intent as the gateway has it now. A refusal or an outage is thrown as the GatewayError it is. */
export async function lookUpIntent(gateway: PaymentGateway, intentId: string): Promise<PaymentOutcome> {
  return snapshotOutcome(await gateway.retrievePaymentIntent(intentId));
}

export function snapshotOutcome(snapshot: PaymentIntentSnapshot): PaymentOutcome {
  const intentId = snapshot.id;
  const orderIdHint = snapshot.metadata.orderId;
  switch (snapshot.status) {
    case 'succeeded':
      return { kind: 'payment_succeeded', intentId, currency: snapshot.currency, amountMinor: snapshot.amountReceivedMinor, orderIdHint };
    case 'canceled':
      return { kind: 'payment_canceled', intentId, orderIdHint };
    case 'processing':
      return { kind: 'payment_processing', intentId, orderIdHint };
    case 'requires_payment_method':
    case 'requires_confirmation':
    case 'requires_action':
    case 'requires_capture':
      return { kind: 'payment_open', intentId, orderIdHint };
  }
}

/**
 * Cancels the intent. Stripe refuses to cancel a paid intent, so the answer is where it ended: canceled, or
 * succeeded (nothing was canceled).
 */
export async function cancelIntent(
  gateway: PaymentGateway,
  intentId: string,
): Promise<OutcomeOf<'payment_canceled'> | { kind: 'already_succeeded'; intentId: string }> {
  const { status } = await gateway.cancelPaymentIntent(intentId);
  return status === 'succeeded' ? { kind: 'already_succeeded', intentId } : { kind: 'payment_canceled', intentId };
}

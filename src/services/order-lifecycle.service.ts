import { Conflict, PaymentDeclined, PaymentGatewayError, ValidationError } from '../lib/errors';
import type { OrderStatus } from '../lib/order-state';
import type { OrderRow } from '../models/order.model';
import { GatewayError, type PaymentGateway } from '../payments/gateway';
import { cancelIntent } from '../payments/intent-outcomes';
import type { OutcomeKind, OutcomeSource } from '../payments/outcome';
import type { PaymentOutcomes } from './payment-outcomes.service';

/**
 * The source of what the gateway answered when asked about an intent. Each final answer has its own id, so a
 * later answer (an authorization, then its capture or its cancel) is not taken for a repeat of an earlier one;
 * a success and a missing intent keep `reconcile:<intent id>`, as before.
 */
export function reconcileSource(intentId: string, kind: OutcomeKind): OutcomeSource {
  if (kind === 'intent_missing') return { sourceId: `reconcile:${intentId}`, reason: 'intent_missing' };
  const suffix = kind === 'payment_authorized' ? ':authorized' : kind === 'payment_canceled' ? ':canceled' : '';
  return { sourceId: `reconcile:${intentId}${suffix}`, reason: 'reconciled' };
}

export type CancelOutcome = 'canceled' | 'already_paid' | 'not_open';

/**
 * Cancels the PaymentIntent first, then the order (which gives its stock back): Stripe refuses to cancel an
 * intent that has succeeded, so a cancel can never undo a payment; then the order is left for the success
 * webhook. The gateway's answer is applied as the outcome it is (payment-outcomes), including "no such
 * intent" (its store was lost, or the account changed), which cancels the order too. If the process dies after
 * the gateway's cancel, the gateway's cancel event (or the expiry job, which repeats this) finishes the job.
 */
export async function cancelOpenOrder(
  deps: { payments: PaymentGateway; outcomes: PaymentOutcomes },
  order: Pick<OrderRow, '_id' | 'paymentIntentId'>,
  reason: string,
): Promise<CancelOutcome> {
  const intentId = order.paymentIntentId;
  // Only placed orders (which always hold an intent) are canceled; an unplaced one is taken apart by the expiry job.
  if (!intentId) throw new Error(`Order ${order._id.toHexString()} has no payment intent to cancel`);
  const answer = await cancelIntent(deps.payments, intentId);
  if (answer.kind === 'already_succeeded') return 'already_paid';
  // An intent the gateway does not know can never be paid: that answer is final, and settles the order as canceled.
  const source =
    answer.kind === 'intent_missing' ? { sourceId: `reconcile:${intentId}`, reason: 'intent_missing' } : { reason };
  const result = await deps.outcomes.apply(source, answer);
  return result === 'applied' ? 'canceled' : 'not_open';
}

/**
 * Gateway failures in the error model: declines are 402, refusals 400, outages 502. A decline's details
 * are one entry like every other error's: its message, the issuer's declineCode, and the order and
 * intent it concerns when known.
 */
export function gatewayFailure(error: unknown, context: { orderId?: string; paymentIntentId?: string } = {}): unknown {
  if (!(error instanceof GatewayError)) return error;
  switch (error.kind) {
    case 'declined': {
      const message = error.message || 'Your card was declined';
      const declineCode = error.declineCode ?? error.code ?? 'card_declined';
      return new PaymentDeclined(message, [{ message, declineCode, ...context }], 'CARD_DECLINED');
    }
    case 'invalid_request':
      return new ValidationError(
        error.message,
        [{ path: 'payment', message: error.message, code: error.code }],
        'PAYMENT_REQUEST_REJECTED',
      );
    case 'unavailable':
      return new PaymentGatewayError();
  }
}

export function notOpen(status: OrderStatus, action: 'paid' | 'canceled'): Conflict {
  return new Conflict(
    `This order is ${status} and cannot be ${action}`,
    action === 'paid' ? 'ORDER_NOT_PAYABLE' : 'ORDER_NOT_CANCELABLE',
  );
}

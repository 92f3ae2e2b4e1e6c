import type { RefundStatus } from './gateway';

/**
 * What the payment provider tells us about a payment or a refund, in our terms: the provider boundary
 * (src/payments) turns every webhook event and every answer about an intent into one of these, so nothing
 * outside src/payments reads a provider's field names. Amounts are ISO minor units of `currency` (upper case),
 * null when the provider's figure is not a whole number of them. `orderIdHint` is what the provider's
 * metadata names: the intent id decides which order an outcome concerns; the hint is only a cross-check.
 *
 * Adding a kind: its adapter mapping (stripe.events.ts, or intent-outcomes.ts for answers about an intent)
 * and its row in services/payment-decision.ts; the compiler asks for the row.
 */
export type PaymentOutcome =
  /**
   * The money arrived (captured). `amountMinor` is what was received; `intentAmountMinor` is set for an intent
   * captured by hand (manual capture), whose capture may take less than was authorized (the rest is released).
   */
  | {
      kind: 'payment_succeeded';
      intentId: string;
      currency: string;
      amountMinor: number | null;
      orderIdHint?: string;
      intentAmountMinor?: number | null;
      /** The charge that took the money: a dispute event carrying only the charge finds its order by it. */
      chargeId?: string;
    }
  /** Manual capture: the payment is authorized (held on the card) and waits to be captured or voided. */
  | {
      kind: 'payment_authorized';
      intentId: string;
      currency: string;
      /** What can be captured. */
      amountMinor: number | null;
      orderIdHint?: string;
      chargeId?: string;
    }
  /** An attempt to pay was declined; the intent can still be paid. */
  | { kind: 'payment_failed'; intentId: string; orderIdHint?: string; failure: PaymentFailure | null }
  /** The intent was canceled: it can never be paid. */
  | { kind: 'payment_canceled'; intentId: string; orderIdHint?: string }
  /** A payment is on its way (bank debits): neither paid nor failed yet. */
  | { kind: 'payment_processing'; intentId: string; orderIdHint?: string }
  /** The intent awaits a payment method, a confirmation or an action: no money has moved. */
  | { kind: 'payment_open'; intentId: string; orderIdHint?: string }
  /** The customer must act (3-D Secure): the payment waits for them. */
  | { kind: 'payment_action_required'; intentId: string; orderIdHint?: string }
  /**
   * A chargeback or inquiry on the order's charge: its state now. `intentId` is null when the provider named
   * only the charge; the order is then found by its charge id.
   */
  | { kind: 'dispute_updated'; intentId: string | null; chargeId: string | null; dispute: DisputeReport }
  /** One refund's state. */
  | { kind: 'refund_updated'; intentId: string; refund: RefundReport }
  /** The charge's refunded total (and, in older API versions, its refunds). */
  | {
      kind: 'refund_total';
      intentId: string;
      chargeId: string;
      currency: string;
      refundedMinor: number | null;
      /** The provider's own "fully refunded" flag: a cross-check only, money decides. */
      fullyRefunded: boolean;
      refunds: RefundReport[];
    }
  /** The provider says the intent does not exist (its store was lost, or the account changed): final. */
  | { kind: 'intent_missing'; intentId: string };

export type OutcomeKind = PaymentOutcome['kind'];
export type OutcomeOf<K extends OutcomeKind> = Extract<PaymentOutcome, { kind: K }>;

export interface PaymentFailure {
  code: string | null;
  declineCode: string | null;
  message: string | null;
}

export interface DisputeReport {
  /** The provider's dispute id (dp_... / du_...). */
  id: string;
  amountMinor: number | null;
  currency: string;
  /** As the provider sent them: statuses and reasons may grow new values. */
  status: string;
  reason: string;
  evidenceDueBy: Date | null;
  /** The disputed amount was taken from the account (the event says so, or its balance transactions show it). */
  fundsWithdrawn: boolean;
  /** ... and given back (a won dispute). */
  fundsReinstated: boolean;
  openedAt: Date | null;
}

export interface RefundReport {
  /** The provider's refund id (re_...). */
  id: string;
  amountMinor: number | null;
  currency: string;
  /** Unknown or missing statuses count as pending (statusKnown false for an unknown one). */
  status: RefundStatus;
  statusKnown: boolean;
  /** As the provider sent it, for the log when it is not known. */
  reportedStatus: string | null;
  failureReason: string | null;
  /** Our request id, when the refund's metadata carries it (refunds we asked for). */
  requestId?: string;
  /** The order its metadata names: the request id above counts only for that order. */
  orderIdHint?: string;
}

/**
 * Where an outcome comes from. `sourceId` guards its effects (each source applies once): a webhook event id,
 * or `reconcile:<intent id>` for what the expiry job or a cancel learned by asking. Our own actions (a
 * customer's cancel) have none. `reason` is what the order's history records for the move it causes.
 */
export interface OutcomeSource {
  sourceId?: string;
  reason: string;
}

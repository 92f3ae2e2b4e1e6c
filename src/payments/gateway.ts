/**
 * What the order service needs from a payment provider. Two implementations are chosen at boot:
 * StripeGateway (the official SDK, against Stripe or a Stripe-compatible server) and SimulatedGateway
 * (no Stripe account: behaves like Stripe test mode and delivers signed events to our own webhook).
 * Amounts cross this interface in ISO minor units with an upper-case currency; converting to Stripe's
 * units (ISK, UGX, MGA differ) is the implementation's job.
 */

/** Stripe's PaymentIntent statuses: every one this code knows (a status outside the list is an error). */
export const PAYMENT_INTENT_STATUSES = [
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'processing',
  'requires_capture',
  'canceled',
  'succeeded',
] as const;
export type PaymentIntentStatus = (typeof PAYMENT_INTENT_STATUSES)[number];

export interface PaymentIntentRef {
  id: string;
  clientSecret: string;
  status: PaymentIntentStatus;
}

/**
 * What the buyer must do to finish a payment in `requires_action` (3-D Secure). `type` is the provider's
 * next_action type (`use_stripe_sdk`, `redirect_to_url`: Stripe.js's confirmCardPayment handles either) or, with
 * the simulated gateway, `simulated_authentication` (answered through answerAuthentication).
 */
export interface NextAction {
  type: string;
}

/** Why the last attempt to pay an intent failed (a decline, a failed authentication), in the provider's words. */
export interface PaymentAttemptError {
  code: string | null;
  declineCode: string | null;
  message: string | null;
}

export interface ConfirmOptions {
  /** The Customer the payment method is saved on: Stripe refuses a saved card without its customer on the intent. */
  customerId?: string;
}

export interface ConfirmResult {
  status: PaymentIntentStatus;
  /** Present when the status is `requires_action`. */
  nextAction?: NextAction;
}

/** A card kept on a Customer (a Stripe PaymentMethod of type card): what the buyer is shown, never the number. */
export interface SavedCard {
  id: string;
  /** The Customer it is attached to; null when it is on none. */
  customerId: string | null;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
}

/** Stripe's SetupIntent statuses. */
export const SETUP_INTENT_STATUSES = [
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'processing',
  'canceled',
  'succeeded',
] as const;
export type SetupIntentStatus = (typeof SETUP_INTENT_STATUSES)[number];

export interface SetupIntentRef {
  id: string;
  /** For Stripe.js's confirmCardSetup in the browser. */
  clientSecret: string;
  status: SetupIntentStatus;
}

/** A SetupIntent as the provider has it now and, once it succeeded, the card it saved on its customer. */
export interface SetupResult {
  id: string;
  status: SetupIntentStatus;
  customerId: string | null;
  card: SavedCard | null;
}

export interface CreateCustomerInput {
  email: string;
  name: string;
  metadata: Record<string, string>;
  /** Sent as Stripe's Idempotency-Key: concurrent first calls for one account get one Customer. */
  idempotencyKey: string;
}

/** What the provider says about an intent now: for reconciling orders whose webhook may have been lost. */
export interface PaymentIntentSnapshot {
  id: string;
  status: PaymentIntentStatus;
  /** Upper-case ISO code, as the provider reports it. */
  currency: string;
  /**
   * What was received, in ISO minor units of `currency` (0 before a success); null when the provider's
   * figure is not a whole number of minor units of a currency this code knows.
   */
  amountReceivedMinor: number | null;
  /** requires_action only: what the buyer must do next. */
  nextAction?: NextAction;
  /** While the intent awaits a payment method after a failed attempt: why that attempt failed. */
  lastPaymentError?: PaymentAttemptError;
  metadata: Record<string, string>;
  /**
   * Only for an intent captured by hand (capture_method manual): the amount authorized and what is still
   * capturable, in ISO minor units (null when not a whole number of them).
   */
  manualCapture?: { amountMinor: number | null; capturableMinor: number | null };
}

export interface CreatePaymentIntentInput {
  amountMinor: number;
  currency: string;
  metadata: Record<string, string>;
  /** Sent as Stripe's Idempotency-Key: a retry with the same key returns the same intent. */
  idempotencyKey: string;
  /** `manual`: a confirmed payment is only authorized until it is captured (or voided); omitted: captured at once. */
  captureMethod?: 'manual';
}

export interface CapturePaymentIntentInput {
  /** Less than was authorized (the rest is released), in ISO minor units of `currency`; omitted: all of it. */
  amountMinor?: number;
  currency: string;
  /** Sent as Stripe's Idempotency-Key: a retry with the same key captures once. */
  idempotencyKey: string;
}

/** The reasons Stripe accepts on a refund (its `reason` parameter). */
export const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;
export type RefundReason = (typeof REFUND_REASONS)[number];

/** A refund's status as Stripe reports it: most card refunds are `succeeded` at once; some stay `pending`, and a few fail later. */
export const REFUND_STATUSES = ['pending', 'requires_action', 'succeeded', 'failed', 'canceled'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

export interface CreateRefundInput {
  /** The succeeded PaymentIntent whose charge is refunded. */
  paymentIntentId: string;
  /** In ISO minor units of `currency` (the order's currency). */
  amountMinor: number;
  currency: string;
  reason?: RefundReason;
  metadata: Record<string, string>;
  /** Sent as Stripe's Idempotency-Key: a retry with the same key returns the same refund, never a second one. */
  idempotencyKey: string;
}

export interface RefundRef {
  id: string;
  status: RefundStatus;
  /** What the provider says it refunds, in ISO minor units of `currency`. */
  amountMinor: number;
  /** Upper-case ISO code. */
  currency: string;
}

export interface PaymentGateway {
  readonly kind: 'stripe' | 'simulated';
  /** True with a live secret key: backend confirmation with test payment methods is refused. */
  readonly liveMode: boolean;
  createPaymentIntent(input: CreatePaymentIntentInput): Promise<PaymentIntentRef>;
  /**
   * Attaches a payment method (a Stripe test id such as pm_card_visa, or a card saved on `options.customerId`) and
   * confirms. Resolves with the intent's status, and what the buyer must do when it is `requires_action`; throws
   * GatewayError kind 'declined' when the card is declined.
   */
  confirmPaymentIntent(id: string, paymentMethod: string, options?: ConfirmOptions): Promise<ConfirmResult>;
  /**
   * Cancels the intent (an authorization is released). Resolves with its final status: 'canceled', or
   * 'succeeded' when it had already been paid or captured (nothing is canceled then).
   */
  cancelPaymentIntent(id: string, options?: { idempotencyKey?: string }): Promise<{ status: PaymentIntentStatus }>;
  /**
   * Captures an authorized intent (requires_capture), all of it or less. Resolves with its status and what was
   * received; an intent already captured reports `succeeded` with what it took. An intent that cannot be
   * captured (canceled, lapsed, never authorized) or more than was authorized is a GatewayError kind
   * 'invalid_request', and nothing is captured.
   */
  capturePaymentIntent(
    id: string,
    input: CapturePaymentIntentInput,
  ): Promise<{ status: PaymentIntentStatus; amountReceivedMinor: number | null }>;
  /** Reads the intent as the provider has it now; an unknown id is a GatewayError kind 'invalid_request' (resource_missing). */
  retrievePaymentIntent(id: string): Promise<PaymentIntentSnapshot>;
  /**
   * Refunds (part of) the intent's charge. More than is left to refund, or an intent that was never paid, is
   * a GatewayError kind 'invalid_request' (Stripe: amount_too_large, charge_already_refunded ...), and
   * nothing is refunded. The order changes only when the provider's events confirm the refund.
   */
  createRefund(input: CreateRefundInput): Promise<RefundRef>;

  /**
   * The simulated gateway only (Stripe.js does this with Stripe): the buyer's answer to the authentication of an
   * intent in `requires_action`. `complete` pays it; `fail` leaves it awaiting a payment method, as Stripe does, with
   * a payment_failed event (code payment_intent_authentication_failure). Any other status is a GatewayError
   * 'invalid_request' with code payment_intent_unexpected_state.
   */
  answerAuthentication?(intentId: string, outcome: 'complete' | 'fail'): Promise<{ status: PaymentIntentStatus }>;
  /**
   * The simulated gateway only (Stripe retries its own deliveries): posts again the events a process recorded and
   * did not deliver before it died. Resolves with how many it took on; the expiry job calls it on every pass.
   */
  redeliverEvents?(): Promise<number>;

  /** A Customer for one account; the idempotency key makes concurrent first calls agree. */
  createCustomer(input: CreateCustomerInput): Promise<{ id: string }>;
  /** A SetupIntent for a card to keep on the customer; the browser confirms it with Stripe.js (confirmCardSetup). */
  createSetupIntent(input: { customerId: string; metadata: Record<string, string> }): Promise<SetupIntentRef>;
  /**
   * The SetupIntent and, once it succeeded, its card, attached to the SetupIntent's customer (as Stripe does when it
   * confirms). An unknown id is a GatewayError 'invalid_request' with code resource_missing.
   */
  retrieveSetup(id: string): Promise<SetupResult>;
  /** One payment method; an unknown id is a GatewayError 'invalid_request' with code resource_missing. */
  retrievePaymentMethod(id: string): Promise<SavedCard>;
  /** The cards attached to the customer (the provider's first page: up to 100). */
  listCards(customerId: string): Promise<SavedCard[]>;
  /** Takes the payment method off its customer: it can no longer be charged. */
  detachPaymentMethod(id: string): Promise<void>;
}

/** The saved-card half of a gateway: customers, SetupIntents and their cards (each gateway builds it in its own file). */
export type CustomerOperations = Pick<
  PaymentGateway,
  | 'createCustomer'
  | 'createSetupIntent'
  | 'retrieveSetup'
  | 'retrievePaymentMethod'
  | 'listCards'
  | 'detachPaymentMethod'
>;

export type GatewayErrorKind =
  /** The card was declined: a normal outcome, not a fault. */
  | 'declined'
  /** The provider refused the request (unknown payment method, amount too small, currency not enabled ...). */
  | 'invalid_request'
  /** The provider could not be reached, timed out, or failed on its side. */
  | 'unavailable';

export class GatewayError extends Error {
  constructor(
    readonly kind: GatewayErrorKind,
    message: string,
    /** Provider error code, e.g. card_declined, resource_missing, amount_too_small. */
    readonly code?: string,
    /** For declines: the issuer's reason, e.g. generic_decline, insufficient_funds. */
    readonly declineCode?: string,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

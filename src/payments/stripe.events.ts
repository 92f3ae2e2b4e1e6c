import { z } from 'zod';
import { minorFromStripe } from '../lib/money';
import { refundStatusFrom } from '../lib/refund-ledger';
import type { DisputeReport, PaymentOutcome, RefundReport } from './outcome';

/**
 * The Stripe event adapter: for each event type this code handles, the parts of the event it reads (zod)
 * and the outcome those parts mean (outcome.ts). A correctly signed event whose parts do not fit is refused
 * (400, Stripe retries) before anything is recorded, so a corrected delivery still applies. Other fields and
 * other event types pass. Every Stripe field name and API-version difference stays in this file.
 */
const text = z.string().min(1).max(255);
/** An integer amount in Stripe's units. */
const stripeAmount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const currency = z.string().regex(/^[A-Za-z]{3}$/, 'Must be a three-letter currency code');
/** Stripe metadata values are strings; only orderId (a cross-check) and refundRequestId are read. */
const metadata = z.record(z.string(), z.string()).nullish();

const intentBase = { id: text, metadata };
/** An id, or the object it stands for when expanded. */
const reference = z.union([text, z.object({ id: text }), z.null()]);

/**
 * A refund as refund.* and charge.refund.updated events carry it. `status` is nullable in Stripe's spec and
 * may grow new values: it is read as text and anything unknown counts as still pending.
 */
const refundObject = z.object({
  id: text,
  amount: stripeAmount,
  currency,
  status: z.string().max(64).nullish(),
  payment_intent: reference.optional(),
  metadata,
  failure_reason: z.string().max(255).nullish(),
});
type RefundObject = z.output<typeof refundObject>;

/** One handled type: what is read of its object, and what that means. null: nothing to attribute it to (no payment intent). */
const handle = <S extends z.ZodType>(
  object: S,
  reason: string,
  toOutcome: (object: z.output<S>) => PaymentOutcome | null,
) => ({
  object,
  reason,
  toOutcome,
});

const idOf = (ref: string | { id: string } | null | undefined) =>
  typeof ref === 'string' ? ref : (ref?.id ?? undefined);
const hint = (data: Record<string, string> | null | undefined) => data?.orderId;

function refundReport(refund: RefundObject): RefundReport {
  const { status, known } = refundStatusFrom(refund.status);
  return {
    id: refund.id,
    amountMinor: minorFromStripe(refund.amount, refund.currency) ?? null,
    currency: refund.currency.toUpperCase(),
    status,
    statusKnown: known,
    reportedStatus: refund.status ?? null,
    failureReason: refund.failure_reason ?? null,
    requestId: refund.metadata?.refundRequestId,
    orderIdHint: hint(refund.metadata),
  };
}

const refundEvent = handle(refundObject, 'refunded', (refund) => {
  const intentId = idOf(refund.payment_intent);
  return intentId ? { kind: 'refund_updated', intentId, refund: refundReport(refund) } : null;
});

/** `capture_method: manual` intents are captured by hand; their captured amount may be less than `amount`. */
const captureMethod = z.string().max(64).nullish();
const isManual = (method: string | null | undefined) => method === 'manual';

/**
 * A dispute as charge.dispute.* events carry it (API 2026-08-26.dahlia; stripe-mock's fixture and the SDK's
 * Dispute type). `payment_intent` is null for charges made without an intent, so the charge id also finds the
 * order. `status` and `reason` are read as text: Stripe adds values, and an unknown status counts as open.
 * The balance transactions show funds withdrawn (reporting category `dispute`) and reinstated
 * (`dispute_reversal`) whichever event carries them; their amounts are in the account's currency, so the
 * disputed amount is what counts.
 */
const disputeObject = z.object({
  id: text,
  amount: stripeAmount,
  currency,
  charge: reference.optional(),
  payment_intent: reference.optional(),
  status: text,
  reason: z.string().max(255).nullish(),
  created: z.number().int().min(0).nullish(),
  evidence_details: z.object({ due_by: z.number().int().min(0).nullish() }).nullish(),
  balance_transactions: z
    .array(z.union([text, z.object({ reporting_category: z.string().max(64).nullish() }).loose()]))
    .nullish(),
});
type DisputeObject = z.output<typeof disputeObject>;

const fromUnixSeconds = (seconds: number | null | undefined) =>
  typeof seconds === 'number' ? new Date(seconds * 1000) : null;

function disputeReport(dispute: DisputeObject, funds: 'withdrawn' | 'reinstated' | null): DisputeReport {
  const categories = (dispute.balance_transactions ?? []).map((entry) =>
    typeof entry === 'string' ? null : entry.reporting_category,
  );
  return {
    id: dispute.id,
    amountMinor: minorFromStripe(dispute.amount, dispute.currency) ?? null,
    currency: dispute.currency.toUpperCase(),
    status: dispute.status,
    reason: dispute.reason ?? 'general',
    evidenceDueBy: fromUnixSeconds(dispute.evidence_details?.due_by),
    fundsWithdrawn: funds === 'withdrawn' || categories.includes('dispute'),
    fundsReinstated: funds === 'reinstated' || categories.includes('dispute_reversal'),
    openedAt: fromUnixSeconds(dispute.created),
  };
}

const disputeEvent = (funds: 'withdrawn' | 'reinstated' | null) =>
  handle(disputeObject, 'disputed', (dispute) => {
    const intentId = idOf(dispute.payment_intent) ?? null;
    const chargeId = idOf(dispute.charge) ?? null;
    if (!intentId && !chargeId) return null;
    return { kind: 'dispute_updated', intentId, chargeId, dispute: disputeReport(dispute, funds) };
  });

/** The handled event types and their adapters: the one list (metrics, docs and tooling read HANDLED_EVENT_TYPES). */
const HANDLED_EVENTS = {
  'payment_intent.succeeded': handle(
    z.object({
      ...intentBase,
      currency,
      amount: stripeAmount,
      amount_received: stripeAmount.nullish(),
      capture_method: captureMethod,
      latest_charge: reference.optional(),
    }),
    'payment_succeeded',
    // localstripe omits amount_received; Stripe always sends it for a succeeded intent.
    (intent) => {
      const chargeId = idOf(intent.latest_charge);
      return {
        kind: 'payment_succeeded',
        intentId: intent.id,
        currency: intent.currency.toUpperCase(),
        amountMinor: minorFromStripe(intent.amount_received ?? intent.amount, intent.currency) ?? null,
        orderIdHint: hint(intent.metadata),
        ...(isManual(intent.capture_method) && {
          intentAmountMinor: minorFromStripe(intent.amount, intent.currency) ?? null,
        }),
        ...(chargeId && { chargeId }),
      };
    },
  ),
  /** Manual capture: sent when the payment is authorized (the intent is requires_capture) and when the capturable amount changes. */
  'payment_intent.amount_capturable_updated': handle(
    z.object({ ...intentBase, currency, amount_capturable: stripeAmount, latest_charge: reference.optional() }),
    'payment_authorized',
    (intent) => {
      const chargeId = idOf(intent.latest_charge);
      return {
        kind: 'payment_authorized',
        intentId: intent.id,
        currency: intent.currency.toUpperCase(),
        amountMinor: minorFromStripe(intent.amount_capturable, intent.currency) ?? null,
        orderIdHint: hint(intent.metadata),
        ...(chargeId && { chargeId }),
      };
    },
  ),
  /** Delayed payment methods (bank debits): the payment is on its way. */
  'payment_intent.processing': handle(z.object(intentBase), 'payment_processing', (intent) => ({
    kind: 'payment_processing',
    intentId: intent.id,
    orderIdHint: hint(intent.metadata),
  })),
  /** The customer must authenticate (3-D Secure) before the payment can go on. */
  'payment_intent.requires_action': handle(z.object(intentBase), 'payment_requires_action', (intent) => ({
    kind: 'payment_action_required',
    intentId: intent.id,
    orderIdHint: hint(intent.metadata),
  })),
  'payment_intent.payment_failed': handle(
    z.object({
      ...intentBase,
      last_payment_error: z
        .object({ code: z.string().nullish(), decline_code: z.string().nullish(), message: z.string().nullish() })
        .nullish(),
    }),
    'payment_failed',
    (intent) => {
      const error = intent.last_payment_error;
      return {
        kind: 'payment_failed',
        intentId: intent.id,
        orderIdHint: hint(intent.metadata),
        failure: error
          ? { code: error.code ?? null, declineCode: error.decline_code || null, message: error.message ?? null }
          : null,
      };
    },
  ),
  'payment_intent.canceled': handle(z.object(intentBase), 'payment_intent_canceled', (intent) => ({
    kind: 'payment_canceled',
    intentId: intent.id,
    orderIdHint: hint(intent.metadata),
  })),
  'charge.refunded': handle(
    z.object({
      id: text,
      currency,
      amount_refunded: stripeAmount,
      refunded: z.boolean(),
      payment_intent: reference,
      // Only in API versions before 2022-11-15 (or when expanded): each refund then counts as a refund event.
      refunds: z.object({ data: z.array(refundObject) }).nullish(),
    }),
    'refunded',
    (charge) => {
      const intentId = idOf(charge.payment_intent);
      if (!intentId) return null;
      return {
        kind: 'refund_total',
        intentId,
        chargeId: charge.id,
        currency: charge.currency.toUpperCase(),
        refundedMinor: minorFromStripe(charge.amount_refunded, charge.currency) ?? null,
        fullyRefunded: charge.refunded,
        refunds: (charge.refunds?.data ?? []).map(refundReport),
      };
    },
  ),
  'refund.created': refundEvent,
  'refund.updated': refundEvent,
  'refund.failed': refundEvent,
  /** The older name of refund.updated, still sent. */
  'charge.refund.updated': refundEvent,
  'charge.dispute.created': disputeEvent(null),
  'charge.dispute.updated': disputeEvent(null),
  'charge.dispute.closed': disputeEvent(null),
  'charge.dispute.funds_withdrawn': disputeEvent('withdrawn'),
  'charge.dispute.funds_reinstated': disputeEvent('reinstated'),
} as const;

export type HandledEventType = keyof typeof HANDLED_EVENTS;
export const HANDLED_EVENT_TYPES = Object.keys(HANDLED_EVENTS) as readonly HandledEventType[];

/** Own keys only: `in` would also find Object.prototype's members (a signed event of type "toString"). */
const isHandled = (type: string): type is HandledEventType => Object.hasOwn(HANDLED_EVENTS, type);

export type HandledEvent = {
  [T in HandledEventType]: { id: string; type: T; object: z.output<(typeof HANDLED_EVENTS)[T]['object']> };
}[HandledEventType];
export type ParsedEvent = HandledEvent | { id: string; type: string; object?: undefined };

/** A verified event, read: its outcome and the history reason for what it moves, or why there is nothing to apply. */
export type ReadEvent =
  | { id: string; type: string; outcome: PaymentOutcome; reason: string }
  | { id: string; type: string; outcome: null; ignored: 'unhandled_type' | 'unattributed' };

const envelope = z.object({ id: text, type: text });
const withObject = z.object({ data: z.object({ object: z.record(z.string(), z.unknown()) }) });

export class MalformedEventError extends Error {
  constructor(readonly problems: Array<{ path: string; message: string }>) {
    super(`Malformed Stripe event: ${problems.map((p) => `${p.path || '(event)'}: ${p.message}`).join('; ')}`);
    this.name = 'MalformedEventError';
  }
}

/** Checks a verified event; the object of a handled type comes back typed, other types only by id and type. */
export function parseEvent(event: unknown): ParsedEvent {
  const head = envelope.safeParse(event);
  if (!head.success) throw malformed(head.error, []);
  const { id, type } = head.data;
  if (!isHandled(type)) return { id, type };
  const body = withObject.safeParse(event);
  if (!body.success) throw malformed(body.error, []);
  const object = HANDLED_EVENTS[type].object.safeParse(body.data.data.object);
  if (!object.success) throw malformed(object.error, ['data', 'object']);
  return { id, type, object: object.data } as HandledEvent;
}

/** parseEvent, then what the event means. Throws MalformedEventError like parseEvent. */
export function readEvent(event: unknown): ReadEvent {
  const parsed = parseEvent(event);
  const { id, type } = parsed;
  if (parsed.object === undefined) return { id, type, outcome: null, ignored: 'unhandled_type' };
  const adapter = HANDLED_EVENTS[parsed.type] as {
    reason: string;
    toOutcome: (object: unknown) => PaymentOutcome | null;
  };
  const outcome = adapter.toOutcome(parsed.object);
  return outcome ? { id, type, outcome, reason: adapter.reason } : { id, type, outcome: null, ignored: 'unattributed' };
}

function malformed(error: z.ZodError, prefix: string[]): MalformedEventError {
  const problems = error.issues.map((issue) => ({
    path: [...prefix, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  return new MalformedEventError([...new Map(problems.map((p) => [`${p.path}\n${p.message}`, p])).values()]);
}

import { z } from 'zod';

/**
 * The parts of Stripe's events that the payment event service reads, per event type it handles, and
 * nothing more: a correctly signed event whose parts do not fit is refused (400, Stripe retries) before
 * anything is recorded, so a corrected delivery still applies. Other fields and other event types pass.
 */
const text = z.string().min(1).max(255);
/** An integer amount in Stripe's units. */
const stripeAmount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const currency = z.string().regex(/^[A-Za-z]{3}$/, 'Must be a three-letter currency code');
/** Stripe metadata values are strings; only orderId is read (as a cross-check). */
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

export const HANDLED_EVENT_OBJECTS = {
  'payment_intent.succeeded': z.object({ ...intentBase, currency, amount: stripeAmount, amount_received: stripeAmount.nullish() }),
  'payment_intent.payment_failed': z.object({
    ...intentBase,
    last_payment_error: z.object({ code: z.string().nullish(), decline_code: z.string().nullish(), message: z.string().nullish() }).nullish(),
  }),
  'payment_intent.canceled': z.object(intentBase),
  'charge.refunded': z.object({
    id: text,
    currency,
    amount_refunded: stripeAmount,
    refunded: z.boolean(),
    payment_intent: reference,
    // Only in API versions before 2022-11-15 (or when expanded): each refund then counts as a refund event.
    refunds: z.object({ data: z.array(refundObject) }).nullish(),
  }),
  'refund.created': refundObject,
  'refund.updated': refundObject,
  'refund.failed': refundObject,
  /** The older name of refund.updated, still sent. */
  'charge.refund.updated': refundObject,
} as const;

export type RefundObject = z.output<typeof refundObject>;
export const REFUND_EVENT_TYPES = ['refund.created', 'refund.updated', 'refund.failed', 'charge.refund.updated'] as const;

export type HandledEventType = keyof typeof HANDLED_EVENT_OBJECTS;
export type HandledEvent = {
  [T in HandledEventType]: { id: string; type: T; object: z.output<(typeof HANDLED_EVENT_OBJECTS)[T]> };
}[HandledEventType];

const envelope = z.object({ id: text, type: text });
const withObject = z.object({ data: z.object({ object: z.record(z.string(), z.unknown()) }) });

export type ParsedEvent = HandledEvent | { id: string; type: string; object?: undefined };

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
  // Own keys only: `in` would also find Object.prototype's members (a signed event of type "toString").
  if (!Object.hasOwn(HANDLED_EVENT_OBJECTS, type)) return { id, type };
  const body = withObject.safeParse(event);
  if (!body.success) throw malformed(body.error, []);
  const object = HANDLED_EVENT_OBJECTS[type as HandledEventType].safeParse(body.data.data.object);
  if (!object.success) throw malformed(object.error, ['data', 'object']);
  return { id, type, object: object.data } as HandledEvent;
}

function malformed(error: z.ZodError, prefix: string[]): MalformedEventError {
  const problems = error.issues.map((issue) => ({ path: [...prefix, ...issue.path.map(String)].join('.'), message: issue.message }));
  return new MalformedEventError([...new Map(problems.map((p) => [`${p.path}\n${p.message}`, p])).values()]);
}

import type { Types } from 'mongoose';
import { isDuplicateKeyError } from '../lib/db-errors';
import { ValidationError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { noMetrics, type ShopMetrics } from '../lib/metrics';
import { noOrderMails, type OrderMails } from '../mail/order-mails';
import { minorFromStripe } from '../lib/money';
import { OrderModel, type LastPaymentError, type OrderRow } from '../models/order.model';
import { WebhookEventModel } from '../models/webhook-event.model';
import { MalformedEventError, parseEvent, type HandledEvent, type ParsedEvent } from '../payments/stripe.events';
import { WebhookSignatureError, type WebhookVerifier } from '../payments/webhook';
import { moveOrder, settleStock } from './order-lifecycle.service';
import { createRefundEffects } from './refund-effects.service';

export type EventOutcome = 'applied' | 'no_change' | 'duplicate' | 'ignored' | 'unknown_intent' | 'mismatch';

/** A succeeded intent as the webhook or the gateway reports it, in the order's terms. */
export interface SucceededIntent {
  id: string;
  /** Upper-case ISO code. */
  currency: string;
  /** ISO minor units of `currency`; null when Stripe's figure is not expressible in them. */
  amountReceivedMinor: number | null;
  metadata: Record<string, string>;
}

/** Where a status change comes from: a webhook event, or the expiry job's reconciliation with the gateway. */
export interface ChangeSource {
  /** Guards the change: each source applies once. A Stripe event id, or `reconcile:<intent id>`. */
  eventId: string;
  reason: string;
}

/**
 * What payment outcomes do to orders, shared by the webhook and the expiry job's reconciliation. The
 * payment intent id decides which order an outcome concerns (it is unique on the order); the metadata's
 * orderId is only a cross-check: a mismatch is recorded on the order that holds the intent, and another
 * order is never touched.
 */
export function createPaymentEffects(deps: { clock: () => Date; logger: Logger; metrics?: ShopMetrics; mails?: OrderMails }) {
  const { clock, logger } = deps;
  const metrics = deps.metrics ?? noMetrics;
  const mails = deps.mails ?? noOrderMails;

  async function intentSucceeded(source: ChangeSource, intent: SucceededIntent): Promise<EventOutcome> {
    const order = await orderHolding(intent.id, intent.metadata);
    if (!order) return 'unknown_intent';
    const { eventId } = source;
    const metadataProblems = metadataMismatch(order, intent.metadata);
    const moneyProblems = intent.currency !== order.currency ? ['currency'] : intent.amountReceivedMinor !== order.amountMinor ? ['amount'] : [];
    if (moneyProblems.length > 0) return recordMismatch(order, eventId, intent.id, [...metadataProblems, ...moneyProblems]);
    const at = clock();
    if (!(await moveOrder(order._id, 'paid', { reason: source.reason, at, eventId }))) {
      const current = await OrderModel.findById(order._id).lean().orFail();
      if (current.status === 'paid' || current.status === 'refunded') {
        await noteMetadataMismatch(order, eventId, intent.id, metadataProblems); // a retry after a crash before the note
        await settleStock(current, current.status, mails); // a retry after a crash between the move and the stock
        return 'no_change';
      }
      // Money arrived for an order that can no longer take it (canceled): a person must refund it.
      await note(order._id, {
        kind: 'late_success',
        at,
        eventId,
        detail: { status: current.status, paymentIntentId: intent.id, problems: metadataProblems },
      });
      logger.error('payment succeeded for an order that is not open: refund needed', { orderId: order._id.toHexString(), status: current.status });
      return 'mismatch';
    }
    metrics.payment('succeeded');
    await noteMetadataMismatch(order, eventId, intent.id, metadataProblems);
    await settleStock(order, 'paid', mails);
    // A full refund reported before the success (events can arrive out of order) applies now.
    const current = await OrderModel.findById(order._id).lean().orFail();
    if (current.refundedMinor >= current.amountMinor)
      await moveOrder(order._id, 'refunded', { reason: 'refunded', at, eventId: `${eventId}:refund` });
    return 'applied';
  }

  async function intentFailed(eventId: string, intent: HandledObject<'payment_intent.payment_failed'>): Promise<EventOutcome> {
    const order = await orderHolding(intent.id, intent.metadata);
    if (!order) return 'unknown_intent';
    const error = intent.last_payment_error;
    const lastPaymentError: LastPaymentError | null = error
      ? { code: error.code ?? null, declineCode: error.decline_code || null, message: error.message ?? null }
      : null;
    const moved = await moveOrder(order._id, 'failed', { reason: 'payment_failed', at: clock(), eventId }, { lastPaymentError });
    if (!moved && order.status === 'failed') await OrderModel.updateOne({ _id: order._id, status: 'failed' }, { $set: { lastPaymentError } });
    if (moved) metrics.payment('failed');
    await noteMetadataMismatch(order, eventId, intent.id, metadataMismatch(order, intent.metadata));
    return moved ? 'applied' : 'no_change';
  }

  async function intentCanceled(eventId: string, intent: HandledObject<'payment_intent.canceled'>): Promise<EventOutcome> {
    const order = await orderHolding(intent.id, intent.metadata);
    if (!order) return 'unknown_intent';
    const moved = await moveOrder(order._id, 'canceled', { reason: 'payment_intent_canceled', at: clock(), eventId });
    if (moved) metrics.payment('canceled');
    const current = moved ? order : await OrderModel.findById(order._id).lean().orFail();
    if (moved || current.status === 'canceled') await settleStock(current, 'canceled', mails);
    await noteMetadataMismatch(order, eventId, intent.id, metadataMismatch(order, intent.metadata));
    return moved ? 'applied' : 'no_change';
  }

  /** The order holding this intent id (unique on orders). */
  async function orderHolding(intentId: string, metadata: Record<string, string> | null | undefined): Promise<OrderRow | null> {
    const order = (await OrderModel.findOne({ paymentIntentId: intentId }).lean()) as OrderRow | null;
    if (!order) logger.warn('stripe event for an unknown payment intent', { paymentIntentId: intentId, metadataOrderId: metadata?.orderId });
    return order;
  }

  function metadataMismatch(order: OrderRow, metadata: Record<string, string> | null | undefined): string[] {
    const named = metadata?.orderId;
    return named !== undefined && named !== order._id.toHexString() ? ['metadata order id'] : [];
  }

  /** The intent decided the order; metadata naming another one is recorded on this one for a person to look at. */
  async function noteMetadataMismatch(order: OrderRow, eventId: string, intentId: string, problems: string[]) {
    if (problems.length === 0) return;
    await note(order._id, { kind: 'payment_mismatch', at: clock(), eventId, detail: { paymentIntentId: intentId, problems, applied: true } });
    logger.warn('stripe event metadata names another order: applied to the order holding the intent', { orderId: order._id.toHexString(), eventId });
  }

  async function recordMismatch(order: OrderRow, eventId: string, intentId: string, problems: string[]): Promise<EventOutcome> {
    await note(order._id, { kind: 'payment_mismatch', at: clock(), eventId, detail: { paymentIntentId: intentId, problems } });
    logger.error('stripe event does not match its order: not applied', { orderId: order._id.toHexString(), eventId, problems });
    return 'mismatch';
  }

  async function note(orderId: Types.ObjectId, entry: { kind: string; at: Date; eventId: string; detail: unknown }) {
    await OrderModel.updateOne({ _id: orderId, 'notes.eventId': { $ne: entry.eventId } }, { $push: { notes: entry } });
  }

  const { chargeRefunded, refundReported } = createRefundEffects(deps);
  return { intentSucceeded, intentFailed, intentCanceled, chargeRefunded, refundReported };
}

type HandledObject<T extends HandledEvent['type']> = Extract<HandledEvent, { type: T }>['object'];

/**
 * Applies verified Stripe events to orders. Each event id is recorded under the unique _id index and
 * marked processed only after its effect is stored; every effect is a conditional update guarded by the
 * event id. So a duplicate delivery, even at the same moment, changes things once, and a delivery that
 * failed half-way (database down: the webhook answers 5xx, Stripe retries) completes on the retry.
 * A signed event whose handled parts are malformed is a 400 and is not recorded: a corrected retry applies.
 */
export function createPaymentEventService(deps: {
  clock: () => Date;
  logger: Logger;
  verify: WebhookVerifier;
  metrics?: ShopMetrics;
  mails?: OrderMails;
}) {
  const { clock, logger } = deps;
  const metrics = deps.metrics ?? noMetrics;
  const effects = createPaymentEffects(deps);

  /** A webhook delivery: the raw body and its Stripe-Signature header. A bad signature or a malformed event is a 400. */
  async function receive(rawBody: Buffer, signature: string | undefined): Promise<EventOutcome> {
    let event: ParsedEvent;
    try {
      event = parseEvent(deps.verify(rawBody, signature));
    } catch (error) {
      if (error instanceof WebhookSignatureError) {
        // The reason tells a wrong secret ("No signatures found matching ...") from a stale delivery (clock skew, a replay)
        // or a missing header. Stripe's dashboard shows this body for each failed delivery; the log line is for the operator.
        logger.warn('stripe webhook refused: bad signature', { reason: error.message });
        throw new ValidationError('Invalid webhook signature', [{ message: error.message }], 'INVALID_SIGNATURE');
      }
      if (error instanceof MalformedEventError) {
        // Signed by Stripe (or whoever holds our secret), yet not what this code reads: someone must look.
        logger.error('signed stripe event is malformed: refused, not recorded', { problems: error.problems });
        throw new ValidationError('Malformed Stripe event', error.problems, 'INVALID_EVENT');
      }
      throw error;
    }
    const outcome = await handleEvent(event);
    metrics.webhookEvent(event.type, outcome);
    return outcome;
  }

  async function handleEvent(event: ParsedEvent): Promise<EventOutcome> {
    if (await alreadyProcessed(event)) return 'duplicate';
    const outcome = await apply(event);
    await WebhookEventModel.updateOne({ _id: event.id }, { $set: { processedAt: clock(), outcome } });
    logger.info('stripe event', { id: event.id, type: event.type, outcome });
    return outcome;
  }

  async function alreadyProcessed(event: ParsedEvent): Promise<boolean> {
    const receipt = { $setOnInsert: { type: event.type, receivedAt: clock() }, $inc: { deliveries: 1 } };
    try {
      const before = await WebhookEventModel.findOneAndUpdate({ _id: event.id }, receipt, { upsert: true, returnDocument: 'before' }).lean();
      return Boolean(before?.processedAt);
    } catch (error) {
      // Two deliveries racing to insert the receipt: the loser just reads it.
      if (!isDuplicateKeyError(error)) throw error;
      return Boolean((await WebhookEventModel.findById(event.id).lean())?.processedAt);
    }
  }

  async function apply(event: ParsedEvent): Promise<EventOutcome> {
    if (event.object === undefined) return 'ignored';
    switch (event.type) {
      case 'payment_intent.succeeded': {
        const intent = event.object;
        // localstripe omits amount_received; Stripe always sends it for a succeeded intent.
        const received = intent.amount_received ?? intent.amount;
        const succeeded = {
          id: intent.id,
          currency: intent.currency.toUpperCase(),
          amountReceivedMinor: minorFromStripe(received, intent.currency) ?? null,
          metadata: intent.metadata ?? {},
        };
        return effects.intentSucceeded({ eventId: event.id, reason: 'payment_succeeded' }, succeeded);
      }
      case 'payment_intent.payment_failed':
        return effects.intentFailed(event.id, event.object);
      case 'payment_intent.canceled':
        return effects.intentCanceled(event.id, event.object);
      case 'charge.refunded':
        return effects.chargeRefunded(event.id, event.object);
      case 'refund.created':
      case 'refund.updated':
      case 'refund.failed':
      case 'charge.refund.updated':
        return effects.refundReported(event.id, event.object);
    }
  }

  return { receive, handleEvent };
}

export type PaymentEventService = ReturnType<typeof createPaymentEventService>;
export type PaymentEffects = ReturnType<typeof createPaymentEffects>;

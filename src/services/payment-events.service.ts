import { isValidObjectId, type Types } from 'mongoose';
import type Stripe from 'stripe';
import { isDuplicateKeyError } from '../lib/db-errors';
import { ValidationError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { noMetrics, type ShopMetrics } from '../lib/metrics';
import { fromStripeAmount, toStripeAmount } from '../lib/money';
import { OrderModel, type OrderRow } from '../models/order.model';
import { WebhookEventModel } from '../models/webhook-event.model';
import { WebhookSignatureError, type WebhookVerifier } from '../payments/webhook';
import { moveOrder, settleStock } from './order-lifecycle.service';

export type EventOutcome = 'applied' | 'no_change' | 'duplicate' | 'ignored' | 'unknown_intent' | 'mismatch';

/**
 * Applies verified Stripe events to orders. Each event id is recorded under the unique _id index and
 * marked processed only after its effect is stored; every effect is a conditional update guarded by the
 * event id. So a duplicate delivery, even at the same moment, changes things once, and a delivery that
 * failed half-way (database down: the webhook answers 5xx, Stripe retries) completes on the retry.
 */
export function createPaymentEventService(deps: { clock: () => Date; logger: Logger; verify: WebhookVerifier; metrics?: ShopMetrics }) {
  const { clock, logger } = deps;
  const metrics = deps.metrics ?? noMetrics;

  /** A webhook delivery: the raw body and its Stripe-Signature header. A bad signature is a 400. */
  async function receive(rawBody: Buffer, signature: string | undefined): Promise<EventOutcome> {
    let event: Stripe.Event;
    try {
      event = deps.verify(rawBody, signature);
    } catch (error) {
      if (error instanceof WebhookSignatureError) throw new ValidationError('Invalid webhook signature', undefined, 'INVALID_SIGNATURE');
      throw error;
    }
    const outcome = await handleEvent(event);
    metrics.webhookEvent(event.type, outcome);
    return outcome;
  }

  async function handleEvent(event: Stripe.Event): Promise<EventOutcome> {
    if (await alreadyProcessed(event)) return 'duplicate';
    const outcome = await apply(event);
    await WebhookEventModel.updateOne({ _id: event.id }, { $set: { processedAt: clock(), outcome } });
    logger.info('stripe event', { id: event.id, type: event.type, outcome });
    return outcome;
  }

  async function alreadyProcessed(event: Stripe.Event): Promise<boolean> {
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

  async function apply(event: Stripe.Event): Promise<EventOutcome> {
    switch (event.type) {
      case 'payment_intent.succeeded':
        return intentSucceeded(event.id, event.data.object);
      case 'payment_intent.payment_failed':
        return intentFailed(event.id, event.data.object);
      case 'payment_intent.canceled':
        return intentCanceled(event.id, event.data.object);
      case 'charge.refunded':
        return chargeRefunded(event.id, event.data.object);
      default:
        return 'ignored';
    }
  }

  async function intentSucceeded(eventId: string, intent: Stripe.PaymentIntent): Promise<EventOutcome> {
    const order = await orderForIntent(intent);
    if (!order) return 'unknown_intent';
    // localstripe omits amount_received; Stripe always sends it for a succeeded intent.
    const received = typeof intent.amount_received === 'number' ? intent.amount_received : intent.amount;
    const problems = mismatches(order, intent.id, intent.currency, received);
    if (problems.length > 0) return recordMismatch(order, eventId, intent.id, problems);
    const at = clock();
    if (!(await moveOrder(order._id, 'paid', { reason: 'payment_succeeded', at, eventId }))) {
      const current = await OrderModel.findById(order._id).lean().orFail();
      if (current.status === 'paid' || current.status === 'refunded') {
        await settleStock(current, current.status); // a retry after a crash between the move and the stock
        return 'no_change';
      }
      // Money arrived for an order that can no longer take it (canceled): a person must refund it.
      await note(order._id, { kind: 'late_success', at, eventId, detail: { status: current.status, paymentIntentId: intent.id } });
      logger.error('payment succeeded for an order that is not open: refund needed', { orderId: order._id.toHexString(), status: current.status });
      return 'mismatch';
    }
    metrics.payment('succeeded');
    await settleStock(order, 'paid');
    // A full refund reported before the success (events can arrive out of order) applies now.
    const current = await OrderModel.findById(order._id).lean().orFail();
    if (current.refundedMinor >= current.amountMinor) await moveOrder(order._id, 'refunded', { reason: 'refunded', at, eventId: `${eventId}:refund` });
    return 'applied';
  }

  async function intentFailed(eventId: string, intent: Stripe.PaymentIntent): Promise<EventOutcome> {
    const order = await orderForIntent(intent);
    if (!order) return 'unknown_intent';
    if (order.paymentIntentId !== intent.id) return recordMismatch(order, eventId, intent.id, ['payment intent id']);
    const error = intent.last_payment_error;
    const lastPaymentError = error ? { code: error.code ?? null, declineCode: error.decline_code || null, message: error.message ?? null } : null;
    const moved = await moveOrder(order._id, 'failed', { reason: 'payment_failed', at: clock(), eventId }, { lastPaymentError });
    if (!moved && order.status === 'failed') await OrderModel.updateOne({ _id: order._id, status: 'failed' }, { $set: { lastPaymentError } });
    if (moved) metrics.payment('failed');
    return moved ? 'applied' : 'no_change';
  }

  async function intentCanceled(eventId: string, intent: Stripe.PaymentIntent): Promise<EventOutcome> {
    const order = await orderForIntent(intent);
    if (!order) return 'unknown_intent';
    if (order.paymentIntentId !== intent.id) return recordMismatch(order, eventId, intent.id, ['payment intent id']);
    const moved = await moveOrder(order._id, 'canceled', { reason: 'payment_intent_canceled', at: clock(), eventId });
    if (moved) metrics.payment('canceled');
    const current = moved ? order : await OrderModel.findById(order._id).lean().orFail();
    if (moved || current.status === 'canceled') await settleStock(current, 'canceled');
    return moved ? 'applied' : 'no_change';
  }

  async function chargeRefunded(eventId: string, charge: Stripe.Charge): Promise<EventOutcome> {
    const intentId = typeof charge.payment_intent === 'string' ? charge.payment_intent : charge.payment_intent?.id;
    const order = intentId ? ((await OrderModel.findOne({ paymentIntentId: intentId }).lean()) as OrderRow | null) : null;
    if (!order) return 'unknown_intent';
    if (charge.currency.toUpperCase() !== order.currency) return recordMismatch(order, eventId, intentId!, ['currency']);
    const refundedMinor = fromStripeAmount(charge.amount_refunded, order.currency);
    const at = clock();
    // $max: refunds only grow, so an older partial-refund event arriving late cannot shrink the total.
    await OrderModel.updateOne(
      { _id: order._id, 'notes.eventId': { $ne: eventId } },
      { $max: { refundedMinor }, $push: { notes: { kind: 'refund', at, eventId, detail: { refundedAmountMinor: refundedMinor, chargeId: charge.id } } } },
    );
    const full = charge.refunded || refundedMinor >= order.amountMinor;
    if (full && (await moveOrder(order._id, 'refunded', { reason: 'refunded', at, eventId }))) return 'applied';
    return full ? 'no_change' : 'applied';
  }

  /** The order named in the intent's metadata, or else the one holding this intent id. */
  async function orderForIntent(intent: Stripe.PaymentIntent): Promise<OrderRow | null> {
    const orderId = intent.metadata?.orderId;
    const order = orderId && isValidObjectId(orderId) ? await OrderModel.findById(orderId).lean() : await OrderModel.findOne({ paymentIntentId: intent.id }).lean();
    if (!order) logger.warn('stripe event for an unknown payment intent', { paymentIntentId: intent.id, orderId });
    return order as OrderRow | null;
  }

  function mismatches(order: OrderRow, intentId: string, currency: string, amount: number): string[] {
    const problems: string[] = [];
    if (order.paymentIntentId !== intentId) problems.push('payment intent id');
    if (currency.toUpperCase() !== order.currency) problems.push('currency');
    else if (amount !== toStripeAmount(order.amountMinor, order.currency)) problems.push('amount');
    return problems;
  }

  async function recordMismatch(order: OrderRow, eventId: string, intentId: string, problems: string[]): Promise<EventOutcome> {
    await note(order._id, { kind: 'payment_mismatch', at: clock(), eventId, detail: { paymentIntentId: intentId, problems } });
    logger.error('stripe event does not match its order: not applied', { orderId: order._id.toHexString(), eventId, problems });
    return 'mismatch';
  }

  async function note(orderId: Types.ObjectId, entry: { kind: string; at: Date; eventId: string; detail: unknown }) {
    await OrderModel.updateOne({ _id: orderId, 'notes.eventId': { $ne: entry.eventId } }, { $push: { notes: entry } });
  }

  return { receive, handleEvent };
}

export type PaymentEventService = ReturnType<typeof createPaymentEventService>;

import type { Types } from 'mongoose';
import type { Logger } from '../lib/logger';
import { noMetrics, type ShopMetrics } from '../lib/metrics';
import { noOrderMails, type OrderMails } from '../mail/order-mails';
import { minorFromStripe } from '../lib/money';
import { canReplaceStatus, refundLedger, refundStatusFrom, settlementAfter } from '../lib/refund-ledger';
import { OrderModel, type OrderRow } from '../models/order.model';
import type { HandledEvent, RefundObject } from '../payments/stripe.events';
import { moveOrder, settleStock } from './order-lifecycle.service';
import type { EventOutcome } from './payment-events.service';

type ChargeObject = Extract<HandledEvent, { type: 'charge.refunded' }>['object'];

const idOf = (ref: string | { id: string } | null | undefined) => (typeof ref === 'string' ? ref : (ref?.id ?? undefined));

/** Lost races on one order's refunds before an event gives up (500: Stripe delivers it again). */
const MAX_ATTEMPTS = 5;

/**
 * What the gateway's refund events do to orders. The refunded amount and the move to `refunded` come only
 * from here: charge.refunded (the charge's refunded total) and the refund events (one refund each, matched
 * to our request by its id, or by the request id in its metadata when the event is faster than the answer
 * to our create call). Every change is a conditional update guarded by the refund's status or the event
 * id (arrayFilters only name the entry, by its request id), so a duplicate, late or concurrent delivery changes things once; a fully refunded order settles its
 * stock (restock included) through settleStock, which puts units back once per order and product.
 */
export function createRefundEffects(deps: { clock: () => Date; logger: Logger; metrics?: ShopMetrics; mails?: OrderMails }) {
  const { clock, logger } = deps;
  const metrics = deps.metrics ?? noMetrics;
  const mails = deps.mails ?? noOrderMails;

  async function chargeRefunded(eventId: string, charge: ChargeObject): Promise<EventOutcome> {
    const intentId = idOf(charge.payment_intent);
    const order = intentId ? await orderHolding(intentId) : null;
    if (!order) return 'unknown_intent';
    if (charge.currency.toUpperCase() !== order.currency) return recordMismatch(order, eventId, intentId!, ['currency']);
    const refundedMinor = minorFromStripe(charge.amount_refunded, order.currency);
    if (refundedMinor === undefined) return recordMismatch(order, eventId, intentId!, ['amount']);
    const at = clock();
    // $max: refunds only grow, so an older partial-refund event arriving late cannot shrink the total.
    await OrderModel.updateOne(
      { _id: order._id, 'notes.eventId': { $ne: eventId } },
      {
        $max: { refundedMinor },
        $push: { notes: { kind: 'refund', at, eventId, detail: { refundedAmountMinor: refundedMinor, chargeId: charge.id } } },
      },
    );
    // API versions before 2022-11-15 list the charge's refunds: each one then counts as its own report.
    for (const refund of charge.refunds?.data ?? []) await applyRefund(order, eventId, { ...refund, payment_intent: intentId });
    const full = charge.refunded || refundedMinor >= order.amountMinor;
    const finished = await finish(order._id, eventId, at, charge.refunded);
    return full && finished !== 'moved' ? 'no_change' : 'applied';
  }

  /** refund.created / refund.updated / refund.failed / charge.refund.updated: one refund's status. */
  async function refundReported(eventId: string, refund: RefundObject): Promise<EventOutcome> {
    const intentId = idOf(refund.payment_intent);
    if (!intentId) {
      logger.warn('refund event without a payment intent: no order to apply it to', { eventId, refundId: refund.id });
      return 'unknown_intent';
    }
    const order = await orderHolding(intentId);
    if (!order) return 'unknown_intent';
    const applied = await applyRefund(order, eventId, refund);
    if (applied === 'mismatch') return applied;
    const finished = await finish(order._id, eventId, clock(), false);
    return applied === 'applied' || finished === 'moved' ? 'applied' : 'no_change';
  }

  async function applyRefund(order: OrderRow, eventId: string, refund: RefundObject): Promise<'applied' | 'no_change' | 'mismatch'> {
    const intentId = idOf(refund.payment_intent) ?? '';
    if (refund.currency.toUpperCase() !== order.currency) return recordMismatch(order, eventId, intentId, ['refund currency']);
    const amountMinor = minorFromStripe(refund.amount, order.currency);
    if (amountMinor === undefined) return recordMismatch(order, eventId, intentId, ['refund amount']);
    const { status, known } = refundStatusFrom(refund.status);
    if (!known) logger.warn('refund status this code does not know: counted as pending', { refundId: refund.id, status: refund.status });

    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const current = (await OrderModel.findById(order._id).lean().orFail()) as OrderRow;
      const entries = current.refunds ?? [];
      const entry = entries.find((e) => e.refundId === refund.id);
      if (!entry) {
        const requestId = refund.metadata?.orderId === current._id.toHexString() ? refund.metadata?.refundRequestId : undefined;
        const ours = requestId ? entries.find((e) => e.requestId === requestId && e.refundId === null) : undefined;
        if (ours) {
          if (ours.amountMinor !== amountMinor) return recordMismatch(order, eventId, intentId, ['refund amount']);
          // The event came before the answer to our create call was stored: the gateway has accepted it.
          const named = await OrderModel.updateOne(
            { _id: order._id, refunds: { $elemMatch: { requestId, refundId: null } } },
            { $set: { 'refunds.$[r].refundId': refund.id, 'refunds.$[r].attemptUntil': null } },
            { arrayFilters: [{ 'r.requestId': requestId }] },
          );
          if (named.modifiedCount === 1) metrics.refundAccepted();
          continue;
        }
        // Made elsewhere (the Stripe dashboard): recorded by its id so it counts once, like ours.
        const external = {
          requestId: refund.id,
          source: 'external',
          amountMinor,
          requestedAt: clock(),
          refundId: refund.id,
          status,
          settlement: settlementAfter('reserved', status, true),
          failure: refund.failure_reason ?? null,
        };
        const pushed = await OrderModel.updateOne(
          { _id: order._id, 'refunds.refundId': { $ne: refund.id } },
          { $push: { refunds: external }, $inc: { refundsVersion: 1 } },
        );
        if (pushed.modifiedCount === 1) {
          logger.info('refund made outside this API recorded on its order', { orderId: order._id.toHexString(), refundId: refund.id, status });
          return 'applied';
        }
        continue;
      }
      if (entry.amountMinor !== amountMinor) return recordMismatch(order, eventId, intentId, ['refund amount']);
      // The answer to the create call may already have said `succeeded`: only an event confirms it, so the
      // same status can still change the settlement.
      const nextStatus = canReplaceStatus(entry.status, status) ? status : entry.status;
      const settlement = nextStatus === status ? settlementAfter(entry.settlement, status, true) : entry.settlement;
      if (nextStatus === entry.status && settlement === entry.settlement) return 'no_change';
      const moved = await OrderModel.updateOne(
        { _id: order._id, refunds: { $elemMatch: { requestId: entry.requestId, status: entry.status, settlement: entry.settlement } } },
        {
          $set: {
            'refunds.$[r].status': nextStatus,
            'refunds.$[r].settlement': settlement,
            'refunds.$[r].failure': refund.failure_reason ?? entry.failure ?? null,
          },
        },
        { arrayFilters: [{ 'r.requestId': entry.requestId }] },
      );
      if (moved.modifiedCount === 0) continue;
      if (entry.settlement === 'confirmed' && nextStatus === 'failed') {
        // Refunded totals never go down: the customer did not get this money back, a person must act.
        const detail = { refundId: refund.id, amountMinor, failureReason: refund.failure_reason ?? null };
        await note(order._id, { kind: 'refund_failed_after_success', at: clock(), eventId, detail });
        logger.error('a confirmed refund failed afterwards: the customer did not get the money back', {
          orderId: order._id.toHexString(),
          refundId: refund.id,
        });
      }
      return 'applied';
    }
    throw new Error(`Refund ${refund.id} of order ${order._id.toHexString()} kept changing while being applied`);
  }

  /**
   * After any refund news: stores the confirmed total (never lower), and when it covers the amount paid (or
   * the charge says it is fully refunded) moves the order to `refunded` and settles its stock.
   */
  async function finish(orderId: Types.ObjectId, eventId: string, at: Date, chargeFullyRefunded: boolean): Promise<'partial' | 'moved' | 'already'> {
    const current = (await OrderModel.findById(orderId).lean().orFail()) as OrderRow;
    const ledger = refundLedger(current);
    if (ledger.confirmedMinor > (current.refundedMinor ?? 0))
      await OrderModel.updateOne({ _id: orderId }, { $max: { refundedMinor: ledger.confirmedMinor } });
    await mails.refunded(current, ledger.refundedMinor);
    if (!chargeFullyRefunded && ledger.refundedMinor < current.amountMinor) return 'partial';
    const moved = await moveOrder(orderId, 'refunded', { reason: 'refunded', at, eventId });
    // Also when another delivery moved it: a retry after a crash before the stock step completes it.
    const after = moved ? current : ((await OrderModel.findById(orderId).lean().orFail()) as OrderRow);
    if (moved || after.status === 'refunded') await settleStock(after, 'refunded', mails);
    return moved ? 'moved' : 'already';
  }

  async function orderHolding(intentId: string): Promise<OrderRow | null> {
    const order = (await OrderModel.findOne({ paymentIntentId: intentId }).lean()) as OrderRow | null;
    if (!order) logger.warn('stripe refund event for an unknown payment intent', { paymentIntentId: intentId });
    return order;
  }

  async function recordMismatch(order: OrderRow, eventId: string, intentId: string, problems: string[]): Promise<'mismatch'> {
    await note(order._id, { kind: 'payment_mismatch', at: clock(), eventId, detail: { paymentIntentId: intentId, problems } });
    logger.error('stripe event does not match its order: not applied', { orderId: order._id.toHexString(), eventId, problems });
    return 'mismatch';
  }

  async function note(orderId: Types.ObjectId, entry: { kind: string; at: Date; eventId: string; detail: unknown }) {
    await OrderModel.updateOne({ _id: orderId, 'notes.eventId': { $ne: entry.eventId } }, { $push: { notes: entry } });
  }

  return { chargeRefunded, refundReported };
}

import { noFaults, type Faults } from '../lib/fault-points';
import type { Logger } from '../lib/logger';
import type { OrderMails } from '../mail/order-mails';
import { noMetrics, type ShopMetrics } from '../lib/metrics';
import type { OrderRow } from '../models/order.model';
import type { OutcomeSource, PaymentOutcome } from '../payments/outcome';
import { unitsOf, releaseOpenOrder } from './open-order-limit.service';
import { decide, type Decision, type OrderFacts } from './payment-decision';
import {
  addExternalRefund,
  addNote,
  changeRefundEntry,
  findOrderByCharge,
  findOrderByIntent,
  moveOrder,
  raiseRefundedTotal,
  setChargeId,
  setLastPaymentError,
  setPaymentStatus,
  writeDisputes,
} from './order-store';
import { settleStock } from './stock-settlement.service';

export type OutcomeResult = 'applied' | 'no_change' | 'mismatch' | 'unknown_intent';

/** Reads of one order that found it changed before the decision could be written, before giving up (a 500: Stripe delivers again). */
const MAX_PASSES = 6;

/**
 * Applies payment outcomes to orders, for the webhook, the expiry job's reconciliation and the cancels:
 * reads the order holding the intent (the intent id decides, it is unique on orders), asks payment-decision
 * what the outcome does to it, and makes that through the order store. Every write is conditional on what the
 * decision read and the source id guards moves and notes, so a duplicate, late or concurrent outcome changes
 * things once; a write that finds the order changed meanwhile means: read again, decide again.
 */
export function createPaymentOutcomes(deps: {
  clock: () => Date;
  logger: Logger;
  metrics?: ShopMetrics;
  /** The mails outcomes cause: paid or canceled where the stock is settled, refunded where the refunded total grows. */
  mails: OrderMails;
  /** FAULT_CRASH_AT, for the kill -9 tests. */
  faults?: Faults;
}) {
  const { clock, logger, mails } = deps;
  const metrics = deps.metrics ?? noMetrics;
  const faults = deps.faults ?? noFaults;

  async function apply(source: OutcomeSource, outcome: PaymentOutcome): Promise<OutcomeResult> {
    let changed = false;
    for (let pass = 0; pass < MAX_PASSES; pass += 1) {
      const order = await findOrderOf(outcome);
      if (!order) {
        logUnknownIntent(outcome);
        return 'unknown_intent';
      }
      const decision = decide(factsOf(order), outcome, source);
      const carried = await carryOut(order, decision, source);
      changed ||= carried.changed;
      if (carried.lost) continue;
      const about = { orderId: order._id.toHexString(), ...(source.sourceId && { eventId: source.sourceId }) };
      for (const line of decision.logs) logger[line.level](line.message, { ...about, ...line.fields });
      return decision.result === 'no_change' && changed ? 'applied' : decision.result;
    }
    throw new Error(
      `The order holding ${outcome.intentId ?? 'its charge'} kept changing while ${source.sourceId ?? source.reason} was applied`,
    );
  }

  /** The intent decides which order an outcome concerns; a dispute naming only its charge finds the order by the charge. */
  async function findOrderOf(outcome: PaymentOutcome): Promise<OrderRow | null> {
    const byIntent = outcome.intentId ? await findOrderByIntent(outcome.intentId) : null;
    if (byIntent || outcome.kind !== 'dispute_updated' || !outcome.chargeId) return byIntent;
    return findOrderByCharge(outcome.chargeId);
  }

  /** The decision's writes, in order; `lost` when a conditional one found the order changed since it was read. */
  async function carryOut(
    order: OrderRow,
    decision: Decision,
    source: OutcomeSource,
  ): Promise<{ lost: boolean; changed: boolean }> {
    const at = clock();
    const eventId = source.sourceId;
    let changed = false;
    for (const change of decision.refundChanges) {
      const made =
        change.kind === 'update'
          ? await changeRefundEntry(order._id, change)
          : await addExternalRefund(order._id, {
              requestId: change.refundId,
              source: 'external',
              amountMinor: change.amountMinor,
              reason: null,
              restock: false,
              requestedBy: null,
              requestedAt: at,
              refundId: change.refundId,
              status: change.status,
              settlement: change.settlement,
              failure: change.failure,
              attemptUntil: null,
              idempotencyKey: null,
              requestHash: null,
            });
      if (!made) return { lost: true, changed };
      changed = true;
      if (change.kind === 'update' && change.accepted) metrics.refundAccepted();
    }
    if (decision.disputes) {
      const written = new Map((order.disputes ?? []).map((entry) => [entry.disputeId, entry]));
      const entries = decision.disputes.entries.map((entry) => {
        const before = written.get(entry.disputeId);
        const stamped = decision.disputes!.changedIds.includes(entry.disputeId);
        return { ...entry, recordedAt: before?.recordedAt ?? at, updatedAt: stamped ? at : (before?.updatedAt ?? at) };
      });
      if (!(await writeDisputes(order, entries, decision.disputes.open))) return { lost: true, changed };
      changed = true;
      for (const status of decision.disputes.reached) metrics.dispute(status);
    }
    if (decision.refundedTotal !== null && decision.refundedTotal > (order.refundedMinor ?? 0)) {
      // Recorded before the total is stored: a crash in between leaves the total unraised, so the redelivered
      // report (Stripe retries until answered 2xx) raises it and records the same mail again, which is a no-op.
      await mails.refunded(order, decision.refundedTotal);
      changed = (await raiseRefundedTotal(order._id, decision.refundedTotal)) || changed;
    }
    for (const move of decision.moves) {
      const entry = { reason: move.reason, at, ...(eventId && { eventId: `${eventId}${move.sourceSuffix ?? ''}` }) };
      const moved = await moveOrder(order._id, move.to, entry, {
        // A move means the payment moved on: it is no longer processing or waiting for the customer.
        ...(order.paymentStatus && { paymentStatus: null }),
        ...move.set,
        ...(move.to === 'authorized' && { authorizedAt: at }),
        ...(move.lastPaymentError !== undefined && { lastPaymentError: move.lastPaymentError }),
      });
      if (!moved) return { lost: true, changed };
      changed = true;
      if (move.metric) metrics.payment(move.metric);
    }
    if (decision.lastPaymentError !== undefined) await setLastPaymentError(order._id, decision.lastPaymentError);
    if (decision.paymentStatus !== undefined)
      changed = (await setPaymentStatus(order._id, decision.paymentStatus)) || changed;
    if (decision.chargeId !== undefined) await setChargeId(order._id, decision.chargeId);
    for (const note of decision.notes)
      await addNote(order._id, { kind: note.kind, at, ...(eventId && { eventId }), detail: note.detail });
    // An authorized order is paid for as far as the customer is concerned: it stops counting against the open-order cap
    // (repeated by the commit or release that follows its capture or void, should this be interrupted).
    if (decision.statusAfter === 'authorized' && decision.moves.length > 0)
      await releaseOpenOrder(order.userId, order._id, unitsOf(order.items));
    if (decision.stock !== 'none') {
      if (decision.moves.length > 0) faults.reach('payment.before-settle');
      await settleStock(order, decision.statusAfter, mails);
    }
    return { lost: false, changed };
  }

  function logUnknownIntent(outcome: PaymentOutcome) {
    if (outcome.kind === 'dispute_updated') {
      // A dispute of a charge no order holds: another application on the account, or a payment this database never saw.
      logger.error('dispute of a payment no order holds: look at it in the Stripe Dashboard', {
        paymentIntentId: outcome.intentId,
        chargeId: outcome.chargeId,
        disputeId: outcome.dispute.id,
        status: outcome.dispute.status,
      });
      return;
    }
    const refund = outcome.kind === 'refund_updated' || outcome.kind === 'refund_total';
    const orderIdHint = 'orderIdHint' in outcome ? outcome.orderIdHint : undefined;
    logger.warn(
      refund ? 'stripe refund event for an unknown payment intent' : 'stripe event for an unknown payment intent',
      {
        paymentIntentId: outcome.intentId,
        ...(!refund && { metadataOrderId: orderIdHint }),
      },
    );
  }

  return { apply };
}

export type PaymentOutcomes = ReturnType<typeof createPaymentOutcomes>;

function factsOf(order: OrderRow): OrderFacts {
  return {
    id: order._id.toHexString(),
    status: order.status,
    amountMinor: order.amountMinor,
    capturedMinor: order.capturedMinor ?? null,
    chargeId: order.chargeId ?? null,
    currency: order.currency,
    refundedMinor: order.refundedMinor ?? 0,
    stock: order.stock,
    refunds: (order.refunds ?? []).map((entry) => ({
      requestId: entry.requestId,
      refundId: entry.refundId ?? null,
      amountMinor: entry.amountMinor,
      status: entry.status,
      settlement: entry.settlement,
      restock: entry.restock ?? false,
      failure: entry.failure ?? null,
    })),
    disputes: (order.disputes ?? []).map((entry) => ({
      disputeId: entry.disputeId,
      chargeId: entry.chargeId ?? null,
      amountMinor: entry.amountMinor,
      currency: entry.currency,
      status: entry.status,
      reason: entry.reason,
      evidenceDueBy: entry.evidenceDueBy ?? null,
      fundsWithdrawnMinor: entry.fundsWithdrawnMinor ?? 0,
      fundsReinstatedMinor: entry.fundsReinstatedMinor ?? 0,
      openedAt: entry.openedAt ?? null,
    })),
  };
}

import { hasOpenDispute, isClosedDispute } from '../lib/disputes';
import { isoTimestamp } from '../lib/iso-time';
import { fromMinorUnits } from '../lib/money';
import { OPEN_STATUSES, PAID_STATUSES } from '../lib/order-state';
import { moneyKept, paidMinorOf, refundLedger } from '../lib/refund-ledger';
import type { CaptureRecord, DisputeRecord, OrderRow, RefundRecord } from '../models/order.model';
import type { OrderView } from '../schemas/order.schemas';

/**
 * The API's picture of an order: decimal amounts like product prices, no internal bookkeeping. Who asked
 * for a refund or a capture, the disputes' details and the money kept are shown to admins only; the buyer
 * sees a disputed payment as under review.
 */
export function toOrderView(order: OrderRow, viewer: { role: string } = { role: 'user' }): OrderView {
  const money = (minor: number) => fromMinorUnits(minor, order.currency);
  const forAdmin = viewer.role === 'admin';
  return {
    id: order._id.toHexString(),
    status: order.status,
    items: order.items.map((line) => ({
      productId: line.productId.toHexString(),
      name: line.name,
      unitPrice: money(line.unitPriceMinor),
      quantity: line.quantity,
      lineTotal: money(line.lineTotalMinor),
    })),
    amount: money(order.amountMinor),
    currency: order.currency,
    paymentIntentId: order.paymentIntentId ?? null,
    refundedAmount: money(refundLedger(order).refundedMinor),
    lastPaymentError: order.lastPaymentError ?? null,
    history: order.history.map((h) => ({
      status: h.status,
      at: isoTimestamp(h.at),
      reason: h.reason,
      ...(h.eventId && { eventId: h.eventId }),
    })),
    refunds: (order.refunds ?? []).map((refund) => toRefundView(refund, money, forAdmin)),
    ...(order.paymentStatus && OPEN_STATUSES.includes(order.status) && { paymentStatus: order.paymentStatus }),
    ...(hasOpenDispute(order.disputes) && { paymentReview: 'disputed' as const }),
    ...(order.capturedMinor != null &&
      PAID_STATUSES.includes(order.status) && { paidAmount: money(paidMinorOf(order)) }),
    ...(order.fulfilment && {
      fulfilment: {
        carrier: order.fulfilment.carrier ?? null,
        trackingNumber: order.fulfilment.trackingNumber ?? null,
        fulfilledAt: isoTimestamp(order.fulfilment.fulfilledAt),
      },
    }),
    expiresAt: isoTimestamp(order.expiresAt),
    createdAt: isoTimestamp(order.createdAt),
    updatedAt: isoTimestamp(order.updatedAt),
    ...(forAdmin && adminFields(order, money)),
  };
}

function adminFields(order: OrderRow, money: (minor: number) => number) {
  const kept = moneyKept(order);
  return {
    chargeId: order.chargeId ?? null,
    capture: order.capture ? toCaptureView(order.capture, money) : null,
    disputes: (order.disputes ?? []).map((dispute) => toDisputeView(dispute, money)),
    money: {
      paid: money(kept.paidMinor),
      refunded: money(kept.refundedMinor),
      disputeWithdrawn: money(kept.disputeWithdrawnMinor),
      disputeReinstated: money(kept.disputeReinstatedMinor),
      kept: money(kept.keptMinor),
    },
  };
}

function toDisputeView(dispute: DisputeRecord, money: (minor: number) => number) {
  return {
    id: dispute.disputeId,
    amount: money(dispute.amountMinor),
    currency: dispute.currency,
    reason: dispute.reason,
    status: dispute.status,
    open: !isClosedDispute(dispute.status),
    evidenceDueBy: dispute.evidenceDueBy ? isoTimestamp(dispute.evidenceDueBy) : null,
    fundsWithdrawn: money(dispute.fundsWithdrawnMinor ?? 0),
    fundsReinstated: money(dispute.fundsReinstatedMinor ?? 0),
    openedAt: dispute.openedAt ? isoTimestamp(dispute.openedAt) : null,
    updatedAt: isoTimestamp(dispute.updatedAt),
  };
}

function toCaptureView(capture: CaptureRecord, money: (minor: number) => number) {
  return {
    amount: money(capture.amountMinor),
    lines: capture.lines
      ? capture.lines.map((line) => ({ productId: line.productId.toHexString(), quantity: line.quantity }))
      : null,
    restockUnshipped: capture.restockUnshipped ?? true,
    status: capture.status,
    failure: capture.failure ?? null,
    requestedAt: isoTimestamp(capture.requestedAt),
    requestedBy: { userId: capture.requestedBy.userId.toHexString(), email: capture.requestedBy.email },
  };
}

function toRefundView(refund: RefundRecord, money: (minor: number) => number, forAdmin: boolean) {
  return {
    id: refund.requestId,
    refundId: refund.refundId ?? null,
    source: refund.source,
    amount: money(refund.amountMinor),
    reason: refund.reason ?? null,
    restock: refund.restock ?? false,
    status: refund.status,
    requestedAt: isoTimestamp(refund.requestedAt),
    ...(forAdmin && {
      requestedBy: refund.requestedBy
        ? { userId: refund.requestedBy.userId.toHexString(), email: refund.requestedBy.email }
        : null,
    }),
  };
}

export type { OrderView };

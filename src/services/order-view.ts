import { isoTimestamp } from '../lib/iso-time';
import { fromMinorUnits } from '../lib/money';
import { refundLedger } from '../lib/refund-ledger';
import type { OrderRow, RefundRecord } from '../models/order.model';
import type { OrderView } from '../schemas/order.schemas';

/**
 * The API's picture of an order: decimal amounts like product prices, no internal bookkeeping. Who asked
 * for a refund (an admin's id and email) is shown to admins only.
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
    history: order.history.map((h) => ({ status: h.status, at: isoTimestamp(h.at), reason: h.reason, ...(h.eventId && { eventId: h.eventId }) })),
    refunds: (order.refunds ?? []).map((refund) => toRefundView(refund, money, forAdmin)),
    expiresAt: isoTimestamp(order.expiresAt),
    createdAt: isoTimestamp(order.createdAt),
    updatedAt: isoTimestamp(order.updatedAt),
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
      requestedBy: refund.requestedBy ? { userId: refund.requestedBy.userId.toHexString(), email: refund.requestedBy.email } : null,
    }),
  };
}

export type { OrderView };

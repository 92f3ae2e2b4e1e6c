import { fromMinorUnits } from '../lib/money';
import type { OrderRow } from '../models/order.model';
import type { OrderView } from '../schemas/order.schemas';

/** The API's picture of an order: decimal amounts like product prices, no internal bookkeeping. */
export function toOrderView(order: OrderRow): OrderView {
  const money = (minor: number) => fromMinorUnits(minor, order.currency);
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
    refundedAmount: money(order.refundedMinor ?? 0),
    lastPaymentError: order.lastPaymentError ?? null,
    history: order.history.map((h) => ({ status: h.status, at: h.at, reason: h.reason, ...(h.eventId && { eventId: h.eventId }) })),
    expiresAt: order.expiresAt,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
  };
}

export type { OrderView };

import type { QueryFilter, Types } from 'mongoose';
import { Conflict, PaymentDeclined, PaymentGatewayError, ValidationError } from '../lib/errors';
import { sourcesOf, type OrderStatus } from '../lib/order-state';
import { restockRequested } from '../lib/refund-ledger';
import { noOrderMails, type OrderMails } from '../mail/order-mails';
import { OrderModel, type Order, type OrderRow } from '../models/order.model';
import { GatewayError, type PaymentGateway } from '../payments/gateway';
import { releaseOpenOrder, unitsOf } from './open-order-limit.service';
import { commitLines, releaseLines, restockLines } from './stock.service';

/**
 * Status changes and what follows them, shared by the customer endpoints, the webhook and the expiry job.
 * Every change is one conditional update: the filter names the statuses the move is allowed from (and,
 * for webhook events, that this event id has not been applied), so concurrent or repeated attempts
 * change the order once.
 */
export async function moveOrder(
  orderId: Types.ObjectId,
  to: OrderStatus,
  entry: { reason: string; at: Date; eventId?: string },
  alsoSet: Partial<Order> = {},
): Promise<boolean> {
  const filter: QueryFilter<Order> = { _id: orderId, status: { $in: sourcesOf(to) } };
  if (entry.eventId) filter['history.eventId'] = { $ne: entry.eventId };
  const result = await OrderModel.updateOne(filter, {
    $set: { ...alsoSet, status: to },
    $push: { history: { status: to, at: entry.at, reason: entry.reason, ...(entry.eventId && { eventId: entry.eventId }) } },
  });
  return result.modifiedCount === 1;
}

/**
 * Brings the products in line with a settled order: a paid (or refunded) order's units stay sold, a
 * canceled order's units go back on sale; either way the order stops counting against its account's
 * open-order cap. A fully refunded order with a restock request then puts its units back on sale.
 * Idempotent, and `stock` is marked last, so the expiry job repeats an interrupted run; callers pass the
 * status a successful move set.
 */
export async function settleStock(
  order: Pick<OrderRow, '_id' | 'userId' | 'items' | 'stock'> & { refunds?: OrderRow['refunds'] },
  status: OrderStatus,
  mails: OrderMails = noOrderMails,
): Promise<void> {
  let stock = order.stock;
  if (stock === 'held') {
    // Recorded before `stock` is marked: a crash in between is repeated by the expiry job with the mail.
    await mails.settled(order, status);
    if (status === 'paid' || status === 'refunded') {
      await commitLines(order._id, order.items);
      await releaseOpenOrder(order.userId, order._id, unitsOf(order.items));
      await OrderModel.updateOne({ _id: order._id, stock: 'held' }, { $set: { stock: 'committed' } });
      stock = 'committed';
    } else if (status === 'canceled') {
      await releaseLines(order._id, order.items);
      await releaseOpenOrder(order.userId, order._id, unitsOf(order.items));
      await OrderModel.updateOne({ _id: order._id, stock: 'held' }, { $set: { stock: 'released' } });
    }
  }
  if (status === 'refunded' && stock === 'committed' && restockRequested(order)) {
    await restockLines(order._id, order.items);
    await OrderModel.updateOne({ _id: order._id, stock: 'committed' }, { $set: { stock: 'restocked' } });
  }
}

export type CancelOutcome = 'canceled' | 'already_paid' | 'not_open';

/**
 * Cancels the PaymentIntent first, then the order, then gives the stock back. Stripe refuses to cancel
 * an intent that has succeeded, so a cancel can never undo a payment: then the order is left for the
 * success webhook. If the process dies after Stripe's cancel, Stripe's payment_intent.canceled event
 * (or the expiry job, which repeats this) finishes the job.
 */
export async function cancelOpenOrder(
  payments: PaymentGateway,
  order: Pick<OrderRow, '_id' | 'userId' | 'items' | 'stock' | 'paymentIntentId'>,
  entry: { reason: string; at: Date },
  mails: OrderMails = noOrderMails,
): Promise<CancelOutcome> {
  if (order.paymentIntentId) {
    const { status } = await payments.cancelPaymentIntent(order.paymentIntentId);
    if (status === 'succeeded') return 'already_paid';
  }
  if (!(await moveOrder(order._id, 'canceled', entry))) return 'not_open';
  await settleStock(order, 'canceled', mails);
  return 'canceled';
}

/**
 * Gateway failures in the error model: declines are 402, refusals 400, outages 502. A decline's details
 * are one entry like every other error's: its message, the issuer's declineCode, and the order and
 * intent it concerns when known.
 */
export function gatewayFailure(error: unknown, context: { orderId?: string; paymentIntentId?: string } = {}): unknown {
  if (!(error instanceof GatewayError)) return error;
  switch (error.kind) {
    case 'declined': {
      const message = error.message || 'Your card was declined';
      const declineCode = error.declineCode ?? error.code ?? 'card_declined';
      return new PaymentDeclined(message, [{ message, declineCode, ...context }], 'CARD_DECLINED');
    }
    case 'invalid_request':
      return new ValidationError(error.message, [{ path: 'payment', message: error.message, code: error.code }], 'PAYMENT_REQUEST_REJECTED');
    case 'unavailable':
      return new PaymentGatewayError();
  }
}

export function notOpen(status: OrderStatus, action: 'paid' | 'canceled'): Conflict {
  return new Conflict(`This order is ${status} and cannot be ${action}`, action === 'paid' ? 'ORDER_NOT_PAYABLE' : 'ORDER_NOT_CANCELABLE');
}

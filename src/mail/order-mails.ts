import type { Types } from 'mongoose';
import type { OrderStatus } from '../lib/order-state';
import type { Outbox } from './outbox';

type OrderRef = { _id: Types.ObjectId; userId: Types.ObjectId };

/**
 * The mails payments cause, each recorded with one outbox call under a key of its cause, so a duplicate
 * webhook, a retry after a crash, the expiry job's reconciliation and a second instance all record the same
 * one mail. Called from the step that settles an order's stock (order-lifecycle.service.ts), which every path
 * to a final status takes and the expiry job repeats after a crash: recorded before the stock is marked
 * settled, so a crash in between is repaired by that repeat.
 */
export interface OrderMails {
  /** The order reached a final status: paid (or refunded before it was settled) or canceled (expired included). */
  settled(order: OrderRef, status: OrderStatus): Promise<void>;
  /** The order's refunded total is now `refundedMinor`: one mail per total reached (a partial refund, then the rest). */
  refunded(order: OrderRef, refundedMinor: number): Promise<void>;
}

export function orderMails(outbox: Outbox): OrderMails {
  return {
    async settled(order, status) {
      const id = order._id.toHexString();
      if (status === 'paid' || status === 'refunded') {
        await outbox.record({ key: `order-paid:${id}`, template: 'order-paid', userId: order.userId, data: { orderId: id } });
      } else if (status === 'canceled') {
        await outbox.record({ key: `order-canceled:${id}`, template: 'order-canceled', userId: order.userId, data: { orderId: id } });
      }
    },
    async refunded(order, refundedMinor) {
      if (refundedMinor <= 0) return;
      const id = order._id.toHexString();
      await outbox.record({
        key: `order-refunded:${id}:${refundedMinor}`,
        template: 'order-refunded',
        userId: order.userId,
        data: { orderId: id, refundedMinor },
      });
    },
  };
}

/** For code run without mail: records nothing. */
export const noOrderMails: OrderMails = { settled: () => Promise.resolve(), refunded: () => Promise.resolve() };

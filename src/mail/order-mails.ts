import type { Types } from 'mongoose';
import type { Outbox } from './outbox';

type OrderRef = { _id: Types.ObjectId; userId: Types.ObjectId };

/**
 * The mails payments cause, each recorded with one outbox call under a key of its cause, so a duplicate
 * webhook, a retry after a crash, the expiry job's repair and a second instance all record the same one mail.
 * - `settled` is called by settleStock (stock-settlement.service.ts), the one step every path to a settled order
 *   takes, before it marks the order's stock: a crash in between is repeated by the expiry job, mail included.
 *   Units sold means the money was taken (a payment succeeded, or an authorization was captured): the "paid"
 *   mail, once per order whatever happens after (fulfilment, refunds). Units released means the order was
 *   canceled (by the buyer, the gateway, or the expiry job): the "canceled" mail, which says which.
 * - `refunded` is called by the payment outcomes where they raise the order's confirmed refunded total.
 */
export interface OrderMails {
  settled(order: OrderRef, units: 'sold' | 'released'): Promise<void>;
  /** The order's confirmed refunded total is now `refundedMinor`: one mail per total reached (a partial refund, then the rest). */
  refunded(order: OrderRef, refundedMinor: number): Promise<void>;
}

export function orderMails(outbox: Outbox): OrderMails {
  return {
    async settled(order, units) {
      const id = order._id.toHexString();
      const template = units === 'sold' ? 'order-paid' : 'order-canceled';
      await outbox.record({ key: `${template}:${id}`, template, userId: order.userId, data: { orderId: id } });
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

import { stockAction } from '../lib/refund-ledger';
import type { OrderStatus } from '../lib/order-state';
import type { OrderMails } from '../mail/order-mails';
import type { OrderRow } from '../models/order.model';
import { releaseOpenOrder, unitsOf } from './open-order-limit.service';
import { markStock } from './order-store';
import { commitLines, releaseLines, restockLines, type SoldLine } from './stock.service';

export type SettlingOrder = Pick<OrderRow, '_id' | 'userId' | 'items' | 'stock'> & {
  refunds?: OrderRow['refunds'];
  capture?: OrderRow['capture'];
};

/**
 * The order's lines as sold: a capture that named the lines shipped sold only those units, and the others go
 * back on sale with the commit unless it said to keep them off sale; otherwise every unit was sold.
 */
export function soldLines(order: SettlingOrder): SoldLine[] {
  const capture = order.capture;
  if (!capture?.lines || capture.status === 'refused') return order.items;
  const shipped = new Map(capture.lines.map((line) => [line.productId.toHexString(), line.quantity]));
  return order.items.map((item) => {
    const sold = Math.min(item.quantity, shipped.get(item.productId.toHexString()) ?? 0);
    const backOnSale = capture.restockUnshipped === false ? 0 : item.quantity - sold;
    return { productId: item.productId, quantity: item.quantity, sold, backOnSale };
  });
}

/**
 * Brings the products in line with a settled order (see stockAction): a paid (or refunded) order's units
 * stay sold, a canceled order's units go back on sale; either way the order stops counting against its
 * account's open-order cap. A fully refunded order with a restock request then puts its units back on sale.
 * Every step is idempotent and the order's `stock` is marked last, so the expiry job repeats an interrupted
 * run; callers pass the status a successful move set (or the order's own).
 *
 * The mail the settlement tells the buyer about (paid, or canceled/expired) is recorded here, first, under a
 * key of its cause: this is the one step every path to a settled order takes (webhook, reconciliation, cancel,
 * expiry), and the expiry job repeats it until `stock` is marked, so a crash before the mark records it then.
 */
export async function settleStock(order: SettlingOrder, status: OrderStatus, mails: OrderMails): Promise<void> {
  let stock = order.stock;
  switch (stockAction({ ...order, status, stock })) {
    case 'commit':
      await mails.settled(order, 'sold');
      await commitLines(order._id, soldLines(order));
      await releaseOpenOrder(order.userId, order._id, unitsOf(order.items));
      await markStock(order._id, 'held', 'committed');
      stock = 'committed';
      break;
    case 'release':
      await mails.settled(order, 'released');
      await releaseLines(order._id, order.items);
      await releaseOpenOrder(order.userId, order._id, unitsOf(order.items));
      await markStock(order._id, 'held', 'released');
      return;
    case 'restock':
    case 'none':
      break;
  }
  // A sold order may be fully refunded already (refunds reported before the success): then its restock follows.
  if (stockAction({ ...order, status, stock }) === 'restock') {
    await restockLines(order._id, soldLines(order));
    await markStock(order._id, 'committed', 'restocked');
  }
}

import { IdempotencyKeyModel } from '../models/idempotency-key.model';
import type { OrderRow } from '../models/order.model';
import { releaseOpenOrder, unitsOf } from './open-order-limit.service';
import { deleteUnplacedOrder } from './order-store';
import { releaseLines } from './stock.service';

/**
 * Takes apart an order whose creation was interrupted (never placed): its reserved units and its open-order
 * count go back, its Idempotency-Keys are forgotten, and the order is deleted last, so a crash half-way
 * leaves it for the next attempt. Each step is idempotent. Only for an order past its creation deadline,
 * which can no longer be placed (order.service attaches the intent only before that deadline).
 */
export async function takeApartInterruptedCreation(order: Pick<OrderRow, '_id' | 'userId' | 'items'>): Promise<void> {
  await releaseLines(order._id, order.items);
  await releaseOpenOrder(order.userId, order._id, unitsOf(order.items));
  await IdempotencyKeyModel.deleteMany({ orderId: order._id });
  await deleteUnplacedOrder(order._id);
}

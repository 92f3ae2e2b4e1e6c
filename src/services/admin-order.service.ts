import { Types, type QueryFilter } from 'mongoose';
import { cutPage, pageFilter, sortFor, type KeysetOrder } from '../lib/keyset';
import { OrderModel, type Order, type OrderRow } from '../models/order.model';
import type { ListAdminOrdersQuery } from '../schemas/admin.schemas';
import { toOrderView } from './order-view';

const NEWEST: KeysetOrder = { name: 'newest', field: 'createdAt', direction: -1, kind: 'date' };
const ADMIN = { role: 'admin' };

/**
 * Every buyer's placed orders for admins, newest first, in keyset pages. Each filter combination has an
 * index of its equality fields then (createdAt, _id) (see order.model.ts): createdFrom/createdTo bound the
 * sort key itself, so every page is one index range scan from the cursor. `disputed=true` has one index of
 * its own, (disputed, createdAt, _id): disputed orders are a small share, so it is combined with the others
 * by reading the disputed ones in order. `placedAt` only drops orders
 * still being created (a handful at any time) after the index has found the page.
 */
export function createAdminOrderService() {
  async function listOrders(query: ListAdminOrdersQuery) {
    const { limit, cursor, ...filters } = query;
    const where: QueryFilter<Order> = {};
    // Disputed orders are few: their index (disputed, createdAt, _id) finds them, other filters are applied to what it finds.
    if (filters.disputed) where.disputed = true;
    if (filters.userId) where.userId = new Types.ObjectId(filters.userId);
    if (filters.status) where.status = filters.status;
    if (filters.createdFrom || filters.createdTo) {
      where.createdAt = {
        ...(filters.createdFrom && { $gte: filters.createdFrom }),
        ...(filters.createdTo && { $lte: filters.createdTo }),
      };
    }
    where.placedAt = { $ne: null };
    const rows = (await OrderModel.find(pageFilter(NEWEST, filters, where, cursor))
      .sort(sortFor(NEWEST))
      .limit(limit + 1)
      .lean()) as OrderRow[];
    const { page, nextCursor } = cutPage(NEWEST, filters, rows, limit);
    return {
      orders: page.map((order) => ({ ...toOrderView(order, ADMIN), userId: order.userId.toHexString() })),
      nextCursor,
    };
  }

  return { listOrders };
}

export type AdminOrderService = ReturnType<typeof createAdminOrderService>;

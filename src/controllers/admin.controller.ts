import type { Request, Response } from 'express';
import type { z } from 'zod';
import { parsedRequest } from '../middleware/validate';
import { listAdminOrdersRequest, type adminOrderListResponse } from '../schemas/admin.schemas';
import type { AdminOrderService } from '../services/admin-order.service';

export function createAdminController(orders: AdminOrderService) {
  return {
    listOrders: async (_req: Request, res: Response) => {
      const { query } = parsedRequest(res, listAdminOrdersRequest);
      const page = await orders.listOrders(query);
      res.json({ message: 'Order list', data: page.orders, pagination: { limit: query.limit, nextCursor: page.nextCursor } } satisfies z.infer<
        typeof adminOrderListResponse
      >);
    },
  };
}

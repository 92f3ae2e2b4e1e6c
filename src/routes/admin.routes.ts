import { Router, type RequestHandler } from 'express';
import { createAdminController } from '../controllers/admin.controller';
import { requireRole } from '../middleware/authenticate';
import { validate } from '../middleware/validate';
import { listAdminOrdersRequest } from '../schemas/admin.schemas';
import type { AdminOrderService } from '../services/admin-order.service';

/** Admins only: the token (401) and the role (403) are checked before the query is read. Entered only under /api/admin. */
export function adminRoutes(orders: AdminOrderService, authenticate: RequestHandler) {
  const controller = createAdminController(orders);
  const router = Router();
  router.use(authenticate, requireRole('admin'));
  router.get('/api/admin/orders', validate(listAdminOrdersRequest), controller.listOrders);
  return router;
}

import { Router, type RequestHandler } from 'express';
import { createAdminController } from '../controllers/admin.controller';
import { requireRole } from '../middleware/authenticate';
import { validate } from '../middleware/validate';
import { listAdminOrdersRequest, listAdminUsersRequest, listAuditRequest, updateAdminUserRequest } from '../schemas/admin.schemas';
import type { AdminOrderService } from '../services/admin-order.service';
import type { AdminUserService } from '../services/admin-user.service';

/** Admins only: the token (401) and the role (403) are checked before the query is read. Entered only under /api/admin. */
export function adminRoutes(orders: AdminOrderService, users: AdminUserService, authenticate: RequestHandler) {
  const controller = createAdminController(orders, users);
  const router = Router();
  router.use(authenticate, requireRole('admin'));
  router.get('/api/admin/orders', validate(listAdminOrdersRequest), controller.listOrders);
  router.get('/api/admin/users', validate(listAdminUsersRequest), controller.listUsers);
  router.patch('/api/admin/users/:id', validate(updateAdminUserRequest), controller.updateUser);
  router.get('/api/admin/audit', validate(listAuditRequest), controller.listAudit);
  return router;
}

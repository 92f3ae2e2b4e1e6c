import type { Request, Response } from 'express';
import type { z } from 'zod';
import { currentUser } from '../middleware/authenticate';
import { requestIdOf } from '../middleware/request-context';
import { parsedRequest } from '../middleware/validate';
import {
  listAdminOrdersRequest,
  listAdminUsersRequest,
  listAuditRequest,
  updateAdminUserRequest,
  type adminOrderListResponse,
  type adminUserListResponse,
  type adminUserUpdatedResponse,
  type auditListResponse,
} from '../schemas/admin.schemas';
import type { AdminOrderService } from '../services/admin-order.service';
import type { AdminUserService } from '../services/admin-user.service';

export function createAdminController(orders: AdminOrderService, users: AdminUserService) {
  return {
    listOrders: async (_req: Request, res: Response) => {
      const { query } = parsedRequest(res, listAdminOrdersRequest);
      const page = await orders.listOrders(query);
      res.json({
        message: 'Order list',
        data: page.orders,
        pagination: { limit: query.limit, nextCursor: page.nextCursor },
      } satisfies z.infer<typeof adminOrderListResponse>);
    },

    listUsers: async (_req: Request, res: Response) => {
      const { query } = parsedRequest(res, listAdminUsersRequest);
      const page = await users.listUsers(query);
      res.json({
        message: 'User list',
        data: page.users,
        pagination: { limit: query.limit, nextCursor: page.nextCursor },
      } satisfies z.infer<typeof adminUserListResponse>);
    },

    updateUser: async (req: Request, res: Response) => {
      const { params, body } = parsedRequest(res, updateAdminUserRequest);
      const admin = currentUser(res);
      const data = await users.updateUser({ id: admin.id, email: admin.email }, params.id, body, requestIdOf(req));
      res.json({ message: 'User updated', data } satisfies z.infer<typeof adminUserUpdatedResponse>);
    },

    listAudit: async (_req: Request, res: Response) => {
      const { query } = parsedRequest(res, listAuditRequest);
      const page = await users.listAudit(query);
      res.json({
        message: 'Audit trail',
        data: page.entries,
        pagination: { limit: query.limit, nextCursor: page.nextCursor },
      } satisfies z.infer<typeof auditListResponse>);
    },
  };
}

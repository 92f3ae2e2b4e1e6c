import { adminOrderListResponse, listAdminOrdersRequest } from '../schemas/admin.schemas';
import { exampleRefundedOrder, exampleUser } from '../openapi/examples';
import type { ApiOperation } from './operation';

export const adminRoutes: ApiOperation[] = [
  {
    method: 'get',
    path: '/api/admin/orders',
    operationId: 'listAdminOrders',
    handler: (c) => c.admin.listOrders,
    tag: 'Admin',
    summary: "Every buyer's orders, newest first, in keyset pages (admin)",
    description:
      'Each order carries its buyer (`userId`), and what an admin sees of it: its disputes, capture and the money kept. Filters combine; ' +
      'each has an index that fits it. A bare date in createdFrom/createdTo means that whole UTC day; a date-time needs its zone. ' +
      '`disputed=true` lists orders whose payment was disputed. Unknown or repeated parameters are a 400.',
    access: 'admin',
    request: listAdminOrdersRequest,
    parameterDescriptions: {
      limit: 'Page size, 1-100 (default 20)',
      cursor: "The previous page's pagination.nextCursor, with the same filters",
      status: 'Only orders in this status',
      userId: "Only this buyer's orders",
      createdFrom: 'Only orders created at or after this (2026-01-15 or 2026-01-15T10:30:00Z)',
      createdTo: 'Only orders created at or before this (a bare date includes that whole day)',
      disputed: 'true: only orders whose payment was disputed (open or closed; each order shows its disputes)',
    },
    errors: ['INVALID_CURSOR'],
    responses: {
      200: {
        description: 'One page',
        schema: adminOrderListResponse,
        example: { message: 'Order list', data: [{ ...exampleRefundedOrder, userId: exampleUser.id }], pagination: { limit: 20, nextCursor: null } },
      },
    },
  },
];

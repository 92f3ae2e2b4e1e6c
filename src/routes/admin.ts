import {
  adminOrderListResponse,
  adminUserListResponse,
  adminUserUpdatedResponse,
  auditListResponse,
  listAdminOrdersRequest,
  listAdminUsersRequest,
  listAuditRequest,
  updateAdminUserRequest,
} from '../schemas/admin.schemas';
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
        example: {
          message: 'Order list',
          data: [{ ...exampleRefundedOrder, userId: exampleUser.id }],
          pagination: { limit: 20, nextCursor: null },
        },
      },
    },
  },
  {
    method: 'get',
    path: '/api/admin/users',
    operationId: 'listAdminUsers',
    handler: (c) => c.admin.listUsers,
    tag: 'Admin',
    summary: 'Accounts in email order, in keyset pages (admin)',
    description:
      'Filters combine; each combination is one index range read from the cursor on (never skipped through). `email` matches the start ' +
      'of the address (lower-cased). Unknown or repeated parameters are a 400.',
    access: 'admin',
    request: listAdminUsersRequest,
    parameterDescriptions: {
      limit: 'Page size, 1-100 (default 20)',
      cursor: "The previous page's pagination.nextCursor, with the same filters",
      role: 'Only accounts with this role',
      disabled: 'Only disabled (true) or enabled (false) accounts',
      email: 'Only addresses starting with this',
    },
    errors: ['INVALID_CURSOR'],
    responses: {
      200: {
        description: 'One page',
        schema: adminUserListResponse,
        example: {
          message: 'User list',
          data: [
            {
              ...exampleUser,
              disabled: false,
              emailVerified: true,
              activeSessions: 2,
              createdAt: '2026-01-15T10:30:00.000Z',
            },
          ],
          pagination: { limit: 20, nextCursor: null },
        },
      },
    },
  },
  {
    method: 'patch',
    path: '/api/admin/users/{id}',
    operationId: 'updateAdminUser',
    handler: (c) => c.admin.updateUser,
    tag: 'Admin',
    summary: "Change an account's role or disabled flag (admin)",
    description:
      "Applies on the account's very next request: a promotion with the token it already has; a demotion or a disable ends every session " +
      'of the account at once, and a disabled account cannot log in. The last active admin cannot be demoted or disabled (409 `LAST_ADMIN`), ' +
      'also when two admins change each other at the same moment. Each change is kept in the audit trail (GET /api/admin/audit); a request ' +
      'that changes nothing records nothing.',
    access: 'admin',
    request: updateAdminUserRequest,
    parameterDescriptions: { id: "The account's id" },
    requestExample: { disabled: true },
    errors: ['USER_NOT_FOUND', 'LAST_ADMIN', 'ADMIN_CHANGE_BUSY'],
    responses: {
      200: {
        description: 'The account as it now is',
        schema: adminUserUpdatedResponse,
        example: {
          message: 'User updated',
          data: {
            ...exampleUser,
            disabled: true,
            emailVerified: true,
            activeSessions: 0,
            createdAt: '2026-01-15T10:30:00.000Z',
          },
        },
      },
    },
  },
  {
    method: 'get',
    path: '/api/admin/audit',
    operationId: 'listAudit',
    handler: (c) => c.admin.listAudit,
    tag: 'Admin',
    summary: 'The audit trail of admin changes to accounts, newest first, in keyset pages (admin)',
    access: 'admin',
    request: listAuditRequest,
    parameterDescriptions: {
      limit: 'Page size, 1-100 (default 20)',
      cursor: "The previous page's pagination.nextCursor, with the same filter",
      targetId: 'Only changes to this account',
      actorId: 'Only changes made by this admin',
    },
    errors: ['INVALID_CURSOR'],
    responses: {
      200: {
        description: 'One page',
        schema: auditListResponse,
        example: {
          message: 'Audit trail',
          data: [
            {
              id: '665f2a118b3a4d0012ab3501',
              at: '2026-01-16T09:00:00.000Z',
              action: 'user.updated',
              actor: { id: '665f1b008b3a4d0012ab34c0', email: 'admin@example.com' },
              target: { id: exampleUser.id, email: exampleUser.email },
              changes: { disabled: { from: false, to: true } },
              requestId: '3b241101-e2bb-4255-8caf-4136c566a962',
            },
          ],
          pagination: { limit: 20, nextCursor: null },
        },
      },
    },
  },
];

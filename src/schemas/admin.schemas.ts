import { z } from 'zod';
import { ORDER_STATUSES } from '../lib/order-state';
import { ROLES } from '../models/user.model';
import { idParams, idString, objectId, pageCursor, pageLimit, pagination, timestamp } from './common.schemas';
import { orderView } from './order.schemas';

const DATE_MESSAGE = 'Must be an ISO 8601 date (2026-01-15) or date-time with a zone (2026-01-15T10:30:00Z)';
const isoDay = z.iso.date();
const isoInstant = z.iso.datetime({ offset: true });

/** The text of a createdFrom / createdTo bound: an ISO 8601 date, or a date-time with its zone (the OpenAPI document says which formats). */
export const createdBoundText = z
  .string(DATE_MESSAGE)
  .max(40, { error: DATE_MESSAGE, abort: true })
  .refine((text) => isoDay.safeParse(text).success || isoInstant.safeParse(text).success, {
    error: DATE_MESSAGE,
    abort: true,
  });
export const createdBoundFormats = [isoDay, isoInstant] as const;

/**
 * An inclusive bound on createdAt. A bare date means that whole day in UTC: `createdFrom=2026-01-15` starts
 * at its first millisecond, `createdTo=2026-01-15` ends at its last. A date-time needs its zone (Z or +02:00).
 */
function createdBound(edge: 'from' | 'to') {
  return createdBoundText
    .transform((text) =>
      isoDay.safeParse(text).success
        ? new Date(`${text}T${edge === 'from' ? '00:00:00.000' : '23:59:59.999'}Z`)
        : new Date(text),
    )
    .optional();
}

// Strict like the other lists: an unknown, misspelt or repeated parameter (which arrives as an array) is a 400.
export const listAdminOrdersRequest = {
  query: z
    .object({
      limit: pageLimit,
      cursor: pageCursor,
      status: z.enum(ORDER_STATUSES, `Must be one of ${ORDER_STATUSES.join(', ')}`).optional(),
      userId: objectId.transform((id) => id.toLowerCase()).optional(),
      createdFrom: createdBound('from'),
      createdTo: createdBound('to'),
      // Only `true`: disputed orders are few and have an index of their own; "not disputed" is every other order.
      disputed: z.literal('true', 'Must be true (only orders whose payment was disputed)').optional(),
    })
    .strict()
    .refine((q) => q.createdFrom === undefined || q.createdTo === undefined || q.createdFrom <= q.createdTo, {
      message: 'createdFrom must not be later than createdTo',
      path: ['createdFrom'],
    }),
};

export type ListAdminOrdersQuery = z.output<typeof listAdminOrdersRequest.query>;

// ---- Responses (for the OpenAPI document) ----

/** What the admin list adds to each order view: whose order it is. Compose as orderView.extend(adminOrderFields.shape). */
export const adminOrderFields = z.object({
  userId: z
    .string()
    .regex(/^[a-f\d]{24}$/)
    .meta({ description: 'The buyer' }),
});

export const adminOrderView = orderView.extend(adminOrderFields.shape).meta({ id: 'AdminOrder' });
export const adminOrderListResponse = z.object({
  message: z.literal('Order list'),
  data: z.array(adminOrderView),
  pagination,
});

// ---- Accounts ----

const BOOLEAN_MESSAGE = 'Must be true or false';

export const listAdminUsersRequest = {
  query: z
    .object({
      limit: pageLimit,
      cursor: pageCursor,
      role: z.enum(ROLES, `Must be one of ${ROLES.join(', ')}`).optional(),
      disabled: z
        .enum(['true', 'false'], BOOLEAN_MESSAGE)
        .transform((value) => value === 'true')
        .optional(),
      email: z
        .string('Must be the start of an email address, 1-254 characters')
        .trim()
        .toLowerCase()
        .min(1, 'Must be the start of an email address, 1-254 characters')
        .max(254, 'Must be the start of an email address, 1-254 characters')
        .optional(),
    })
    .strict(),
};
export type ListAdminUsersQuery = z.output<typeof listAdminUsersRequest.query>;

export const updateAdminUserRequest = {
  params: idParams,
  body: z
    .object({
      role: z.enum(ROLES, `Must be one of ${ROLES.join(', ')}`).optional(),
      disabled: z.boolean(BOOLEAN_MESSAGE).optional(),
    })
    .strict()
    .refine((body) => body.role !== undefined || body.disabled !== undefined, {
      message: 'Give role, disabled, or both',
    }),
};
export type AdminUserChanges = z.output<typeof updateAdminUserRequest.body>;

export const listAuditRequest = {
  query: z
    .object({
      limit: pageLimit,
      cursor: pageCursor,
      targetId: objectId.transform((id) => id.toLowerCase()).optional(),
      actorId: objectId.transform((id) => id.toLowerCase()).optional(),
    })
    .strict()
    .refine((q) => q.targetId === undefined || q.actorId === undefined, {
      message: 'Filter by targetId or by actorId, not both',
      path: ['actorId'],
    }),
};
export type ListAuditQuery = z.output<typeof listAuditRequest.query>;

export const adminUserView = z
  .object({
    id: idString,
    name: z.string(),
    email: z.string(),
    role: z.enum(ROLES),
    disabled: z.boolean(),
    emailVerified: z.boolean(),
    activeSessions: z.number().int().meta({
      description: 'Sessions not ended (logins not logged out, revoked or evicted; their tokens may have expired)',
    }),
    createdAt: timestamp,
  })
  .meta({ id: 'AdminUser' });

export const adminUserListResponse = z.object({
  message: z.literal('User list'),
  data: z.array(adminUserView),
  pagination,
});
export const adminUserUpdatedResponse = z.object({ message: z.literal('User updated'), data: adminUserView });

const person = z.object({ id: idString, email: z.string() });
const change = <T extends z.ZodType>(type: T) => z.object({ from: type, to: type });
export const auditEntryView = z
  .object({
    id: idString,
    at: timestamp,
    action: z.literal('user.updated'),
    actor: person.meta({ description: 'The admin who made the change' }),
    target: person.meta({ description: 'The account changed' }),
    changes: z.object({ role: change(z.enum(ROLES)).optional(), disabled: change(z.boolean()).optional() }),
    requestId: z
      .string()
      .nullable()
      .meta({ description: 'The X-Request-Id of the request that made it: search the logs for it' }),
  })
  .meta({ id: 'AuditEntry' });
export const auditListResponse = z.object({
  message: z.literal('Audit trail'),
  data: z.array(auditEntryView),
  pagination,
});

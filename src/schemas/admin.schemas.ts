import { z } from 'zod';
import { ORDER_STATUSES } from '../lib/order-state';
import { objectId, pageCursor, pageLimit, pagination } from './common.schemas';
import { orderView } from './order.schemas';

const DATE_MESSAGE = 'Must be an ISO 8601 date (2026-01-15) or date-time with a zone (2026-01-15T10:30:00Z)';
const isoDay = z.iso.date();
const isoInstant = z.iso.datetime({ offset: true });

/** The text of a createdFrom / createdTo bound: an ISO 8601 date, or a date-time with its zone (the OpenAPI document says which formats). */
export const createdBoundText = z
  .string(DATE_MESSAGE)
  .max(40, { error: DATE_MESSAGE, abort: true })
  .refine((text) => isoDay.safeParse(text).success || isoInstant.safeParse(text).success, { error: DATE_MESSAGE, abort: true });
export const createdBoundFormats = [isoDay, isoInstant] as const;

/**
 * An inclusive bound on createdAt. A bare date means that whole day in UTC: `createdFrom=2026-01-15` starts
 * at its first millisecond, `createdTo=2026-01-15` ends at its last. A date-time needs its zone (Z or +02:00).
 */
function createdBound(edge: 'from' | 'to') {
  return createdBoundText
    .transform((text) =>
      isoDay.safeParse(text).success ? new Date(`${text}T${edge === 'from' ? '00:00:00.000' : '23:59:59.999'}Z`) : new Date(text),
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
export const adminOrderListResponse = z.object({ message: z.literal('Order list'), data: z.array(adminOrderView), pagination });

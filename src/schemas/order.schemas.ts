import { z } from 'zod';
import { ORDER_STATUSES } from '../lib/order-state';
import { idParams, objectId, pageCursor, pageLimit } from './common.schemas';

export const ORDER_MAX_LINES = 50;
export const ORDER_MAX_QUANTITY = 1000;

const quantity = z.number('Must be a number').int('Must be a whole number').min(1).max(ORDER_MAX_QUANTITY);

export const createOrderRequest = {
  body: z.object({
    items: z
      .array(z.object({ productId: objectId.transform((id) => id.toLowerCase()), quantity }), 'Must be a list of { productId, quantity }')
      .min(1, 'An order needs at least one item')
      .max(ORDER_MAX_LINES, `An order can have at most ${ORDER_MAX_LINES} items`),
  }),
  headers: z.object({
    // Same key + same user + same body: the first response again. Printable ASCII, as Stripe accepts.
    'idempotency-key': z
      .string()
      .regex(/^[\x21-\x7e]{1,255}$/, 'Idempotency-Key must be 1-255 printable ASCII characters')
      .optional(),
  }),
};

export const listOrdersRequest = {
  query: z
    .object({ limit: pageLimit, cursor: pageCursor, status: z.enum(ORDER_STATUSES).optional() })
    .strict(),
};

export const orderIdRequest = { params: idParams };

export const payOrderRequest = {
  params: idParams,
  body: z.object({
    paymentMethod: z
      .string('Must be a payment method id such as pm_card_visa')
      .regex(/^pm_\w{1,100}$/, 'Must be a payment method id such as pm_card_visa'),
  }),
};

export type CreateOrderInput = z.output<typeof createOrderRequest.body>;
export type ListOrdersQuery = z.output<typeof listOrdersRequest.query>;

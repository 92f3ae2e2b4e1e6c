import { z } from 'zod';
import { ORDER_STATUSES } from '../lib/order-state';
import { idParams, objectId, pageCursor, pageLimit, wholeNumber } from './common.schemas';

export const ORDER_MAX_LINES = 50;
export const ORDER_MAX_QUANTITY = 1000;

const quantity = wholeNumber(1, ORDER_MAX_QUANTITY);
const ITEMS_MESSAGE = `Must be a list of 1 to ${ORDER_MAX_LINES} items { productId, quantity }`;

export const createOrderRequest = {
  body: z.object({
    items: z
      .array(z.object({ productId: objectId.transform((id) => id.toLowerCase()), quantity }, 'Must be an item { productId, quantity }'), ITEMS_MESSAGE)
      .min(1, ITEMS_MESSAGE)
      .max(ORDER_MAX_LINES, ITEMS_MESSAGE),
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
    .object({ limit: pageLimit, cursor: pageCursor, status: z.enum(ORDER_STATUSES, `Must be one of ${ORDER_STATUSES.join(', ')}`).optional() })
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

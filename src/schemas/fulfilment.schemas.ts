import { z } from 'zod';
import { idParams, objectId, requiredOr, wholeNumber } from './common.schemas';
import { ORDER_MAX_LINES, ORDER_MAX_QUANTITY, orderView } from './order.schemas';

const AMOUNT_MESSAGE = 'Must be a number greater than 0, in major units of the order currency like prices (12.5)';
const idempotencyKey = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, 'Idempotency-Key must be 1-255 printable ASCII characters')
  .optional();

const LINES_MESSAGE = `Must be a list of 1 to ${ORDER_MAX_LINES} lines { productId, quantity }, each product once`;

/**
 * Capture all of an authorized payment (no body), or less: `amount`, and/or `lines` (the units shipped:
 * their total is captured unless `amount` says otherwise). Units not shipped go back on sale unless
 * `restockUnshipped` is false. Strict, as money moves on it: a misspelt field is a 400, never a full capture.
 */
export const captureOrderRequest = {
  params: idParams,
  body: z
    .object({
      amount: z
        .number({ error: requiredOr(AMOUNT_MESSAGE) })
        .positive(AMOUNT_MESSAGE)
        .optional(),
      lines: z
        .array(
          z
            .object({
              productId: objectId.transform((id) => id.toLowerCase()),
              quantity: wholeNumber(0, ORDER_MAX_QUANTITY),
            })
            .strict(),
          LINES_MESSAGE,
        )
        .min(1, LINES_MESSAGE)
        .max(ORDER_MAX_LINES, LINES_MESSAGE)
        .refine((lines) => new Set(lines.map((line) => line.productId)).size === lines.length, LINES_MESSAGE)
        .refine((lines) => lines.some((line) => line.quantity > 0), 'At least one unit must be shipped')
        .optional(),
      restockUnshipped: z.boolean('Must be true or false').default(true),
    })
    .strict(),
  headers: z.object({ 'idempotency-key': idempotencyKey }),
};
export type CaptureOrderInput = z.output<typeof captureOrderRequest.body>;

export const voidOrderRequest = { params: idParams };

const trackingText = (max: number) =>
  z
    .string(`Must be text of 1 to ${max} characters`)
    .trim()
    .min(1, `Must be text of 1 to ${max} characters`)
    .max(max, `Must be text of 1 to ${max} characters`)
    .optional();

/** Both optional: a shipment without tracking is still shipped; fulfilling again later can add them. */
export const fulfilOrderRequest = {
  params: idParams,
  body: z.object({ carrier: trackingText(100), trackingNumber: trackingText(100) }).strict(),
};
export type FulfilOrderInput = z.output<typeof fulfilOrderRequest.body>;

export const orderCapturedResponse = z.object({ message: z.literal('Payment captured'), data: orderView });
export const orderVoidedResponse = z.object({ message: z.literal('Authorization voided'), data: orderView });
export const orderFulfilledResponse = z.object({ message: z.literal('Order fulfilled'), data: orderView });

import { z } from 'zod';
import { ERROR_CODE_NAMES, ERROR_CODES, type ErrorCode } from '../lib/error-codes';
import type { ErrorDetail } from '../lib/errors';

/** The machine-readable `code` of an error body. */
export const errorCode = z.enum(ERROR_CODE_NAMES).meta({
  id: 'ErrorCode',
  description: Object.entries(ERROR_CODES)
    .map(([code, { status, meaning }]) => `- \`${code}\` (${status}): ${meaning}`)
    .join('\n'),
});

/**
 * One entry of `details`, the same for every code. Loose: codes add fields of their own, listed here
 * as optional so clients know their names.
 */
export const errorDetail = z
  .looseObject({
    message: z.string().meta({ description: 'What is wrong, for a person' }),
    path: z.string().optional().meta({
      description: 'The request field concerned, dotted (`items.0.quantity`); absent when none is',
      example: 'price',
    }),
    productId: z.string().optional().meta({ description: 'OUT_OF_STOCK: the product short of stock' }),
    requested: z
      .number()
      .int()
      .optional()
      .meta({ description: 'OUT_OF_STOCK, STOCK_BUSY, OPEN_ORDER_LIMIT: units (or orders) asked for' }),
    available: z
      .number()
      .int()
      .optional()
      .meta({ description: 'OUT_OF_STOCK: units that could be ordered at that moment' }),
    heldByOrdersInProgress: z
      .number()
      .int()
      .optional()
      .meta({ description: 'STOCK_BUSY: units held by orders still being placed' }),
    limit: z.enum(['openOrders', 'openUnits']).optional().meta({ description: 'OPEN_ORDER_LIMIT: which cap' }),
    max: z.number().int().optional().meta({ description: 'OPEN_ORDER_LIMIT: the cap' }),
    open: z.number().int().optional().meta({ description: 'OPEN_ORDER_LIMIT: what the account holds now' }),
    declineCode: z
      .string()
      .optional()
      .meta({ description: "CARD_DECLINED: the issuer's reason (generic_decline, insufficient_funds, ...)" }),
    orderId: z.string().optional().meta({ description: 'CARD_DECLINED, PAYMENT_GATEWAY_ERROR: the order concerned' }),
    paymentIntentId: z.string().optional().meta({ description: 'CARD_DECLINED: its PaymentIntent' }),
    code: z
      .string()
      .optional()
      .meta({ description: "PAYMENT_REQUEST_REJECTED, REFUND_REFUSED: the provider's error code" }),
    remaining: z
      .number()
      .optional()
      .meta({ description: 'REFUND_EXCEEDS_REMAINDER: what is left to refund, in major units' }),
    refundRequestId: z.string().optional().meta({
      description:
        'PAYMENT_GATEWAY_ERROR on a refund: the kept request, sent again on a retry with the same Idempotency-Key',
    }),
  })
  .meta({ id: 'ErrorDetail' });

/**
 * The one error body. Loose so fields added later (a request id, ...) do not contradict it; `details`
 * is always an array of ErrorDetail when present.
 */
export function errorBodyWith(codes: readonly [ErrorCode, ...ErrorCode[]] = ERROR_CODE_NAMES) {
  return z.looseObject({
    message: z.string(),
    code: codes === ERROR_CODE_NAMES ? errorCode : z.enum(codes),
    details: z
      .array(errorDetail)
      .optional()
      .meta({ description: 'Only where there is something to list: one entry per problem' }),
    requestId: z.string().optional().meta({
      description: "The request's X-Request-Id, to quote when reporting a problem: it finds the request's log lines",
      example: 'b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    }),
  });
}

export const errorBody = errorBodyWith().meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof errorBody>;

// The error model's ErrorDetail and this schema describe the same thing: keep them assignable both ways.
type Assignable<A, B> = [A] extends [B] ? true : false;
const detailTypesAgree: [
  Assignable<ErrorDetail, z.infer<typeof errorDetail>>,
  Assignable<z.infer<typeof errorDetail>, ErrorDetail>,
] = [true, true];
void detailTypesAgree;

import { z } from 'zod';
import { REFUND_REQUEST_STATUSES } from '../lib/refund-ledger';
import { REFUND_REASONS, REFUND_STATUSES } from '../payments/gateway';
import { idParams, requiredOr, timestamp } from './common.schemas';

// Decimal like prices (12.5); the digits the order's currency allows and what is left to refund are
// checked by the refund service, which knows the order.
const AMOUNT_MESSAGE = 'Must be a number greater than 0, in major units of the order currency like prices (12.5)';
const REASON_MESSAGE = `Must be one of ${REFUND_REASONS.join(', ')}`;

export const refundOrderRequest = {
  params: idParams,
  // Strict: money moves on this body, so a misspelt field (`amout`) is a 400, never a full refund.
  body: z
    .object({
      amount: z
        .number({ error: requiredOr(AMOUNT_MESSAGE) })
        .positive(AMOUNT_MESSAGE)
        .optional(),
      reason: z.enum(REFUND_REASONS, REASON_MESSAGE).optional(),
      restock: z.boolean('Must be true or false').default(false),
    })
    .strict(),
  headers: z.object({
    // Same admin + same order + same key + same body: the same refund again.
    'idempotency-key': z
      .string()
      .regex(/^[\x21-\x7e]{1,255}$/, 'Idempotency-Key must be 1-255 printable ASCII characters')
      .optional(),
  }),
};

export type RefundOrderInput = z.output<typeof refundOrderRequest.body>;

// ---- Responses (for the OpenAPI document) ----

const money = z.number().meta({ description: 'In major units of the order currency, like prices' });

export const refundRequestedResponse = z.object({
  message: z.literal('Refund requested'),
  data: z.object({
    orderId: z.string(),
    refundId: z.string().meta({ description: "The gateway's refund id", example: 're_3Nv1aB2eZvKYlo2C0abc1234' }),
    amount: money,
    currency: z.string().regex(/^[A-Z]{3}$/),
    status: z
      .enum(REFUND_STATUSES)
      .meta({ description: 'As the gateway reports it; the order changes only when its events confirm the refund' }),
  }),
});

/** One entry of an order's `refunds` (the order view). `requestedBy` is shown to admins only. */
export const refundView = z
  .object({
    id: z.string().meta({ description: 'Our id for the request (also in the refund metadata as refundRequestId)' }),
    refundId: z.string().nullable().meta({ description: "The gateway's refund id; null until it has answered" }),
    source: z.enum(['admin', 'external']).meta({
      description: 'Asked for through this API, or made elsewhere (Stripe dashboard) and learnt from its events',
    }),
    amount: money,
    reason: z.enum(REFUND_REASONS).nullable(),
    restock: z.boolean(),
    status: z
      .enum(REFUND_REQUEST_STATUSES)
      .meta({ description: '`requested` until the gateway answers, then its status; `refused` when it refused' }),
    requestedAt: timestamp,
    requestedBy: z.object({ userId: z.string(), email: z.string() }).nullable().optional(),
  })
  .meta({ id: 'Refund' });

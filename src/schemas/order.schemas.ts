import { z } from 'zod';
import { ORDER_STATUSES } from '../lib/order-state';
import { refundView } from './refund.schemas';
import { PAYMENT_INTENT_STATUSES } from '../payments/gateway';
import {
  idParams,
  idString,
  objectId,
  pageCursor,
  pageLimit,
  pagination,
  timestamp,
  wholeNumber,
} from './common.schemas';

export const ORDER_MAX_LINES = 50;
export const ORDER_MAX_QUANTITY = 1000;

const quantity = wholeNumber(1, ORDER_MAX_QUANTITY);
const ITEMS_MESSAGE = `Must be a list of 1 to ${ORDER_MAX_LINES} items { productId, quantity }`;

export const createOrderRequest = {
  body: z.object({
    items: z
      .array(
        z.object(
          { productId: objectId.transform((id) => id.toLowerCase()), quantity },
          'Must be an item { productId, quantity }',
        ),
        ITEMS_MESSAGE,
      )
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
    .object({
      limit: pageLimit,
      cursor: pageCursor,
      status: z.enum(ORDER_STATUSES, `Must be one of ${ORDER_STATUSES.join(', ')}`).optional(),
    })
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

export const answerAuthenticationRequest = {
  params: idParams,
  body: z.object({
    outcome: z.enum(['complete', 'fail'], 'Must be complete or fail'),
  }),
};

export type CreateOrderInput = z.output<typeof createOrderRequest.body>;
export type ListOrdersQuery = z.output<typeof listOrdersRequest.query>;

// ---- Responses ----

const money = z.number().meta({ description: 'In major units of the order currency, like product prices' });

export const orderLineView = z
  .object({
    productId: idString,
    name: z.string().meta({ description: 'The product name when ordered' }),
    unitPrice: money,
    quantity: z.number().int().min(1),
    lineTotal: money,
  })
  .meta({ id: 'OrderLine' });

const disputeView = z
  .object({
    id: z.string().meta({ description: "The gateway's dispute id", example: 'dp_1Pgc71B7WZ01zgkWMevJiAUx' }),
    amount: money,
    currency: z.string().regex(/^[A-Z]{3}$/),
    reason: z
      .string()
      .meta({ description: "The cardholder's reason as the gateway reports it", example: 'fraudulent' }),
    status: z.string().meta({
      description:
        'As the gateway reports it: warning_needs_response, warning_under_review, needs_response, under_review (open); won, lost, warning_closed, prevented (closed)',
      example: 'needs_response',
    }),
    open: z.boolean(),
    evidenceDueBy: timestamp.nullable().meta({ description: 'Evidence must reach the gateway by then' }),
    fundsWithdrawn: money.meta({ description: 'The disputed amount taken from the account (0 until it is)' }),
    fundsReinstated: money.meta({ description: 'Given back when the dispute was won' }),
    openedAt: timestamp.nullable(),
    updatedAt: timestamp,
  })
  .meta({ id: 'Dispute' });

const captureView = z
  .object({
    amount: money.meta({ description: 'What the capture takes (all of the authorization, or less)' }),
    lines: z
      .array(z.object({ productId: idString, quantity: z.number().int().min(0) }))
      .nullable()
      .meta({ description: 'The units shipped per product, when the capture named them' }),
    restockUnshipped: z.boolean(),
    status: z.enum(['requested', 'succeeded', 'refused']),
    failure: z.string().nullable(),
    requestedAt: timestamp,
    requestedBy: z.object({ userId: z.string(), email: z.string() }),
  })
  .meta({ id: 'Capture' });

/** What the shop still has of the order's money (admins only). */
const moneyView = z
  .object({
    paid: money.meta({ description: 'Taken from the customer (0 until captured)' }),
    refunded: money,
    disputeWithdrawn: money,
    disputeReinstated: money,
    kept: money.meta({ description: 'paid - refunded - disputeWithdrawn + disputeReinstated' }),
  })
  .meta({ id: 'OrderMoney' });

export const orderView = z
  .object({
    id: idString,
    status: z.enum(ORDER_STATUSES).meta({
      description:
        'pending -> paid | failed | canceled | authorized; failed -> paid | canceled | authorized; authorized -> paid (captured) | canceled ' +
        '(voided); paid -> fulfilled | refunded; fulfilled -> refunded. Changed only by webhooks, cancel, capture, void, fulfil and the expiry job',
    }),
    items: z.array(orderLineView),
    amount: money,
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .meta({ example: 'USD' }),
    paymentIntentId: z.string().nullable().meta({ example: 'pi_3Nv1aB2eZvKYlo2C0abc1234' }),
    refundedAmount: money,
    refunds: z.array(refundView).meta({
      description: 'Refund requests made through this API and refunds learnt from Stripe events, oldest first',
    }),
    lastPaymentError: z
      .object({ code: z.string().nullable(), declineCode: z.string().nullable(), message: z.string().nullable() })
      .nullable()
      .meta({ description: 'The last decline, from the payment_intent.payment_failed event' }),
    history: z.array(
      z.object({
        status: z.enum(ORDER_STATUSES),
        at: timestamp,
        reason: z.string().meta({ example: 'order_created' }),
        eventId: z.string().optional().meta({ description: 'The Stripe event that caused the change' }),
      }),
    ),
    // Present only when they say something, so an order's view is as it was until they do.
    paymentStatus: z.enum(['processing', 'requires_action']).optional().meta({
      description:
        'While the order is unpaid: its payment is on its way (a bank debit), or waits for the customer (3-D Secure)',
    }),
    paymentReview: z
      .enum(['disputed'])
      .optional()
      .meta({ description: 'While the cardholder disputes the payment: it is under review (no refund meanwhile)' }),
    paidAmount: money
      .optional()
      .meta({ description: 'What was charged when a capture took less than the amount (manual capture)' }),
    fulfilment: z
      .object({ carrier: z.string().nullable(), trackingNumber: z.string().nullable(), fulfilledAt: timestamp })
      .optional()
      .meta({ description: 'Once shipped: how and when' }),
    expiresAt: timestamp.meta({ description: 'An unpaid order is canceled and its stock released after this' }),
    createdAt: timestamp,
    updatedAt: timestamp,
    // Admins only:
    chargeId: z.string().nullable().optional().meta({ description: "Admins only: the gateway's charge id" }),
    capture: captureView
      .nullable()
      .optional()
      .meta({ description: 'Admins only: the capture asked for (manual capture)' }),
    disputes: z
      .array(disputeView)
      .optional()
      .meta({ description: 'Admins only: disputes of the payment, oldest first' }),
    money: moneyView.optional(),
  })
  .meta({ id: 'Order' });
export type OrderView = z.output<typeof orderView>;

/** Stripe's PaymentIntent statuses, as the gateway reports them. */
export const paymentIntentStatus = z.enum(PAYMENT_INTENT_STATUSES);

export const orderCreatedResponse = z.object({
  message: z.literal('Order created successfully'),
  orderId: idString,
  clientSecret: z.string().meta({
    description: 'Confirm the payment with it in the browser (Stripe.js)',
    example: 'pi_3Nv1aB2eZvKYlo2C0abc1234_secret_9xYz',
  }),
  data: orderView,
});
export const orderListResponse = z.object({ message: z.literal('Order list'), data: z.array(orderView), pagination });
export const orderDetailsResponse = z.object({ message: z.literal('Order details'), data: orderView });
const clientSecret = z.string().meta({ example: 'pi_3Nv1aB2eZvKYlo2C0abc1234_secret_9xYz' });

/** What the buyer's browser must do to finish a payment in requires_action. */
export const nextAction = z
  .object({
    type: z.string().meta({
      description:
        'Stripe: its next_action type (`use_stripe_sdk`): call Stripe.js `confirmCardPayment(clientSecret)`, which runs 3-D Secure. ' +
        'Simulated payments: `simulated_authentication`: answer with `POST /api/orders/{id}/authenticate`.',
      example: 'use_stripe_sdk',
    }),
    clientSecret,
  })
  .meta({ id: 'NextAction' });

export const paymentSubmittedResponse = z.object({
  message: z.literal('Payment submitted'),
  data: z.object({
    orderId: idString,
    paymentIntentId: z.string(),
    paymentStatus: paymentIntentStatus,
    nextAction: nextAction
      .optional()
      .meta({ description: 'Only with paymentStatus `requires_action`: the order stays pending until it is done' }),
  }),
});

export const orderPaymentResponse = z.object({
  message: z.literal('Order payment'),
  data: z.object({
    orderId: idString,
    paymentIntentId: z.string(),
    clientSecret: clientSecret.meta({
      description: "The PaymentIntent's client secret, for Stripe.js in the buyer's browser",
    }),
    paymentStatus: paymentIntentStatus.meta({
      description: "The PaymentIntent's status as the payment provider reports it now",
    }),
    nextAction: nextAction.optional().meta({ description: 'Only with paymentStatus `requires_action`' }),
    lastPaymentError: z
      .object({ code: z.string().nullable(), declineCode: z.string().nullable(), message: z.string().nullable() })
      .optional()
      .meta({
        description:
          'Why the last attempt failed (a decline, a failed authentication), while the intent awaits another card',
      }),
  }),
});

export const authenticationAnsweredResponse = z.object({
  message: z.literal('Authentication finished'),
  data: z.object({ orderId: idString, paymentIntentId: z.string(), paymentStatus: paymentIntentStatus }),
});
export const orderCanceledResponse = z.object({ message: z.literal('Order canceled'), data: orderView });
export const webhookReceivedResponse = z.object({ received: z.literal(true) });

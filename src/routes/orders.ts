import { z } from 'zod';
import {
  answerAuthenticationRequest,
  authenticationAnsweredResponse,
  createOrderRequest,
  listOrdersRequest,
  orderCanceledResponse,
  orderCreatedResponse,
  orderDetailsResponse,
  orderIdRequest,
  orderListResponse,
  orderPaymentResponse,
  payOrderRequest,
  paymentSubmittedResponse,
  webhookReceivedResponse,
} from '../schemas/order.schemas';
import { refundOrderRequest, refundRequestedResponse } from '../schemas/refund.schemas';
import { stripeWebhookRequest } from '../schemas/webhook.schemas';
import {
  captureOrderRequest,
  fulfilOrderRequest,
  orderCapturedResponse,
  orderFulfilledResponse,
  orderVoidedResponse,
  voidOrderRequest,
} from '../schemas/fulfilment.schemas';
import {
  exampleCapturedOrder,
  exampleFulfilledOrder,
  exampleOrder,
  examplePaidOrder,
  examplePaymentIntentId,
  exampleProduct,
  exampleVoidedOrder,
} from '../openapi/examples';
import type { ApiOperation } from './operation';

const orderCreatedHeaders = z.object({
  Location: z.string().meta({ description: 'The new order', example: `/api/orders/${exampleOrder.id}` }),
  'Idempotent-Replayed': z.literal('true').optional().meta({
    description: 'Present when this is the stored answer to an earlier request with the same Idempotency-Key',
  }),
});

export const orderRoutes: ApiOperation[] = [
  {
    method: 'post',
    path: '/api/orders/create',
    operationId: 'createOrder',
    handler: (c) => c.orders.create,
    tag: 'Orders',
    summary: 'Create an order and its PaymentIntent',
    description:
      'Prices come from the database; stock is reserved (all lines or none) and a PaymentIntent is created. 1-50 lines, quantity ' +
      '1-1000; repeated productIds are added together. With an `Idempotency-Key`, the same user, key and body return the same order ' +
      'and client secret (header `Idempotent-Replayed: true`); another body with the key is a 422, and a 409 while the first is still running. ' +
      'If the payment provider fails the answer is 502 and no order or reservation is left. With REQUIRE_VERIFIED_EMAIL_TO_ORDER=on (off by ' +
      'default), an account whose email address is not verified yet gets 403 `EMAIL_NOT_VERIFIED`.',
    access: 'user',
    guards: ['verifiedEmail'],
    request: createOrderRequest,
    requestExample: { items: [{ productId: exampleProduct.id, quantity: 2 }] },
    parameterDescriptions: {
      'Idempotency-Key':
        'Optional, 1-255 printable ASCII characters of your choice (a UUID). Retrying with the same key and body returns the first ' +
        'answer instead of a second order, for IDEMPOTENCY_KEY_TTL_HOURS (24 h).',
    },
    errors: [
      'EMAIL_NOT_VERIFIED',
      'PRODUCT_NOT_FOUND',
      'MIXED_CURRENCY',
      'AMOUNT_OUT_OF_RANGE',
      'OUT_OF_STOCK',
      'STOCK_BUSY',
      'OPEN_ORDER_LIMIT',
      'IDEMPOTENCY_KEY_IN_USE',
      'IDEMPOTENCY_KEY_REUSED',
      'PAYMENT_REQUEST_REJECTED',
      'PAYMENT_GATEWAY_ERROR',
    ],
    responses: {
      201: {
        description: 'Created (or replayed for the same Idempotency-Key)',
        schema: orderCreatedResponse,
        headers: orderCreatedHeaders,
        example: {
          message: 'Order created successfully',
          orderId: exampleOrder.id,
          clientSecret: `${examplePaymentIntentId}_secret_9xYz`,
          data: exampleOrder,
        },
        links: {
          GetOrder: { operationId: 'getOrder', parameters: { id: '$response.body#/orderId' } },
          PayOrder: { operationId: 'payOrder', parameters: { id: '$response.body#/orderId' } },
          CancelOrder: { operationId: 'cancelOrder', parameters: { id: '$response.body#/orderId' } },
        },
      },
    },
  },
  {
    method: 'get',
    path: '/api/orders',
    operationId: 'listOrders',
    handler: (c) => c.orders.list,
    tag: 'Orders',
    summary: 'My orders (keyset pages, newest first)',
    access: 'user',
    request: listOrdersRequest,
    parameterDescriptions: {
      limit: 'Page size, 1-100 (default 20)',
      cursor: "The previous page's pagination.nextCursor, with the same status filter",
      status: 'Only orders in this status',
    },
    errors: ['INVALID_CURSOR'],
    responses: {
      200: {
        description: 'One page',
        schema: orderListResponse,
        example: { message: 'Order list', data: [exampleOrder], pagination: { limit: 20, nextCursor: null } },
      },
    },
  },
  {
    method: 'get',
    path: '/api/orders/{id}',
    operationId: 'getOrder',
    handler: (c) => c.orders.get,
    tag: 'Orders',
    summary: 'Read an order (its owner or an admin)',
    description: "Someone else's order is a 404, like a missing one.",
    access: 'user',
    request: orderIdRequest,
    parameterDescriptions: { id: "The order's id (orderId of its creation)" },
    errors: ['ORDER_NOT_FOUND'],
    responses: {
      200: {
        description: 'The order',
        schema: orderDetailsResponse,
        example: { message: 'Order details', data: examplePaidOrder },
      },
    },
  },
  {
    method: 'post',
    path: '/api/orders/{id}/pay',
    operationId: 'payOrder',
    handler: (c) => c.orders.pay,
    tag: 'Orders',
    summary: 'Pay with a saved card, or a Stripe test payment method outside live mode (owner)',
    description:
      "Confirms the order's PaymentIntent from the backend with `paymentMethod`: one of the buyer's saved cards (`/api/payment-methods`; " +
      "another account's is a 404 `PAYMENT_METHOD_NOT_FOUND`), or in test mode and with simulated payments a Stripe test payment method " +
      '(`pm_card_visa` succeeds; `pm_card_chargeCustomerFail` declines; `pm_card_authenticationRequired` and `pm_card_threeDSecure2Required` ' +
      'ask for 3-D Secure), refused with 403 `LIVE_MODE` under a live key. The order itself becomes `paid` or `failed` only through the ' +
      'webhook that follows. A decline is a 402 `CARD_DECLINED` whose `details[0]` carries `declineCode`, `orderId` and `paymentIntentId`. ' +
      'A card that needs authentication answers `paymentStatus: "requires_action"` with `nextAction` and leaves the order pending: with ' +
      'Stripe, call Stripe.js `confirmCardPayment(nextAction.clientSecret)` in the browser; with simulated payments, ' +
      '`POST /api/orders/{id}/authenticate`. Then follow the order (`GET /api/orders/{id}`) until it leaves `pending`.',
    access: 'user',
    request: payOrderRequest,
    parameterDescriptions: { id: "The order's id" },
    requestExample: { paymentMethod: 'pm_card_visa' },
    errors: [
      'ORDER_NOT_FOUND',
      'FORBIDDEN',
      'LIVE_MODE',
      'PAYMENT_METHOD_NOT_FOUND',
      'ORDER_NOT_PAYABLE',
      'ORDER_EXPIRED',
      'CARD_DECLINED',
      'PAYMENT_REQUEST_REJECTED',
      'PAYMENT_GATEWAY_ERROR',
    ],
    responses: {
      200: {
        description: 'Submitted to the payment provider',
        schema: paymentSubmittedResponse,
        example: {
          message: 'Payment submitted',
          data: { orderId: exampleOrder.id, paymentIntentId: examplePaymentIntentId, paymentStatus: 'succeeded' },
        },
      },
    },
  },
  {
    method: 'get',
    path: '/api/orders/{id}/payment',
    operationId: 'getOrderPayment',
    handler: (c) => c.orders.payment,
    tag: 'Orders',
    summary: "The order's client secret and its payment's status now (owner, while it can be paid)",
    description:
      'For a browser that confirms or authenticates the payment with Stripe.js, and for a page reloaded in the middle of paying: the ' +
      "PaymentIntent's `clientSecret`, its `paymentStatus` as the payment provider reports it now, `nextAction` when it is " +
      '`requires_action`, and `lastPaymentError` when the last attempt failed. Only the buyer who placed the order: anyone else, admins ' +
      'included, gets a 404. Only while the order is `pending` or `failed` and its payment window is open. Never cached (`no-store`); ' +
      'the client secret is in no other answer but the creation.',
    access: 'user',
    request: orderIdRequest,
    parameterDescriptions: { id: "The order's id" },
    errors: [
      'ORDER_NOT_FOUND',
      'ORDER_NOT_PAYABLE',
      'ORDER_EXPIRED',
      'PAYMENT_REQUEST_REJECTED',
      'PAYMENT_GATEWAY_ERROR',
    ],
    responses: {
      200: {
        description: 'The payment as it stands',
        schema: orderPaymentResponse,
        example: {
          message: 'Order payment',
          data: {
            orderId: exampleOrder.id,
            paymentIntentId: examplePaymentIntentId,
            clientSecret: `${examplePaymentIntentId}_secret_9xYz`,
            paymentStatus: 'requires_action',
            nextAction: { type: 'use_stripe_sdk', clientSecret: `${examplePaymentIntentId}_secret_9xYz` },
          },
        },
      },
    },
  },
  {
    method: 'post',
    path: '/api/orders/{id}/authenticate',
    operationId: 'answerAuthentication',
    handler: (c) => c.orders.answerAuthentication,
    onlyWith: 'simulatedAuthentication',
    tag: 'Orders',
    summary: 'Complete or fail the 3-D Secure challenge of a simulated payment (owner; simulated payments only)',
    description:
      'Served only with simulated payments (no STRIPE_SECRET_KEY; 404 otherwise), where it stands in for the challenge Stripe.js shows: ' +
      'after `/pay` answered `requires_action` with `nextAction.type` `simulated_authentication`. `complete` pays the order (it becomes ' +
      '`paid` through the webhook); `fail` leaves the payment awaiting another card, as Stripe does, and the webhook makes the order ' +
      '`failed` with `lastPaymentError.code` `payment_intent_authentication_failure`: it can still be paid. 409 ' +
      '`NOT_AWAITING_AUTHENTICATION` when nothing waits for an answer.',
    access: 'user',
    request: answerAuthenticationRequest,
    requestExample: { outcome: 'complete' },
    parameterDescriptions: { id: "The order's id" },
    errors: [
      'ROUTE_NOT_FOUND',
      'ORDER_NOT_FOUND',
      'ORDER_NOT_PAYABLE',
      'ORDER_EXPIRED',
      'NOT_AWAITING_AUTHENTICATION',
      'PAYMENT_GATEWAY_ERROR',
    ],
    responses: {
      200: {
        description: 'Answered',
        schema: authenticationAnsweredResponse,
        example: {
          message: 'Authentication finished',
          data: { orderId: exampleOrder.id, paymentIntentId: examplePaymentIntentId, paymentStatus: 'succeeded' },
        },
        links: { GetOrder: { operationId: 'getOrder', parameters: { id: '$response.body#/data/orderId' } } },
      },
    },
  },
  {
    method: 'post',
    path: '/api/orders/{id}/cancel',
    operationId: 'cancelOrder',
    handler: (c) => c.orders.cancel,
    tag: 'Orders',
    summary: 'Cancel an unpaid order (owner or admin)',
    description:
      'Only `pending` or `failed` orders. The PaymentIntent is canceled first, then the order, and the stock is given back once. If the ' +
      'payment turns out to have succeeded already, 409 `ALREADY_PAID` and the order follows the webhook.',
    access: 'user',
    request: orderIdRequest,
    parameterDescriptions: { id: "The order's id" },
    errors: [
      'ORDER_NOT_FOUND',
      'ORDER_NOT_CANCELABLE',
      'ALREADY_PAID',
      'PAYMENT_REQUEST_REJECTED',
      'PAYMENT_GATEWAY_ERROR',
    ],
    responses: {
      200: {
        description: 'Canceled',
        schema: orderCanceledResponse,
        example: {
          message: 'Order canceled',
          data: {
            ...exampleOrder,
            status: 'canceled',
            history: [
              ...exampleOrder.history,
              { status: 'canceled', at: '2026-01-15T10:40:00.000Z', reason: 'canceled_by_customer' },
            ],
          },
        },
      },
    },
  },
  {
    method: 'post',
    path: '/api/orders/{id}/refund',
    operationId: 'refundOrder',
    handler: (c) => c.refunds.create,
    tag: 'Admin',
    summary: 'Refund a paid or fulfilled order, in full or in part, through the payment provider (admin)',
    description:
      "Every field is optional. `amount` is in major units like prices (12.5), with at most the currency's decimals, and at most the paid " +
      'amount minus what is refunded or already requested (two quick refunds can never over-refund); omitted = all of that remainder. ' +
      "`restock: true` puts the order's units back on sale, once, when the order ends fully refunded. The answer is 202: the provider " +
      "has the refund, and the order's `refundedAmount` and its move to `refunded` follow its confirmation events " +
      '(`charge.refunded`, `refund.*`). An `Idempotency-Key` works as on order creation: the same key and body return the same refund ' +
      '(`Idempotent-Replayed: true`), another body is a 422, a duplicate still running a 409. While a dispute of the payment is open the ' +
      'answer is 409 `ORDER_DISPUTED` (Stripe refuses it too).',
    access: 'admin',
    request: refundOrderRequest,
    parameterDescriptions: {
      id: "The order's id",
      'Idempotency-Key':
        'Optional, 1-255 printable ASCII characters of your choice. The same key, order and body again return the first refund instead of a second one.',
    },
    requestExample: { amount: 12.5, reason: 'requested_by_customer', restock: false },
    errors: [
      'ORDER_NOT_FOUND',
      'ORDER_NOT_REFUNDABLE',
      'REFUND_EXCEEDS_REMAINDER',
      'ORDER_DISPUTED',
      'REFUND_REFUSED',
      'REFUND_BUSY',
      'REFUND_NEEDS_REVIEW',
      'IDEMPOTENCY_KEY_IN_USE',
      'IDEMPOTENCY_KEY_REUSED',
      'PAYMENT_GATEWAY_ERROR',
    ],
    responses: {
      202: {
        description: 'The provider accepted the refund (or, for a repeated Idempotency-Key, had accepted it)',
        schema: refundRequestedResponse,
        headers: z.object({
          'Idempotent-Replayed': z.literal('true').optional().meta({
            description: 'Present when this is the answer to an earlier request with the same Idempotency-Key',
          }),
        }),
        example: {
          message: 'Refund requested',
          data: {
            orderId: exampleOrder.id,
            refundId: 're_3Nv1aB2eZvKYlo2C0xyz5678',
            amount: 12.5,
            currency: 'USD',
            status: 'succeeded',
          },
        },
        links: { GetOrder: { operationId: 'getOrder', parameters: { id: '$response.body#/data/orderId' } } },
      },
    },
  },
  {
    method: 'post',
    path: '/api/orders/{id}/capture',
    operationId: 'captureOrder',
    handler: (c) => c.fulfilment.capture,
    tag: 'Admin',
    summary: 'Capture an authorized payment, all of it or less (admin, PAYMENT_CAPTURE=manual)',
    description:
      'For an `authorized` order (manual capture: the payment is held on the card). No body captures everything. `amount` (major units, ' +
      'at most what was authorized) captures less; `lines` (the units shipped, per product) capture their total unless `amount` says ' +
      'otherwise, and the units not shipped go back on sale unless `restockUnshipped` is false. The rest of the authorization is released. ' +
      "The order is `paid` when this answers; Stripe's `payment_intent.succeeded` for the same capture, whenever it comes, changes nothing " +
      'more. One capture per order: a second one is a 409 (`ORDER_NOT_CAPTURABLE` once captured, `CAPTURE_IN_PROGRESS` while one is ' +
      'made); with the same `Idempotency-Key` and body it answers as the first (`Idempotent-Replayed: true`).',
    access: 'admin',
    request: captureOrderRequest,
    parameterDescriptions: {
      id: "The order's id",
      'Idempotency-Key':
        'Optional, 1-255 printable ASCII characters. The same key, order and body again answer as the first capture, never a second.',
    },
    requestExample: { lines: [{ productId: exampleProduct.id, quantity: 1 }], restockUnshipped: true },
    errors: [
      'ORDER_NOT_FOUND',
      'ORDER_NOT_CAPTURABLE',
      'CAPTURE_IN_PROGRESS',
      'CAPTURE_REFUSED',
      'IDEMPOTENCY_KEY_IN_USE',
      'IDEMPOTENCY_KEY_REUSED',
      'PAYMENT_GATEWAY_ERROR',
    ],
    responses: {
      200: {
        description: 'Captured: the order is paid',
        schema: orderCapturedResponse,
        headers: z.object({
          'Idempotent-Replayed': z.literal('true').optional().meta({
            description: 'Present when this is the answer to an earlier request with the same Idempotency-Key',
          }),
        }),
        example: { message: 'Payment captured', data: exampleCapturedOrder },
      },
    },
  },
  {
    method: 'post',
    path: '/api/orders/{id}/void',
    operationId: 'voidOrder',
    handler: (c) => c.fulfilment.void,
    tag: 'Admin',
    summary: 'Void an authorized payment: the order is canceled and its units go back on sale (admin)',
    description:
      "Cancels the order's authorization at the payment provider (nothing is charged; the hold on the card is released), then the order " +
      '(`canceled`, reason `voided`), and gives its units back once. Voiding again answers with the voided order. If the payment was ' +
      'captured first, 409 `ALREADY_CAPTURED` and the order is paid.',
    access: 'admin',
    request: voidOrderRequest,
    parameterDescriptions: { id: "The order's id" },
    errors: [
      'ORDER_NOT_FOUND',
      'ORDER_NOT_VOIDABLE',
      'ALREADY_CAPTURED',
      'CAPTURE_IN_PROGRESS',
      'PAYMENT_REQUEST_REJECTED',
      'PAYMENT_GATEWAY_ERROR',
    ],
    responses: {
      200: {
        description: 'Voided',
        schema: orderVoidedResponse,
        example: { message: 'Authorization voided', data: exampleVoidedOrder },
      },
    },
  },
  {
    method: 'post',
    path: '/api/orders/{id}/fulfil',
    operationId: 'fulfilOrder',
    handler: (c) => c.fulfilment.fulfil,
    tag: 'Admin',
    summary: 'Mark an order shipped (admin); an authorized payment is captured first',
    description:
      'A `paid` order becomes `fulfilled`, with its optional `carrier` and `trackingNumber`, which the buyer sees. An `authorized` order ' +
      '(manual capture) is captured in full first; to capture less, capture it first (`/capture` with `lines`). Fulfilling a fulfilled ' +
      'order again sets the carrier or tracking number given and changes nothing else. Refunds of fulfilled orders work as for paid ones.',
    access: 'admin',
    request: fulfilOrderRequest,
    parameterDescriptions: { id: "The order's id" },
    requestExample: { carrier: 'DHL', trackingNumber: 'JD014600003SE' },
    errors: [
      'ORDER_NOT_FOUND',
      'ORDER_NOT_FULFILLABLE',
      'ORDER_NOT_CAPTURABLE',
      'CAPTURE_IN_PROGRESS',
      'CAPTURE_REFUSED',
      'PAYMENT_GATEWAY_ERROR',
    ],
    responses: {
      200: {
        description: 'Fulfilled',
        schema: orderFulfilledResponse,
        example: { message: 'Order fulfilled', data: exampleFulfilledOrder },
      },
    },
  },
  {
    method: 'post',
    path: '/api/orders/webhook',
    operationId: 'stripeWebhook',
    handler: (c) => c.webhooks.receive,
    tag: 'Webhooks',
    summary: "Stripe's signed event deliveries",
    description:
      'Called by Stripe, not by clients. The raw body is verified against the `Stripe-Signature` header with STRIPE_WEBHOOK_SECRET ' +
      '(300 s tolerance); a missing, wrong or stale signature is a 400 and changes nothing. Each event id is applied once, however often ' +
      'it is delivered. Not rate-limited. A 503 makes Stripe retry.',
    access: 'public',
    request: stripeWebhookRequest,
    rawBody: true,
    rateLimited: false,
    errors: ['INVALID_SIGNATURE', 'INVALID_EVENT', 'PAYLOAD_TOO_LARGE'],
    requestExample: {
      id: 'evt_1Nv1aB2eZvKYlo2C',
      type: 'payment_intent.succeeded',
      data: {
        object: {
          id: examplePaymentIntentId,
          object: 'payment_intent',
          amount: 5198,
          amount_received: 5198,
          currency: 'usd',
          metadata: { orderId: exampleOrder.id },
        },
      },
    },
    responses: {
      200: {
        description: 'Received (applied, already applied, or ignored)',
        schema: webhookReceivedResponse,
        example: { received: true },
      },
    },
  },
];

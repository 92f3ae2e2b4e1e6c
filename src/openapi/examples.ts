import { ERROR_CODES, type ErrorCode } from '../lib/error-codes';
import type { ErrorDetail } from '../lib/errors';

/** Example values shown in the API document; the OpenAPI test validates each against its schema. */

export const exampleUser = {
  id: '665f1c2e8b3a4d0012ab34cd',
  name: 'John Doe',
  email: 'john.doe@example.com',
  role: 'user',
};

export const exampleProduct = {
  id: '665f1d0a8b3a4d0012ab34d1',
  name: 'Wireless Mouse',
  description: 'A high-precision wireless mouse.',
  price: 25.99,
  currency: 'USD',
  stock: 100,
  createdAt: '2026-01-15T10:30:00.000Z',
  updatedAt: '2026-01-15T10:30:00.000Z',
};

export const examplePaymentIntentId = 'pi_3Nv1aB2eZvKYlo2C0abc1234';

export const exampleOrder = {
  id: '665f1e4b8b3a4d0012ab34e7',
  status: 'pending',
  items: [{ productId: exampleProduct.id, name: 'Wireless Mouse', unitPrice: 25.99, quantity: 2, lineTotal: 51.98 }],
  amount: 51.98,
  currency: 'USD',
  paymentIntentId: examplePaymentIntentId,
  refundedAmount: 0,
  refunds: [],
  lastPaymentError: null,
  history: [{ status: 'pending', at: '2026-01-15T10:31:00.000Z', reason: 'order_created' }],
  expiresAt: '2026-01-15T11:01:00.000Z',
  createdAt: '2026-01-15T10:31:00.000Z',
  updatedAt: '2026-01-15T10:31:00.000Z',
};

export const examplePaidOrder = {
  ...exampleOrder,
  status: 'paid',
  history: [
    ...exampleOrder.history,
    { status: 'paid', at: '2026-01-15T10:32:05.000Z', reason: 'payment_succeeded', eventId: 'evt_1Nv1aB2eZvKYlo2C' },
  ],
  updatedAt: '2026-01-15T10:32:05.000Z',
};

const exampleAdmin = { userId: '665f1c2e8b3a4d0012ab34aa', email: 'admin@example.com' };
export const exampleChargeId = 'ch_3Nv1aB2eZvKYlo2C0def9012';

/** What an admin's view adds: the charge, the capture, the disputes and the money kept. */
const adminPart = (paid: number, overrides: Record<string, unknown> = {}) => ({
  chargeId: exampleChargeId,
  capture: null,
  disputes: [],
  money: { paid, refunded: 0, disputeWithdrawn: 0, disputeReinstated: 0, kept: paid },
  ...overrides,
});

/** Manual capture: authorized, then 25.99 of it captured with the one unit shipped (the other back on sale), as an admin sees it. */
export const exampleCapturedOrder = {
  ...examplePaidOrder,
  paidAmount: 25.99,
  history: [
    ...exampleOrder.history,
    {
      status: 'authorized',
      at: '2026-01-15T10:32:05.000Z',
      reason: 'payment_authorized',
      eventId: 'evt_1Nv1aB2eZvKYlo2A',
    },
    {
      status: 'paid',
      at: '2026-01-16T08:00:00.000Z',
      reason: 'captured',
      eventId: `capture:${examplePaymentIntentId}`,
    },
  ],
  updatedAt: '2026-01-16T08:00:00.000Z',
  ...adminPart(25.99, {
    capture: {
      amount: 25.99,
      lines: [{ productId: exampleProduct.id, quantity: 1 }],
      restockUnshipped: true,
      status: 'succeeded',
      failure: null,
      requestedAt: '2026-01-16T08:00:00.000Z',
      requestedBy: exampleAdmin,
    },
  }),
};

/** An authorization voided by an admin, as an admin sees it. */
export const exampleVoidedOrder = {
  ...exampleOrder,
  status: 'canceled',
  history: [
    ...exampleOrder.history,
    {
      status: 'authorized',
      at: '2026-01-15T10:32:05.000Z',
      reason: 'payment_authorized',
      eventId: 'evt_1Nv1aB2eZvKYlo2A',
    },
    { status: 'canceled', at: '2026-01-16T08:00:00.000Z', reason: 'voided' },
  ],
  updatedAt: '2026-01-16T08:00:00.000Z',
  ...adminPart(0),
};

/** A paid order shipped, as the buyer sees it. */
export const exampleFulfilledOrder = {
  ...examplePaidOrder,
  status: 'fulfilled',
  history: [...examplePaidOrder.history, { status: 'fulfilled', at: '2026-01-16T08:05:00.000Z', reason: 'fulfilled' }],
  fulfilment: { carrier: 'DHL', trackingNumber: 'JD014600003SE', fulfilledAt: '2026-01-16T08:05:00.000Z' },
  updatedAt: '2026-01-16T08:05:00.000Z',
};

/** A paid order whose cardholder disputes the payment, its funds withdrawn, as an admin sees it. */
export const exampleDisputedOrder = {
  ...examplePaidOrder,
  paymentReview: 'disputed',
  updatedAt: '2026-01-20T12:00:00.000Z',
  ...adminPart(51.98, {
    disputes: [
      {
        id: 'dp_1Pgc71B7WZ01zgkWMevJiAUx',
        amount: 51.98,
        currency: 'USD',
        reason: 'fraudulent',
        status: 'needs_response',
        open: true,
        evidenceDueBy: '2026-01-30T23:59:59.000Z',
        fundsWithdrawn: 51.98,
        fundsReinstated: 0,
        openedAt: '2026-01-20T11:59:00.000Z',
        updatedAt: '2026-01-20T12:00:00.000Z',
      },
    ],
    money: { paid: 51.98, refunded: 0, disputeWithdrawn: 51.98, disputeReinstated: 0, kept: 0 },
  }),
};

/** `details` of the example error bodies, for the codes that carry details. */
const exampleDetails: Partial<Record<ErrorCode, ErrorDetail[]>> = {
  VALIDATION_ERROR: [{ path: 'items.0.quantity', message: 'Too big: expected number to be <=1000' }],
  INVALID_CURSOR: [{ path: 'cursor', message: 'Use nextCursor from the previous page with the same filters and sort' }],
  MIXED_CURRENCY: [{ path: 'items', message: 'Found EUR, USD' }],
  AMOUNT_OUT_OF_RANGE: [{ path: 'items', message: 'Amount must be at least 0.50 USD' }],
  PAYMENT_REQUEST_REJECTED: [
    { path: 'payment', message: "No such PaymentMethod: 'pm_unknown'", code: 'resource_missing' },
  ],
  OUT_OF_STOCK: [
    {
      message: `Product ${exampleProduct.id}: 2 requested, 1 available`,
      productId: exampleProduct.id,
      requested: 2,
      available: 1,
    },
  ],
  STOCK_BUSY: [
    {
      message: `Product ${exampleProduct.id}: 1 requested, 0 available, 2 held by orders still being placed`,
      productId: exampleProduct.id,
      requested: 1,
      available: 0,
      heldByOrdersInProgress: 2,
    },
  ],
  OPEN_ORDER_LIMIT: [
    { message: '10 unpaid orders open, at most 10', limit: 'openOrders', max: 10, open: 10, requested: 1 },
  ],
  CARD_DECLINED: [
    {
      message: 'Your card was declined.',
      declineCode: 'generic_decline',
      orderId: exampleOrder.id,
      paymentIntentId: examplePaymentIntentId,
    },
  ],
  INVALID_SIGNATURE: [{ message: 'No signatures found matching the expected signature for payload.' }],
  INVALID_EVENT: [{ path: 'data.object.currency', message: 'Invalid input: expected string, received undefined' }],
  REFUND_EXCEEDS_REMAINDER: [
    {
      path: 'amount',
      message: 'At most 11.98 USD can be refunded (paid, minus refunded and already requested); 20.00 USD was asked',
      remaining: 11.98,
    },
  ],
  REFUND_REFUSED: [
    {
      message: 'Refund amount ($60.00) is greater than unrefunded amount on charge ($51.98)',
      code: 'amount_too_large',
    },
  ],
  ORDER_DISPUTED: [
    {
      message: 'Dispute dp_1Pgc71B7WZ01zgkWMevJiAUx is needs_response',
      disputeId: 'dp_1Pgc71B7WZ01zgkWMevJiAUx',
      status: 'needs_response',
    },
  ],
  CAPTURE_REFUSED: [
    {
      message: 'This PaymentIntent could not be captured because it has a status of canceled.',
      code: 'payment_intent_unexpected_state',
    },
  ],
};

/** A paid order partly refunded through POST /api/orders/{id}/refund, as an admin sees it. */
export const exampleRefundedOrder = {
  ...examplePaidOrder,
  refundedAmount: 40,
  refunds: [
    {
      id: '665f1f9a8b3a4d0012ab34f2',
      refundId: 're_3Nv1aB2eZvKYlo2C0xyz5678',
      source: 'admin',
      amount: 40,
      reason: 'requested_by_customer',
      restock: false,
      status: 'succeeded',
      requestedAt: '2026-01-16T09:00:00.000Z',
      requestedBy: exampleAdmin,
    },
  ],
  updatedAt: '2026-01-16T09:00:03.000Z',
  ...adminPart(51.98, { money: { paid: 51.98, refunded: 40, disputeWithdrawn: 0, disputeReinstated: 0, kept: 11.98 } }),
};

/** Every error body carries the request's X-Request-Id. */
const EXAMPLE_REQUEST_ID = 'b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

/** An example error body for a code: its meaning as the message (the real messages vary), and details where it has them. */
export function exampleError(code: ErrorCode) {
  const details = exampleDetails[code];
  return { message: ERROR_CODES[code].meaning, code, ...(details && { details }), requestId: EXAMPLE_REQUEST_ID };
}

import { ERROR_CODES, type ErrorCode } from '../lib/error-codes';
import type { ErrorDetail } from '../lib/errors';

/** Example values shown in the API document; the OpenAPI test validates each against its schema. */

export const exampleUser = { id: '665f1c2e8b3a4d0012ab34cd', name: 'John Doe', email: 'john.doe@example.com', role: 'user' };

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

/** `details` of the example error bodies, for the codes that carry details. */
const exampleDetails: Partial<Record<ErrorCode, ErrorDetail[]>> = {
  VALIDATION_ERROR: [{ path: 'items.0.quantity', message: 'Too big: expected number to be <=1000' }],
  INVALID_CURSOR: [{ path: 'cursor', message: 'Use nextCursor from the previous page with the same filters and sort' }],
  MIXED_CURRENCY: [{ path: 'items', message: 'Found EUR, USD' }],
  AMOUNT_OUT_OF_RANGE: [{ path: 'items', message: 'Amount must be at least 0.50 USD' }],
  PAYMENT_REQUEST_REJECTED: [{ path: 'payment', message: "No such PaymentMethod: 'pm_unknown'", code: 'resource_missing' }],
  OUT_OF_STOCK: [{ message: `Product ${exampleProduct.id}: 2 requested, 1 available`, productId: exampleProduct.id, requested: 2, available: 1 }],
  STOCK_BUSY: [
    {
      message: `Product ${exampleProduct.id}: 1 requested, 0 available, 2 held by orders still being placed`,
      productId: exampleProduct.id,
      requested: 1,
      available: 0,
      heldByOrdersInProgress: 2,
    },
  ],
  OPEN_ORDER_LIMIT: [{ message: '10 unpaid orders open, at most 10', limit: 'openOrders', max: 10, open: 10, requested: 1 }],
  CARD_DECLINED: [
    { message: 'Your card was declined.', declineCode: 'generic_decline', orderId: exampleOrder.id, paymentIntentId: examplePaymentIntentId },
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
  REFUND_REFUSED: [{ message: 'Refund amount ($60.00) is greater than unrefunded amount on charge ($51.98)', code: 'amount_too_large' }],
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
      requestedBy: { userId: '665f1c2e8b3a4d0012ab34aa', email: 'admin@example.com' },
    },
  ],
  updatedAt: '2026-01-16T09:00:03.000Z',
};

/** Every error body carries the request's X-Request-Id. */
const EXAMPLE_REQUEST_ID = 'b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

/** An example error body for a code: its meaning as the message (the real messages vary), and details where it has them. */
export function exampleError(code: ErrorCode) {
  const details = exampleDetails[code];
  return { message: ERROR_CODES[code].meaning, code, ...(details && { details }), requestId: EXAMPLE_REQUEST_ID };
}

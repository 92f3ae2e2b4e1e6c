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

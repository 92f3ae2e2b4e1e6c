import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import Stripe from 'stripe';
import request from 'supertest';
import { toMinorUnits, toStripeAmount } from '../../src/lib/money';
import { adminToken, createOrder, createProduct, registerAndLogin } from './builders';

export const TEST_WEBHOOK_SECRET = 'whsec_test_secret';

export interface OrderRef {
  id: string;
  paymentIntentId: string | null;
  amount: number;
  currency: string;
}

/** What each test of a file about one order's payment starts from (see useOrderToPay). */
export interface OrderToPay {
  admin: string;
  buyer: Awaited<ReturnType<typeof registerAndLogin>>;
  productId: string;
  /** Two units of the product, not paid yet. */
  order: OrderRef;
}

/**
 * Before each test: an admin, a buyer, a product made from `product` (price, stock ...) and the buyer's order for two
 * of it, through the API. The returned object's fields are those of the test running.
 */
export function useOrderToPay(app: Express, product: Record<string, unknown>): OrderToPay {
  const current = {} as OrderToPay;
  beforeEach(async () => {
    current.admin = await adminToken(app);
    current.buyer = await registerAndLogin(app);
    current.productId = (await createProduct(app, current.admin, product)).id;
    const created = await createOrder(app, current.buyer.token, [{ productId: current.productId, quantity: 2 }]);
    current.order = {
      id: created.orderId,
      paymentIntentId: created.data.paymentIntentId,
      amount: created.data.amount,
      currency: created.data.currency,
    };
  });
  return current;
}

export function eventId(): string {
  return `evt_${randomBytes(12).toString('hex')}`;
}

/** A Stripe event envelope around an object, as Stripe sends it. */
export function stripeEvent(type: string, object: Record<string, unknown>, id = eventId()) {
  return {
    id,
    object: 'event',
    api_version: '2026-10-28',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    type,
    data: { object },
  };
}

/** The PaymentIntent object Stripe would put in an event about this order. */
export function intentFor(order: OrderRef, overrides: Record<string, unknown> = {}) {
  const amount = toStripeAmount(toMinorUnits(order.amount, order.currency), order.currency);
  return {
    id: order.paymentIntentId,
    object: 'payment_intent',
    amount,
    amount_received: amount,
    currency: order.currency.toLowerCase(),
    status: 'succeeded',
    metadata: { orderId: order.id },
    ...overrides,
  };
}

export function chargeFor(order: OrderRef, refundedDecimal: number, overrides: Record<string, unknown> = {}) {
  const amount = toStripeAmount(toMinorUnits(order.amount, order.currency), order.currency);
  const refunded = toStripeAmount(toMinorUnits(refundedDecimal, order.currency), order.currency);
  return {
    id: `ch_${randomBytes(8).toString('hex')}`,
    object: 'charge',
    amount,
    amount_refunded: refunded,
    refunded: refunded >= amount,
    currency: order.currency.toLowerCase(),
    payment_intent: order.paymentIntentId,
    ...overrides,
  };
}

/** Signs exactly as Stripe signs (stripe.webhooks.generateTestHeaderString) and POSTs raw JSON. */
export function deliver(app: Express, event: object, options: { secret?: string; timestamp?: number } = {}) {
  const payload = JSON.stringify(event);
  const header = Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? TEST_WEBHOOK_SECRET,
    timestamp: options.timestamp,
  });
  return request(app)
    .post('/api/orders/webhook')
    .set('Content-Type', 'application/json')
    .set('Stripe-Signature', header)
    .send(payload);
}

/**
 * A Dispute as Stripe sends it in charge.dispute.* events at our pinned API version (2026-08-26.dahlia): the
 * shape of stripe-mock's fixture for that version (embedded/openapi/fixtures3.json) and of the SDK's Dispute
 * type, about this order's payment. `balance_transactions` stays empty unless a test says otherwise.
 */
export function disputeFor(order: OrderRef & { chargeId?: string | null }, overrides: Record<string, unknown> = {}) {
  const amount = toStripeAmount(toMinorUnits(order.amount, order.currency), order.currency);
  const now = Math.floor(Date.now() / 1000);
  return {
    id: `dp_${randomBytes(12).toString('hex')}`,
    object: 'dispute',
    amount,
    balance_transactions: [],
    charge: order.chargeId ?? `ch_${randomBytes(8).toString('hex')}`,
    created: now,
    currency: order.currency.toLowerCase(),
    enhanced_eligibility_types: [],
    evidence: { customer_name: null, product_description: null, uncategorized_text: null, enhanced_evidence: {} },
    evidence_details: {
      due_by: now + 7 * 86_400,
      enhanced_eligibility: {},
      has_evidence: false,
      past_due: false,
      submission_count: 0,
    },
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: order.paymentIntentId,
    payment_method_details: {
      card: { brand: 'visa', case_type: 'chargeback', network_reason_code: '10.4' },
      type: 'card',
    },
    reason: 'fraudulent',
    status: 'needs_response',
    ...overrides,
  };
}

/** A balance transaction as a dispute lists it: `dispute` for the funds withdrawn, `dispute_reversal` for their return. */
export function disputeBalanceTransaction(order: OrderRef, category: 'dispute' | 'dispute_reversal') {
  const amount = toStripeAmount(toMinorUnits(order.amount, order.currency), order.currency);
  return {
    id: `txn_${randomBytes(8).toString('hex')}`,
    object: 'balance_transaction',
    amount: category === 'dispute' ? -amount : amount,
    currency: order.currency.toLowerCase(),
    fee: category === 'dispute' ? 1500 : 0,
    net: category === 'dispute' ? -amount - 1500 : amount,
    reporting_category: category,
    type: 'adjustment',
  };
}

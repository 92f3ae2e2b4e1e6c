import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import request from 'supertest';
import { silentLogger, type Logger } from '../../src/lib/logger';
import { createMetrics, type Metrics } from '../../src/lib/metrics';
import type { CreateRefundInput, PaymentGateway, RefundRef } from '../../src/payments/gateway';
import { createSimulatedGateway, type SimulatedGateway } from '../../src/payments/simulated.gateway';
import { buildTestApp, testConfig } from './app';
import { adminToken, createOrder, createProduct, getOrder, registerAndLogin } from './builders';
import { deliver, intentFor, stripeEvent } from './webhooks';

/** The simulated gateway with a record of every refund asked of it and every one it accepted. */
export interface RecordingGateway extends PaymentGateway {
  readonly attempts: CreateRefundInput[];
  readonly accepted: RefundRef[];
  settle(): Promise<void>;
}

/**
 * Wraps a gateway; `createRefund` may be replaced (`around`) to fail, delay or change answers like a
 * real provider could, still calling the real simulated gateway underneath.
 */
export function recording(
  inner: SimulatedGateway,
  around?: (input: CreateRefundInput, call: () => Promise<RefundRef>, attempt: number) => Promise<RefundRef>,
): RecordingGateway {
  const attempts: CreateRefundInput[] = [];
  const accepted: RefundRef[] = [];
  return {
    kind: inner.kind,
    liveMode: inner.liveMode,
    attempts,
    accepted,
    createPaymentIntent: (input) => inner.createPaymentIntent(input),
    confirmPaymentIntent: (id, method) => inner.confirmPaymentIntent(id, method),
    cancelPaymentIntent: (id, options) => inner.cancelPaymentIntent(id, options),
    capturePaymentIntent: (id, input) => inner.capturePaymentIntent(id, input),
    retrievePaymentIntent: (id) => inner.retrievePaymentIntent(id),
    createCustomer: (input) => inner.createCustomer(input),
    createSetupIntent: (input) => inner.createSetupIntent(input),
    retrieveSetup: (id) => inner.retrieveSetup(id),
    retrievePaymentMethod: (id) => inner.retrievePaymentMethod(id),
    listCards: (customerId) => inner.listCards(customerId),
    detachPaymentMethod: (id) => inner.detachPaymentMethod(id),
    async createRefund(input) {
      attempts.push(input);
      const call = () => inner.createRefund(input);
      const refund = await (around ? around(input, call, attempts.length) : call());
      if (!accepted.some((r) => r.id === refund.id)) accepted.push(refund);
      return refund;
    },
    settle: () => inner.settle(),
  };
}

export interface RefundShop {
  app: Express;
  /** The simulated gateway itself (captures, cancels at "Stripe" without the app). */
  inner: SimulatedGateway;
  /** The app on a loopback port (where the simulated gateway delivers its events when asked to). */
  url: string;
  metrics: Metrics;
  gateway: RecordingGateway;
  /** Waits until every event the gateway queued has been delivered. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The shop with the simulated gateway. With `deliverEvents` the gateway POSTs its signed events to the
 * app's own webhook, as in development, so payments and refunds run end to end; without it the test plays
 * Stripe and delivers (or withholds) the events itself.
 */
export async function startRefundShop(options: {
  deliverEvents: boolean;
  around?: Parameters<typeof recording>[1];
  env?: Record<string, string>;
  logger?: Logger;
}): Promise<RefundShop> {
  const config = testConfig(options.env);
  let webhookUrl: string | undefined;
  const inner = createSimulatedGateway({
    webhookSecret: config.stripe.webhookSecret,
    webhookUrl: () => (options.deliverEvents ? webhookUrl : undefined),
    deliveryDelayMs: 0,
    logger: silentLogger,
    retryDelaysMs: [50, 100, 200],
  });
  const gateway = recording(inner, options.around);
  const metrics = createMetrics();
  const app = buildTestApp({
    env: options.env,
    deps: { payments: gateway, metrics, ...(options.logger && { logger: options.logger }) },
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  webhookUrl = `${url}/api/orders/webhook`;
  return {
    app,
    inner,
    url,
    metrics,
    gateway,
    settle: () => gateway.settle(),
    close: async () => {
      await gateway.settle();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export interface PaidOrder {
  orderId: string;
  productId: string;
  paymentIntentId: string;
  amount: number;
  currency: string;
  quantity: number;
}

/**
 * A buyer's order of `quantity` units, paid with pm_card_visa. With event delivery the gateway's
 * payment_intent.succeeded marks it paid; otherwise `markPaid` must deliver it.
 */
export async function paidOrder(
  shop: RefundShop,
  people: { admin: string; buyer: string },
  options: {
    price?: number;
    currency?: string;
    quantity?: number;
    stock?: number;
    markPaid?: (order: PaidOrder) => Promise<void>;
  } = {},
): Promise<PaidOrder> {
  const quantity = options.quantity ?? 2;
  const product = await createProduct(shop.app, people.admin, {
    price: options.price ?? 25,
    currency: options.currency ?? 'USD',
    stock: options.stock ?? 10,
  });
  const created = await createOrder(shop.app, people.buyer, [{ productId: product.id, quantity }]);
  await request(shop.app)
    .post(`/api/orders/${created.orderId}/pay`)
    .set('Authorization', people.buyer)
    .send({ paymentMethod: 'pm_card_visa' })
    .expect(200);
  const order = {
    orderId: created.orderId,
    productId: product.id,
    paymentIntentId: created.data.paymentIntentId,
    amount: created.data.amount,
    currency: created.data.currency,
    quantity,
  };
  if (options.markPaid) await options.markPaid(order);
  await shop.settle();
  const status = (await getOrder(shop.app, people.buyer, created.orderId)).status;
  if (status !== 'paid') throw new Error(`the order should be paid by now, it is ${status}`);
  return order;
}

/** For a shop without event delivery: the signed payment_intent.succeeded Stripe would send for `order`, delivered (200). */
export async function deliverPaymentSucceeded(shop: Pick<RefundShop, 'app'>, order: PaidOrder): Promise<void> {
  const ref = {
    id: order.orderId,
    paymentIntentId: order.paymentIntentId,
    amount: order.amount,
    currency: order.currency,
  };
  await deliver(shop.app, stripeEvent('payment_intent.succeeded', intentFor(ref))).expect(200);
}

export async function shopPeople(app: Express) {
  const admin = await adminToken(app);
  const buyer = await registerAndLogin(app);
  return { admin, buyer: buyer.token, buyerId: buyer.id };
}

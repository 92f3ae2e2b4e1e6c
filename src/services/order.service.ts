import { createHash } from 'node:crypto';
import { Types, type QueryFilter } from 'mongoose';
import { Conflict, Forbidden, NotFound, ServiceUnavailable, ValidationError } from '../lib/errors';
import { noFaults, type Faults } from '../lib/fault-points';
import { cutPage, pageFilter, sortFor, type KeysetOrder } from '../lib/keyset';
import type { Logger } from '../lib/logger';
import type { OrderMails } from '../mail/order-mails';
import { noMetrics, type ShopMetrics } from '../lib/metrics';
import { chargeProblem, MoneyError, multiplyMinor, sumMinor } from '../lib/money';
import { OPEN_STATUSES } from '../lib/order-state';
import { OrderModel, type Order, type OrderRow } from '../models/order.model';
import { ProductModel } from '../models/product.model';
import type { PaymentGateway } from '../payments/gateway';
import { ORDER_MAX_QUANTITY, type CreateOrderInput, type ListOrdersQuery } from '../schemas/order.schemas';
import type { PublicUser } from './auth.service';
import { claimIdempotencyKey, forgetIdempotencyKey } from './idempotency.service';
import { claimOpenOrder, releaseOpenOrder, unitsOf, type OpenOrderLimits } from './open-order-limit.service';
import { cancelOpenOrder, gatewayFailure, notOpen } from './order-lifecycle.service';
import { attachIntent, deleteUnplacedOrder, insertUnplacedOrder } from './order-store';
import { toOrderView } from './order-view';
import { createPaymentOutcomes } from './payment-outcomes.service';
import { createSavedCardService } from './saved-cards.service';
import { releaseLines, reserveLines, type Shortage, type StockLine } from './stock.service';

export interface OrderServiceDeps {
  payments: PaymentGateway;
  clock: () => Date;
  logger: Logger;
  metrics?: ShopMetrics;
  /** The mail a customer's cancel causes (recorded where the cancel settles the order's stock). */
  mails: OrderMails;
  settings: {
    paymentTimeoutMs: number;
    creationTimeoutMs: number;
    idempotencyKeyTtlMs: number;
    stockWaitMs: number;
    /** PAYMENT_CAPTURE: `manual` intents are only authorized by the customer's payment, and captured by an admin. */
    capture?: 'automatic' | 'manual';
  } & OpenOrderLimits;
  /** Tests only: where the process crashes on purpose (src/lib/fault-points.ts). */
  faults?: Faults;
}

const NEWEST: KeysetOrder = { name: 'newest', field: 'createdAt', direction: -1, kind: 'date' };

export function createOrderService(deps: OrderServiceDeps) {
  const { payments, clock } = deps;
  const metrics = deps.metrics ?? noMetrics;
  const faults = deps.faults ?? noFaults;
  const outcomes = createPaymentOutcomes({ clock, logger: deps.logger, metrics, mails: deps.mails, faults });
  // /pay takes only the buyer's own saved cards (and, outside live mode, Stripe's test payment methods).
  const cards = createSavedCardService({ payments, logger: deps.logger });

  /**
   * Creating an order is five writes with no transaction, each safe to repeat or to be interrupted:
   * 1. insert the order (not yet placed: invisible, not payable);
   * 2. count it against the account's open-order cap (conditional $inc marked with the order id);
   * 3. reserve each line's stock (conditional decrements marked with the order id; all or nothing);
   * 4. create the PaymentIntent (Stripe idempotency key derived from the order id);
   * 5. attach the intent and mark the order placed, only before the creation's deadline
   *    (ORDER_CREATION_TIMEOUT_SECONDS from its start, which is the order's createdAt).
   * A failure in 2 to 5 gives the stock and the count back and deletes the order. If the process dies
   * between two steps, the order stays unplaced and the expiry job gives both back and deletes it once
   * the payment timeout has passed; the client never got its client secret, so nothing can be paid. A
   * retry with the same Idempotency-Key after the deadline does the same at once and creates the order anew.
   */
  async function createOrder(user: PublicUser, input: CreateOrderInput, idempotencyKey?: string) {
    const lines = mergeLines(input.items);
    const orderId = new Types.ObjectId();
    const startedAt = clock();
    if (idempotencyKey) {
      const claim = await claimIdempotencyKey({
        userId: user.id,
        key: idempotencyKey,
        requestHash: digest(input),
        orderId,
        now: startedAt,
        ttlMs: deps.settings.idempotencyKeyTtlMs,
        creationTimeoutMs: deps.settings.creationTimeoutMs,
      });
      if (claim.replay) return { ...placedResult(claim.replay), replayed: true };
      faults.reach('order.after-idempotency-key');
    }
    try {
      const priced = await priceLines(lines);
      return { ...placedResult(await placeOrder(orderId, startedAt, user, priced)), replayed: false };
    } catch (error) {
      if (error instanceof Conflict && (error.code === 'OUT_OF_STOCK' || error.code === 'STOCK_BUSY'))
        metrics.stockConflict();
      if (idempotencyKey) await forgetIdempotencyKey(user.id, idempotencyKey, orderId).catch(() => undefined);
      throw error;
    }
  }

  async function placeOrder(
    orderId: Types.ObjectId,
    startedAt: Date,
    user: PublicUser,
    priced: Awaited<ReturnType<typeof priceLines>>,
  ) {
    const now = clock();
    await insertUnplacedOrder({
      _id: orderId,
      userId: new Types.ObjectId(user.id),
      items: priced.items,
      amountMinor: priced.amountMinor,
      currency: priced.currency,
      expiresAt: new Date(now.getTime() + deps.settings.paymentTimeoutMs),
      createdAt: startedAt,
    });
    faults.reach('order.after-insert');
    const userId = new Types.ObjectId(user.id);
    const units = unitsOf(priced.items);
    try {
      await claimOpenOrder(userId, orderId, units, deps.settings);
      const reserved = await reserveLines(orderId, priced.items, { waitMs: deps.settings.stockWaitMs });
      if (!reserved.ok) throw shortageError(reserved.shortage);
      const intent = await payments
        .createPaymentIntent({
          amountMinor: priced.amountMinor,
          currency: priced.currency,
          metadata: { orderId: orderId.toHexString(), userId: user.id },
          idempotencyKey: `order_${orderId.toHexString()}_intent`,
          ...(deps.settings.capture === 'manual' && { captureMethod: 'manual' as const }),
        })
        .catch((error: unknown) => {
          throw gatewayFailure(error);
        });
      // Past the deadline a retry of its Idempotency-Key may already be taking this order apart: never place it then.
      const startedAfter = new Date(clock().getTime() - deps.settings.creationTimeoutMs);
      if (!(await attachIntent(orderId, intent, clock(), startedAfter))) {
        await payments.cancelPaymentIntent(intent.id).catch(() => undefined);
        throw new ServiceUnavailable(
          'Creating the order took too long and it was abandoned; nothing was charged: retry',
        );
      }
      metrics.orderCreated();
    } catch (error) {
      await releaseLines(orderId, priced.items);
      await releaseOpenOrder(userId, orderId, units);
      await deleteUnplacedOrder(orderId);
      throw error;
    }
    return loadOrder(orderId);
  }

  async function listOrders(user: PublicUser, query: ListOrdersQuery) {
    const { limit, cursor, ...filters } = query;
    const where: QueryFilter<Order> = { userId: new Types.ObjectId(user.id), placedAt: { $ne: null } };
    if (filters.status) where.status = filters.status;
    const rows = (await OrderModel.find(pageFilter(NEWEST, filters, where, cursor))
      .sort(sortFor(NEWEST))
      .limit(limit + 1)
      .lean()) as OrderRow[];
    const { page, nextCursor } = cutPage(NEWEST, filters, rows, limit);
    return { orders: page.map((order) => toOrderView(order, user)), nextCursor };
  }

  /** An order its owner (or an admin) may see; anyone else gets the same 404 as for a missing order. */
  async function visibleOrder(user: PublicUser, id: string): Promise<OrderRow> {
    const order = (await OrderModel.findOne({ _id: id, placedAt: { $ne: null } }).lean()) as OrderRow | null;
    if (!order || (order.userId.toHexString() !== user.id && user.role !== 'admin'))
      throw new NotFound('Order not found', 'ORDER_NOT_FOUND');
    return order;
  }

  async function getOrder(user: PublicUser, id: string) {
    return toOrderView(await visibleOrder(user, id), user);
  }

  /**
   * Backend confirmation with a Stripe test payment method (not in live mode) or a card saved on the buyer's own
   * Customer; the order itself changes only by webhook. A card that needs 3-D Secure answers `requires_action` with
   * what the buyer's browser needs to finish it (the next action and the client secret); the order stays pending.
   */
  async function payOrder(user: PublicUser, id: string, paymentMethod: string) {
    const order = await visibleOrder(user, id);
    if (order.userId.toHexString() !== user.id)
      throw new Forbidden('Only the customer who placed the order can pay for it');
    const testMethod = isTestPaymentMethod(paymentMethod);
    if (payments.liveMode && testMethod)
      throw new Forbidden('Paying with test payment methods is only possible in test mode', 'LIVE_MODE');
    if (!OPEN_STATUSES.includes(order.status)) throw notOpen(order.status, 'paid');
    if (order.expiresAt <= clock()) throw new Conflict('The payment window for this order has closed', 'ORDER_EXPIRED');
    const saved = testMethod ? undefined : await cards.ownedCard(user, paymentMethod);
    const paymentIntentId = order.paymentIntentId!;
    try {
      const result = await payments.confirmPaymentIntent(
        paymentIntentId,
        paymentMethod,
        saved && { customerId: saved.customerId },
      );
      const answer = { orderId: id, paymentIntentId, paymentStatus: result.status };
      if (result.status !== 'requires_action') return answer;
      const { clientSecret } = await OrderModel.findById(order._id)
        .select('+clientSecret')
        .lean<{ clientSecret: string }>()
        .orFail();
      return { ...answer, nextAction: { type: result.nextAction?.type ?? 'use_stripe_sdk', clientSecret } };
    } catch (error) {
      throw gatewayFailure(error, { orderId: id, paymentIntentId });
    }
  }

  async function cancelOrder(user: PublicUser, id: string) {
    const order = await visibleOrder(user, id);
    if (!OPEN_STATUSES.includes(order.status)) throw notOpen(order.status, 'canceled');
    const outcome = await cancelOpenOrder({ payments, outcomes }, order, 'canceled_by_customer').catch(
      (error: unknown) => {
        throw gatewayFailure(error);
      },
    );
    if (outcome === 'already_paid')
      throw new Conflict('The payment for this order has already succeeded', 'ALREADY_PAID');
    const current = await loadOrder(order._id);
    if (outcome === 'not_open') throw notOpen(current.status, 'canceled');
    return toOrderView(current, user);
  }

  return { createOrder, listOrders, getOrder, payOrder, cancelOrder };
}

export type OrderService = ReturnType<typeof createOrderService>;

/** Stripe's test payment methods (pm_card_visa, ...): any test account (and the simulated gateway) knows them, no live one does. */
function isTestPaymentMethod(paymentMethod: string): boolean {
  return paymentMethod.startsWith('pm_card_');
}

/** Repeated productIds are one line: quantities are added before anything else. */
function mergeLines(items: CreateOrderInput['items']): StockLine[] {
  const merged = new Map<string, number>();
  for (const item of items) merged.set(item.productId, (merged.get(item.productId) ?? 0) + item.quantity);
  const lines = [...merged].map(([productId, quantity]) => ({ productId: new Types.ObjectId(productId), quantity }));
  const tooMany = lines.find((line) => line.quantity > ORDER_MAX_QUANTITY);
  if (tooMany) {
    throw new ValidationError('Invalid order', [
      {
        path: 'items',
        message: `At most ${ORDER_MAX_QUANTITY} units of product ${tooMany.productId.toHexString()} per order`,
      },
    ]);
  }
  return lines;
}

/** Prices come from the database, in integer minor units; one currency per order, chargeable by Stripe. */
async function priceLines(lines: StockLine[]) {
  const products = await ProductModel.find({ _id: { $in: lines.map((l) => l.productId) }, archived: false })
    .select('name priceMinor currency')
    .lean();
  const byId = new Map(products.map((p) => [p._id.toHexString(), p]));
  const missing = lines.filter((l) => !byId.has(l.productId.toHexString())).map((l) => l.productId.toHexString());
  if (missing.length > 0) throw new NotFound(`Product not found: ${missing.join(', ')}`, 'PRODUCT_NOT_FOUND');
  const currencies = [...new Set(products.map((p) => p.currency))];
  if (currencies.length > 1) {
    throw new ValidationError(
      'All items of an order must be in one currency',
      [{ path: 'items', message: `Found ${currencies.join(', ')}` }],
      'MIXED_CURRENCY',
    );
  }
  const currency = currencies[0]!;
  try {
    const items = lines.map((line) => {
      const product = byId.get(line.productId.toHexString())!;
      return {
        productId: line.productId,
        name: product.name,
        unitPriceMinor: product.priceMinor,
        quantity: line.quantity,
        lineTotalMinor: multiplyMinor(product.priceMinor, line.quantity),
      };
    });
    const amountMinor = sumMinor(items.map((i) => i.lineTotalMinor));
    const problem = chargeProblem(amountMinor, currency);
    if (problem)
      throw new ValidationError(
        `The order total cannot be charged: ${problem}`,
        [{ path: 'items', message: problem }],
        'AMOUNT_OUT_OF_RANGE',
      );
    return { items, amountMinor, currency };
  } catch (error) {
    if (error instanceof MoneyError)
      throw new ValidationError(
        `The order total cannot be charged: ${error.message}`,
        undefined,
        'AMOUNT_OUT_OF_RANGE',
      );
    throw error;
  }
}

function shortageError(shortage: Shortage) {
  const productId = shortage.productId.toHexString();
  if (shortage.reason === 'missing') return new NotFound(`Product not found: ${productId}`, 'PRODUCT_NOT_FOUND');
  const figures = `Product ${productId}: ${shortage.requested} requested, ${shortage.available} available`;
  switch (shortage.reason) {
    case 'short':
      return new Conflict('Not enough stock for this order', 'OUT_OF_STOCK', [
        { message: figures, productId, requested: shortage.requested, available: shortage.available },
      ]);
    case 'busy':
      return new Conflict('Units of this order are held by orders still being placed; retry shortly', 'STOCK_BUSY', [
        {
          message: `${figures}, ${shortage.heldByOrdersInProgress} held by orders still being placed`,
          productId,
          requested: shortage.requested,
          available: shortage.available,
          heldByOrdersInProgress: shortage.heldByOrdersInProgress,
        },
      ]);
  }
}

async function loadOrder(id: Types.ObjectId): Promise<OrderRow> {
  return await OrderModel.findById(id).select('+clientSecret').lean().orFail();
}

function placedResult(order: OrderRow & { clientSecret?: string | null }) {
  return { orderId: order._id.toHexString(), clientSecret: order.clientSecret ?? '', order: toOrderView(order) };
}

function digest(input: CreateOrderInput): string {
  return createHash('sha256').update(JSON.stringify(input)).digest('hex');
}

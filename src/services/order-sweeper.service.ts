import type { Logger } from '../lib/logger';
import { noMetrics, type ShopMetrics } from '../lib/metrics';
import { OPEN_STATUSES } from '../lib/order-state';
import { IdempotencyKeyModel } from '../models/idempotency-key.model';
import { OrderModel, type OrderRow } from '../models/order.model';
import type { PaymentGateway } from '../payments/gateway';
import { cancelOpenOrder, settleStock } from './order-lifecycle.service';
import { releaseLines } from './stock.service';

const BATCH = 100;

/**
 * The expiry job, run periodically by every server instance. Safe with several instances: an order is
 * claimed with a lease (a conditional update) before its intent is canceled, and every step it takes is
 * idempotent. Each pass:
 * - cancels placed orders still unpaid after ORDER_PAYMENT_TIMEOUT_MINUTES (intent first, then order,
 *   then stock; an intent that turns out to have succeeded is left for its webhook);
 * - takes apart orders whose creation was interrupted (never placed): stock back, order deleted;
 * - settles stock for orders whose final status was stored but whose stock step was interrupted;
 * - deletes expired idempotency keys.
 */
export function createOrderSweeper(deps: {
  payments: PaymentGateway;
  clock: () => Date;
  logger: Logger;
  metrics?: ShopMetrics;
  settings: { sweepIntervalMs: number };
}) {
  const { payments, clock, logger, settings } = deps;
  const metrics = deps.metrics ?? noMetrics;
  const leaseMs = Math.max(60_000, 2 * settings.sweepIntervalMs);

  async function expireUnpaid(now: Date): Promise<number> {
    const due = { placedAt: { $ne: null }, status: { $in: OPEN_STATUSES }, expiresAt: { $lte: now }, $or: [{ sweepLeaseUntil: null }, { sweepLeaseUntil: { $lte: now } }] };
    const orders = (await OrderModel.find(due).limit(BATCH).lean()) as OrderRow[];
    let canceled = 0;
    for (const order of orders) {
      const claimed = await OrderModel.updateOne({ _id: order._id, ...due }, { $set: { sweepLeaseUntil: new Date(now.getTime() + leaseMs) } });
      if (claimed.modifiedCount === 0) continue; // another instance has it
      try {
        if ((await cancelOpenOrder(payments, order, { reason: 'payment_timeout', at: now })) === 'canceled') {
          canceled += 1;
          metrics.payment('canceled');
        }
      } catch (error) {
        logger.warn('could not cancel an expired order; will retry', { orderId: order._id.toHexString(), error: String(error) });
      }
    }
    return canceled;
  }

  async function removeInterrupted(now: Date): Promise<number> {
    // Creation takes seconds; one still unplaced when its payment window has closed was interrupted.
    const orders = (await OrderModel.find({ placedAt: null, expiresAt: { $lte: now } }).limit(BATCH).lean()) as OrderRow[];
    for (const order of orders) {
      await releaseLines(order._id, order.items);
      await IdempotencyKeyModel.deleteMany({ orderId: order._id });
      await OrderModel.deleteOne({ _id: order._id, placedAt: null });
    }
    return orders.length;
  }

  async function settleInterrupted(): Promise<number> {
    const orders = (await OrderModel.find({ stock: 'held', status: { $in: ['paid', 'refunded', 'canceled'] } }).limit(BATCH).lean()) as OrderRow[];
    for (const order of orders) await settleStock(order, order.status);
    return orders.length;
  }

  async function sweepOnce() {
    const now = clock();
    const result = {
      expired: await expireUnpaid(now),
      removed: await removeInterrupted(now),
      settled: await settleInterrupted(),
      keysDeleted: (await IdempotencyKeyModel.deleteMany({ expiresAt: { $lte: now } })).deletedCount,
    };
    if (result.expired + result.removed + result.settled > 0) logger.info('order sweep', result);
    return result;
  }

  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | undefined;
  const tick = () => {
    if (current) return; // the previous pass is still running: skip, never pile up
    current = sweepOnce()
      .then(() => undefined)
      .catch((error: unknown) => logger.error('order sweep failed', { error: String(error) }))
      .finally(() => {
        current = undefined;
      });
  };
  return {
    sweepOnce,
    start() {
      timer = setInterval(tick, settings.sweepIntervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await current;
    },
  };
}

export type OrderSweeper = ReturnType<typeof createOrderSweeper>;

import type { Logger } from '../lib/logger';
import type { OrderMails } from '../mail/order-mails';
import { noMetrics, type ShopMetrics } from '../lib/metrics';
import { OPEN_STATUSES } from '../lib/order-state';
import { IdempotencyKeyModel } from '../models/idempotency-key.model';
import { OrderModel, type OrderRow } from '../models/order.model';
import type { PaymentGateway } from '../payments/gateway';
import { lookUpIntent } from '../payments/intent-outcomes';
import type { OutcomeOf } from '../payments/outcome';
import { takeApartInterruptedCreation } from './interrupted-creation.service';
import { cancelOpenOrder, reconcileSource } from './order-lifecycle.service';
import type { FulfilmentService } from './fulfilment.service';
import { claimForSweep, expiredOpenOrders, lapsingAuthorizations, stockUnsettledFilter } from './order-store';
import { createPaymentOutcomes } from './payment-outcomes.service';
import type { RefundService } from './refund.service';
import { settleStock } from './stock-settlement.service';

const BATCH = 100;

/**
 * The expiry job, run periodically by every server instance. Safe with several instances: an order is
 * claimed with a lease (a conditional update) before its intent is canceled, and every step it takes is
 * idempotent. Each pass:
 * - settles placed orders still unpaid after ORDER_PAYMENT_TIMEOUT_MINUTES, asking the gateway first
 *   (reconciliation): an intent that succeeded (its webhook lost, misrouted or late) is applied exactly as
 *   the webhook would, recorded as `reconciled`; one still `processing` stays open and is asked again
 *   later; one only authorized (manual capture) becomes `authorized`; one the gateway does not know is final
 *   (canceled, stock and open-order slot back, noted `intent_missing`); any other is canceled (intent first,
 *   then order, then stock);
 * - takes apart orders whose creation was interrupted (never placed): stock and open-order count back, order deleted;
 * - settles stock for orders whose final status was stored but whose stock step was interrupted (also the
 *   restock of a fully refunded order that asked for it);
 * - sends again refund requests and captures whose gateway call was interrupted (crash, outage), with the same gateway key;
 * - settles authorizations (manual capture) before they lapse: a capture asked for is sent again, what Stripe
 *   reports is applied (captured: paid; canceled: canceled), and one still only authorized is voided;
 * - deletes expired idempotency keys;
 * - with the simulated gateway, posts the events a crashed process recorded and never delivered.
 */
export function createOrderSweeper(deps: {
  payments: PaymentGateway;
  clock: () => Date;
  logger: Logger;
  metrics?: ShopMetrics;
  settings: { sweepIntervalMs: number; authorizationVoidAfterMs?: number };
  /** The mails an expiry or a reconciled payment causes, recorded again when a pass repeats an interrupted settlement. */
  mails: OrderMails;
  /** The refund service the API uses, so interrupted requests are resumed under the same attempt lease. */
  refunds: Pick<RefundService, 'resumeInterrupted'>;
  /** The capture service the API uses: interrupted captures are resumed, authorizations about to lapse settled. */
  fulfilment?: Pick<FulfilmentService, 'resumeInterrupted' | 'settleLapsing'>;
}) {
  const { payments, clock, logger, settings, refunds, fulfilment, mails } = deps;
  const metrics = deps.metrics ?? noMetrics;
  /** How long one instance holds an expired order while it settles it (a gateway call or two). */
  const leaseMs = Math.max(60_000, 2 * settings.sweepIntervalMs);
  const outcomes = createPaymentOutcomes({ clock, logger, metrics, mails });

  async function expireUnpaid(now: Date): Promise<{ expired: number; reconciled: number }> {
    const due = expiredOpenOrders(now, OPEN_STATUSES);
    const orders = (await OrderModel.find(due).limit(BATCH).lean()) as OrderRow[];
    const counts = { expired: 0, reconciled: 0 };
    for (const order of orders) {
      if (!(await claimForSweep(order._id, due, new Date(now.getTime() + leaseMs)))) continue; // another instance has it
      try {
        const outcome = await settleExpired(order);
        if (outcome === 'canceled') counts.expired += 1;
        if (outcome === 'reconciled') counts.reconciled += 1;
      } catch (error) {
        logger.warn('could not settle an expired order; will retry', {
          orderId: order._id.toHexString(),
          error: String(error),
        });
      }
    }
    return counts;
  }

  /** Asks the gateway before canceling: a payment must never be lost because its webhook was. */
  async function settleExpired(order: OrderRow): Promise<'canceled' | 'reconciled' | 'left_open'> {
    const seen = await lookUpIntent(payments, order.paymentIntentId!);
    if (seen.kind === 'payment_succeeded') return reconcile(seen);
    if (seen.kind === 'payment_authorized') {
      // Manual capture: the money is held for the order (its authorization event was lost or is late): never cancel it as unpaid.
      const result = await outcomes.apply(reconcileSource(seen.intentId, seen.kind), seen);
      if (result === 'applied')
        logger.warn('authorization reconciled with the gateway: its webhook had not arrived', {
          paymentIntentId: seen.intentId,
        });
      return result === 'applied' ? 'reconciled' : 'left_open';
    }
    if (seen.kind === 'payment_processing') {
      logger.info('expired order left open: its payment is processing', {
        orderId: order._id.toHexString(),
        paymentIntentId: seen.intentId,
      });
      return 'left_open';
    }
    if (seen.kind === 'intent_missing') {
      // Nothing can ever be paid through it: a final answer, not a reason to ask again forever.
      const result = await outcomes.apply({ sourceId: `reconcile:${seen.intentId}`, reason: 'intent_missing' }, seen);
      return result === 'applied' ? 'canceled' : 'left_open';
    }
    const outcome = await cancelOpenOrder({ payments, outcomes }, order, 'payment_timeout');
    if (outcome !== 'already_paid') return outcome === 'canceled' ? 'canceled' : 'left_open';
    // Paid between the look and the cancel: Stripe refused to cancel it, so apply the success now.
    const paid = await lookUpIntent(payments, order.paymentIntentId!);
    return paid.kind === 'payment_succeeded' ? reconcile(paid) : 'left_open';
  }

  async function reconcile(succeeded: OutcomeOf<'payment_succeeded'>): Promise<'reconciled' | 'left_open'> {
    const result = await outcomes.apply(
      { sourceId: `reconcile:${succeeded.intentId}`, reason: 'reconciled' },
      succeeded,
    );
    if (result === 'applied')
      logger.warn('payment reconciled with the gateway: its webhook had not arrived', {
        paymentIntentId: succeeded.intentId,
      });
    // A mismatch stays open and noted for a person; it is never canceled under a succeeded payment.
    return result === 'applied' ? 'reconciled' : 'left_open';
  }

  /** Authorizations the shop has not captured, before Stripe lets them lapse (AUTHORIZATION_VOID_AFTER_HOURS after the order was placed). */
  async function settleAuthorizations(now: Date): Promise<number> {
    if (!fulfilment || settings.authorizationVoidAfterMs === undefined) return 0;
    const due = lapsingAuthorizations(now, new Date(now.getTime() - settings.authorizationVoidAfterMs));
    const orders = (await OrderModel.find(due).limit(BATCH).lean()) as OrderRow[];
    let settled = 0;
    for (const order of orders) {
      if (!(await claimForSweep(order._id, due, new Date(now.getTime() + leaseMs)))) continue;
      try {
        if ((await fulfilment.settleLapsing(order)) !== 'left') settled += 1;
      } catch (error) {
        logger.warn('could not settle an authorization about to lapse; will retry', {
          orderId: order._id.toHexString(),
          error: String(error),
        });
      }
    }
    return settled;
  }

  async function removeInterrupted(now: Date): Promise<number> {
    // Creation takes seconds; one still unplaced when its payment window has closed was interrupted.
    const orders = (await OrderModel.find({ placedAt: null, expiresAt: { $lte: now } })
      .limit(BATCH)
      .lean()) as OrderRow[];
    for (const order of orders) await takeApartInterruptedCreation(order);
    return orders.length;
  }

  async function settleInterrupted(): Promise<number> {
    const orders = (await OrderModel.find(stockUnsettledFilter()).limit(BATCH).lean()) as OrderRow[];
    for (const order of orders) await settleStock(order, order.status, mails);
    return orders.length;
  }

  async function sweepOnce() {
    const now = clock();
    const result = {
      ...(await expireUnpaid(now)),
      removed: await removeInterrupted(now),
      settled: await settleInterrupted(),
      refundsResumed: await refunds.resumeInterrupted(),
      capturesResumed: fulfilment ? await fulfilment.resumeInterrupted() : 0,
      authorizationsSettled: await settleAuthorizations(now),
      keysDeleted: (await IdempotencyKeyModel.deleteMany({ expiresAt: { $lte: now } })).deletedCount,
      eventsRedelivered: (await payments.redeliverEvents?.()) ?? 0,
    };
    const worked = result.expired + result.reconciled + result.removed + result.settled + result.refundsResumed;
    if (worked + result.capturesResumed + result.authorizationsSettled + result.eventsRedelivered > 0)
      logger.info('order sweep', result);
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

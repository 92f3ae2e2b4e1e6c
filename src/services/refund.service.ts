import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { Conflict, NotFound, PaymentGatewayError, Unprocessable, ValidationError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { noMetrics, type ShopMetrics } from '../lib/metrics';
import { formatMoney, fromMinorUnits, MoneyError, priceProblem, toMinorUnits } from '../lib/money';
import { isClosedDispute } from '../lib/disputes';
import { REFUNDABLE_STATUSES } from '../lib/order-state';
import { refundLedger, settlementAfter } from '../lib/refund-ledger';
import { OrderModel, type OrderRow, type RefundRecord } from '../models/order.model';
import { GatewayError, type PaymentGateway, type RefundRef, type RefundStatus } from '../payments/gateway';
import type { RefundOrderInput } from '../schemas/refund.schemas';
import type { PublicUser } from './auth.service';
import {
  claimRefundAttempt,
  dropRefusedRefunds,
  interruptedRefundRequests,
  recordRefundAnswer,
  recordRefundRefusal,
  releaseRefundAttempt,
  reserveRefund,
} from './order-store';

export interface RefundServiceDeps {
  payments: PaymentGateway;
  clock: () => Date;
  logger: Logger;
  metrics?: ShopMetrics;
  settings: {
    /** How long one gateway call may take at most: until then a same-key retry is told to wait, after it the call may be made again. */
    attemptLeaseMs: number;
    /** How many refused requests an order keeps (the newest): a refusal leaves a bounded trace. */
    refusedAttemptsKept: number;
  };
}

export interface RefundRequested {
  orderId: string;
  refundId: string;
  amount: number;
  currency: string;
  status: RefundStatus;
}

type RefundEntry = RefundRecord;

/** Tries to reserve against a refund history that others keep changing before answering 409 REFUND_BUSY. */
const MAX_ATTEMPTS = 8;
/**
 * Stripe keeps an idempotency key for at least 24 hours; past that, sending a request again could refund
 * twice. Interrupted requests are sent again only while their key is safely remembered; older ones are
 * left for a person (they show as `requested` on the order, and any refund.* event for them still applies).
 */
const GATEWAY_KEY_WINDOW_MS = 23 * 3_600_000;
const BATCH = 100;

/**
 * Admin refunds. The order changes in three single-document steps, none of which can refund twice:
 * 1. reserve: one conditional update, taken only over the refund history its amount was checked against,
 *    pushes the request (with the Idempotency-Key it claims), so concurrent requests can never together
 *    ask for more than is left;
 * 2. ask the gateway, with a Stripe idempotency key derived from the order and request ids;
 * 3. record its answer: the refund id and status (counted as accepted once), or a refusal that releases
 *    the reservation. The refunded amount and the move to `refunded` come later, from its events.
 * Each entry update names the entry by its request id (arrayFilters) and guards its state in the query: the
 * update is atomic either way, and the guard is read before anything is written on every server.
 * If the process dies between 1 and 3, or the gateway cannot be reached, the request stays `requested`
 * and reserved; a retry with the same Idempotency-Key, or the expiry job once the attempt's lease has run
 * out, sends it again with the same gateway key, which gives the same refund or makes it once.
 */
export function createRefundService(deps: RefundServiceDeps) {
  const { payments, clock, logger } = deps;
  const metrics = deps.metrics ?? noMetrics;
  const keyWindowStart = () => new Date(clock().getTime() - GATEWAY_KEY_WINDOW_MS);

  async function requestRefund(
    admin: PublicUser,
    orderId: string,
    input: RefundOrderInput,
    idempotencyKey?: string,
  ): Promise<RefundRequested & { replayed: boolean }> {
    const request = {
      orderId: orderId.toLowerCase(),
      amount: input.amount ?? null,
      reason: input.reason ?? null,
      restock: input.restock,
    };
    const requestHash = idempotencyKey ? digest(request) : null;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const order = (await OrderModel.findOne({ _id: orderId, placedAt: { $ne: null } }).lean()) as OrderRow | null;
      if (!order) throw new NotFound('Order not found', 'ORDER_NOT_FOUND');
      const earlier = idempotencyKey ? requestWithKey(order, admin.id, idempotencyKey) : undefined;
      if (earlier) return { ...(await replay(order, earlier, requestHash)), replayed: true };
      const askedMinor = input.amount === undefined ? undefined : amountInMinorUnits(input.amount, order.currency);
      if (!REFUNDABLE_STATUSES.includes(order.status))
        throw new Conflict(`This order is ${order.status} and cannot be refunded`, 'ORDER_NOT_REFUNDABLE');
      // Stripe refuses to refund a disputed charge too: the dispute decides where the money goes.
      if (order.disputeOpen) throw disputed(order);
      const { remainingMinor } = refundLedger(order);
      const amountMinor = askedMinor ?? remainingMinor;
      if (remainingMinor === 0 || amountMinor > remainingMinor) throw overRemainder(order, amountMinor, remainingMinor);
      const now = clock();
      const entry = {
        requestId: new Types.ObjectId().toHexString(),
        source: 'admin',
        amountMinor,
        reason: input.reason ?? null,
        restock: input.restock,
        requestedBy: { userId: new Types.ObjectId(admin.id), email: admin.email },
        requestedAt: now,
        refundId: null,
        status: 'requested',
        settlement: 'reserved',
        failure: null,
        attemptUntil: new Date(now.getTime() + deps.settings.attemptLeaseMs),
        idempotencyKey: idempotencyKey ?? null,
        requestHash,
      } satisfies RefundEntry;
      const note = {
        kind: 'refund_requested',
        at: now,
        detail: {
          requestId: entry.requestId,
          by: { userId: admin.id, email: admin.email },
          amountMinor,
          reason: entry.reason,
          restock: entry.restock,
        },
      };
      // Only over what the amount was checked against: no refund added since and no confirmed total past what
      // was counted. Status changes of existing refunds only ever free room.
      if (await reserveRefund(order, order.amountMinor - remainingMinor, entry, note)) {
        logger.info('refund requested', {
          orderId: order._id.toHexString(),
          requestId: entry.requestId,
          amountMinor,
          by: admin.id,
        });
        return { ...(await send(order, entry)), replayed: false };
      }
    }
    throw new Conflict('Other refunds of this order are being recorded right now; retry shortly', 'REFUND_BUSY');
  }

  /** The key was used before by this admin on this order: the same refund, a 422 for another body, a 409 while it runs. */
  async function replay(order: OrderRow, entry: RefundEntry, requestHash: string | null): Promise<RefundRequested> {
    if (entry.requestHash !== requestHash) {
      throw new Unprocessable(
        'This Idempotency-Key was already used with a different refund request',
        'IDEMPOTENCY_KEY_REUSED',
      );
    }
    if (entry.refundId) return resultOf(order, entry, entry.refundId, entry.status as RefundStatus);
    if (entry.requestedAt <= keyWindowStart()) {
      throw new Conflict(
        'This refund request was interrupted too long ago to be sent again safely: check the payment provider before refunding this order again',
        'REFUND_NEEDS_REVIEW',
      );
    }
    if (!(await claimAttempt(order._id, entry.requestId))) {
      throw new Conflict(
        'A request with this Idempotency-Key is still being processed; retry shortly',
        'IDEMPOTENCY_KEY_IN_USE',
      );
    }
    return send(order, entry);
  }

  /** Steps 2 and 3 for a reserved request (new, retried with its key, or resumed by the expiry job). */
  async function send(order: OrderRow, entry: RefundEntry): Promise<RefundRequested> {
    const orderId = order._id.toHexString();
    let refund: RefundRef;
    try {
      refund = await payments.createRefund({
        paymentIntentId: order.paymentIntentId!,
        amountMinor: entry.amountMinor,
        currency: order.currency,
        ...(entry.reason && { reason: entry.reason }),
        metadata: {
          orderId,
          refundRequestId: entry.requestId,
          ...(entry.requestedBy && { requestedBy: entry.requestedBy.userId.toHexString() }),
        },
        idempotencyKey: `order_${orderId}_refund_${entry.requestId}`,
      });
    } catch (error) {
      // A refusal is final: nothing was refunded. Anything else (unreachable, a concurrent retry of the same
      // gateway key) leaves the outcome unknown, so the reservation stays and the request is sent again.
      if (error instanceof GatewayError && error.kind !== 'unavailable' && error.code !== 'idempotency_error') {
        await recordRefusal(order._id, entry.requestId, error.message);
        throw new Conflict(`The payment provider refused the refund: ${error.message}`, 'REFUND_REFUSED', [
          { message: error.message, code: error.code },
        ]);
      }
      // The attempt is over without an answer: a retry may go at once.
      await releaseRefundAttempt(order._id, entry.requestId, clock()).catch(() => undefined);
      if (error instanceof GatewayError) {
        logger.warn('refund request not answered by the gateway: kept, will be sent again', {
          orderId,
          requestId: entry.requestId,
        });
        throw new PaymentGatewayError(
          'The payment provider could not be reached; the refund request is kept and will be sent again',
          [
            {
              message: 'Retry with the same Idempotency-Key to get its outcome',
              orderId,
              refundRequestId: entry.requestId,
            },
          ],
        );
      }
      throw error;
    }
    await recordAnswer(order._id, entry.requestId, refund);
    return resultOf(order, entry, refund.id, refund.status);
  }

  /** The first answer for a request counts it as accepted; an event that named it first (see payment-decision) already did. */
  async function recordAnswer(orderId: Types.ObjectId, requestId: string, refund: RefundRef): Promise<void> {
    const answer = {
      refundId: refund.id,
      status: refund.status,
      settlement: settlementAfter('reserved', refund.status, false),
    };
    if (await recordRefundAnswer(orderId, requestId, answer)) {
      metrics.refundAccepted();
      logger.info('refund accepted by the gateway', {
        orderId: orderId.toHexString(),
        requestId,
        refundId: refund.id,
        status: refund.status,
      });
    }
  }

  /**
   * The refusal is kept on the order (the admin sees it as `refused`), but only the newest few: older refused
   * requests, which refunded and reserved nothing, are dropped with their notes, so repeated refusals cannot
   * grow the order without bound.
   */
  async function recordRefusal(orderId: Types.ObjectId, requestId: string, message: string): Promise<void> {
    await recordRefundRefusal(orderId, requestId, message);
    logger.warn('refund refused by the gateway', { orderId: orderId.toHexString(), requestId, reason: message });
    const order = (await OrderModel.findById(orderId).select('refunds').lean()) as Pick<OrderRow, 'refunds'> | null;
    await dropRefusedRefunds(orderId, refusedBeyond(order?.refunds ?? [], deps.settings.refusedAttemptsKept));
  }

  /** Takes the right to call the gateway for a request still waiting for an answer whose last attempt is over. */
  function claimAttempt(orderId: Types.ObjectId, requestId: string): Promise<boolean> {
    const now = clock();
    return claimRefundAttempt(orderId, requestId, now, new Date(now.getTime() + deps.settings.attemptLeaseMs));
  }

  /** For the expiry job: sends again the requests whose gateway call was interrupted (crash, outage) and whose lease has run out. */
  async function resumeInterrupted(): Promise<number> {
    const now = clock();
    const since = keyWindowStart();
    const orders = (await OrderModel.find(interruptedRefundRequests(now, since)).limit(BATCH).lean()) as OrderRow[];
    let resumed = 0;
    for (const order of orders) {
      for (const entry of order.refunds.filter(
        (e) => e.status === 'requested' && e.refundId === null && e.requestedAt > since,
      )) {
        if (!(await claimAttempt(order._id, entry.requestId))) continue;
        resumed += 1;
        await send(order, entry).catch((error: unknown) =>
          logger.warn('interrupted refund request not completed; will retry', {
            orderId: order._id.toHexString(),
            requestId: entry.requestId,
            error: String(error),
          }),
        );
      }
    }
    return resumed;
  }

  return { requestRefund, resumeInterrupted };
}

export type RefundService = ReturnType<typeof createRefundService>;

/** The request ids of the refused requests past the newest `keep`. */
function refusedBeyond(entries: readonly RefundEntry[], keep: number): string[] {
  const refused = entries.filter((entry) => entry.status === 'refused');
  const oldestFirst = refused
    .map((entry, i) => ({ entry, i }))
    .sort((a, b) => a.entry.requestedAt.getTime() - b.entry.requestedAt.getTime() || a.i - b.i);
  return oldestFirst.slice(0, Math.max(0, refused.length - keep)).map(({ entry }) => entry.requestId);
}

/** A request this admin made on this order with this key; one the gateway refused does not use the key up. */
function requestWithKey(order: OrderRow, adminId: string, key: string): RefundEntry | undefined {
  return (order.refunds ?? []).find(
    (entry) =>
      entry.idempotencyKey === key && entry.status !== 'refused' && entry.requestedBy?.userId.toHexString() === adminId,
  );
}

function resultOf(order: OrderRow, entry: RefundEntry, refundId: string, status: RefundStatus): RefundRequested {
  return {
    orderId: order._id.toHexString(),
    refundId,
    amount: fromMinorUnits(entry.amountMinor, order.currency),
    currency: order.currency,
    status,
  };
}

/** The amount in the order's minor units: more decimals than its currency has, or an amount Stripe cannot move, is a 400. */
function amountInMinorUnits(amount: number, currency: string): number {
  let minor: number;
  try {
    minor = toMinorUnits(amount, currency);
  } catch (error) {
    if (error instanceof MoneyError)
      throw new ValidationError('Invalid refund amount', [
        { path: 'amount', message: `${error.message} for ${currency}` },
      ]);
    throw error;
  }
  const problem = priceProblem(minor, currency);
  if (problem) throw new ValidationError('Invalid refund amount', [{ path: 'amount', message: problem }]);
  return minor;
}

function disputed(order: OrderRow): Conflict {
  const open = (order.disputes ?? []).filter((dispute) => !isClosedDispute(dispute.status));
  return new Conflict(
    'The payment of this order is disputed: it cannot be refunded while the dispute is open',
    'ORDER_DISPUTED',
    open.map((dispute) => ({
      message: `Dispute ${dispute.disputeId} is ${dispute.status}`,
      disputeId: dispute.disputeId,
      status: dispute.status,
    })),
  );
}

function overRemainder(order: OrderRow, askedMinor: number, remainingMinor: number): Conflict {
  const remaining = formatMoney(remainingMinor, order.currency);
  const message =
    remainingMinor === 0
      ? 'Nothing is left to refund on this order (refunded or already requested)'
      : `At most ${remaining} can be refunded (paid, minus refunded and already requested); ${formatMoney(askedMinor, order.currency)} was asked`;
  return new Conflict(message, 'REFUND_EXCEEDS_REMAINDER', [
    { path: 'amount', message, remaining: fromMinorUnits(remainingMinor, order.currency) },
  ]);
}

function digest(request: unknown): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}

import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { Conflict, NotFound, PaymentGatewayError, Unprocessable, ValidationError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import type { OrderMails } from '../mail/order-mails';
import { noMetrics, type ShopMetrics } from '../lib/metrics';
import { chargeProblem, formatMoney, MoneyError, multiplyMinor, sumMinor, toMinorUnits } from '../lib/money';
import { OrderModel, type CaptureRecord, type OrderRow } from '../models/order.model';
import { GatewayError, type PaymentGateway } from '../payments/gateway';
import { cancelIntent, lookUpIntent } from '../payments/intent-outcomes';
import { reconcileSource } from './order-lifecycle.service';
import type { CaptureOrderInput, FulfilOrderInput } from '../schemas/fulfilment.schemas';
import type { PublicUser } from './auth.service';
import { gatewayFailure } from './order-lifecycle.service';
import {
  claimCapture,
  claimCaptureAttempt,
  interruptedCaptures,
  markFulfilled,
  recordCaptureAnswer,
  releaseCaptureAttempt,
  updateFulfilment,
} from './order-store';
import { toOrderView, type OrderView } from './order-view';
import { createPaymentOutcomes } from './payment-outcomes.service';

export interface FulfilmentServiceDeps {
  payments: PaymentGateway;
  clock: () => Date;
  logger: Logger;
  metrics?: ShopMetrics;
  /** The mails a capture (paid) or a void (canceled) causes, recorded where the order's stock is settled. */
  mails: OrderMails;
  settings: {
    /** How long one gateway call may take at most (the refunds' lease): until then a same-key retry is told to wait. */
    attemptLeaseMs: number;
  };
}

/** Tries to claim the capture against others changing the order before answering 409. */
const MAX_ATTEMPTS = 8;
/** Stripe keeps an idempotency key for at least 24 hours: an interrupted capture is sent again only within that. */
const GATEWAY_KEY_WINDOW_MS = 23 * 3_600_000;
const BATCH = 100;
const ADMIN = { role: 'admin' };

/**
 * What happens to a paid order after checkout: capturing an authorized payment (manual capture, all of it or
 * less), voiding an authorization, and fulfilment (shipping), which captures first when the payment is only
 * authorized. A capture is three single-document steps, like a refund:
 * 1. claim: one conditional update records the capture on the order only while it is `authorized` and no
 *    other capture is asked for, so two admins (or a double click) capture once;
 * 2. ask the gateway, with a Stripe idempotency key derived from the order and the capture;
 * 3. record its answer and apply the capture as the payment outcome it is (the order becomes `paid`).
 * The provider's success event for the same capture may come before or after step 3, on any instance: both
 * make the one conditional move authorized -> paid, and only the first moves it. A capture interrupted between
 * 1 and 3 stays `requested`; a retry with its Idempotency-Key, or the expiry job once its lease has run out,
 * sends it again with the same gateway key.
 */
export function createFulfilmentService(deps: FulfilmentServiceDeps) {
  const { payments, clock, logger } = deps;
  const outcomes = createPaymentOutcomes({ clock, logger, metrics: deps.metrics ?? noMetrics, mails: deps.mails });
  const keyWindowStart = () => new Date(clock().getTime() - GATEWAY_KEY_WINDOW_MS);
  /** Until when an attempt started at `now` holds the capture: a same-key retry before then is told to wait. */
  const leaseEnd = (now: Date) => new Date(now.getTime() + deps.settings.attemptLeaseMs);

  async function captureOrder(
    admin: PublicUser,
    orderId: string,
    input: CaptureOrderInput,
    idempotencyKey?: string,
  ): Promise<{ order: OrderView; replayed: boolean }> {
    const requestHash = digest({
      orderId: orderId.toLowerCase(),
      amount: input.amount ?? null,
      lines: input.lines ?? null,
      restockUnshipped: input.restockUnshipped,
    });
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const order = await placedOrder(orderId);
      const earlier = order.capture;
      if (idempotencyKey && earlier && earlier.status !== 'refused' && sameKey(earlier, admin, idempotencyKey)) {
        if (earlier.requestHash !== requestHash) {
          throw new Unprocessable(
            'This Idempotency-Key was already used with a different capture request',
            'IDEMPOTENCY_KEY_REUSED',
          );
        }
        return { order: await resume(order, earlier, 'IDEMPOTENCY_KEY_IN_USE'), replayed: true };
      }
      if (order.status !== 'authorized') throw notCapturable(order);
      if (earlier?.status === 'requested') {
        // The same capture again without its key (after a 502, say) sends it again once its attempt is over.
        if (earlier.requestHash === requestHash)
          return { order: await resume(order, earlier, 'CAPTURE_IN_PROGRESS'), replayed: true };
        throw captureInProgress();
      }
      const plan = planCapture(order, input);
      const now = clock();
      const capture = {
        requestId: new Types.ObjectId().toHexString(),
        amountMinor: plan.amountMinor,
        ...(plan.lines && { lines: plan.lines }),
        restockUnshipped: input.restockUnshipped,
        status: 'requested',
        failure: null,
        requestedBy: { userId: new Types.ObjectId(admin.id), email: admin.email },
        requestedAt: now,
        attemptUntil: leaseEnd(now),
        idempotencyKey: idempotencyKey ?? null,
        requestHash,
      } satisfies CaptureRecord;
      if (await claimCapture(order._id, capture)) {
        logger.info('capture requested', {
          orderId,
          requestId: capture.requestId,
          amountMinor: capture.amountMinor,
          by: admin.id,
        });
        return { order: await send(order, capture), replayed: false };
      }
    }
    throw captureInProgress();
  }

  /** A capture already claimed: its result when answered, else sent again once its attempt is over. */
  async function resume(
    order: OrderRow,
    capture: CaptureRecord,
    busyCode: 'IDEMPOTENCY_KEY_IN_USE' | 'CAPTURE_IN_PROGRESS',
  ): Promise<OrderView> {
    if (capture.status !== 'requested') return viewOf(order._id);
    if (capture.requestedAt <= keyWindowStart()) {
      throw new Conflict(
        'This capture was interrupted too long ago to be sent again safely: check the payment provider',
        'CAPTURE_IN_PROGRESS',
      );
    }
    const now = clock();
    if (!(await claimCaptureAttempt(order._id, capture.requestId, now, leaseEnd(now)))) {
      throw busyCode === 'IDEMPOTENCY_KEY_IN_USE'
        ? new Conflict(
            'A request with this Idempotency-Key is still being processed; retry shortly',
            'IDEMPOTENCY_KEY_IN_USE',
          )
        : captureInProgress();
    }
    return send(order, capture);
  }

  /** Steps 2 and 3 for a claimed capture (new, retried with its key, or resumed by the expiry job). */
  async function send(order: OrderRow, capture: CaptureRecord): Promise<OrderView> {
    const orderId = order._id.toHexString();
    const intentId = order.paymentIntentId!;
    let answer: Awaited<ReturnType<PaymentGateway['capturePaymentIntent']>>;
    try {
      answer = await payments.capturePaymentIntent(intentId, {
        ...(capture.amountMinor !== order.amountMinor && { amountMinor: capture.amountMinor }),
        currency: order.currency,
        idempotencyKey: `order_${orderId}_capture_${capture.requestId}`,
      });
    } catch (error) {
      if (error instanceof GatewayError && error.kind !== 'unavailable' && error.code !== 'idempotency_error') {
        // Refused: nothing was captured. What the gateway has now decides the order (a voided or lapsed
        // authorization cancels it, a capture made elsewhere pays it); another capture may be asked for.
        await recordCaptureAnswer(order._id, capture.requestId, {
          status: 'refused',
          failure: error.message,
          attemptUntil: null,
        });
        logger.warn('capture refused by the gateway', { orderId, requestId: capture.requestId, reason: error.message });
        await reconcile(intentId).catch(() => undefined);
        throw new Conflict(`The payment provider refused the capture: ${error.message}`, 'CAPTURE_REFUSED', [
          { message: error.message, code: error.code },
        ]);
      }
      // The attempt is over without an answer: a retry may go at once.
      await releaseCaptureAttempt(order._id, capture.requestId, clock()).catch(() => undefined);
      if (error instanceof GatewayError) throw captureNotAnswered(orderId);
      throw error;
    }
    if (answer.status !== 'succeeded') {
      await releaseCaptureAttempt(order._id, capture.requestId, clock());
      logger.warn('capture not completed by the gateway: kept, will be sent again', { orderId, status: answer.status });
      throw captureNotAnswered(orderId);
    }
    await recordCaptureAnswer(order._id, capture.requestId, { status: 'succeeded', attemptUntil: null });
    // The capture's own answer moves the order; the provider's success event, whenever it comes, finds it moved.
    await outcomes.apply(
      { sourceId: `capture:${intentId}`, reason: 'captured' },
      {
        kind: 'payment_succeeded',
        intentId,
        currency: order.currency,
        amountMinor: answer.amountReceivedMinor,
        intentAmountMinor: order.amountMinor,
      },
    );
    logger.info('payment captured', { orderId, requestId: capture.requestId, amountMinor: answer.amountReceivedMinor });
    return viewOf(order._id);
  }

  /** Applies what the gateway says about the intent now (a capture, an authorization, a cancel, an intent it does not know). */
  async function reconcile(intentId: string): Promise<string> {
    const seen = await lookUpIntent(payments, intentId);
    if (seen.kind === 'payment_open' || seen.kind === 'payment_processing') return seen.kind;
    await outcomes.apply(reconcileSource(intentId, seen.kind), seen);
    return seen.kind;
  }

  /** Cancels an authorization: the money is released on the card, the order canceled, its units back on sale. */
  async function voidOrder(admin: PublicUser, orderId: string): Promise<OrderView> {
    const order = await placedOrder(orderId);
    // Voiding twice is voiding once: the second answers with the order as the first left it.
    if (order.status === 'canceled' && order.history.at(-1)?.reason === 'voided') return toOrderView(order, ADMIN);
    if (order.status !== 'authorized') {
      throw new Conflict(`This order is ${order.status} and has no authorization to void`, 'ORDER_NOT_VOIDABLE');
    }
    if (order.capture?.status === 'requested') throw captureInProgress();
    const voided = await voidAuthorization(order, 'voided');
    if (voided === 'captured')
      throw new Conflict('The payment was captured before the void reached the provider', 'ALREADY_CAPTURED');
    logger.info('authorization voided', { orderId, by: admin.id });
    return viewOf(order._id);
  }

  async function voidAuthorization(order: OrderRow, reason: string): Promise<'voided' | 'captured' | 'not_authorized'> {
    const intentId = order.paymentIntentId!;
    const answer = await cancelIntent(payments, intentId, {
      idempotencyKey: `order_${order._id.toHexString()}_void`,
    }).catch((error: unknown) => {
      throw gatewayFailure(error);
    });
    if (answer.kind === 'already_succeeded') {
      await reconcile(intentId);
      return 'captured';
    }
    const source =
      answer.kind === 'intent_missing' ? { sourceId: `reconcile:${intentId}`, reason: 'intent_missing' } : { reason };
    const result = await outcomes.apply(source, answer);
    return result === 'applied' ? 'voided' : 'not_authorized';
  }

  /** Ships a paid order (`fulfilled`, carrier and tracking number optional); an authorized one is captured first, in full. */
  async function fulfilOrder(admin: PublicUser, orderId: string, input: FulfilOrderInput): Promise<OrderView> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const order = await placedOrder(orderId);
      switch (order.status) {
        case 'authorized':
          await captureOrder(admin, orderId, { restockUnshipped: true });
          continue;
        case 'paid': {
          const now = clock();
          const fulfilment = {
            carrier: input.carrier ?? null,
            trackingNumber: input.trackingNumber ?? null,
            fulfilledAt: now,
            fulfilledBy: new Types.ObjectId(admin.id),
          };
          if (await markFulfilled(order._id, fulfilment, { reason: 'fulfilled', at: now })) {
            logger.info('order fulfilled', { orderId, by: admin.id });
            return viewOf(order._id);
          }
          continue;
        }
        case 'fulfilled':
          // Fulfilling again changes nothing but the carrier or tracking number given now.
          await updateFulfilment(order._id, {
            ...(input.carrier !== undefined && { carrier: input.carrier }),
            ...(input.trackingNumber !== undefined && { trackingNumber: input.trackingNumber }),
          });
          return viewOf(order._id);
        default:
          throw new Conflict(`This order is ${order.status} and cannot be fulfilled`, 'ORDER_NOT_FULFILLABLE');
      }
    }
    throw new Conflict('The order kept changing while it was being fulfilled; retry shortly', 'ORDER_NOT_FULFILLABLE');
  }

  /** For the expiry job: sends again captures whose gateway call was interrupted (crash, outage) and whose lease has run out. */
  async function resumeInterrupted(): Promise<number> {
    const now = clock();
    const orders = (await OrderModel.find(interruptedCaptures(now, keyWindowStart()))
      .limit(BATCH)
      .lean()) as OrderRow[];
    let resumed = 0;
    for (const order of orders) {
      const capture = order.capture!;
      if (!(await claimCaptureAttempt(order._id, capture.requestId, now, leaseEnd(now)))) continue;
      resumed += 1;
      await send(order, capture).catch((error: unknown) =>
        logger.warn('interrupted capture not completed; will retry', {
          orderId: order._id.toHexString(),
          error: String(error),
        }),
      );
    }
    return resumed;
  }

  /**
   * For the expiry job, an authorization about to lapse: a capture the admin asked for is sent again; otherwise
   * what Stripe reports is applied (captured in the Dashboard: paid; canceled or unknown: canceled), and an
   * authorization still waiting is voided, so no order stays `authorized` past its authorization.
   */
  async function settleLapsing(order: OrderRow): Promise<'voided' | 'captured' | 'reconciled' | 'left'> {
    if (order.capture?.status === 'requested') {
      await resume(order, order.capture, 'CAPTURE_IN_PROGRESS');
      return 'captured';
    }
    const seen = await reconcile(order.paymentIntentId!);
    if (seen !== 'payment_authorized')
      return seen === 'payment_open' || seen === 'payment_processing' ? 'left' : 'reconciled';
    const voided = await voidAuthorization(order, 'authorization_expired');
    if (voided === 'voided')
      logger.warn('authorization voided before it lapsed: it was not captured', { orderId: order._id.toHexString() });
    return voided === 'voided' ? 'voided' : 'reconciled';
  }

  return { captureOrder, voidOrder, fulfilOrder, resumeInterrupted, settleLapsing };
}

export type FulfilmentService = ReturnType<typeof createFulfilmentService>;

async function placedOrder(orderId: string): Promise<OrderRow> {
  const order = (await OrderModel.findOne({ _id: orderId, placedAt: { $ne: null } }).lean()) as OrderRow | null;
  if (!order) throw new NotFound('Order not found', 'ORDER_NOT_FOUND');
  return order;
}

async function viewOf(orderId: Types.ObjectId): Promise<OrderView> {
  return toOrderView(await OrderModel.findById(orderId).lean().orFail(), ADMIN);
}

const sameKey = (capture: CaptureRecord, admin: PublicUser, key: string) =>
  capture.idempotencyKey === key && capture.requestedBy.userId.toHexString() === admin.id;

function notCapturable(order: OrderRow): Conflict {
  const why = order.status === 'paid' || order.status === 'fulfilled' ? ' (its payment is captured already)' : '';
  return new Conflict(`This order is ${order.status} and cannot be captured${why}`, 'ORDER_NOT_CAPTURABLE');
}

const captureInProgress = () =>
  new Conflict('A capture of this order is being made right now; retry shortly', 'CAPTURE_IN_PROGRESS');

const captureNotAnswered = (orderId: string) =>
  new PaymentGatewayError('The payment provider could not be reached; the capture is kept and will be sent again', [
    { message: 'Retry with the same Idempotency-Key (or the same body) to get its outcome', orderId },
  ]);

/**
 * What a capture takes: all of the authorization; the amount asked for; or, with `lines` (the units shipped),
 * their total unless an amount is given. Every line must be one of the order's, at most its quantity.
 */
function planCapture(
  order: OrderRow,
  input: CaptureOrderInput,
): { amountMinor: number; lines?: Array<{ productId: Types.ObjectId; quantity: number }> } {
  let lines: Array<{ productId: Types.ObjectId; quantity: number }> | undefined;
  let linesMinor: number | undefined;
  if (input.lines) {
    const byId = new Map(order.items.map((item) => [item.productId.toHexString(), item]));
    const problems = input.lines.flatMap((line, i) => {
      const item = byId.get(line.productId);
      if (!item) return [{ path: `lines.${i}.productId`, message: 'Is not a line of this order' }];
      if (line.quantity > item.quantity)
        return [{ path: `lines.${i}.quantity`, message: `At most ${item.quantity} (the quantity ordered)` }];
      return [];
    });
    if (problems.length > 0) throw new ValidationError('Invalid capture', problems);
    lines = input.lines.map((line) => ({ productId: new Types.ObjectId(line.productId), quantity: line.quantity }));
    linesMinor = sumMinor(
      input.lines.map((line) => multiplyMinor(byId.get(line.productId)!.unitPriceMinor, line.quantity)),
    );
  }
  let amountMinor = order.amountMinor;
  if (input.amount !== undefined) {
    try {
      amountMinor = toMinorUnits(input.amount, order.currency);
    } catch (error) {
      if (error instanceof MoneyError)
        throw new ValidationError('Invalid capture', [
          { path: 'amount', message: `${error.message} for ${order.currency}` },
        ]);
      throw error;
    }
    if (amountMinor > order.amountMinor) {
      throw new ValidationError('Invalid capture', [
        {
          path: 'amount',
          message: `At most ${formatMoney(order.amountMinor, order.currency)} can be captured (the amount authorized)`,
        },
      ]);
    }
  } else if (linesMinor !== undefined) {
    amountMinor = linesMinor;
  }
  const problem = chargeProblem(amountMinor, order.currency);
  if (problem)
    throw new ValidationError('Invalid capture', [
      { path: input.amount === undefined ? 'lines' : 'amount', message: problem },
    ]);
  return { amountMinor, ...(lines && { lines }) };
}

function digest(request: unknown): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}

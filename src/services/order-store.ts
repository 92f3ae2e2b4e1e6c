import type { QueryFilter, Types } from 'mongoose';
import {
  ORDER_STATUSES,
  HELD_STOCK_AFTER,
  OPEN_STATUSES,
  REFUNDABLE_STATUSES,
  sourcesOf,
  type OrderStatus,
  type StockState,
} from '../lib/order-state';
import {
  RESTOCK_DUE,
  RESTOCK_REQUEST_MATCH,
  type RefundRequestStatus,
  type RefundSettlement,
} from '../lib/refund-ledger';
import {
  OrderModel,
  type CaptureRecord,
  type DisputeRecord,
  type FulfilmentRecord,
  type LastPaymentError,
  type Order,
  type OrderRow,
  type RefundRecord,
} from '../models/order.model';
import type { RefundEntryChange } from './payment-decision';

/**
 * Every write to an order, by name. There are no transactions: each function is one conditional update of
 * one document, whose filter states what must still be true for it to apply (the statuses a move is allowed
 * from, that an event has not been applied, the state a refund entry was read in), so a repeated, late or
 * concurrent attempt changes the order once. Those returning a boolean say whether this call made the change.
 */

export interface HistoryEntry {
  reason: string;
  at: Date;
  /** The event (or reconciliation) that caused the move: also its guard, each applies once. */
  eventId?: string;
}

export interface NoteEntry {
  kind: string;
  at: Date;
  /** Guards the note: one note of each kind per event. */
  eventId?: string;
  detail: unknown;
}

export const findOrderById = (orderId: Types.ObjectId | string) =>
  OrderModel.findById(orderId).lean() as Promise<OrderRow | null>;

/** The order holding a payment intent (unique among orders). */
export const findOrderByIntent = (paymentIntentId: string) =>
  OrderModel.findOne({ paymentIntentId }).lean() as Promise<OrderRow | null>;

/** The order whose payment made this charge (learnt from the payment's events). */
export const findOrderByCharge = (chargeId: string) =>
  OrderModel.findOne({ chargeId }).lean() as Promise<OrderRow | null>;

// --- creation ---

/** Step 1 of creating an order: stored, but not placed (invisible and not payable) until its intent is attached. */
export async function insertUnplacedOrder(order: {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  items: Array<{
    productId: Types.ObjectId;
    name: string;
    unitPriceMinor: number;
    quantity: number;
    lineTotalMinor: number;
  }>;
  amountMinor: number;
  currency: string;
  expiresAt: Date;
  createdAt: Date;
}): Promise<void> {
  await OrderModel.create({
    ...order,
    status: 'pending',
    history: [{ status: 'pending', at: order.createdAt, reason: 'order_created' }],
  });
}

/**
 * The last step of creating an order: its intent attached, the order placed, only if the creation started
 * after `startedAfter` (its deadline has not passed: after it, a retry of its Idempotency-Key may be taking
 * the order apart). False when the order was not placed.
 */
export async function attachIntent(
  orderId: Types.ObjectId,
  intent: { id: string; clientSecret: string },
  at: Date,
  startedAfter: Date,
): Promise<boolean> {
  const placed = await OrderModel.updateOne(
    { _id: orderId, placedAt: null, createdAt: { $gt: startedAfter } },
    { $set: { paymentIntentId: intent.id, clientSecret: intent.clientSecret, placedAt: at } },
  );
  return placed.modifiedCount === 1;
}

/** Only an order that was never placed: a placed one is never deleted. */
export async function deleteUnplacedOrder(orderId: Types.ObjectId): Promise<void> {
  await OrderModel.deleteOne({ _id: orderId, placedAt: null });
}

// --- status ---

/**
 * Moves the order to `to` if its status allows that move and, for an event, this event has not moved it
 * already; the history entry is pushed by the same update.
 */
export async function moveOrder(
  orderId: Types.ObjectId,
  to: OrderStatus,
  entry: HistoryEntry,
  alsoSet: {
    lastPaymentError?: LastPaymentError | null;
    capturedMinor?: number;
    chargeId?: string;
    authorizedAt?: Date;
    paymentStatus?: null;
    fulfilment?: FulfilmentRecord;
  } = {},
): Promise<boolean> {
  const filter: QueryFilter<Order> = { _id: orderId, status: { $in: sourcesOf(to) } };
  if (entry.eventId) filter['history.eventId'] = { $ne: entry.eventId };
  const result = await OrderModel.updateOne(filter, {
    $set: { ...alsoSet, status: to },
    $push: {
      history: { status: to, at: entry.at, reason: entry.reason, ...(entry.eventId && { eventId: entry.eventId }) },
    },
  });
  return result.modifiedCount === 1;
}

/** The latest decline of an order that is (still) `failed`. */
export async function setLastPaymentError(
  orderId: Types.ObjectId,
  lastPaymentError: LastPaymentError | null,
): Promise<void> {
  await OrderModel.updateOne({ _id: orderId, status: 'failed' }, { $set: { lastPaymentError } });
}

/** Where an order's payment stands while the order is still open (processing, waiting for the customer). */
export async function setPaymentStatus(
  orderId: Types.ObjectId,
  paymentStatus: 'processing' | 'requires_action' | null,
): Promise<boolean> {
  const result = await OrderModel.updateOne(
    { _id: orderId, status: { $in: OPEN_STATUSES }, paymentStatus: { $ne: paymentStatus } },
    { $set: { paymentStatus } },
  );
  return result.modifiedCount === 1;
}

/** The charge id, once: learnt late for an order that is already paid. */
export async function setChargeId(orderId: Types.ObjectId, chargeId: string): Promise<boolean> {
  const result = await OrderModel.updateOne({ _id: orderId, chargeId: null }, { $set: { chargeId } });
  return result.modifiedCount === 1;
}

/**
 * The order's disputes as a whole, only over the disputes they were decided on (no write since `version`):
 * concurrent reports about them are decided again one after the other.
 */
export async function writeDisputes(
  order: { _id: Types.ObjectId; disputesVersion?: number | null },
  disputes: DisputeRecord[],
  open: boolean,
): Promise<boolean> {
  const result = await OrderModel.updateOne(
    { _id: order._id, disputesVersion: order.disputesVersion ?? null },
    { $set: { disputes, disputeOpen: open, disputed: true }, $inc: { disputesVersion: 1 } },
  );
  return result.modifiedCount === 1;
}

/** A note without a status change; with an event id, at most one of each kind per event. */
export async function addNote(orderId: Types.ObjectId, note: NoteEntry): Promise<boolean> {
  const filter: QueryFilter<Order> = { _id: orderId };
  if (note.eventId) filter.notes = { $not: { $elemMatch: { eventId: note.eventId, kind: note.kind } } };
  const result = await OrderModel.updateOne(filter, { $push: { notes: note } });
  return result.modifiedCount === 1;
}

/** Records what the order's units went through, once the products say so (see stock-settlement.service). */
export async function markStock(orderId: Types.ObjectId, from: StockState, to: StockState): Promise<void> {
  await OrderModel.updateOne({ _id: orderId, stock: from }, { $set: { stock: to } });
}

// --- the expiry job ---

/** Open orders whose payment window has closed and that no instance is settling right now. */
export function expiredOpenOrders(now: Date, openStatuses: readonly OrderStatus[]): QueryFilter<Order> {
  return {
    placedAt: { $ne: null },
    status: { $in: openStatuses },
    expiresAt: { $lte: now },
    $or: [{ sweepLeaseUntil: null }, { sweepLeaseUntil: { $lte: now } }],
  };
}

/** One instance takes an expired order for `until` (if it still matches `due`): the others leave it alone. */
export async function claimForSweep(orderId: Types.ObjectId, due: QueryFilter<Order>, until: Date): Promise<boolean> {
  const claimed = await OrderModel.updateOne({ _id: orderId, ...due }, { $set: { sweepLeaseUntil: until } });
  return claimed.modifiedCount === 1;
}

/**
 * Orders whose stock still needs a step (stockAction(order) !== 'none'), as a query built from the same
 * tables (HELD_STOCK_AFTER, RESTOCK_DUE, RESTOCK_REQUEST_MATCH); tests/integration/stock-rules.test.ts checks
 * that it selects exactly the orders the rule does.
 */
export function stockUnsettledFilter(): QueryFilter<Order> {
  const settledStatuses = ORDER_STATUSES.filter((status) => HELD_STOCK_AFTER[status] !== null);
  return {
    $or: [
      { stock: 'held', status: { $in: settledStatuses } },
      { ...RESTOCK_DUE, refunds: { $elemMatch: RESTOCK_REQUEST_MATCH } },
    ],
  };
}

// --- refunds ---

/**
 * Pushes a refund request (and its note) only over the refund history its amount was checked against: no
 * refund added since (the version counts them) and no confirmed total past what was counted.
 */
export async function reserveRefund(
  order: { _id: Types.ObjectId; refundsVersion?: number | null },
  maxRefundedMinor: number,
  entry: RefundRecord,
  note: NoteEntry,
): Promise<boolean> {
  // Never while a dispute is open: the money is under review (and Stripe refuses it too).
  const reserved = await OrderModel.updateOne(
    {
      _id: order._id,
      status: { $in: REFUNDABLE_STATUSES },
      disputeOpen: { $ne: true },
      refundsVersion: order.refundsVersion ?? null,
      refundedMinor: { $lte: maxRefundedMinor },
    },
    { $push: { refunds: entry, notes: note }, $inc: { refundsVersion: 1 } },
  );
  return reserved.modifiedCount === 1;
}

/** The gateway's first answer to a request still waiting for one. */
export async function recordRefundAnswer(
  orderId: Types.ObjectId,
  requestId: string,
  answer: { refundId: string; status: RefundRequestStatus; settlement: RefundSettlement },
): Promise<boolean> {
  const recorded = await OrderModel.updateOne(
    { _id: orderId, refunds: { $elemMatch: { requestId, refundId: null, status: 'requested' } } },
    {
      $set: {
        'refunds.$[r].refundId': answer.refundId,
        'refunds.$[r].status': answer.status,
        'refunds.$[r].settlement': answer.settlement,
        'refunds.$[r].attemptUntil': null,
      },
    },
    { arrayFilters: [{ 'r.requestId': requestId }] },
  );
  return recorded.modifiedCount === 1;
}

/** The gateway refused a request still waiting for an answer: nothing was refunded, its reservation is released. */
export async function recordRefundRefusal(orderId: Types.ObjectId, requestId: string, message: string): Promise<void> {
  await OrderModel.updateOne(
    { _id: orderId, refunds: { $elemMatch: { requestId, refundId: null, status: 'requested' } } },
    {
      $set: {
        'refunds.$[r].status': 'refused',
        'refunds.$[r].settlement': 'released',
        'refunds.$[r].failure': message,
        'refunds.$[r].attemptUntil': null,
      },
    },
    { arrayFilters: [{ 'r.requestId': requestId }] },
  );
}

/** Removes refused requests (only refused ones) and the `refund_requested` notes they left. */
export async function dropRefusedRefunds(orderId: Types.ObjectId, requestIds: string[]): Promise<void> {
  if (requestIds.length === 0) return;
  await OrderModel.updateOne(
    { _id: orderId },
    {
      $pull: {
        refunds: { requestId: { $in: requestIds }, status: 'refused' },
        notes: { kind: 'refund_requested', 'detail.requestId': { $in: requestIds } },
      },
    },
  );
}

/** Takes the right to call the gateway for a request still waiting for an answer whose last attempt is over. */
export async function claimRefundAttempt(
  orderId: Types.ObjectId,
  requestId: string,
  now: Date,
  until: Date,
): Promise<boolean> {
  const waiting = { requestId, refundId: null, status: 'requested', attemptUntil: { $lte: now } };
  const claimed = await OrderModel.updateOne(
    { _id: orderId, refunds: { $elemMatch: waiting } },
    { $set: { 'refunds.$[r].attemptUntil': until } },
    { arrayFilters: [{ 'r.requestId': requestId }] },
  );
  return claimed.modifiedCount === 1;
}

/** The attempt is over without an answer: a retry may go at once. */
export async function releaseRefundAttempt(orderId: Types.ObjectId, requestId: string, at: Date): Promise<void> {
  await OrderModel.updateOne(
    { _id: orderId, refunds: { $elemMatch: { requestId, refundId: null, status: 'requested' } } },
    { $set: { 'refunds.$[r].attemptUntil': at } },
    { arrayFilters: [{ 'r.requestId': requestId }] },
  );
}

/** Requests still waiting for the gateway, asked after `since`, whose attempt is over: for the expiry job to send again. */
export function interruptedRefundRequests(now: Date, since: Date): QueryFilter<Order> {
  return {
    refunds: {
      $elemMatch: { status: 'requested', refundId: null, attemptUntil: { $lte: now }, requestedAt: { $gt: since } },
    },
  };
}

export async function changeRefundEntry(orderId: Types.ObjectId, change: RefundEntryChange): Promise<boolean> {
  const set = Object.fromEntries(Object.entries(change.set).map(([field, value]) => [`refunds.$[r].${field}`, value]));
  const moved = await OrderModel.updateOne(
    { _id: orderId, refunds: { $elemMatch: { requestId: change.requestId, ...change.expect } } },
    { $set: set },
    { arrayFilters: [{ 'r.requestId': change.requestId }] },
  );
  return moved.modifiedCount === 1;
}

/** A refund made elsewhere (the Stripe dashboard), recorded once by its gateway id. */
export async function addExternalRefund(
  orderId: Types.ObjectId,
  entry: RefundRecord & { refundId: string },
): Promise<boolean> {
  const pushed = await OrderModel.updateOne(
    { _id: orderId, 'refunds.refundId': { $ne: entry.refundId } },
    { $push: { refunds: entry }, $inc: { refundsVersion: 1 } },
  );
  return pushed.modifiedCount === 1;
}

/** The gateway's confirmed refunded total: it only grows, so an older report arriving late cannot lower it. */
export async function raiseRefundedTotal(orderId: Types.ObjectId, refundedMinor: number): Promise<boolean> {
  const raised = await OrderModel.updateOne({ _id: orderId }, { $max: { refundedMinor } });
  return raised.modifiedCount === 1;
}

// --- manual capture and fulfilment ---

/**
 * Claims the one capture of an authorized order: only while it is `authorized` and no capture is asked for
 * (or the last one was refused). The loser of two concurrent captures finds the winner's claim.
 */
export async function claimCapture(orderId: Types.ObjectId, capture: CaptureRecord): Promise<boolean> {
  const claimed = await OrderModel.updateOne(
    { _id: orderId, status: 'authorized', $or: [{ capture: null }, { 'capture.status': 'refused' }] },
    { $set: { capture } },
  );
  return claimed.modifiedCount === 1;
}

/** Takes the right to call the gateway for a capture still waiting for an answer whose last attempt is over. */
export async function claimCaptureAttempt(
  orderId: Types.ObjectId,
  requestId: string,
  now: Date,
  until: Date,
): Promise<boolean> {
  const claimed = await OrderModel.updateOne(
    {
      _id: orderId,
      'capture.requestId': requestId,
      'capture.status': 'requested',
      'capture.attemptUntil': { $lte: now },
    },
    { $set: { 'capture.attemptUntil': until } },
  );
  return claimed.modifiedCount === 1;
}

/** The gateway's answer to a capture still waiting for one: `succeeded`, or `refused` (nothing was captured). */
export async function recordCaptureAnswer(
  orderId: Types.ObjectId,
  requestId: string,
  answer: { status: 'succeeded' | 'refused'; failure?: string; attemptUntil: Date | null },
): Promise<boolean> {
  const recorded = await OrderModel.updateOne(
    { _id: orderId, 'capture.requestId': requestId, 'capture.status': 'requested' },
    {
      $set: {
        'capture.status': answer.status,
        'capture.failure': answer.failure ?? null,
        'capture.attemptUntil': answer.attemptUntil,
      },
    },
  );
  return recorded.modifiedCount === 1;
}

/** The capture's attempt is over without an answer: a retry may go at once. */
export async function releaseCaptureAttempt(orderId: Types.ObjectId, requestId: string, at: Date): Promise<void> {
  await OrderModel.updateOne(
    { _id: orderId, 'capture.requestId': requestId, 'capture.status': 'requested' },
    { $set: { 'capture.attemptUntil': at } },
  );
}

/** Captures waiting for the gateway whose attempt is over, asked after `since`: for the expiry job to send again. */
export function interruptedCaptures(now: Date, since: Date): QueryFilter<Order> {
  return {
    'capture.status': 'requested',
    'capture.attemptUntil': { $lte: now },
    'capture.requestedAt': { $gt: since },
  };
}

/**
 * Authorized orders placed at or before `before` that no instance is settling right now. Stripe counts an
 * authorization's life from its intent's creation, which is the order's (the status and createdAt index).
 */
export function lapsingAuthorizations(now: Date, before: Date): QueryFilter<Order> {
  return {
    status: 'authorized',
    createdAt: { $lte: before },
    $or: [{ sweepLeaseUntil: null }, { sweepLeaseUntil: { $lte: now } }],
  };
}

/** A paid order shipped: `fulfilled`, with its carrier and tracking number, by the same update that records the move. */
export async function markFulfilled(
  orderId: Types.ObjectId,
  fulfilment: FulfilmentRecord,
  entry: HistoryEntry,
): Promise<boolean> {
  return moveOrder(orderId, 'fulfilled', entry, { fulfilment });
}

/** A fulfilled order's carrier or tracking number, given later. */
export async function updateFulfilment(
  orderId: Types.ObjectId,
  set: { carrier?: string; trackingNumber?: string },
): Promise<boolean> {
  const fields = Object.fromEntries(Object.entries(set).map(([field, value]) => [`fulfilment.${field}`, value]));
  if (Object.keys(fields).length === 0) return false;
  const result = await OrderModel.updateOne(
    { _id: orderId, status: { $in: ['fulfilled', 'refunded'] }, fulfilment: { $ne: null } },
    { $set: fields },
  );
  return result.modifiedCount === 1;
}

import type { Types } from 'mongoose';
import { isDuplicateKeyError } from '../lib/db-errors';
import { Conflict, type ErrorDetail } from '../lib/errors';
import { OpenOrderTallyModel } from '../models/open-order-tally.model';

export interface OpenOrderLimits {
  /** ORDER_MAX_OPEN_PER_USER */
  maxOpenOrders: number;
  /** ORDER_MAX_OPEN_UNITS_PER_USER */
  maxOpenUnits: number;
}

/**
 * Stock hoarding: one account may hold at most so many open (unpaid) orders and units in them. An order
 * is counted from its creation until it settles (paid, canceled, or taken apart after an interrupted
 * creation). Claiming is one conditional update on the user's tally, so a concurrent burst cannot get
 * past the cap; claim and release are each guarded by the order id, so repeating either changes nothing.
 */
export async function claimOpenOrder(
  userId: Types.ObjectId,
  orderId: Types.ObjectId,
  units: number,
  limits: OpenOrderLimits,
): Promise<void> {
  let tally: { openOrders: number; openUnits: number; orders: Types.ObjectId[] } | null = null;
  // Each failed round means another claim or release changed the tally meanwhile: progress, so this ends.
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const claimed = await OpenOrderTallyModel.updateOne(
      {
        _id: userId,
        orders: { $ne: orderId },
        openOrders: { $lt: limits.maxOpenOrders },
        openUnits: { $lte: limits.maxOpenUnits - units },
      },
      { $inc: { openOrders: 1, openUnits: units }, $push: { orders: orderId } },
    );
    if (claimed.modifiedCount === 1) return;
    tally = await OpenOrderTallyModel.findById(userId).lean();
    if (tally?.orders.some((id) => id.equals(orderId))) return;
    if (tally && exceeds(tally, units, limits)) throw limitReached(tally, units, limits);
    // First order of this account: create its tally (a racing creation may win) and try again. A tally with
    // room means a concurrent claim or release changed it between the update and the read: try again too.
    if (!tally) {
      await OpenOrderTallyModel.create({ _id: userId }).catch((error: unknown) => {
        if (!isDuplicateKeyError(error)) throw error;
      });
    }
  }
  throw limitReached(tally ?? { openOrders: 0, openUnits: 0 }, units, limits);
}

function exceeds(tally: { openOrders: number; openUnits: number }, units: number, limits: OpenOrderLimits): boolean {
  return tally.openOrders + 1 > limits.maxOpenOrders || tally.openUnits + units > limits.maxOpenUnits;
}

export async function releaseOpenOrder(userId: Types.ObjectId, orderId: Types.ObjectId, units: number): Promise<void> {
  await OpenOrderTallyModel.updateOne(
    { _id: userId, orders: orderId },
    { $inc: { openOrders: -1, openUnits: -units }, $pull: { orders: orderId } },
  );
}

export function unitsOf(items: ReadonlyArray<{ quantity: number }>): number {
  return items.reduce((sum, item) => sum + item.quantity, 0);
}

function limitReached(
  tally: { openOrders: number; openUnits: number },
  units: number,
  limits: OpenOrderLimits,
): Conflict {
  const details: ErrorDetail[] = [];
  if (tally.openOrders + 1 > limits.maxOpenOrders) {
    const message = `${tally.openOrders} unpaid orders open, at most ${limits.maxOpenOrders}`;
    details.push({ message, limit: 'openOrders', max: limits.maxOpenOrders, open: tally.openOrders, requested: 1 });
  }
  if (tally.openUnits + units > limits.maxOpenUnits) {
    const message = `${tally.openUnits} units in unpaid orders and ${units} requested, at most ${limits.maxOpenUnits}`;
    details.push({ message, limit: 'openUnits', max: limits.maxOpenUnits, open: tally.openUnits, requested: units });
  }
  return new Conflict(
    `An account can hold at most ${limits.maxOpenOrders} unpaid orders with ${limits.maxOpenUnits} units in all: pay for or cancel an order first`,
    'OPEN_ORDER_LIMIT',
    details,
  );
}

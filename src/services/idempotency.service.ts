import type { Types } from 'mongoose';
import { isDuplicateKeyError } from '../lib/db-errors';
import { Conflict, Unprocessable } from '../lib/errors';
import { IdempotencyKeyModel } from '../models/idempotency-key.model';
import { OrderModel, type OrderRow } from '../models/order.model';

/**
 * Claims (user, key) for a new order through the unique index. A second request with the key gets the
 * first one's placed order back; with another body, a 422; while the first is still running, a 409.
 * A key older than its TTL is treated as unused. Failed attempts release the key (forgetIdempotencyKey).
 */
export async function claimIdempotencyKey(claim: {
  userId: string;
  key: string;
  requestHash: string;
  orderId: Types.ObjectId;
  now: Date;
  ttlMs: number;
}): Promise<{ replay?: OrderRow & { clientSecret?: string | null } }> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      await IdempotencyKeyModel.create({
        userId: claim.userId,
        key: claim.key,
        requestHash: claim.requestHash,
        orderId: claim.orderId,
        expiresAt: new Date(claim.now.getTime() + claim.ttlMs),
      });
      return {};
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    const existing = await IdempotencyKeyModel.findOne({ userId: claim.userId, key: claim.key }).lean();
    if (!existing) continue;
    if (existing.expiresAt <= claim.now) {
      await IdempotencyKeyModel.deleteOne({ _id: existing._id, expiresAt: existing.expiresAt });
      continue;
    }
    if (existing.requestHash !== claim.requestHash) {
      throw new Unprocessable('This Idempotency-Key was already used with a different request body', 'IDEMPOTENCY_KEY_REUSED');
    }
    const order = (await OrderModel.findOne({ _id: existing.orderId, placedAt: { $ne: null } })
      .select('+clientSecret')
      .lean()) as OrderRow | null;
    if (order) return { replay: order };
    throw new Conflict('A request with this Idempotency-Key is still being processed; retry shortly', 'IDEMPOTENCY_KEY_IN_USE');
  }
  throw new Conflict('A request with this Idempotency-Key is still being processed; retry shortly', 'IDEMPOTENCY_KEY_IN_USE');
}

export async function forgetIdempotencyKey(userId: string, key: string, orderId: Types.ObjectId): Promise<void> {
  await IdempotencyKeyModel.deleteOne({ userId, key, orderId });
}

import type { Types } from 'mongoose';
import { isDuplicateKeyError } from '../lib/db-errors';
import { Conflict, Unprocessable } from '../lib/errors';
import { IdempotencyKeyModel } from '../models/idempotency-key.model';
import { OrderModel, type OrderRow } from '../models/order.model';
import { takeApartInterruptedCreation } from './interrupted-creation.service';

/**
 * Claims (user, key) for a new order through the unique index. A second request with the key gets the
 * first one's placed order back; with another body, a 422; while the first is still running, a 409.
 * A key older than its TTL is treated as unused. Failed attempts release the key (forgetIdempotencyKey).
 * A key whose order was not placed within the creation deadline belongs to a creation that was interrupted
 * (the process died between storing the key and placing the order): what it left is taken apart and the
 * key is claimed as new.
 */
export async function claimIdempotencyKey(claim: {
  userId: string;
  key: string;
  requestHash: string;
  orderId: Types.ObjectId;
  /** When this creation started: the key's and the order's createdAt, from which its deadline counts. */
  now: Date;
  ttlMs: number;
  creationTimeoutMs: number;
}): Promise<{ replay?: OrderRow & { clientSecret?: string | null } }> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      await IdempotencyKeyModel.create({
        userId: claim.userId,
        key: claim.key,
        requestHash: claim.requestHash,
        orderId: claim.orderId,
        expiresAt: new Date(claim.now.getTime() + claim.ttlMs),
        createdAt: claim.now,
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
      throw new Unprocessable(
        'This Idempotency-Key was already used with a different request body',
        'IDEMPOTENCY_KEY_REUSED',
      );
    }
    const order = (await OrderModel.findOne({ _id: existing.orderId, placedAt: { $ne: null } })
      .select('+clientSecret')
      .lean()) as OrderRow | null;
    if (order) return { replay: order };
    if (existing.createdAt.getTime() + claim.creationTimeoutMs <= claim.now.getTime()) {
      await forgetInterruptedCreation(existing);
      continue;
    }
    throw new Conflict(
      'A request with this Idempotency-Key is still being processed; retry shortly',
      'IDEMPOTENCY_KEY_IN_USE',
    );
  }
  throw new Conflict(
    'A request with this Idempotency-Key is still being processed; retry shortly',
    'IDEMPOTENCY_KEY_IN_USE',
  );
}

/** The creation behind this key is past its deadline and never placed its order: it can no longer do so. */
async function forgetInterruptedCreation(key: { _id: Types.ObjectId; orderId: Types.ObjectId }): Promise<void> {
  const order = (await OrderModel.findOne({ _id: key.orderId, placedAt: null }).lean()) as OrderRow | null;
  if (order) await takeApartInterruptedCreation(order);
  await IdempotencyKeyModel.deleteOne({ _id: key._id, orderId: key.orderId });
}

export async function forgetIdempotencyKey(userId: string, key: string, orderId: Types.ObjectId): Promise<void> {
  await IdempotencyKeyModel.deleteOne({ userId, key, orderId });
}

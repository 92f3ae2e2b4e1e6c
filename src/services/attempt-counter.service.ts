import { createHash } from 'node:crypto';
import { isDuplicateKeyError } from '../lib/db-errors';
import { RateLimitCounterModel } from '../models/rate-limit-counter.model';

export interface AttemptCount {
  /** Attempts counted in the current window; more than the limit means this attempt is refused. */
  hits: number;
  resetAt: Date;
}

/** Expired windows are deleted at most this often per process (the MongoDB stand-in has no TTL deletion). */
const CLEANUP_EVERY_MS = 60_000;

/**
 * Fixed-window attempt counters in MongoDB, so every instance on one database shares them. Each step is
 * one atomic, conditional update on the window's document:
 * - inside a live window, `$inc` only while `hits < limit`: concurrent attempts can never pass more than
 *   `limit` (the filter decides, not the returned copy, which the stand-in may return newer than its own write);
 * - a window that has ended is restarted by one conditional `$set`; a missing one is inserted under the
 *   unique `_id`, and whoever loses either race starts over.
 * An attempt refused at the limit is not counted, so the window's count never passes `limit`.
 */
export function createAttemptCounter(options: { name: string; windowMs: number; limit: number; now?: () => number }) {
  const { windowMs, limit } = options;
  const now = options.now ?? Date.now;
  const idFor = (key: string) => createHash('sha256').update(`${options.name}\n${key}`).digest('base64url');
  let lastCleanup = 0;

  async function hit(key: string): Promise<AttemptCount> {
    const _id = idFor(key);
    cleanupNowAndThen();
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const at = new Date(now());
      const counted = await RateLimitCounterModel.findOneAndUpdate(
        { _id, resetAt: { $gt: at }, hits: { $lt: limit } },
        { $inc: { hits: 1 } },
        { returnDocument: 'after' },
      ).lean();
      if (counted) return { hits: Math.min(counted.hits, limit), resetAt: counted.resetAt };

      const live = await RateLimitCounterModel.findOne({ _id, resetAt: { $gt: at } }).lean();
      if (live && live.hits >= limit) return { hits: limit + 1, resetAt: live.resetAt };
      if (live) continue; // created or given back since the $inc above looked: count again

      const resetAt = new Date(at.getTime() + windowMs);
      const restarted = await RateLimitCounterModel.updateOne(
        { _id, resetAt: { $lte: at } },
        { $set: { hits: 1, resetAt } },
      );
      if (restarted.modifiedCount === 1) return { hits: 1, resetAt };
      try {
        await RateLimitCounterModel.create({ _id, hits: 1, resetAt });
        return { hits: 1, resetAt };
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
    }
    // Ten lost races in a row: only possible under a storm of attempts on one key, so refuse this one.
    return { hits: limit + 1, resetAt: new Date(now() + windowMs) };
  }

  /** Gives an attempt back (a login that succeeded); never below zero, never into a later window. */
  async function giveBack(key: string): Promise<void> {
    await RateLimitCounterModel.updateOne(
      { _id: idFor(key), resetAt: { $gt: new Date(now()) }, hits: { $gt: 0 } },
      { $inc: { hits: -1 } },
    );
  }

  async function reset(key: string): Promise<void> {
    await RateLimitCounterModel.deleteOne({ _id: idFor(key) });
  }

  async function current(key: string): Promise<AttemptCount | undefined> {
    const window = await RateLimitCounterModel.findOne({ _id: idFor(key), resetAt: { $gt: new Date(now()) } }).lean();
    return window ? { hits: window.hits, resetAt: window.resetAt } : undefined;
  }

  function cleanupNowAndThen() {
    const at = now();
    if (at - lastCleanup < CLEANUP_EVERY_MS) return;
    lastCleanup = at;
    RateLimitCounterModel.deleteMany({ resetAt: { $lte: new Date(at) } }).catch(() => undefined);
  }

  return { hit, giveBack, reset, current };
}

export type AttemptCounter = ReturnType<typeof createAttemptCounter>;

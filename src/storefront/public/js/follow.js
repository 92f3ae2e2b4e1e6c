// @ts-check
/**
 * Following an order until its payment is settled, by polling GET /api/orders/:id with backoff. Polling,
 * not server-sent events: the webhook that settles the order may reach any instance of the API, so a
 * stream would need cross-instance messaging; a poll is one indexed read on whichever instance answers,
 * works through every proxy, and stops by itself.
 */
import { ApiError, shop } from './api.js';
import { sleep } from './dom.js';

/** @typedef {import('./api.js').Order} Order */

/** Waits between reads: quick at first (a webhook usually lands within a second), then backing off. */
export const FOLLOW_DELAYS_MS = [400, 600, 1000, 1500, 2500, 4000, 6000, 10000];

/**
 * Reads the order until `settled(order)` says so, the signal aborts, or `giveUpMs` has passed; each read
 * is passed to `onRead`. A 429 or 503 waits as long as Retry-After says. Resolves with the last order read
 * (undefined if none was).
 * @param {string} id
 * @param {{ settled: (order: Order) => boolean, onRead?: (order: Order) => void, signal: AbortSignal, giveUpMs?: number }} options
 * @returns {Promise<Order | undefined>}
 */
export async function followOrder(id, { settled, onRead, signal, giveUpMs = 120_000 }) {
  const started = Date.now();
  /** @type {Order | undefined} */
  let last;
  for (let attempt = 0; !signal.aborted && Date.now() - started < giveUpMs; attempt++) {
    let waitMs = FOLLOW_DELAYS_MS[Math.min(attempt, FOLLOW_DELAYS_MS.length - 1)] ?? 10000;
    try {
      last = await shop.order(id, signal);
      if (signal.aborted) break;
      onRead?.(last);
      if (settled(last)) return last;
    } catch (error) {
      if (signal.aborted) break;
      if (error instanceof ApiError && error.status < 500 && error.status !== 429) throw error;
      if (error instanceof ApiError && error.retryAfterSeconds)
        waitMs = Math.max(waitMs, error.retryAfterSeconds * 1000);
    }
    await sleep(waitMs, signal);
  }
  return last;
}

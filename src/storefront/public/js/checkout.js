// @ts-check
/**
 * Placing an order exactly once per checkout attempt. The attempt's Idempotency-Key is stored (store.js)
 * before the request leaves, so a second click, a retry after a network error, or a reload while the
 * request was in flight sends the same key and items, and the API answers with the order it already made
 * (Idempotent-Replayed) instead of making another.
 */
import { ApiError, shop } from './api.js';
import { sleep } from './dom.js';
import { cart, checkoutAttempts } from './store.js';

/** @typedef {import('./store.js').OrderItem} OrderItem */

/** How long to wait, in turn, while the first request with the key is still running (409 IDEMPOTENCY_KEY_IN_USE). */
const IN_USE_WAITS_MS = [250, 500, 1000, 2000, 4000];

/** @type {Promise<{ orderId: string }> | undefined} */
let inFlight;

/**
 * Creates the order for these items, or gets back the one this attempt already created.
 * Concurrent calls share one request.
 * @param {OrderItem[]} items
 * @returns {Promise<{ orderId: string }>}
 */
export function placeOrder(items) {
  inFlight ??= send(items).finally(() => (inFlight = undefined));
  return inFlight;
}

/** @param {OrderItem[]} items */
async function send(items) {
  const attempt = checkoutAttempts.forItems(items);
  checkoutAttempts.save({ ...attempt, sent: true });
  for (let wait = 0; ; wait++) {
    try {
      const created = await shop.createOrder(attempt.items, attempt.key);
      checkoutAttempts.save({ ...attempt, sent: true, orderId: created.orderId });
      cart.removeOrdered(attempt.items);
      return { orderId: created.orderId };
    } catch (error) {
      const waitMs = IN_USE_WAITS_MS[wait];
      if (error instanceof ApiError && error.code === 'IDEMPOTENCY_KEY_IN_USE' && waitMs !== undefined) {
        await sleep(waitMs);
        continue;
      }
      // Refused (out of stock, a limit, ...): nothing was made, and the key is free for a corrected retry.
      // Unknown (network, 5xx): the order may exist, so the attempt stays `sent` and is resumed with its key.
      if (error instanceof ApiError && error.status < 500) checkoutAttempts.save({ ...attempt, sent: false });
      throw error;
    }
  }
}

/**
 * The attempt that was sent but whose answer this tab never read (a reload or a crash while placing it):
 * resuming it with its key returns the order it made, or makes it once.
 * @returns {OrderItem[] | undefined}
 */
export function unfinishedAttempt() {
  const attempt = checkoutAttempts.current();
  return attempt && attempt.sent && !attempt.orderId ? attempt.items : undefined;
}

/** The order an attempt in this tab already made, if any. */
export function placedOrderId() {
  return checkoutAttempts.current()?.orderId;
}

/**
 * The order state machine. Payment success wins: nothing moves a paid order back, only a full refund
 * moves it on. A failed payment can still be retried (failed -> paid) until the order is canceled. With
 * manual capture a confirmed payment is only `authorized` (the money is held on the card, the units stay
 * reserved) until it is captured (`paid`) or voided (`canceled`). A paid order is `fulfilled` once shipped;
 * refunds work on paid and fulfilled orders alike.
 */
export const ORDER_STATUSES = ['pending', 'paid', 'failed', 'canceled', 'refunded', 'authorized', 'fulfilled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ['paid', 'failed', 'canceled', 'authorized'],
  failed: ['paid', 'canceled', 'authorized'],
  authorized: ['paid', 'canceled'],
  paid: ['refunded', 'fulfilled'],
  fulfilled: ['refunded'],
  canceled: [],
  refunded: [],
};

export function canMove(from: OrderStatus, to: OrderStatus): boolean {
  return NEXT[from].includes(to);
}

/** The statuses an order may be in for a move to `to`: the filter of the conditional update. */
export function sourcesOf(to: OrderStatus): OrderStatus[] {
  return ORDER_STATUSES.filter((from) => canMove(from, to));
}

/** Customers may pay for or cancel an order only while its payment is still open. */
export const OPEN_STATUSES: readonly OrderStatus[] = ['pending', 'failed'];

/** The money was taken (captured): what refunds, disputes and the money view work on. */
export const PAID_STATUSES: readonly OrderStatus[] = ['paid', 'fulfilled', 'refunded'];

/** Refunds are asked for on these (a fully refunded order has nothing left). */
export const REFUNDABLE_STATUSES: readonly OrderStatus[] = ['paid', 'fulfilled'];

/**
 * What happened to an order's reserved units: `held` while the order may still be paid, then `committed`
 * (sold) or `released` (back on sale); a sold order fully refunded with a restock request ends `restocked`.
 */
export const STOCK_STATES = ['held', 'committed', 'released', 'restocked'] as const;
export type StockState = (typeof STOCK_STATES)[number];

/** Where held units go once the order has this status; null while it may still be paid (or captured). */
export const HELD_STOCK_AFTER: Record<OrderStatus, 'committed' | 'released' | null> = {
  pending: null,
  failed: null,
  authorized: null,
  paid: 'committed',
  fulfilled: 'committed',
  refunded: 'committed',
  canceled: 'released',
};

/**
 * The order state machine. Payment success wins: nothing moves a paid order back, only a full refund
 * moves it on. A failed payment can still be retried (failed -> paid) until the order is canceled.
 */
export const ORDER_STATUSES = ['pending', 'paid', 'failed', 'canceled', 'refunded'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ['paid', 'failed', 'canceled'],
  failed: ['paid', 'canceled'],
  paid: ['refunded'],
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

import { REFUND_STATUSES, type RefundStatus } from '../payments/gateway';
import { disputeFunds, type DisputeEntry } from './disputes';
import { HELD_STOCK_AFTER, PAID_STATUSES, type OrderStatus, type StockState } from './order-state';

/**
 * What is refunded, reserved and left on an order, from its own fields. Pure, so the rules are one place.
 *
 * - `refundedMinor` on the order is what the gateway confirmed in totals (charge.refunded's amount_refunded,
 *   kept with $max); a refund confirmed by its own event (refund.updated ...) counts by its id.
 * - A request is `reserved` from the moment it is accepted until the gateway's events confirm it or say it
 *   failed; `released` when nothing was refunded (refused, failed, canceled).
 * - Committed = max(confirmed totals, confirmed by id + reserved): a refund the charge total already
 *   includes but whose own event never came is not counted twice, and two quick requests cannot both
 *   pass while the first is unconfirmed. What is left to refund is the amount paid minus that.
 */
export const REFUND_REQUEST_STATUSES = ['requested', ...REFUND_STATUSES, 'refused'] as const;
export type RefundRequestStatus = (typeof REFUND_REQUEST_STATUSES)[number];
export const REFUND_SETTLEMENTS = ['reserved', 'confirmed', 'released'] as const;
export type RefundSettlement = (typeof REFUND_SETTLEMENTS)[number];

export interface LedgerEntry {
  amountMinor: number;
  settlement: RefundSettlement;
  status: RefundRequestStatus;
  restock?: boolean | null;
}

export interface LedgerOrder {
  amountMinor: number;
  /** What a capture took when it was less than the order's amount (manual capture); unset: the whole amount. */
  capturedMinor?: number | null;
  refundedMinor?: number | null;
  refunds?: readonly LedgerEntry[] | null;
}

export interface RefundLedger {
  /** Confirmed by the gateway: what the order shows as refundedAmount. */
  refundedMinor: number;
  /** Confirmed refunds counted by their own id. */
  confirmedMinor: number;
  /** Asked for and not yet confirmed or failed. */
  reservedMinor: number;
  /** What a new request may still ask for. */
  remainingMinor: number;
}

const total = (entries: readonly LedgerEntry[], settlement: RefundSettlement) =>
  entries.filter((entry) => entry.settlement === settlement).reduce((sum, entry) => sum + entry.amountMinor, 0);

/** What the customer paid: the captured amount after a partial capture, the order's amount otherwise. */
export function paidMinorOf(order: Pick<LedgerOrder, 'amountMinor' | 'capturedMinor'>): number {
  return order.capturedMinor ?? order.amountMinor;
}

export function refundLedger(order: LedgerOrder): RefundLedger {
  const entries = order.refunds ?? [];
  const totals = order.refundedMinor ?? 0;
  const paidMinor = paidMinorOf(order);
  const confirmedMinor = total(entries, 'confirmed');
  const reservedMinor = total(entries, 'reserved');
  const committed = Math.max(totals, confirmedMinor + reservedMinor);
  return {
    // Never more than was paid, whatever was reported (payment-decision notes a report that says otherwise).
    refundedMinor: Math.min(paidMinor, Math.max(totals, confirmedMinor)),
    confirmedMinor,
    reservedMinor,
    remainingMinor: Math.max(0, paidMinor - committed),
  };
}

/** The one test for "fully refunded": what the gateway confirmed covers what was paid. */
export function isFullyRefunded(order: LedgerOrder): boolean {
  return refundLedger(order).refundedMinor >= paidMinorOf(order);
}

export interface MoneyKept {
  /** Taken from the customer (0 until the payment is captured). */
  paidMinor: number;
  refundedMinor: number;
  /** Taken back from the account by disputes, and given back when disputes were won. */
  disputeWithdrawnMinor: number;
  disputeReinstatedMinor: number;
  /** paid − refunded − withdrawn + reinstated: what the shop still has of this order's money. */
  keptMinor: number;
}

/** The money view of an order: what was paid and what it still has after refunds and disputes. */
export function moneyKept(
  order: LedgerOrder & { status: OrderStatus; disputes?: readonly DisputeEntry[] | null },
): MoneyKept {
  const paidMinor = PAID_STATUSES.includes(order.status) ? paidMinorOf(order) : 0;
  const { refundedMinor } = refundLedger(order);
  const { withdrawnMinor, reinstatedMinor } = disputeFunds(order.disputes);
  return {
    paidMinor,
    refundedMinor,
    disputeWithdrawnMinor: withdrawnMinor,
    disputeReinstatedMinor: reinstatedMinor,
    keptMinor: paidMinor - refundedMinor - withdrawnMinor + reinstatedMinor,
  };
}

/**
 * "Once any refund request of the order asks for it": every request but one the gateway refused outright
 * (nothing happened). RESTOCK_REQUEST_MATCH is the same rule as a query on one `refunds` entry.
 */
export function restockRequested(order: Pick<LedgerOrder, 'refunds'>): boolean {
  return (order.refunds ?? []).some((entry) => entry.restock === true && entry.status !== 'refused');
}
export const RESTOCK_REQUEST_MATCH = { restock: true, status: { $ne: 'refused' } } as const;

/** Units go back on sale once a sold order ends refunded and a request asked for it (RESTOCK_DUE + RESTOCK_REQUEST_MATCH as a query). */
export const RESTOCK_DUE = { status: 'refunded', stock: 'committed' } as const;
export function isRestockDue(
  order: { status: OrderStatus; stock: StockState } & Pick<LedgerOrder, 'refunds'>,
): boolean {
  return order.status === RESTOCK_DUE.status && order.stock === RESTOCK_DUE.stock && restockRequested(order);
}

/** The next step that brings an order's units in line with its status. */
export type StockAction = 'commit' | 'release' | 'restock' | 'none';

/**
 * The one rule for an order's stock, from its status, what its units went through, and the restock rule:
 * the webhook, the expiry job and the expiry job's query for unfinished settlements all follow it.
 */
export function stockAction(
  order: { status: OrderStatus; stock: StockState } & Pick<LedgerOrder, 'refunds'>,
): StockAction {
  if (order.stock === 'held') {
    const after = HELD_STOCK_AFTER[order.status];
    return after === 'committed' ? 'commit' : after === 'released' ? 'release' : 'none';
  }
  return isRestockDue(order) ? 'restock' : 'none';
}

/**
 * Events arrive late, twice and out of order: a status only moves forward. Pending and requires_action
 * may alternate; succeeded may still become failed (Stripe: a refund can fail after it succeeded);
 * failed and canceled are final.
 */
const RANK: Record<RefundRequestStatus, number> = {
  requested: 0,
  pending: 1,
  requires_action: 1,
  succeeded: 2,
  failed: 3,
  canceled: 3,
  refused: 3,
};

export function canReplaceStatus(from: RefundRequestStatus, to: RefundStatus): boolean {
  if (from === to) return false;
  return RANK[to] > RANK[from] || (RANK[to] === 1 && RANK[from] === 1);
}

/**
 * The settlement after the gateway reports `status`. Only events confirm (`fromEvent`); the answer to the
 * create call cannot, it only releases a refund that failed at once. A refund that failed after it was
 * confirmed stays counted: refunded totals never decrease, a person looks at it (see the caller).
 */
export function settlementAfter(current: RefundSettlement, status: RefundStatus, fromEvent: boolean): RefundSettlement {
  if (current !== 'reserved') return current;
  if (status === 'failed' || status === 'canceled') return 'released';
  if (status === 'succeeded' && fromEvent) return 'confirmed';
  return 'reserved';
}

/** A gateway status from outside (events): unknown values and null count as still on the way. */
export function refundStatusFrom(value: string | null | undefined): { status: RefundStatus; known: boolean } {
  const known = REFUND_STATUSES.find((status) => status === value);
  return known ? { status: known, known: true } : { status: 'pending', known: value === null || value === undefined };
}

/**
 * Disputes (chargebacks and inquiries) of an order's charge, from its own fields. Pure, so the rules are one
 * place: which statuses are open, which report may replace which (events arrive late, twice and out of
 * order), and what they took from and gave back to the money the order kept. A dispute is not an order
 * status: the order keeps its status and records its disputes beside it.
 */

/** Stripe's dispute statuses; a status outside this list is kept as reported and counts as open. */
export const DISPUTE_CLOSED_STATUSES = ['won', 'lost', 'warning_closed', 'prevented'] as const;
export const DISPUTE_OPEN_STATUSES = [
  'warning_needs_response',
  'warning_under_review',
  'needs_response',
  'under_review',
] as const;

export interface DisputeEntry {
  disputeId: string;
  amountMinor: number;
  status: string;
  fundsWithdrawnMinor?: number | null;
  fundsReinstatedMinor?: number | null;
}

export const isClosedDispute = (status: string) => (DISPUTE_CLOSED_STATUSES as readonly string[]).includes(status);

/**
 * How far along a dispute is: an inquiry (warning_*) may become a chargeback, evidence puts it under review,
 * and a closed status is final. A report moves a dispute only forward; statuses this code does not know sit
 * between the open ones and the closed ones.
 */
const RANK: Record<string, number> = {
  warning_needs_response: 0,
  warning_under_review: 1,
  needs_response: 2,
  under_review: 3,
  won: 5,
  lost: 5,
  warning_closed: 5,
  prevented: 5,
};
const rankOf = (status: string) => RANK[status] ?? 4;

export function canReplaceDisputeStatus(from: string, to: string): boolean {
  return from !== to && rankOf(to) > rankOf(from);
}

/** Whether any dispute of the order is still open: a refund is refused meanwhile, and the buyer sees "under review". */
export function hasOpenDispute(disputes: readonly Pick<DisputeEntry, 'status'>[] | null | undefined): boolean {
  return (disputes ?? []).some((dispute) => !isClosedDispute(dispute.status));
}

/** What the disputes took from the account and gave back, in the order's minor units. */
export function disputeFunds(disputes: readonly DisputeEntry[] | null | undefined): {
  withdrawnMinor: number;
  reinstatedMinor: number;
} {
  let withdrawnMinor = 0;
  let reinstatedMinor = 0;
  for (const dispute of disputes ?? []) {
    withdrawnMinor += dispute.fundsWithdrawnMinor ?? 0;
    reinstatedMinor += dispute.fundsReinstatedMinor ?? 0;
  }
  return { withdrawnMinor, reinstatedMinor };
}

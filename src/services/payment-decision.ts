import { canReplaceDisputeStatus, hasOpenDispute, isClosedDispute } from '../lib/disputes';
import { isoTimestamp } from '../lib/iso-time';
import { OPEN_STATUSES, type OrderStatus, type StockState } from '../lib/order-state';
import {
  canReplaceStatus,
  isFullyRefunded,
  paidMinorOf,
  settlementAfter,
  stockAction,
  type RefundRequestStatus,
  type RefundSettlement,
  type StockAction,
} from '../lib/refund-ledger';
import type {
  DisputeReport,
  OutcomeKind,
  OutcomeOf,
  OutcomeSource,
  PaymentFailure,
  PaymentOutcome,
  RefundReport,
} from '../payments/outcome';

/**
 * What a payment outcome does to an order, decided in one place and without I/O: the order as read plus the
 * outcome give the moves, notes, refund entry changes, refunded total and stock step to make. The executor
 * (payment-outcomes.service) makes them through the order store, each conditional on what this decision
 * read; when one finds the order changed meanwhile, it reads again and asks again. One row per outcome kind.
 */

export interface OrderFacts {
  id: string;
  status: OrderStatus;
  amountMinor: number;
  /** What a capture took, when known (less than amountMinor after a partial capture). */
  capturedMinor?: number | null;
  /** The charge that took the money, when known. */
  chargeId?: string | null;
  currency: string;
  /** The stored refunded total (gateway totals, never lowered). */
  refundedMinor: number;
  stock: StockState;
  refunds: readonly RefundFacts[];
  disputes?: readonly DisputeFacts[];
}

/** One dispute of the order's charge, as recorded. */
export interface DisputeFacts {
  disputeId: string;
  chargeId: string | null;
  amountMinor: number;
  currency: string;
  status: string;
  reason: string;
  evidenceDueBy: Date | null;
  /** The disputed amount taken from the account, and given back (a won dispute); 0 until the provider says so. */
  fundsWithdrawnMinor: number;
  fundsReinstatedMinor: number;
  openedAt: Date | null;
}

/** The order's disputes after an outcome: written as a whole, only over the disputes the decision read. */
export interface DisputeWrite {
  entries: DisputeFacts[];
  /** The disputes this outcome added or changed. */
  changedIds: string[];
  /** Whether any dispute is still open after it. */
  open: boolean;
  /** The statuses disputes reached with this outcome (a new dispute's first status included): each is counted once. */
  reached: string[];
}

export interface RefundFacts {
  requestId: string;
  refundId: string | null;
  amountMinor: number;
  status: RefundRequestStatus;
  settlement: RefundSettlement;
  restock: boolean;
  failure: string | null;
}

export type DecisionResult = 'applied' | 'no_change' | 'mismatch';

/** Shown on an open order while its payment is on its way or waits for the customer. */
export type PaymentStatus = 'processing' | 'requires_action';

export interface Move {
  to: OrderStatus;
  reason: string;
  /** Appended to the source id in the history: a second move caused by the same source. */
  sourceSuffix?: string;
  lastPaymentError?: PaymentFailure | null;
  /** Counted (shop_payments_total) when this move is made. */
  metric?: 'succeeded' | 'failed' | 'canceled' | 'authorized';
  /** Set by the same update: what a capture took and the charge that took it. */
  set?: { capturedMinor?: number; chargeId?: string };
}

/** A change to one refund entry, applied only if the entry is still in the state the change was decided on. */
export interface RefundEntryChange {
  requestId: string;
  /** The entry as this decision read it: the change applies only if it still is. */
  expect: { refundId: string | null; status: RefundRequestStatus; settlement: RefundSettlement };
  set: {
    refundId?: string;
    status: RefundRequestStatus;
    settlement: RefundSettlement;
    failure: string | null;
    attemptUntil?: null;
  };
}

export type RefundChange =
  | (RefundEntryChange & {
      kind: 'update';
      /** Names our request with the gateway's refund id for the first time: the refund is counted as accepted. */
      accepted: boolean;
    })
  | {
      kind: 'add_external';
      refundId: string;
      amountMinor: number;
      status: RefundRequestStatus;
      settlement: RefundSettlement;
      failure: string | null;
    };

export interface NoteDraft {
  kind: string;
  detail: Record<string, unknown>;
}

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  fields?: Record<string, unknown>;
}

export interface Decision {
  result: DecisionResult;
  refundChanges: RefundChange[];
  /** The stored refunded total is raised to this (never lowered). */
  refundedTotal: number | null;
  /** Made in order; each only from the statuses it is allowed from. */
  moves: Move[];
  /** Set while the order is `failed` (undefined: left alone). */
  lastPaymentError?: PaymentFailure | null;
  /** Where an open order's payment stands (processing, waiting for the customer), or null once it moved on (undefined: left alone). */
  paymentStatus?: PaymentStatus | null;
  /** The charge id, learnt late for an order that is already paid (undefined: left alone). */
  chargeId?: string;
  disputes: DisputeWrite | null;
  notes: NoteDraft[];
  /** The status the moves leave; the stock step brings the units in line with it. */
  statusAfter: OrderStatus;
  stock: StockAction;
  logs: LogLine[];
}

type Row<K extends OutcomeKind> = (order: OrderFacts, outcome: OutcomeOf<K>, source: OutcomeSource) => Decision;

const isOpen = (order: OrderFacts) => OPEN_STATUSES.includes(order.status);
/** Open, or authorized and waiting to be captured: a capture, a cancel or a lost intent still decides these. */
const isUncaptured = (order: OrderFacts) => isOpen(order) || order.status === 'authorized';

/** The decision for every (order state, outcome) pair: one row per outcome kind. */
const ROWS: { [K in OutcomeKind]: Row<K> } = {
  payment_succeeded(order, outcome, source) {
    const hinted = hintProblems(order, outcome.orderIdHint);
    const money =
      outcome.currency !== order.currency ? ['currency'] : capturedAmountFits(order, outcome) ? [] : ['amount'];
    if (money.length > 0) return mismatch(order, outcome.intentId, [...hinted, ...money]);
    const decision = unchanged(order);
    if (order.status === 'canceled') {
      // Money arrived for an order that can no longer take it: a person must refund it.
      decision.result = 'mismatch';
      decision.notes.push({
        kind: 'late_success',
        detail: { status: order.status, paymentIntentId: outcome.intentId, problems: hinted },
      });
      decision.logs.push({
        level: 'error',
        message: 'payment succeeded for an order that is not open: refund needed',
        fields: { status: order.status },
      });
      return finish(order, decision);
    }
    noteHintMismatch(decision, outcome.intentId, hinted);
    // What was captured: less than the order's amount only for a manual capture that took less.
    const capturedMinor = outcome.amountMinor ?? order.amountMinor;
    let paid = order;
    if (isUncaptured(order)) {
      decision.result = 'applied';
      const set = {
        ...(capturedMinor !== order.amountMinor && { capturedMinor }),
        ...(outcome.chargeId && { chargeId: outcome.chargeId }),
      };
      decision.moves.push({
        to: 'paid',
        reason: source.reason,
        metric: 'succeeded',
        ...(Object.keys(set).length > 0 && { set }),
      });
      paid = { ...order, capturedMinor: set.capturedMinor ?? order.capturedMinor };
    } else if (outcome.chargeId && !order.chargeId) {
      decision.chargeId = outcome.chargeId;
    }
    // A full refund reported before the success (events arrive out of order) applies once the order is paid.
    if (order.status !== 'refunded' && isFullyRefunded(paid))
      decision.moves.push({ to: 'refunded', reason: 'refunded', sourceSuffix: ':refund' });
    return finish(order, decision);
  },

  payment_authorized(order, outcome, source) {
    const hinted = hintProblems(order, outcome.orderIdHint);
    const money =
      outcome.currency !== order.currency ? ['currency'] : outcome.amountMinor !== order.amountMinor ? ['amount'] : [];
    if (money.length > 0 && isOpen(order)) return mismatch(order, outcome.intentId, [...hinted, ...money]);
    const decision = unchanged(order);
    if (isOpen(order)) {
      noteHintMismatch(decision, outcome.intentId, hinted);
      decision.result = 'applied';
      const set = outcome.chargeId ? { chargeId: outcome.chargeId } : undefined;
      decision.moves.push({ to: 'authorized', reason: source.reason, metric: 'authorized', ...(set && { set }) });
    }
    // Later reports (an authorization already captured or voided, a late duplicate) change nothing.
    return finish(order, decision);
  },

  payment_failed(order, outcome, source) {
    const decision = unchanged(order);
    noteHintMismatch(decision, outcome.intentId, hintProblems(order, outcome.orderIdHint));
    if (order.status === 'pending') {
      decision.result = 'applied';
      decision.moves.push({ to: 'failed', reason: source.reason, lastPaymentError: outcome.failure, metric: 'failed' });
    } else if (order.status === 'failed') {
      decision.lastPaymentError = outcome.failure;
    }
    // The attempt is over: it is neither processing nor waiting for the customer any more.
    if (isOpen(order)) decision.paymentStatus = null;
    return finish(order, decision);
  },

  payment_canceled(order, outcome, source) {
    const decision = unchanged(order);
    noteHintMismatch(decision, outcome.intentId, hintProblems(order, outcome.orderIdHint));
    // An authorization canceled at Stripe (voided in the Dashboard, or lapsed) frees the order's units too.
    if (isUncaptured(order)) {
      decision.result = 'applied';
      decision.moves.push({ to: 'canceled', reason: source.reason, metric: 'canceled' });
    }
    return finish(order, decision);
  },

  // Neither moves an order: the expiry job leaves a processing payment open and cancels an open intent itself.
  // A processing payment is shown on the open order.
  payment_processing(order) {
    const decision = unchanged(order);
    if (isOpen(order)) decision.paymentStatus = 'processing';
    return finish(order, decision);
  },
  payment_open: (order) => finish(order, unchanged(order)),

  payment_action_required(order, outcome) {
    const decision = unchanged(order);
    if (isOpen(order)) {
      // Shown on the order and noted; if the customer never acts, the expiry job cancels the order as any other unpaid one.
      decision.result = 'applied';
      decision.paymentStatus = 'requires_action';
      decision.notes.push({ kind: 'requires_action', detail: { paymentIntentId: outcome.intentId } });
    }
    return finish(order, decision);
  },

  intent_missing(order, outcome, source) {
    const decision = unchanged(order);
    if (isUncaptured(order)) {
      // Nothing can ever be paid through an intent the gateway does not know: the order is settled as canceled.
      decision.result = 'applied';
      decision.moves.push({ to: 'canceled', reason: source.reason, metric: 'canceled' });
      decision.notes.push({ kind: 'intent_missing', detail: { paymentIntentId: outcome.intentId } });
      decision.logs.push({
        level: 'warn',
        message: 'the gateway does not know this payment intent: order canceled',
        fields: { paymentIntentId: outcome.intentId },
      });
    }
    return finish(order, decision);
  },

  refund_total(order, outcome) {
    if (outcome.currency !== order.currency) return mismatch(order, outcome.intentId, ['currency']);
    if (outcome.refundedMinor === null) return mismatch(order, outcome.intentId, ['amount']);
    const decision = unchanged(order);
    // What the gateway reports counts up to what was paid; a report that contradicts the order is noted.
    const reportedMinor = outcome.refundedMinor;
    const paidMinor = paidMinorOf(order);
    const countedMinor = Math.min(reportedMinor, paidMinor);
    const contradictions: string[] = [];
    if (reportedMinor > paidMinor) contradictions.push('refunded more than paid');
    if (outcome.fullyRefunded && reportedMinor < paidMinor)
      contradictions.push('fully refunded flag without the money');
    decision.notes.push({ kind: 'refund', detail: { refundedAmountMinor: countedMinor, chargeId: outcome.chargeId } });
    // API versions before 2022-11-15 list the charge's refunds: each one then counts as its own report.
    const folded = foldRefunds(order, outcome.refunds);
    folded.problems.unshift(...contradictions);
    addFolded(decision, outcome.intentId, folded, { chargeId: outcome.chargeId, reportedMinor, paidMinor });
    const after = { ...order, refunds: folded.entries, refundedMinor: Math.max(order.refundedMinor, countedMinor) };
    decision.refundedTotal = Math.max(countedMinor, Math.min(paidMinor, confirmedMinor(after.refunds)));
    // Only money actually refunded moves an order to `refunded`, never the flag alone.
    const moved = moveIfRefunded(decision, after);
    // A report of the whole amount that moves nothing (the order was refunded already) is a repeat: no change.
    const wholeAmountReported = countedMinor >= paidMinor;
    decision.result = contradictions.length > 0 ? 'mismatch' : wholeAmountReported && !moved ? 'no_change' : 'applied';
    return finish(order, decision);
  },

  refund_updated(order, outcome) {
    const decision = unchanged(order);
    const folded = foldRefunds(order, [outcome.refund]);
    addFolded(decision, outcome.intentId, folded);
    if (folded.problems.length > 0) {
      decision.result = 'mismatch';
      return finish(order, decision);
    }
    const after = { ...order, refunds: folded.entries };
    const confirmed = Math.min(paidMinorOf(order), confirmedMinor(after.refunds));
    if (confirmed > order.refundedMinor) decision.refundedTotal = confirmed;
    const moved = moveIfRefunded(decision, { ...after, refundedMinor: Math.max(order.refundedMinor, confirmed) });
    decision.result = folded.changes.length > 0 || moved ? 'applied' : 'no_change';
    return finish(order, decision);
  },

  dispute_updated(order, outcome) {
    const report = outcome.dispute;
    const about = outcome.intentId ?? outcome.chargeId ?? report.id;
    if (report.currency !== order.currency) return mismatch(order, about, ['dispute currency']);
    if (report.amountMinor === null) return mismatch(order, about, ['dispute amount']);
    const decision = unchanged(order);
    const recorded = order.disputes ?? [];
    const known = recorded.find((entry) => entry.disputeId === report.id);
    const changed = known ? advanceDispute(known, report, report.amountMinor) : newDispute(outcome, report.amountMinor);
    if (!changed) return finish(order, decision);
    const entries = known ? recorded.map((entry) => (entry === known ? changed : entry)) : [...recorded, changed];
    const reached = changed.status !== known?.status ? [changed.status] : [];
    decision.result = 'applied';
    decision.disputes = { entries, changedIds: [changed.disputeId], open: hasOpenDispute(entries), reached };
    decision.logs.push(disputeLog(changed, known));
    return finish(order, decision);
  },
};

export function decide(order: OrderFacts, outcome: PaymentOutcome, source: OutcomeSource): Decision {
  // TypeScript cannot pair ROWS[kind] with the outcome of that kind by itself: the mapped type above does.
  const row = ROWS[outcome.kind] as Row<OutcomeKind>;
  return row(order, outcome, source);
}

/** Every outcome kind has a row: for the table-driven test. */
export const DECIDED_KINDS = Object.keys(ROWS) as OutcomeKind[];

function unchanged(order: OrderFacts): Decision {
  return {
    result: 'no_change',
    refundChanges: [],
    refundedTotal: null,
    moves: [],
    disputes: null,
    notes: [],
    statusAfter: order.status,
    stock: 'none',
    logs: [],
  };
}

/**
 * Whether a success reports the money the order expects: the whole amount, or, for a manual capture of the
 * order's authorization, any part of it (the rest is released).
 */
function capturedAmountFits(order: OrderFacts, outcome: OutcomeOf<'payment_succeeded'>): boolean {
  if (outcome.amountMinor === null) return false;
  if (outcome.intentAmountMinor === undefined) return outcome.amountMinor === order.amountMinor;
  return (
    outcome.intentAmountMinor === order.amountMinor &&
    outcome.amountMinor > 0 &&
    outcome.amountMinor <= order.amountMinor
  );
}

function newDispute(outcome: OutcomeOf<'dispute_updated'>, amountMinor: number): DisputeFacts {
  const report = outcome.dispute;
  return {
    disputeId: report.id,
    chargeId: outcome.chargeId,
    amountMinor,
    currency: report.currency,
    status: report.status,
    reason: report.reason,
    evidenceDueBy: report.evidenceDueBy,
    fundsWithdrawnMinor: report.fundsWithdrawn ? amountMinor : 0,
    fundsReinstatedMinor: report.fundsReinstated ? amountMinor : 0,
    openedAt: report.openedAt,
  };
}

/**
 * A report about a recorded dispute: its status only moves forward (a late or repeated report leaves it), and
 * funds once withdrawn or reinstated stay so, whatever order the events come in. Null when nothing changes.
 */
function advanceDispute(known: DisputeFacts, report: DisputeReport, amountMinor: number): DisputeFacts | null {
  const newer = canReplaceDisputeStatus(known.status, report.status);
  const next: DisputeFacts = {
    ...known,
    ...(newer && { status: report.status, reason: report.reason, amountMinor }),
    evidenceDueBy: (newer ? report.evidenceDueBy : null) ?? known.evidenceDueBy ?? report.evidenceDueBy,
    fundsWithdrawnMinor: Math.max(known.fundsWithdrawnMinor, report.fundsWithdrawn ? amountMinor : 0),
    fundsReinstatedMinor: Math.max(known.fundsReinstatedMinor, report.fundsReinstated ? amountMinor : 0),
  };
  const same =
    next.status === known.status &&
    next.reason === known.reason &&
    next.amountMinor === known.amountMinor &&
    next.evidenceDueBy?.getTime() === known.evidenceDueBy?.getTime() &&
    next.fundsWithdrawnMinor === known.fundsWithdrawnMinor &&
    next.fundsReinstatedMinor === known.fundsReinstatedMinor;
  return same ? null : next;
}

/** A new open dispute is an error for a person (evidence is due by its deadline); closing it says how it ended. */
function disputeLog(dispute: DisputeFacts, before: DisputeFacts | undefined): LogLine {
  const fields = {
    disputeId: dispute.disputeId,
    status: dispute.status,
    reason: dispute.reason,
    amountMinor: dispute.amountMinor,
    currency: dispute.currency,
    evidenceDueBy: dispute.evidenceDueBy ? isoTimestamp(dispute.evidenceDueBy) : null,
  };
  if (!before && !isClosedDispute(dispute.status)) {
    return { level: 'error', message: 'payment disputed: respond with evidence before the deadline', fields };
  }
  if (isClosedDispute(dispute.status) && before?.status !== dispute.status) {
    return { level: dispute.status === 'lost' ? 'warn' : 'info', message: `dispute closed: ${dispute.status}`, fields };
  }
  return { level: 'info', message: 'dispute updated', fields };
}

/** The stock step follows the status the moves leave: the same rule the expiry job applies to stored orders. */
function finish(order: OrderFacts, decision: Decision): Decision {
  decision.statusAfter = decision.moves.at(-1)?.to ?? order.status;
  decision.stock = stockAction({ status: decision.statusAfter, stock: order.stock, refunds: order.refunds });
  return decision;
}

/** Not applied: recorded on the order for a person to look at. */
function mismatch(order: OrderFacts, paymentIntentId: string, problems: string[]): Decision {
  const decision = unchanged(order);
  decision.result = 'mismatch';
  decision.notes.push({ kind: 'payment_mismatch', detail: { paymentIntentId, problems } });
  decision.logs.push({
    level: 'error',
    message: 'stripe event does not match its order: not applied',
    fields: { problems },
  });
  return finish(order, decision);
}

/** The provider's metadata names another order: the intent decides, the mismatch is recorded for a person. */
function hintProblems(order: OrderFacts, orderIdHint: string | undefined): string[] {
  return orderIdHint !== undefined && orderIdHint !== order.id ? ['metadata order id'] : [];
}

function noteHintMismatch(decision: Decision, paymentIntentId: string, problems: string[]) {
  if (problems.length === 0) return;
  decision.notes.push({ kind: 'payment_mismatch', detail: { paymentIntentId, problems, applied: true } });
  decision.logs.push({
    level: 'warn',
    message: 'stripe event metadata names another order: applied to the order holding the intent',
  });
}

/** A paid (or fulfilled) order whose confirmed refunds cover what was paid moves to `refunded` (its stock step follows). */
function moveIfRefunded(decision: Decision, after: OrderFacts): boolean {
  if ((after.status !== 'paid' && after.status !== 'fulfilled') || !isFullyRefunded(after)) return false;
  decision.moves.push({ to: 'refunded', reason: 'refunded' });
  return true;
}

const EXCEEDS_PAID = 'refunds exceed what was paid';

/** What refunds confirmed by their own ids may still add up to: confirmed refunds never pass what was paid. */
const roomToConfirm = (order: OrderFacts, entries: readonly RefundFacts[]) =>
  paidMinorOf(order) - confirmedMinor(entries);

const confirmedMinor = (entries: readonly RefundFacts[]) =>
  entries.filter((entry) => entry.settlement === 'confirmed').reduce((sum, entry) => sum + entry.amountMinor, 0);

interface Folded {
  entries: RefundFacts[];
  changes: RefundChange[];
  problems: string[];
  notes: NoteDraft[];
  logs: LogLine[];
}

/** The folded changes, and every problem of the report in one mismatch note (one note of a kind per event). */
function addFolded(decision: Decision, paymentIntentId: string, folded: Folded, figures: Record<string, unknown> = {}) {
  decision.refundChanges.push(...folded.changes);
  decision.notes.push(...folded.notes);
  decision.logs.push(...folded.logs);
  if (folded.problems.length > 0) {
    decision.notes.push({
      kind: 'payment_mismatch',
      detail: { paymentIntentId, problems: folded.problems, ...figures },
    });
    decision.logs.push({
      level: 'error',
      message: 'stripe event does not match its order: what contradicts it is not applied',
      fields: { problems: folded.problems },
    });
  }
}

/**
 * Refund reports applied one after the other to the order's refund entries: each report finds its entry by
 * the gateway's refund id, or our request by the request id its metadata carries (when the event is faster
 * than the answer to our create call), or is a refund made elsewhere (the Stripe dashboard), recorded by its
 * id. Statuses only move forward (canReplaceStatus); only events confirm (settlementAfter).
 */
function foldRefunds(order: OrderFacts, reports: readonly RefundReport[]): Folded {
  const folded: Folded = { entries: [...order.refunds], changes: [], problems: [], notes: [], logs: [] };
  const replace = (requestId: string, entry: RefundFacts) => {
    folded.entries = folded.entries.map((existing) => (existing.requestId === requestId ? entry : existing));
  };
  for (const report of reports) {
    if (report.currency !== order.currency) {
      folded.problems.push('refund currency');
      continue;
    }
    const amountMinor = report.amountMinor;
    if (amountMinor === null) {
      folded.problems.push('refund amount');
      continue;
    }
    if (!report.statusKnown) {
      folded.logs.push({
        level: 'warn',
        message: 'refund status this code does not know: counted as pending',
        fields: { refundId: report.id, status: report.reportedStatus },
      });
    }
    const entry = folded.entries.find((e) => e.refundId === report.id);
    if (entry) {
      if (entry.amountMinor !== amountMinor) {
        folded.problems.push('refund amount');
        continue;
      }
      const status = canReplaceStatus(entry.status, report.status) ? report.status : entry.status;
      const settlement =
        status === report.status ? settlementAfter(entry.settlement, report.status, true) : entry.settlement;
      if (status === entry.status && settlement === entry.settlement) continue;
      if (
        settlement === 'confirmed' &&
        entry.settlement !== 'confirmed' &&
        amountMinor > roomToConfirm(order, folded.entries)
      ) {
        folded.problems.push(EXCEEDS_PAID);
        continue;
      }
      const failure = report.failureReason ?? entry.failure ?? null;
      folded.changes.push({
        kind: 'update',
        requestId: entry.requestId,
        expect: { refundId: entry.refundId, status: entry.status, settlement: entry.settlement },
        set: { status, settlement, failure },
        accepted: false,
      });
      replace(entry.requestId, { ...entry, status, settlement, failure });
      if (entry.settlement === 'confirmed' && status === 'failed') {
        // Refunded totals never go down: the customer did not get this money back, a person must act.
        folded.notes.push({
          kind: 'refund_failed_after_success',
          detail: { refundId: report.id, amountMinor, failureReason: report.failureReason },
        });
        folded.logs.push({
          level: 'error',
          message: 'a confirmed refund failed afterwards: the customer did not get the money back',
          fields: { refundId: report.id },
        });
      }
      continue;
    }
    const requestId = report.orderIdHint === order.id ? report.requestId : undefined;
    const ours = requestId ? folded.entries.find((e) => e.requestId === requestId && e.refundId === null) : undefined;
    if (ours) {
      if (ours.amountMinor !== amountMinor) {
        folded.problems.push('refund amount');
        continue;
      }
      // The event came before the answer to our create call was stored: the gateway has accepted it.
      const status = canReplaceStatus(ours.status, report.status) ? report.status : ours.status;
      const settlement =
        status === report.status ? settlementAfter(ours.settlement, report.status, true) : ours.settlement;
      if (settlement === 'confirmed' && amountMinor > roomToConfirm(order, folded.entries)) {
        folded.problems.push(EXCEEDS_PAID);
        continue;
      }
      const failure = report.failureReason ?? ours.failure ?? null;
      folded.changes.push({
        kind: 'update',
        requestId: ours.requestId,
        expect: { refundId: null, status: ours.status, settlement: ours.settlement },
        set: { refundId: report.id, status, settlement, failure, attemptUntil: null },
        accepted: true,
      });
      replace(ours.requestId, { ...ours, refundId: report.id, status, settlement, failure });
      continue;
    }
    // Made elsewhere (the Stripe dashboard): recorded by its id so it counts once, like ours; never past what was paid.
    const settlement = settlementAfter('reserved', report.status, true);
    if (settlement !== 'released' && amountMinor > roomToConfirm(order, folded.entries)) {
      folded.problems.push(EXCEEDS_PAID);
      continue;
    }
    folded.changes.push({
      kind: 'add_external',
      refundId: report.id,
      amountMinor,
      status: report.status,
      settlement,
      failure: report.failureReason,
    });
    folded.entries.push({
      requestId: report.id,
      refundId: report.id,
      amountMinor,
      status: report.status,
      settlement,
      restock: false,
      failure: report.failureReason,
    });
    folded.logs.push({
      level: 'info',
      message: 'refund made outside this API recorded on its order',
      fields: { refundId: report.id, status: report.status },
    });
  }
  return folded;
}

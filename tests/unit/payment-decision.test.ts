import { canMove, ORDER_STATUSES, STOCK_STATES, type OrderStatus, type StockState } from '../../src/lib/order-state';
import { stockAction } from '../../src/lib/refund-ledger';
import type { OutcomeKind, PaymentOutcome, RefundReport } from '../../src/payments/outcome';
import {
  DECIDED_KINDS,
  decide,
  type Decision,
  type OrderFacts,
  type RefundFacts,
} from '../../src/services/payment-decision';

/**
 * What each payment outcome does to an order, walked as a table: every outcome kind against every order
 * status (and every stock state), then the refund sub-cases. The decision is pure, so this is the whole rule.
 */
const ORDER_ID = 'a'.repeat(24);
const INTENT = 'pi_table';
const SOURCE = { sourceId: 'evt_table', reason: 'from_the_table' };

const order = (status: OrderStatus, overrides: Partial<OrderFacts> = {}): OrderFacts => ({
  id: ORDER_ID,
  status,
  amountMinor: 3000,
  currency: 'USD',
  refundedMinor: 0,
  stock: STOCK_FOR[status],
  refunds: [],
  ...overrides,
});
/** Where an order's units are when nothing was interrupted. */
const STOCK_FOR: Record<OrderStatus, StockState> = {
  pending: 'held',
  failed: 'held',
  paid: 'committed',
  refunded: 'committed',
  canceled: 'released',
  authorized: 'held',
  fulfilled: 'committed',
};

const refund = (overrides: Partial<RefundReport> = {}): RefundReport => ({
  id: 're_1',
  amountMinor: 1000,
  currency: 'USD',
  status: 'succeeded',
  statusKnown: true,
  reportedStatus: 'succeeded',
  failureReason: null,
  ...overrides,
});
const entry = (overrides: Partial<RefundFacts> = {}): RefundFacts => ({
  requestId: 'req_1',
  refundId: 're_1',
  amountMinor: 1000,
  status: 'pending',
  settlement: 'reserved',
  restock: false,
  failure: null,
  ...overrides,
});

/** One outcome of each kind, as a matching gateway would report it for the order above. */
const OUTCOMES: Record<OutcomeKind, PaymentOutcome> = {
  payment_succeeded: {
    kind: 'payment_succeeded',
    intentId: INTENT,
    currency: 'USD',
    amountMinor: 3000,
    orderIdHint: ORDER_ID,
  },
  payment_failed: {
    kind: 'payment_failed',
    intentId: INTENT,
    orderIdHint: ORDER_ID,
    failure: { code: 'card_declined', declineCode: 'generic_decline', message: 'Declined' },
  },
  payment_canceled: { kind: 'payment_canceled', intentId: INTENT, orderIdHint: ORDER_ID },
  payment_processing: { kind: 'payment_processing', intentId: INTENT },
  payment_open: { kind: 'payment_open', intentId: INTENT },
  intent_missing: { kind: 'intent_missing', intentId: INTENT },
  refund_total: {
    kind: 'refund_total',
    intentId: INTENT,
    chargeId: 'ch_1',
    currency: 'USD',
    refundedMinor: 1000,
    fullyRefunded: false,
    refunds: [],
  },
  refund_updated: { kind: 'refund_updated', intentId: INTENT, refund: refund() },
  payment_authorized: {
    kind: 'payment_authorized',
    intentId: INTENT,
    currency: 'USD',
    amountMinor: 3000,
    orderIdHint: ORDER_ID,
    chargeId: 'ch_1',
  },
  payment_action_required: { kind: 'payment_action_required', intentId: INTENT, orderIdHint: ORDER_ID },
  dispute_updated: {
    kind: 'dispute_updated',
    intentId: INTENT,
    chargeId: 'ch_1',
    dispute: {
      id: 'dp_1',
      amountMinor: 3000,
      currency: 'USD',
      status: 'needs_response',
      reason: 'fraudulent',
      evidenceDueBy: new Date('2026-02-01T00:00:00Z'),
      fundsWithdrawn: false,
      fundsReinstated: false,
      openedAt: new Date('2026-01-20T00:00:00Z'),
    },
  },
};

/** What the table checks of a decision. */
const shape = (d: Decision) => ({
  result: d.result,
  moves: d.moves.map((m) => m.to),
  notes: d.notes.map((n) => n.kind),
  stock: d.stock,
});

type Row = [OutcomeKind, OrderStatus, ReturnType<typeof shape>];
const row = (
  kind: OutcomeKind,
  status: OrderStatus,
  result: Decision['result'],
  moves: OrderStatus[],
  stock: Decision['stock'],
  notes: string[] = [],
): Row => [kind, status, { result, moves, notes, stock }];

const TABLE: Row[] = [
  row('payment_succeeded', 'pending', 'applied', ['paid'], 'commit'),
  row('payment_succeeded', 'failed', 'applied', ['paid'], 'commit'),
  row('payment_succeeded', 'paid', 'no_change', [], 'none'),
  row('payment_succeeded', 'refunded', 'no_change', [], 'none'),
  row('payment_succeeded', 'canceled', 'mismatch', [], 'none', ['late_success']),
  // Manual capture: the success is the capture of the authorization.
  row('payment_succeeded', 'authorized', 'applied', ['paid'], 'commit'),
  row('payment_succeeded', 'fulfilled', 'no_change', [], 'none'),

  row('payment_failed', 'pending', 'applied', ['failed'], 'none'),
  row('payment_failed', 'failed', 'no_change', [], 'none'),
  row('payment_failed', 'paid', 'no_change', [], 'none'),
  row('payment_failed', 'refunded', 'no_change', [], 'none'),
  row('payment_failed', 'canceled', 'no_change', [], 'none'),
  row('payment_failed', 'authorized', 'no_change', [], 'none'),
  row('payment_failed', 'fulfilled', 'no_change', [], 'none'),

  row('payment_canceled', 'pending', 'applied', ['canceled'], 'release'),
  row('payment_canceled', 'failed', 'applied', ['canceled'], 'release'),
  row('payment_canceled', 'paid', 'no_change', [], 'none'),
  row('payment_canceled', 'refunded', 'no_change', [], 'none'),
  row('payment_canceled', 'canceled', 'no_change', [], 'none'),
  // An authorization canceled at Stripe (the Dashboard, or lapsed): the order is canceled, its units back on sale.
  row('payment_canceled', 'authorized', 'applied', ['canceled'], 'release'),
  row('payment_canceled', 'fulfilled', 'no_change', [], 'none'),

  ...ORDER_STATUSES.map((status) => row('payment_processing', status, 'no_change', [], 'none')),
  ...ORDER_STATUSES.map((status) => row('payment_open', status, 'no_change', [], 'none')),

  row('intent_missing', 'pending', 'applied', ['canceled'], 'release', ['intent_missing']),
  row('intent_missing', 'failed', 'applied', ['canceled'], 'release', ['intent_missing']),
  row('intent_missing', 'paid', 'no_change', [], 'none'),
  row('intent_missing', 'refunded', 'no_change', [], 'none'),
  row('intent_missing', 'canceled', 'no_change', [], 'none'),
  row('intent_missing', 'authorized', 'applied', ['canceled'], 'release', ['intent_missing']),
  row('intent_missing', 'fulfilled', 'no_change', [], 'none'),

  // Manual capture: an open order's payment is authorized; its units stay held for it.
  row('payment_authorized', 'pending', 'applied', ['authorized'], 'none'),
  row('payment_authorized', 'failed', 'applied', ['authorized'], 'none'),
  row('payment_authorized', 'authorized', 'no_change', [], 'none'),
  row('payment_authorized', 'paid', 'no_change', [], 'none'),
  row('payment_authorized', 'fulfilled', 'no_change', [], 'none'),
  row('payment_authorized', 'refunded', 'no_change', [], 'none'),
  row('payment_authorized', 'canceled', 'no_change', [], 'none'),

  // 3-D Secure: noted on an open order, nothing moves.
  row('payment_action_required', 'pending', 'applied', [], 'none', ['requires_action']),
  row('payment_action_required', 'failed', 'applied', [], 'none', ['requires_action']),
  row('payment_action_required', 'authorized', 'no_change', [], 'none'),
  row('payment_action_required', 'paid', 'no_change', [], 'none'),
  row('payment_action_required', 'fulfilled', 'no_change', [], 'none'),
  row('payment_action_required', 'refunded', 'no_change', [], 'none'),
  row('payment_action_required', 'canceled', 'no_change', [], 'none'),

  // A dispute is recorded whatever the status, and moves nothing: it is not a status.
  ...ORDER_STATUSES.map((status) => row('dispute_updated', status, 'applied', [], 'none')),

  // A partial refund total is recorded whatever the status; only a paid order can move on.
  ...ORDER_STATUSES.map((status) => row('refund_total', status, 'applied', [], 'none', ['refund'])),
  // A refund made in the dashboard is recorded (counted once by its id) whatever the status.
  ...ORDER_STATUSES.map((status) => row('refund_updated', status, 'applied', [], 'none')),
];

describe('decide: every outcome kind against every order status', () => {
  it('when the table is read, then it has a row for every (outcome kind, status) pair and the decision has a row for every kind', () => {
    expect(new Set(DECIDED_KINDS)).toEqual(new Set(Object.keys(OUTCOMES)));
    const pairs = TABLE.map(([kind, status]) => `${kind} ${status}`);
    expect(new Set(pairs).size).toBe(pairs.length);
    expect(pairs).toHaveLength(DECIDED_KINDS.length * ORDER_STATUSES.length);
  });

  it.each(TABLE)('when %s reaches a %s order, then %j', (kind, status, expected) => {
    expect(shape(decide(order(status), OUTCOMES[kind], SOURCE))).toEqual(expected);
  });

  describe.each(DECIDED_KINDS)('invariants for %s', (kind) => {
    const states = ORDER_STATUSES.flatMap((status) => STOCK_STATES.map((stock) => [status, stock] as const));

    it.each(states)(
      'when the order is %s with its stock %s, then its moves follow the state machine and its stock step follows the stock rule',
      (status, stock) => {
        const facts = order(status, {
          stock,
          refunds: [entry({ restock: true, status: 'succeeded', settlement: 'confirmed', amountMinor: 3000 })],
        });

        const decision = decide(facts, OUTCOMES[kind], SOURCE);

        let from = status;
        for (const move of decision.moves) {
          expect([from, move.to, canMove(from, move.to)]).toEqual([from, move.to, true]);
          from = move.to;
        }
        expect(decision.statusAfter).toBe(from);
        expect(decision.stock).toBe(stockAction({ status: from, stock, refunds: facts.refunds }));
        if (decision.result === 'mismatch')
          expect(decision.notes.map((n) => n.kind)).toEqual(
            expect.arrayContaining([expect.stringMatching(/mismatch|late_success/)]),
          );
      },
    );
  });
});

describe('decide: payments, in detail', () => {
  it('when the amount or currency received differs, then nothing moves and the mismatch is noted', () => {
    const amount = decide(
      order('pending'),
      { ...OUTCOMES.payment_succeeded, amountMinor: 2999 } as PaymentOutcome,
      SOURCE,
    );
    const currency = decide(
      order('pending'),
      { ...OUTCOMES.payment_succeeded, currency: 'EUR' } as PaymentOutcome,
      SOURCE,
    );
    const unreadable = decide(
      order('pending'),
      { ...OUTCOMES.payment_succeeded, amountMinor: null } as PaymentOutcome,
      SOURCE,
    );

    for (const [decision, problem] of [
      [amount, 'amount'],
      [currency, 'currency'],
      [unreadable, 'amount'],
    ] as const) {
      expect(shape(decision)).toEqual({ result: 'mismatch', moves: [], notes: ['payment_mismatch'], stock: 'none' });
      expect(decision.notes[0]?.detail).toEqual({ paymentIntentId: INTENT, problems: [problem] });
    }
  });

  it('when the metadata names another order, then the intent decides (paid) and the mismatch is noted as applied', () => {
    const decision = decide(
      order('pending'),
      { ...OUTCOMES.payment_succeeded, orderIdHint: 'b'.repeat(24) } as PaymentOutcome,
      SOURCE,
    );

    expect(shape(decision)).toEqual({
      result: 'applied',
      moves: ['paid'],
      notes: ['payment_mismatch'],
      stock: 'commit',
    });
    expect(decision.notes[0]?.detail).toEqual({
      paymentIntentId: INTENT,
      problems: ['metadata order id'],
      applied: true,
    });
  });

  it('when the success comes from reconciliation, then its reason is the history reason and the move is counted', () => {
    const decision = decide(order('pending'), OUTCOMES.payment_succeeded, {
      sourceId: `reconcile:${INTENT}`,
      reason: 'reconciled',
    });

    expect(decision.moves).toEqual([{ to: 'paid', reason: 'reconciled', metric: 'succeeded' }]);
  });

  it('when the whole amount was refunded before the success arrived, then the order moves to paid and on to refunded', () => {
    const decision = decide(order('pending', { refundedMinor: 3000 }), OUTCOMES.payment_succeeded, SOURCE);

    expect(decision.moves.map((m) => [m.to, m.sourceSuffix])).toEqual([
      ['paid', undefined],
      ['refunded', ':refund'],
    ]);
    expect(decision.stock).toBe('commit');
  });

  it('when a failed order is declined again, then only the latest reason is stored', () => {
    const decision = decide(order('failed'), OUTCOMES.payment_failed, SOURCE);

    expect(decision.moves).toEqual([]);
    expect(decision.lastPaymentError).toEqual({
      code: 'card_declined',
      declineCode: 'generic_decline',
      message: 'Declined',
    });
  });
});

describe('decide: refunds, in detail', () => {
  const paidWith = (refunds: RefundFacts[], overrides: Partial<OrderFacts> = {}) =>
    order('paid', { refunds, ...overrides });
  const updated = (report: Partial<RefundReport>) =>
    ({ kind: 'refund_updated', intentId: INTENT, refund: refund(report) }) as PaymentOutcome;

  it('when our pending refund is confirmed and covers what was paid, then it is confirmed, the total raised, the order refunded and restocked', () => {
    const decision = decide(
      paidWith([entry({ amountMinor: 3000, restock: true })]),
      updated({ amountMinor: 3000 }),
      SOURCE,
    );

    expect(decision.refundChanges).toEqual([
      {
        kind: 'update',
        requestId: 'req_1',
        expect: { refundId: 're_1', status: 'pending', settlement: 'reserved' },
        set: { status: 'succeeded', settlement: 'confirmed', failure: null },
        accepted: false,
      },
    ]);
    expect(decision.refundedTotal).toBe(3000);
    expect(shape(decision)).toEqual({ result: 'applied', moves: ['refunded'], notes: [], stock: 'restock' });
  });

  it('when the event is faster than the answer to our create call, then our request is named by its request id and counted as accepted', () => {
    const decision = decide(
      paidWith([entry({ refundId: null, status: 'requested' })]),
      updated({ requestId: 'req_1', orderIdHint: ORDER_ID, status: 'pending' }),
      SOURCE,
    );

    expect(decision.refundChanges).toEqual([
      {
        kind: 'update',
        requestId: 'req_1',
        expect: { refundId: null, status: 'requested', settlement: 'reserved' },
        set: { refundId: 're_1', status: 'pending', settlement: 'reserved', failure: null, attemptUntil: null },
        accepted: true,
      },
    ]);
  });

  it('when a request id is named by metadata of another order, then it does not match ours: the refund counts as made elsewhere', () => {
    const decision = decide(
      paidWith([entry({ refundId: null, status: 'requested' })]),
      updated({ requestId: 'req_1', orderIdHint: 'c'.repeat(24) }),
      SOURCE,
    );

    expect(decision.refundChanges).toEqual([
      expect.objectContaining({ kind: 'add_external', refundId: 're_1', settlement: 'confirmed' }),
    ]);
  });

  it('when a late event reports an older status, then nothing changes', () => {
    const decision = decide(
      paidWith([entry({ status: 'succeeded', settlement: 'confirmed' })]),
      updated({ status: 'pending' }),
      SOURCE,
    );

    expect(decision.refundChanges).toEqual([]);
    expect(decision.result).toBe('no_change');
  });

  it('when a confirmed refund fails afterwards, then it stays counted and a person is told', () => {
    const decision = decide(
      paidWith([entry({ status: 'succeeded', settlement: 'confirmed' })]),
      updated({ status: 'failed', failureReason: 'lost' }),
      SOURCE,
    );

    expect(decision.refundChanges).toEqual([
      expect.objectContaining({ set: { status: 'failed', settlement: 'confirmed', failure: 'lost' } }),
    ]);
    expect(decision.notes).toEqual([
      { kind: 'refund_failed_after_success', detail: { refundId: 're_1', amountMinor: 1000, failureReason: 'lost' } },
    ]);
    expect(decision.logs).toEqual([expect.objectContaining({ level: 'error' })]);
  });

  it('when a pending refund fails, then its reservation is released', () => {
    const decision = decide(paidWith([entry()]), updated({ status: 'failed' }), SOURCE);

    expect(decision.refundChanges).toEqual([
      expect.objectContaining({ set: { status: 'failed', settlement: 'released', failure: null } }),
    ]);
    expect(decision.notes).toEqual([]);
  });

  it.each([
    ['an amount other than its entry', updated({ amountMinor: 999 }), 'refund amount'],
    ["a currency other than the order's", updated({ currency: 'EUR' }), 'refund currency'],
    ['an amount that is not a whole number of minor units', updated({ amountMinor: null }), 'refund amount'],
  ])('when a refund report has %s, then nothing is applied and the mismatch is noted', (_label, outcome, problem) => {
    const decision = decide(paidWith([entry()]), outcome, SOURCE);

    expect(shape(decision)).toEqual({ result: 'mismatch', moves: [], notes: ['payment_mismatch'], stock: 'none' });
    expect(decision.notes[0]?.detail).toEqual({ paymentIntentId: INTENT, problems: [problem] });
  });

  it('when a refund status is unknown, then it counts as pending and the log says so', () => {
    const decision = decide(
      paidWith([]),
      updated({ status: 'pending', statusKnown: false, reportedStatus: 'reversed' }),
      SOURCE,
    );

    expect(decision.refundChanges).toEqual([
      expect.objectContaining({ kind: 'add_external', status: 'pending', settlement: 'reserved' }),
    ]);
    expect(decision.logs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ level: 'warn', fields: { refundId: 're_1', status: 'reversed' } }),
      ]),
    );
  });

  it('when a charge total covers what was paid, then the order is refunded once: a repeat on a refunded order changes nothing', () => {
    const full = { ...OUTCOMES.refund_total, refundedMinor: 3000, fullyRefunded: true } as PaymentOutcome;

    expect(shape(decide(paidWith([]), full, SOURCE))).toEqual({
      result: 'applied',
      moves: ['refunded'],
      notes: ['refund'],
      stock: 'none',
    });
    expect(shape(decide(order('refunded', { refundedMinor: 3000 }), full, SOURCE))).toEqual({
      result: 'no_change',
      moves: [],
      notes: ['refund'],
      stock: 'none',
    });
  });

  it('when a charge total reports more than was paid, then what was paid counts, the order is refunded, and the contradiction is noted', () => {
    const over = { ...OUTCOMES.refund_total, refundedMinor: 6000, fullyRefunded: true } as PaymentOutcome;

    const decision = decide(paidWith([]), over, SOURCE);

    expect(decision.refundedTotal).toBe(3000);
    expect(shape(decision)).toEqual({
      result: 'mismatch',
      moves: ['refunded'],
      notes: ['refund', 'payment_mismatch'],
      stock: 'none',
    });
    expect(decision.notes[1]?.detail).toEqual({
      paymentIntentId: INTENT,
      problems: ['refunded more than paid'],
      chargeId: 'ch_1',
      reportedMinor: 6000,
      paidMinor: 3000,
    });
  });

  it('when a charge says fully refunded with less refunded than paid, then only the money counts: the order stays paid', () => {
    const flagged = { ...OUTCOMES.refund_total, refundedMinor: 0, fullyRefunded: true } as PaymentOutcome;

    const decision = decide(paidWith([entry({ restock: true, refundId: null, status: 'requested' })]), flagged, SOURCE);

    expect(shape(decision)).toEqual({
      result: 'mismatch',
      moves: [],
      notes: ['refund', 'payment_mismatch'],
      stock: 'none',
    });
    expect(decision.notes[1]?.detail).toMatchObject({ problems: ['fully refunded flag without the money'] });
  });

  it('when refunds made elsewhere add up past what was paid, then only those that fit are recorded', () => {
    const confirmedTwenty = entry({
      requestId: 're_a',
      refundId: 're_a',
      amountMinor: 2000,
      status: 'succeeded',
      settlement: 'confirmed',
    });

    const fits = decide(paidWith([confirmedTwenty]), updated({ id: 're_b', amountMinor: 1000 }), SOURCE);
    const past = decide(paidWith([confirmedTwenty]), updated({ id: 're_b', amountMinor: 1001 }), SOURCE);
    const failedOne = decide(
      paidWith([confirmedTwenty]),
      updated({ id: 're_b', amountMinor: 2000, status: 'failed' }),
      SOURCE,
    );

    expect(shape(fits)).toEqual({ result: 'applied', moves: ['refunded'], notes: [], stock: 'none' });
    expect(shape(past)).toEqual({ result: 'mismatch', moves: [], notes: ['payment_mismatch'], stock: 'none' });
    expect(past.notes[0]?.detail).toEqual({ paymentIntentId: INTENT, problems: ['refunds exceed what was paid'] });
    // A failed refund takes nothing: recorded, nothing to exceed.
    expect(failedOne.refundChanges).toEqual([
      expect.objectContaining({ kind: 'add_external', settlement: 'released' }),
    ]);
  });

  it('when confirming one of our refunds would pass what was paid, then it is not confirmed and the contradiction is noted', () => {
    const decision = decide(
      paidWith([
        entry({ requestId: 're_x', refundId: 're_x', amountMinor: 3000, status: 'succeeded', settlement: 'confirmed' }),
        entry({ amountMinor: 1000 }),
      ]),
      updated({ amountMinor: 1000 }),
      SOURCE,
    );

    expect(decision.refundChanges).toEqual([]);
    expect(decision.result).toBe('mismatch');
  });

  it('when a charge lists its refunds (API versions before 2022-11-15), then each counts as its own report', () => {
    const listed = {
      ...OUTCOMES.refund_total,
      refundedMinor: 2000,
      refunds: [refund({ id: 're_a' }), refund({ id: 're_b' })],
    } as PaymentOutcome;

    const decision = decide(paidWith([]), listed, SOURCE);

    expect(decision.refundChanges.map((change) => change.kind === 'add_external' && change.refundId)).toEqual([
      're_a',
      're_b',
    ]);
    expect(decision.refundedTotal).toBe(2000);
  });
});

describe('decide: manual capture, in detail', () => {
  const captured = (amountMinor: number, intentAmountMinor = 3000) =>
    ({ ...OUTCOMES.payment_succeeded, amountMinor, intentAmountMinor, chargeId: 'ch_1' }) as PaymentOutcome;

  it('when an authorization is captured in part, then the order is paid with what the capture took and the charge is kept', () => {
    const decision = decide(order('authorized'), captured(2000), SOURCE);

    expect(decision.moves).toEqual([
      { to: 'paid', reason: SOURCE.reason, metric: 'succeeded', set: { capturedMinor: 2000, chargeId: 'ch_1' } },
    ]);
    expect(decision.stock).toBe('commit');
  });

  it('when a capture takes the whole authorization, then no captured amount is stored (the order amount is what was paid)', () => {
    const decision = decide(order('authorized'), captured(3000), SOURCE);

    expect(decision.moves[0]?.set).toEqual({ chargeId: 'ch_1' });
  });

  it.each([
    ['more than was authorized', captured(3001)],
    ['nothing', captured(0)],
    ['an intent of another amount', captured(2000, 2500)],
  ])('when a manual capture reports %s, then nothing moves and the mismatch is noted', (_label, outcome) => {
    expect(shape(decide(order('authorized'), outcome, SOURCE))).toEqual({
      result: 'mismatch',
      moves: [],
      notes: ['payment_mismatch'],
      stock: 'none',
    });
  });

  it('when an automatic payment reports less than the order amount, then it is still a mismatch (only manual captures may take less)', () => {
    const decision = decide(
      order('pending'),
      { ...OUTCOMES.payment_succeeded, amountMinor: 2000 } as PaymentOutcome,
      SOURCE,
    );

    expect(decision.result).toBe('mismatch');
  });

  it('when the capture event of an authorization comes before its authorization event, then the order is paid from pending', () => {
    expect(shape(decide(order('pending'), captured(2000), SOURCE))).toEqual({
      result: 'applied',
      moves: ['paid'],
      notes: [],
      stock: 'commit',
    });
  });

  it('when an authorization reports another amount or currency, then the order stays pending and the mismatch is noted', () => {
    const amount = decide(
      order('pending'),
      { ...OUTCOMES.payment_authorized, amountMinor: 2999 } as PaymentOutcome,
      SOURCE,
    );
    const currency = decide(
      order('pending'),
      { ...OUTCOMES.payment_authorized, currency: 'EUR' } as PaymentOutcome,
      SOURCE,
    );

    expect(shape(amount)).toEqual({ result: 'mismatch', moves: [], notes: ['payment_mismatch'], stock: 'none' });
    expect(shape(currency)).toEqual({ result: 'mismatch', moves: [], notes: ['payment_mismatch'], stock: 'none' });
  });

  it('when an authorization is recorded, then the move is counted as authorized and carries the charge', () => {
    expect(decide(order('pending'), OUTCOMES.payment_authorized, SOURCE).moves).toEqual([
      { to: 'authorized', reason: SOURCE.reason, metric: 'authorized', set: { chargeId: 'ch_1' } },
    ]);
  });

  it('when a partially captured order is refunded, then what the capture took is what was paid: its refund completes the order', () => {
    const partly = order('paid', { capturedMinor: 2000 });
    const total = { ...OUTCOMES.refund_total, refundedMinor: 2000 } as PaymentOutcome;
    const over = { ...OUTCOMES.refund_total, refundedMinor: 2500 } as PaymentOutcome;

    expect(shape(decide(partly, total, SOURCE))).toEqual({
      result: 'applied',
      moves: ['refunded'],
      notes: ['refund'],
      stock: 'none',
    });
    expect(decide(partly, over, SOURCE).notes[1]?.detail).toMatchObject({
      problems: ['refunded more than paid'],
      paidMinor: 2000,
    });
  });

  it('when a fulfilled order is refunded in full, then it is refunded like a paid one', () => {
    const full = { ...OUTCOMES.refund_total, refundedMinor: 3000, fullyRefunded: true } as PaymentOutcome;

    expect(shape(decide(order('fulfilled'), full, SOURCE))).toEqual({
      result: 'applied',
      moves: ['refunded'],
      notes: ['refund'],
      stock: 'none',
    });
  });

  it('when a paid order learns its charge late, then the charge id is kept without a move', () => {
    const decision = decide(
      order('paid'),
      { ...OUTCOMES.payment_succeeded, chargeId: 'ch_late' } as PaymentOutcome,
      SOURCE,
    );

    expect(decision.moves).toEqual([]);
    expect(decision.chargeId).toBe('ch_late');
    expect(
      decide(order('paid', { chargeId: 'ch_known' }), OUTCOMES.payment_succeeded, SOURCE).chargeId,
    ).toBeUndefined();
  });
});

describe('decide: the rest of the intent life', () => {
  it('when a payment is processing or waits for the customer, then an open order shows it; a closed one is left alone', () => {
    expect(decide(order('pending'), OUTCOMES.payment_processing, SOURCE).paymentStatus).toBe('processing');
    expect(decide(order('failed'), OUTCOMES.payment_action_required, SOURCE).paymentStatus).toBe('requires_action');
    expect(decide(order('paid'), OUTCOMES.payment_processing, SOURCE).paymentStatus).toBeUndefined();
    expect(decide(order('canceled'), OUTCOMES.payment_action_required, SOURCE).paymentStatus).toBeUndefined();
  });

  it('when a payment fails, then the open order no longer shows it as processing', () => {
    expect(decide(order('pending'), OUTCOMES.payment_failed, SOURCE).paymentStatus).toBeNull();
  });
});

describe('decide: disputes, in detail', () => {
  const base = OUTCOMES.dispute_updated as Extract<PaymentOutcome, { kind: 'dispute_updated' }>;
  const report = (overrides: Partial<typeof base.dispute>) =>
    ({ ...base, dispute: { ...base.dispute, ...overrides } }) as PaymentOutcome;
  const recorded = (overrides: Record<string, unknown> = {}) => ({
    disputeId: 'dp_1',
    chargeId: 'ch_1',
    amountMinor: 3000,
    currency: 'USD',
    status: 'needs_response',
    reason: 'fraudulent',
    evidenceDueBy: new Date('2026-02-01T00:00:00Z'),
    fundsWithdrawnMinor: 0,
    fundsReinstatedMinor: 0,
    openedAt: new Date('2026-01-20T00:00:00Z'),
    ...overrides,
  });

  it('when a new dispute opens, then it is recorded as open, counted under its status, and an error line gives its evidence deadline', () => {
    const decision = decide(order('paid'), OUTCOMES.dispute_updated, SOURCE);

    expect(decision.disputes).toEqual({
      entries: [recorded()],
      changedIds: ['dp_1'],
      open: true,
      reached: ['needs_response'],
    });
    expect(decision.logs).toEqual([
      {
        level: 'error',
        message: 'payment disputed: respond with evidence before the deadline',
        fields: expect.objectContaining({
          disputeId: 'dp_1',
          status: 'needs_response',
          evidenceDueBy: '2026-02-01T00:00:00.000Z',
        }),
      },
    ]);
    expect(decision.moves).toEqual([]);
  });

  it('when the same report comes again, then nothing changes and nothing is counted', () => {
    const decision = decide(order('paid', { disputes: [recorded()] }), OUTCOMES.dispute_updated, SOURCE);

    expect(decision.result).toBe('no_change');
    expect(decision.disputes).toBeNull();
  });

  it('when a dispute is won after its funds were withdrawn, then it is closed with the funds reinstated, and no dispute is open', () => {
    const withdrawn = decide(order('paid', { disputes: [recorded()] }), report({ fundsWithdrawn: true }), SOURCE);
    const won = decide(
      order('paid', { disputes: [recorded({ fundsWithdrawnMinor: 3000 })] }),
      report({ status: 'won', fundsWithdrawn: true, fundsReinstated: true }),
      SOURCE,
    );

    expect(withdrawn.disputes).toMatchObject({
      entries: [{ fundsWithdrawnMinor: 3000, status: 'needs_response' }],
      reached: [],
      open: true,
    });
    expect(won.disputes).toMatchObject({
      entries: [{ status: 'won', fundsWithdrawnMinor: 3000, fundsReinstatedMinor: 3000 }],
      open: false,
      reached: ['won'],
    });
    expect(won.logs).toEqual([expect.objectContaining({ level: 'info', message: 'dispute closed: won' })]);
  });

  it('when a late report of an earlier status arrives after the dispute closed, then the status stays; funds it reports still count', () => {
    const late = decide(
      order('paid', { disputes: [recorded({ status: 'lost' })] }),
      report({ status: 'under_review' }),
      SOURCE,
    );
    const lateFunds = decide(
      order('paid', { disputes: [recorded({ status: 'lost' })] }),
      report({ status: 'needs_response', fundsWithdrawn: true }),
      SOURCE,
    );

    expect(late.result).toBe('no_change');
    expect(lateFunds.disputes).toMatchObject({
      entries: [{ status: 'lost', fundsWithdrawnMinor: 3000 }],
      reached: [],
      open: false,
    });
  });

  it('when an inquiry becomes a chargeback, then the status moves on and the new status is counted', () => {
    const decision = decide(
      order('paid', { disputes: [recorded({ status: 'warning_needs_response' })] }),
      OUTCOMES.dispute_updated,
      SOURCE,
    );

    expect(decision.disputes).toMatchObject({ reached: ['needs_response'], open: true });
  });

  it('when a second dispute of the order opens, then both are kept', () => {
    const decision = decide(order('paid', { disputes: [recorded({ status: 'won' })] }), report({ id: 'dp_2' }), SOURCE);

    expect(decision.disputes?.entries.map((d) => [d.disputeId, d.status])).toEqual([
      ['dp_1', 'won'],
      ['dp_2', 'needs_response'],
    ]);
    expect(decision.disputes?.open).toBe(true);
  });

  it.each([
    ['another currency', report({ currency: 'EUR' }), 'dispute currency'],
    ['an amount that is not a whole number of minor units', report({ amountMinor: null }), 'dispute amount'],
  ])('when a dispute report has %s, then nothing is recorded and the mismatch is noted', (_label, outcome, problem) => {
    const decision = decide(order('paid'), outcome, SOURCE);

    expect(shape(decision)).toEqual({ result: 'mismatch', moves: [], notes: ['payment_mismatch'], stock: 'none' });
    expect(decision.notes[0]?.detail).toEqual({ paymentIntentId: INTENT, problems: [problem] });
  });

  it('when a status this code does not know arrives, then it is kept and counts as open', () => {
    const decision = decide(
      order('paid', { disputes: [recorded({ status: 'warning_needs_response' })] }),
      report({ status: 'escalated' }),
      SOURCE,
    );

    expect(decision.disputes).toMatchObject({ entries: [{ status: 'escalated' }], open: true });
  });
});

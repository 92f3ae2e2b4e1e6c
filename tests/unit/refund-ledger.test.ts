import {
  canReplaceStatus,
  refundLedger,
  refundStatusFrom,
  restockRequested,
  settlementAfter,
  type LedgerEntry,
} from '../../src/lib/refund-ledger';

const entry = (
  amountMinor: number,
  settlement: LedgerEntry['settlement'],
  status: LedgerEntry['status'] = 'succeeded',
  restock = false,
): LedgerEntry => ({ amountMinor, settlement, status, restock });

describe('refundLedger', () => {
  it('when nothing is refunded or asked, then everything paid is left', () => {
    expect(refundLedger({ amountMinor: 5000, refundedMinor: 0, refunds: [] })).toEqual({
      refundedMinor: 0,
      confirmedMinor: 0,
      reservedMinor: 0,
      remainingMinor: 5000,
    });
  });

  it('when a request is reserved, then it is not refunded yet but is no longer left', () => {
    expect(
      refundLedger({ amountMinor: 5000, refundedMinor: 0, refunds: [entry(2000, 'reserved', 'requested')] }),
    ).toMatchObject({
      refundedMinor: 0,
      reservedMinor: 2000,
      remainingMinor: 3000,
    });
  });

  it('when the charge total already includes a request whose own event never came, then it is counted once', () => {
    // charge.refunded said 2000; the 2000 request is still reserved (no refund event).
    expect(refundLedger({ amountMinor: 5000, refundedMinor: 2000, refunds: [entry(2000, 'reserved')] })).toMatchObject({
      refundedMinor: 2000,
      remainingMinor: 3000,
    });
  });

  it('when refunds are confirmed by id before the charge total arrives, then they count as refunded', () => {
    expect(
      refundLedger({
        amountMinor: 5000,
        refundedMinor: 0,
        refunds: [entry(1000, 'confirmed'), entry(500, 'reserved')],
      }),
    ).toMatchObject({
      refundedMinor: 1000,
      confirmedMinor: 1000,
      remainingMinor: 3500,
    });
  });

  it('when a request was released (refused or failed), then it takes nothing', () => {
    expect(refundLedger({ amountMinor: 5000, refunds: [entry(5000, 'released', 'failed')] })).toMatchObject({
      refundedMinor: 0,
      remainingMinor: 5000,
    });
  });

  it('when more is recorded than was paid (a refund made elsewhere), then nothing is left, never a negative amount', () => {
    expect(
      refundLedger({ amountMinor: 1000, refundedMinor: 1000, refunds: [entry(500, 'reserved')] }).remainingMinor,
    ).toBe(0);
  });

  it('when the gateway reported more refunded than was paid, then what was paid is the refunded amount', () => {
    expect(refundLedger({ amountMinor: 3000, refundedMinor: 6000 }).refundedMinor).toBe(3000);
    expect(
      refundLedger({ amountMinor: 3000, refunds: [entry(2000, 'confirmed'), entry(2000, 'confirmed')] }).refundedMinor,
    ).toBe(3000);
  });

  it('when an order predates refunds (no fields), then its figures are zero', () => {
    expect(refundLedger({ amountMinor: 700 })).toEqual({
      refundedMinor: 0,
      confirmedMinor: 0,
      reservedMinor: 0,
      remainingMinor: 700,
    });
  });
});

describe('refund status rules', () => {
  it.each([
    ['requested', 'succeeded', true],
    ['requested', 'pending', true],
    ['pending', 'requires_action', true],
    ['requires_action', 'pending', true],
    ['pending', 'succeeded', true],
    ['succeeded', 'failed', true],
    ['succeeded', 'pending', false],
    ['failed', 'succeeded', false],
    ['canceled', 'failed', false],
    ['refused', 'succeeded', false],
    ['succeeded', 'succeeded', false],
  ] as const)('when %s is reported as %s, then replacing it is %s', (from, to, allowed) => {
    expect(canReplaceStatus(from, to)).toBe(allowed);
  });

  it('when the create call answers succeeded, then only an event confirms it; a failure releases it either way', () => {
    expect(settlementAfter('reserved', 'succeeded', false)).toBe('reserved');
    expect(settlementAfter('reserved', 'succeeded', true)).toBe('confirmed');
    expect(settlementAfter('reserved', 'failed', false)).toBe('released');
    expect(settlementAfter('reserved', 'canceled', true)).toBe('released');
    // Refunded totals never go back down: a confirmed refund that fails later stays counted (a person looks at it).
    expect(settlementAfter('confirmed', 'failed', true)).toBe('confirmed');
  });

  it('when a status is unknown or null, then it counts as pending', () => {
    expect(refundStatusFrom('succeeded')).toEqual({ status: 'succeeded', known: true });
    expect(refundStatusFrom(null)).toEqual({ status: 'pending', known: true });
    expect(refundStatusFrom('reversed')).toEqual({ status: 'pending', known: false });
  });

  it('when any request but a refused one asks for restock, then the order is restocked', () => {
    expect(restockRequested({ refunds: [entry(1, 'confirmed'), entry(1, 'reserved', 'pending', true)] })).toBe(true);
    expect(restockRequested({ refunds: [entry(1, 'released', 'refused', true)] })).toBe(false);
    expect(restockRequested({ refunds: [entry(1, 'released', 'failed', true)] })).toBe(true);
    expect(restockRequested({})).toBe(false);
  });
});

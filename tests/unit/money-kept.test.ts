import { canReplaceDisputeStatus, hasOpenDispute } from '../../src/lib/disputes';
import { isFullyRefunded, moneyKept, paidMinorOf, refundLedger } from '../../src/lib/refund-ledger';

/** What an order was paid and still keeps: partial captures, refunds and disputes (lib/refund-ledger.ts, lib/disputes.ts). */
describe('the money an order keeps', () => {
  const refund = (amountMinor: number) => ({
    amountMinor,
    settlement: 'confirmed' as const,
    status: 'succeeded' as const,
  });
  const dispute = (status: string, withdrawn = 0, reinstated = 0) => ({
    disputeId: `dp_${status}`,
    amountMinor: 3000,
    status,
    fundsWithdrawnMinor: withdrawn,
    fundsReinstatedMinor: reinstated,
  });

  it('when a capture took less than the order amount, then that is what was paid, and what refunds may reach', () => {
    const order = { amountMinor: 3000, capturedMinor: 2000, refunds: [refund(500)] };

    expect(paidMinorOf(order)).toBe(2000);
    expect(refundLedger(order).remainingMinor).toBe(1500);
    expect(isFullyRefunded({ ...order, refunds: [refund(2000)] })).toBe(true);
    expect(paidMinorOf({ amountMinor: 3000 })).toBe(3000);
  });

  it.each([
    ['an unpaid order', { status: 'pending' as const }, { paidMinor: 0, keptMinor: 0 }],
    ['an authorized order', { status: 'authorized' as const }, { paidMinor: 0, keptMinor: 0 }],
    ['a paid order', { status: 'paid' as const }, { paidMinor: 3000, keptMinor: 3000 }],
    [
      'a partly refunded fulfilled order',
      { status: 'fulfilled' as const, refunds: [refund(1000)] },
      { refundedMinor: 1000, keptMinor: 2000 },
    ],
    [
      'a paid order whose dispute took the money',
      { status: 'paid' as const, disputes: [dispute('lost', 3000)] },
      { disputeWithdrawnMinor: 3000, keptMinor: 0 },
    ],
    [
      'a paid order whose dispute was won',
      { status: 'paid' as const, disputes: [dispute('won', 3000, 3000)] },
      { disputeWithdrawnMinor: 3000, disputeReinstatedMinor: 3000, keptMinor: 3000 },
    ],
  ])('when it is %s, then the money view says so', (_label, facts, expected) => {
    expect(moneyKept({ amountMinor: 3000, ...facts })).toMatchObject(expected);
  });

  it('when disputes are read, then only won, lost, warning_closed and prevented are closed, and statuses only move forward', () => {
    expect(hasOpenDispute([dispute('won'), dispute('under_review')])).toBe(true);
    expect(hasOpenDispute([dispute('won'), dispute('lost'), dispute('warning_closed'), dispute('prevented')])).toBe(
      false,
    );
    expect(hasOpenDispute([])).toBe(false);
    expect(canReplaceDisputeStatus('warning_needs_response', 'needs_response')).toBe(true);
    expect(canReplaceDisputeStatus('under_review', 'needs_response')).toBe(false);
    expect(canReplaceDisputeStatus('won', 'lost')).toBe(false);
    expect(canReplaceDisputeStatus('under_review', 'lost')).toBe(true);
  });
});

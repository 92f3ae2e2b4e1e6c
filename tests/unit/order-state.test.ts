import { canMove, ORDER_STATUSES, sourcesOf, type OrderStatus } from '../../src/lib/order-state';

describe('order state machine', () => {
  const allowed: Array<[OrderStatus, OrderStatus]> = [
    ['pending', 'paid'],
    ['pending', 'failed'],
    ['pending', 'canceled'],
    ['failed', 'paid'],
    ['failed', 'canceled'],
    ['paid', 'refunded'],
  ];

  it('allows exactly the documented moves', () => {
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) {
        const expected = allowed.some(([f, t]) => f === from && t === to);
        expect([from, to, canMove(from, to)]).toEqual([from, to, expected]);
      }
    }
  });

  it('never moves a paid order back: success wins over late failures and cancels', () => {
    expect(canMove('paid', 'failed')).toBe(false);
    expect(canMove('paid', 'canceled')).toBe(false);
    expect(canMove('paid', 'pending')).toBe(false);
  });

  it('gives the conditional-update sources for each target', () => {
    expect(sourcesOf('paid')).toEqual(['pending', 'failed']);
    expect(sourcesOf('failed')).toEqual(['pending']);
    expect(sourcesOf('canceled')).toEqual(['pending', 'failed']);
    expect(sourcesOf('refunded')).toEqual(['paid']);
    expect(sourcesOf('pending')).toEqual([]);
  });
});

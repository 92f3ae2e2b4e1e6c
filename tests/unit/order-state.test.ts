import { canMove, ORDER_STATUSES, sourcesOf, type OrderStatus } from '../../src/lib/order-state';

describe('order state machine', () => {
  const allowed: Array<[OrderStatus, OrderStatus]> = [
    ['pending', 'paid'],
    ['pending', 'failed'],
    ['pending', 'canceled'],
    ['failed', 'paid'],
    ['failed', 'canceled'],
    ['paid', 'refunded'],
    // Manual capture: authorized, then captured (paid) or voided (canceled).
    ['pending', 'authorized'],
    ['failed', 'authorized'],
    ['authorized', 'paid'],
    ['authorized', 'canceled'],
    // Fulfilment, and refunds of a fulfilled order.
    ['paid', 'fulfilled'],
    ['fulfilled', 'refunded'],
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
    expect(sourcesOf('paid')).toEqual(['pending', 'failed', 'authorized']);
    expect(sourcesOf('failed')).toEqual(['pending']);
    expect(sourcesOf('canceled')).toEqual(['pending', 'failed', 'authorized']);
    expect(sourcesOf('refunded')).toEqual(['paid', 'fulfilled']);
    expect(sourcesOf('pending')).toEqual([]);
    expect(sourcesOf('authorized')).toEqual(['pending', 'failed']);
    expect(sourcesOf('fulfilled')).toEqual(['paid']);
  });

  it('never moves a fulfilled or authorized order back, and never refunds an authorization', () => {
    expect(canMove('fulfilled', 'paid')).toBe(false);
    expect(canMove('authorized', 'pending')).toBe(false);
    expect(canMove('authorized', 'refunded')).toBe(false);
    expect(canMove('authorized', 'fulfilled')).toBe(false);
  });
});

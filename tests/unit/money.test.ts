import { CURRENCIES, STRIPE_MAX_AMOUNT } from '../../src/lib/currencies';
import {
  chargeProblem,
  comparableAmount,
  comparableFromDecimal,
  fromMinorUnits,
  fromStripeAmount,
  maximumChargeMinor,
  MoneyError,
  multiplyMinor,
  priceProblem,
  sumMinor,
  toMinorUnits,
  toStripeAmount,
} from '../../src/lib/money';

describe('toMinorUnits', () => {
  it.each([
    [25.99, 'USD', 2599],
    [0.01, 'USD', 1],
    [19.9, 'EUR', 1990],
    [100, 'usd', 10000],
    [500, 'JPY', 500],
    [1.25, 'KWD', 1250],
    [0.005, 'BHD', 5],
    [999999.99, 'USD', 99999999],
    [1.1, 'USD', 110],
    [4.35, 'USD', 435],
    [1.005, 'KWD', 1005],
    [0, 'USD', 0],
  ])('reads %d %s as %d minor units exactly', (amount, code, minor) => {
    expect(toMinorUnits(amount, code)).toBe(minor);
  });

  it.each([
    [25.999, 'USD', /at most 2 decimal places/],
    [500.5, 'JPY', /whole number/],
    [1.0001, 'KWD', /at most 3 decimal places/],
    [0.1 + 0.2, 'USD', /at most 2 decimal places/],
    [1e-7, 'USD', /decimal places/],
    [1e21, 'USD', /too large/],
    [2 ** 53, 'USD', /too large/],
    [-1, 'USD', /non-negative/],
    [Number.NaN, 'USD', /finite/],
    [Number.POSITIVE_INFINITY, 'USD', /finite/],
    [1, 'XYZ', /Unsupported currency XYZ/],
  ])('refuses %d %s', (amount, code, message) => {
    expect(() => toMinorUnits(amount, code)).toThrow(MoneyError);
    expect(() => toMinorUnits(amount, code)).toThrow(message);
  });

  it('round-trips every cent from 0.00 to 100.00 without drift', () => {
    for (let cents = 0; cents <= 10_000; cents += 1) {
      expect(toMinorUnits(fromMinorUnits(cents, 'USD'), 'USD')).toBe(cents);
    }
  });
});

describe('fromMinorUnits', () => {
  it.each([
    [2599, 'USD', 25.99],
    [1, 'USD', 0.01],
    [500, 'JPY', 500],
    [1250, 'KWD', 1.25],
    [99999999, 'USD', 999999.99],
  ])('shows %d minor %s as %d', (minor, code, amount) => {
    expect(fromMinorUnits(minor, code)).toBe(amount);
    expect(String(fromMinorUnits(minor, code))).toBe(String(amount));
  });

  it('keeps sums exact where floats drift: 0.10 + 0.20 is 0.3', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(fromMinorUnits(sumMinor([toMinorUnits(0.1, 'USD'), toMinorUnits(0.2, 'USD')]), 'USD')).toBe(0.3);
  });
});

describe('the currency table', () => {
  it('covers the common card currencies with their ISO digits', () => {
    const digits = (code: string) => CURRENCIES.get(code)?.digits;
    expect([
      digits('USD'),
      digits('EUR'),
      digits('GBP'),
      digits('JPY'),
      digits('KRW'),
      digits('KWD'),
      digits('BHD'),
    ]).toEqual([2, 2, 2, 0, 0, 3, 3]);
    expect(CURRENCIES.size).toBeGreaterThanOrEqual(135);
    for (const [code, info] of CURRENCIES) {
      expect(code).toMatch(/^[A-Z]{3}$/);
      expect(info.code).toBe(code);
    }
  });
});

describe('Stripe amounts', () => {
  it.each([
    [2599, 'USD', 2599],
    [500, 'JPY', 500],
    [1250, 'KWD', 1250],
    [5, 'ISK', 500],
    [5, 'UGX', 500],
    [50000, 'MGA', 500],
  ])('sends %d minor %s as amount %d', (minor, code, amount) => {
    expect(toStripeAmount(minor, code)).toBe(amount);
  });

  it.each([
    [2599, 'USD', 2599],
    [2599, 'usd', 2599],
    [500, 'JPY', 500],
    [1250, 'KWD', 1250],
    [500, 'ISK', 5],
    [500, 'UGX', 5],
    [500, 'MGA', 50000],
    [0, 'USD', 0],
  ])('when Stripe reports amount %d %s, then it is %d minor units', (amount, code, minor) => {
    expect(fromStripeAmount(amount, code)).toBe(minor);
  });

  it('when a chargeable amount in any currency goes to Stripe and back, then it is unchanged', () => {
    for (const [code, { minorStep }] of CURRENCIES) {
      for (const minor of [0, minorStep, 123 * minorStep, 999_999 * minorStep]) {
        expect(fromStripeAmount(toStripeAmount(minor, code), code)).toBe(minor);
      }
    }
  });

  it.each([
    [12_345, 'ISK', /not a whole number of ISK minor units/],
    [-1, 'USD', /not a Stripe amount/],
    [1.5, 'USD', /not a Stripe amount/],
    [Number.NaN, 'USD', /not a Stripe amount/],
    [100, 'XYZ', /Unsupported currency XYZ/],
  ])('when Stripe amount %d %s cannot be read, then it is refused', (amount, code, message) => {
    expect(() => fromStripeAmount(amount, code)).toThrow(MoneyError);
    expect(() => fromStripeAmount(amount, code)).toThrow(message);
  });

  it("caps at eight Stripe digits, in each currency's own units", () => {
    expect(maximumChargeMinor('USD')).toBe(STRIPE_MAX_AMOUNT);
    expect(maximumChargeMinor('ISK')).toBe(999_999);
    expect(maximumChargeMinor('MGA')).toBe(STRIPE_MAX_AMOUNT);
  });

  it.each([
    [1, 'USD', undefined],
    [99_999_999, 'USD', undefined],
    [100_000_000, 'USD', /at most 999999.99 USD/],
    [0, 'USD', /greater than zero/],
    [1255, 'KWD', /KWD amounts must be a multiple of 0.010 KWD/],
    [1250, 'KWD', undefined],
    [50050, 'MGA', /MGA amounts must be a multiple of 1.00 MGA/],
    [1_000_000, 'ISK', /at most 999999 ISK/],
  ])('a unit price of %d minor %s: %s', (minor, code, problem) => {
    const found = priceProblem(minor, code);
    if (problem) expect(found).toMatch(problem);
    else expect(found).toBeUndefined();
  });

  it.each([
    [49, 'USD', /at least 0.50 USD/],
    [50, 'USD', undefined],
    [29, 'GBP', /at least 0.30 GBP/],
    [49, 'JPY', /at least 50 JPY/],
    [1, 'KES', undefined],
  ])('a charge of %d minor %s: %s', (minor, code, problem) => {
    const found = chargeProblem(minor, code);
    if (problem) expect(found).toMatch(problem);
    else expect(found).toBeUndefined();
  });
});

describe('arithmetic and comparison', () => {
  it('multiplies and sums in integers, refusing unsafe results', () => {
    expect(multiplyMinor(2599, 3)).toBe(7797);
    expect(sumMinor([7797, 1, 2])).toBe(7800);
    expect(() => multiplyMinor(Number.MAX_SAFE_INTEGER, 2)).toThrow(MoneyError);
    expect(() => sumMinor([Number.MAX_SAFE_INTEGER, 1])).toThrow(MoneyError);
  });

  it('orders prices across currencies as they are shown', () => {
    expect(comparableAmount(2599, 'USD')).toBe(25990);
    expect(comparableAmount(500, 'JPY')).toBe(500000);
    expect(comparableAmount(1250, 'KWD')).toBe(1250);
    expect(comparableFromDecimal(25.99)).toBe(25990);
    expect(() => comparableFromDecimal(1.0001)).toThrow(/at most 3 decimal places/);
  });
});

import fc from 'fast-check';
import { isoTimestamp } from '../../src/lib/iso-time';

const FIRST = Date.UTC(0, 0, 1);
const LAST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

describe('isoTimestamp', () => {
  it.each([
    ['the epoch', 0],
    ['the last millisecond before it', -1],
    ['the end of the epoch day', 86_400_000 - 1],
    ['a leap day', Date.UTC(2024, 1, 29, 23, 59, 59, 999)],
    ['1 March of a century that is not a leap year', Date.UTC(1900, 2, 1)],
    ['29 February 2000', Date.UTC(2000, 1, 29, 12, 0, 0, 7)],
    ['the first four-digit-year moment', FIRST],
    ['the last one', LAST],
  ])('when given %s, then it writes what toISOString writes', (_name, ms) => {
    expect(isoTimestamp(new Date(ms))).toBe(new Date(ms).toISOString());
  });

  it('when given any moment between years 0 and 9999, in any order, then it writes what toISOString writes', () => {
    // In any order: it keeps the last day it wrote, so consecutive dates on other days must not reuse it.
    fc.assert(
      fc.property(fc.array(fc.integer({ min: FIRST, max: LAST }), { minLength: 1, maxLength: 20 }), (moments) => {
        for (const ms of moments) expect(isoTimestamp(new Date(ms))).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 2_000 },
    );
  });

  it('when the year has more than four digits or is negative, then it writes the extended year as toISOString does', () => {
    for (const ms of [LAST + 1, FIRST - 1, Date.UTC(-50, 0, 1), 8.64e15, -8.64e15])
      expect(isoTimestamp(new Date(ms))).toBe(new Date(ms).toISOString());
  });

  it('when the date is invalid, then it throws the RangeError that JSON.stringify would', () => {
    expect(() => isoTimestamp(new Date(Number.NaN))).toThrow(RangeError);
  });
});

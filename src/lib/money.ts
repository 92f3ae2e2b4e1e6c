import { CURRENCIES, STRIPE_MAX_AMOUNT, type Currency } from './currencies';

/**
 * Money is held as an integer number of ISO 4217 minor units with its currency, and shown as the decimal
 * the assignment uses (25.99). Conversions never go through floating-point multiplication: decimals are
 * read from the number's own shortest text, so 25.99 is 2599 exactly and 0.1 + 0.2 is refused.
 */
export class MoneyError extends Error {}

/** The thousandths scale used to compare prices across currencies as they are shown (three digits at most). */
const COMPARABLE_DIGITS = 3;

export function findCurrency(code: string): Currency | undefined {
  // Stored codes are upper-case already: most lookups need no new string.
  return CURRENCIES.get(code) ?? CURRENCIES.get(code.toUpperCase());
}

export function currency(code: string): Currency {
  const found = findCurrency(code);
  if (!found) throw new MoneyError(`Unsupported currency ${code}`);
  return found;
}

/** Reads a non-negative decimal with at most `maxDigits` decimals as an integer scaled by 10^maxDigits. */
export function scaleDecimal(amount: number, maxDigits: number): number {
  if (!Number.isFinite(amount) || amount < 0) throw new MoneyError('Amount must be a finite, non-negative number');
  const text = amount.toString();
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) {
    throw new MoneyError(
      text.includes('e-') ? `Amount must have at most ${maxDigits} decimal places` : 'Amount is too large',
    );
  }
  const [, whole = '0', fraction = ''] = match;
  if (fraction.length > maxDigits) {
    throw new MoneyError(
      maxDigits === 0 ? 'Amount must be a whole number' : `Amount must have at most ${maxDigits} decimal places`,
    );
  }
  const scaled = Number(whole + fraction.padEnd(maxDigits, '0'));
  if (!Number.isSafeInteger(scaled)) throw new MoneyError('Amount is too large');
  return scaled;
}

/** 25.99 USD -> 2599; 500 JPY -> 500; 1.25 KWD -> 1250. More decimals than the currency has is an error. */
export function toMinorUnits(amount: number, code: string): number {
  return scaleDecimal(amount, currency(code).digits);
}

/** 2599 USD -> 25.99. Exact: an integer divided by a power of ten prints as that decimal. */
export function fromMinorUnits(minor: number, code: string): number {
  return minor / 10 ** currency(code).digits;
}

/** 50 USD minor units -> "0.50 USD", for messages. */
export function formatMoney(minor: number, code: string): string {
  const info = currency(code);
  return `${(minor / 10 ** info.digits).toFixed(info.digits)} ${info.code}`;
}

/** The price in thousandths of the major unit, so prices in different currencies order as they are shown. */
export function comparableAmount(minor: number, code: string): number {
  return minor * 10 ** (COMPARABLE_DIGITS - currency(code).digits);
}

export function comparableFromDecimal(amount: number): number {
  return scaleDecimal(amount, COMPARABLE_DIGITS);
}

/** The integer Stripe expects as `amount` (differs from ISO minor units for ISK, UGX and MGA). */
export function toStripeAmount(minor: number, code: string): number {
  const { digits, stripeDigits } = currency(code);
  const amount = minor * 10 ** (stripeDigits - digits);
  if (!Number.isSafeInteger(amount))
    throw new MoneyError(`${minor} minor units of ${code} cannot be expressed as a Stripe amount`);
  return amount;
}

/** The reverse of toStripeAmount: a Stripe `amount` (webhooks, retrieved intents) as ISO minor units. */
export function fromStripeAmount(amount: number, code: string): number {
  const { digits, stripeDigits } = currency(code);
  if (!Number.isSafeInteger(amount) || amount < 0) throw new MoneyError(`${amount} is not a Stripe amount`);
  const minor =
    stripeDigits >= digits ? amount / 10 ** (stripeDigits - digits) : amount * 10 ** (digits - stripeDigits);
  // ISK 12345 (123.45 in Stripe's two digits) has no whole number of ISO minor units.
  if (!Number.isSafeInteger(minor))
    throw new MoneyError(`${amount} (Stripe units) is not a whole number of ${code.toUpperCase()} minor units`);
  return minor;
}

/** fromStripeAmount for figures from outside (events, retrieved intents): undefined instead of an error when not expressible. */
export function minorFromStripe(amount: number, code: string): number | undefined {
  try {
    return fromStripeAmount(amount, code);
  } catch (error) {
    if (error instanceof MoneyError) return undefined;
    throw error;
  }
}

/** unit x quantity, refusing anything past exact integer range. */
export function multiplyMinor(unitMinor: number, quantity: number): number {
  const total = unitMinor * quantity;
  if (!Number.isSafeInteger(total)) throw new MoneyError('Amount is too large');
  return total;
}

export function sumMinor(amounts: readonly number[]): number {
  const total = amounts.reduce((sum, amount) => sum + amount, 0);
  if (!Number.isSafeInteger(total)) throw new MoneyError('Amount is too large');
  return total;
}

/** The largest amount, in ISO minor units, that Stripe can charge in this currency. */
export function maximumChargeMinor(code: string): number {
  const { digits, stripeDigits } = currency(code);
  return Math.floor(STRIPE_MAX_AMOUNT / 10 ** Math.max(0, stripeDigits - digits));
}

/** Why this cannot be a unit price (zero, past Stripe's cap, finer than Stripe can charge), or undefined. */
export function priceProblem(minor: number, code: string): string | undefined {
  const info = currency(code);
  if (!Number.isSafeInteger(minor) || minor <= 0) return 'Amount must be greater than zero';
  const maximum = maximumChargeMinor(code);
  if (minor > maximum) return `Amount must be at most ${formatMoney(maximum, code)}`;
  if (minor % info.minorStep !== 0)
    return `${info.code} amounts must be a multiple of ${formatMoney(info.minorStep, code)}`;
  return undefined;
}

/** Why Stripe would refuse to charge this total (the price rules plus its minimum charge), or undefined. */
export function chargeProblem(minor: number, code: string): string | undefined {
  const problem = priceProblem(minor, code);
  if (problem) return problem;
  const minimum = currency(code).minimumChargeMinor ?? 1;
  if (minor < minimum) return `Amount must be at least ${formatMoney(minimum, code)}`;
  return undefined;
}

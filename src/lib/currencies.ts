/**
 * The currencies Stripe accepts for card payments, with their ISO 4217 minor-unit digits and Stripe's
 * amount rules. Sources: Stripe's currency documentation (presentment list, zero-decimal list, special
 * cases, minimum charge table) and the ISO 4217 list. Stripe's list for a given account country is
 * authoritative (`GET /v1/country_specs/{country}`); a currency it refuses surfaces as a 400 from the gateway.
 */

export interface Currency {
  code: string;
  /** ISO 4217 minor-unit digits: how prices are stored (integer minor units) and shown. */
  digits: 0 | 2 | 3;
  /** Digits of Stripe's `amount` integer, where they differ from ISO (ISK and UGX: 2; MGA: 0). */
  stripeDigits: 0 | 2 | 3;
  /** A chargeable amount in ISO minor units must be a multiple of this (three-decimal currencies: 10). */
  minorStep: number;
  /** Stripe's documented minimum charge in ISO minor units, where it publishes one. */
  minimumChargeMinor?: number;
}

const TWO_DECIMAL =
  'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BWP BYN BZD CAD CDF CHF CNY COP ' +
  'CRC CVE CZK DKK DOP DZD EGP ETB EUR FJD FKP GBP GEL GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR JMD KES KGS ' +
  'KHR KYD KZT LAK LBP LKR LRD LSL MAD MDL MKD MMK MNT MOP MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB ' +
  'PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SEK SGD SHP SLE SOS SRD STD SZL THB TJS TOP TRY TTD TWD TZS ' +
  'UAH USD UYU UZS WST XCD YER ZAR ZMW';
/** Zero-decimal in both ISO 4217 and Stripe. */
const ZERO_DECIMAL = 'BIF CLP DJF GNF JPY KMF KRW PYG RWF VND VUV XAF XOF XPF';
/** Three-decimal: Stripe requires the last digit to be 0 (5.124 KWD cannot be charged, 5.120 can). */
const THREE_DECIMAL = 'BHD JOD KWD OMR TND';

/** Stripe's minimum charge amounts, in ISO minor units (USD 0.50, GBP 0.30, JPY 50 ...). */
const MINIMUM_CHARGE: Record<string, number> = {
  AED: 200,
  ARS: 50,
  AUD: 50,
  BRL: 50,
  CAD: 50,
  CHF: 50,
  COP: 50,
  CZK: 1500,
  DKK: 250,
  EUR: 50,
  GBP: 30,
  HKD: 400,
  HUF: 17500,
  IDR: 50,
  ILS: 50,
  INR: 50,
  JPY: 50,
  KRW: 50,
  MXN: 1000,
  MYR: 200,
  NOK: 300,
  NZD: 50,
  PHP: 50,
  PLN: 200,
  RON: 200,
  RUB: 50,
  SEK: 300,
  SGD: 50,
  THB: 1000,
  USD: 50,
  ZAR: 50,
};

/** Stripe caps `amount` at eight digits (in Stripe's units) for every currency. */
export const STRIPE_MAX_AMOUNT = 99_999_999;

function table(): Map<string, Currency> {
  const entries: Currency[] = [
    ...TWO_DECIMAL.split(' ').map((code) => ({ code, digits: 2 as const, stripeDigits: 2 as const, minorStep: 1 })),
    ...ZERO_DECIMAL.split(' ').map((code) => ({ code, digits: 0 as const, stripeDigits: 0 as const, minorStep: 1 })),
    ...THREE_DECIMAL.split(' ').map((code) => ({ code, digits: 3 as const, stripeDigits: 3 as const, minorStep: 10 })),
    // ISO has no minor unit for ISK and UGX, but Stripe still takes them as two-decimal amounts (x100).
    { code: 'ISK', digits: 0, stripeDigits: 2, minorStep: 1 },
    { code: 'UGX', digits: 0, stripeDigits: 2, minorStep: 1 },
    // ISO gives MGA two digits, Stripe treats it as zero-decimal: only whole ariary can be charged.
    { code: 'MGA', digits: 2, stripeDigits: 0, minorStep: 100 },
  ];
  return new Map(entries.map((c) => [c.code, { ...c, minimumChargeMinor: MINIMUM_CHARGE[c.code] }]));
}

export const CURRENCIES: ReadonlyMap<string, Currency> = table();

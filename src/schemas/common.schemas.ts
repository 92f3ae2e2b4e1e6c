import { z } from 'zod';
import { findCurrency } from '../lib/money';

/** A type error's message: "Is required" when the field is missing, else what the field must be. */
export const requiredOr = (message: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'Is required' : message;

/**
 * A whole number from min to max, as a JSON number (or, with `coerce`, as query-string text). Whatever is
 * wrong with it (a string, a fraction, out of range) gives one message that names the range; `abort`
 * stops at the first failed check, so 1000001.5 is one problem, not two.
 */
export function wholeNumber(min: number, max: number, options: { coerce?: boolean } = {}) {
  const error = `Must be a whole number from ${min} to ${max}`;
  const base = options.coerce ? z.coerce.number({ error }) : z.number({ error: requiredOr(error) });
  return base.int({ error, abort: true }).min(min, { error, abort: true }).max(max, { error });
}

/** Text of min to max characters (after trimming when `trim`), one message naming the bounds. */
export function boundedText(min: number, max: number, options: { trim?: boolean } = { trim: true }) {
  const error = min > 0 ? `Must be text of ${min} to ${max} characters` : `Must be text of at most ${max} characters`;
  const text =
    options.trim === false ? z.string({ error: requiredOr(error) }) : z.string({ error: requiredOr(error) }).trim();
  return text.min(min, { error, abort: true }).max(max, { error });
}

export const objectId = z
  .string({ error: requiredOr('Must be a 24-character hexadecimal id') })
  .regex(/^[a-f\d]{24}$/i, 'Must be a 24-character hexadecimal id');

export const idParams = z.object({ id: objectId });

const CURRENCY_MESSAGE = 'Must be a three-letter ISO 4217 code';
export const currencyCode = z
  .string({ error: requiredOr(CURRENCY_MESSAGE) })
  .trim()
  .regex(/^[A-Za-z]{3}$/, { error: CURRENCY_MESSAGE, abort: true })
  .transform((code) => code.toUpperCase())
  .refine((code) => findCurrency(code) !== undefined, 'Is not a currency that can be charged by card');

export const PAGE_LIMIT_MAX = 100;

/** A page size from the query string: default 20, at most 100. */
export const pageLimit = wholeNumber(1, PAGE_LIMIT_MAX, { coerce: true }).default(20);

/** An opaque keyset cursor as returned in pagination.nextCursor. */
export const pageCursor = z
  .string('Must be the nextCursor of a previous page')
  .max(512, 'Must be the nextCursor of a previous page')
  .optional();

// ---- Responses (the OpenAPI document's response shapes; controllers' bodies are typed by them) ----

/** A moment in a response: views write it with isoTimestamp (a Date's toISOString, done cheaply). */
export const timestamp = z.iso
  .datetime()
  .meta({ description: 'ISO 8601 date-time, UTC', example: '2026-01-15T10:30:00.000Z' });

/** An id in a response: always lower-case hex. */
export const idString = z
  .string()
  .regex(/^[a-f\d]{24}$/)
  .meta({ example: '665f1c2e8b3a4d0012ab34cd' });

export const pagination = z
  .object({
    limit: z.number().int().meta({ description: 'The page size used' }),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: 'Pass as `cursor` for the next page; null on the last page' }),
  })
  .meta({ id: 'Pagination' });

/** The liveness and readiness answers. */
export const healthResponse = z.object({ status: z.literal('ok') });
export const readyResponse = z.object({ status: z.literal('ready') });

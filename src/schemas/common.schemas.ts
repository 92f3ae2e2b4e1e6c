import { z } from 'zod';
import { findCurrency } from '../lib/money';

export const objectId = z.string().regex(/^[a-f\d]{24}$/i, 'Must be a 24-character hexadecimal id');

export const idParams = z.object({ id: objectId });

export const currencyCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{3}$/, 'Must be a three-letter ISO 4217 code')
  .transform((code) => code.toUpperCase())
  .refine((code) => findCurrency(code) !== undefined, 'Is not a currency that can be charged by card');

/** A page size from the query string: default 20, at most 100. */
export const pageLimit = z.coerce.number().int('Must be a whole number').min(1).max(100).default(20);

/** An opaque keyset cursor as returned in pagination.nextCursor. */
export const pageCursor = z.string().max(512).optional();

// ---- Responses (the OpenAPI document's response shapes; controllers' bodies are typed by them) ----

/** A Date in a response: JSON.stringify sends it as an ISO 8601 string, which is what the document says. */
export const timestamp = z.date().meta({ description: 'ISO 8601 date-time, UTC', example: '2026-01-15T10:30:00.000Z' });

/** An id in a response: always lower-case hex. */
export const idString = z.string().regex(/^[a-f\d]{24}$/).meta({ example: '665f1c2e8b3a4d0012ab34cd' });

export const pagination = z
  .object({
    limit: z.number().int().meta({ description: 'The page size used' }),
    nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page' }),
  })
  .meta({ id: 'Pagination' });

/** The liveness and readiness answers. */
export const healthResponse = z.object({ status: z.literal('ok') });
export const readyResponse = z.object({ status: z.literal('ready') });

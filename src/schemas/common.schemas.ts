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

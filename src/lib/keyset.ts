import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { z } from 'zod';
import { ValidationError } from './errors';
import { isoTimestamp } from './iso-time';

/**
 * Keyset ("seek") paging: a page is `sort by (field, _id) where (field, _id) is past the last row seen`,
 * never skip/offset, so with an index on (filters..., field, _id) page 1000 reads what page 1 reads.
 * The cursor is opaque to clients: base64url JSON of the last row's key, the sort, and a digest of the
 * filters it was issued for (a cursor reused with other filters or another sort is a 400).
 */
export interface KeysetOrder {
  /** A name for this order, carried in the cursor. */
  name: string;
  field: string;
  direction: 1 | -1;
  kind: 'date' | 'number' | 'string';
}

const cursorShape = z.object({
  s: z.string(),
  f: z.string(),
  k: z.tuple([z.union([z.string(), z.number()]), z.string().regex(/^[a-f\d]{24}$/)]),
});

export function sortFor(order: KeysetOrder): Record<string, 1 | -1> {
  return { [order.field]: order.direction, _id: order.direction };
}

export function filterDigest(filters: unknown): string {
  return createHash('sha256').update(JSON.stringify(filters)).digest('base64url').slice(0, 16);
}

export function encodeCursor(
  order: KeysetOrder,
  filters: unknown,
  row: { _id: Types.ObjectId } & Record<string, unknown>,
): string {
  const value = row[order.field];
  const key = value instanceof Date ? isoTimestamp(value) : value;
  return Buffer.from(
    JSON.stringify({ s: order.name, f: filterDigest(filters), k: [key, row._id.toHexString()] }),
  ).toString('base64url');
}

/** The filter that selects rows after the cursor, in the order's direction. */
export function afterCursor(order: KeysetOrder, filters: unknown, cursor: string): Record<string, unknown> {
  const invalid = () =>
    new ValidationError(
      'Invalid cursor',
      [{ path: 'cursor', message: 'Use nextCursor from the previous page with the same filters and sort' }],
      'INVALID_CURSOR',
    );
  let parsed: z.output<typeof cursorShape>;
  try {
    parsed = cursorShape.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw invalid();
  }
  if (parsed.s !== order.name || parsed.f !== filterDigest(filters)) throw invalid();
  const [rawValue, id] = parsed.k;
  let value: Date | number | string;
  if (order.kind === 'date') {
    value = new Date(String(rawValue));
    if (typeof rawValue !== 'string' || Number.isNaN(value.getTime())) throw invalid();
  } else if (order.kind === 'string') {
    if (typeof rawValue !== 'string') throw invalid();
    value = rawValue;
  } else {
    if (typeof rawValue !== 'number' || !Number.isSafeInteger(rawValue)) throw invalid();
    value = rawValue;
  }
  const op = order.direction === 1 ? '$gt' : '$lt';
  const lastId = new Types.ObjectId(id);
  return { $or: [{ [order.field]: { [op]: value } }, { [order.field]: value, _id: { [op]: lastId } }] };
}

/** The filter for the page after `cursor`, or for the first page without one. */
export function pageFilter<W extends object>(
  order: KeysetOrder,
  filters: unknown,
  where: W,
  cursor: string | undefined,
) {
  return cursor ? { ...where, ...afterCursor(order, filters, cursor) } : where;
}

/** Cuts the `limit + 1` rows fetched into the page and the next page's cursor (null on the last page). */
export function cutPage<R extends { _id: Types.ObjectId } & Record<string, unknown>>(
  order: KeysetOrder,
  filters: unknown,
  rows: R[],
  limit: number,
) {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { page, nextCursor: rows.length > limit && last ? encodeCursor(order, filters, last) : null };
}

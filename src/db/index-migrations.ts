import type { Logger } from '../lib/logger';
import { OrderModel } from '../models/order.model';
import { UserModel } from '../models/user.model';

/**
 * Brings the indexes of a database made by an older version in line before createIndexes() runs, which
 * would otherwise stop start-up at the conflict. Each step looks before it changes anything and changes only
 * what it recognises, so it runs at every start-up and reconnect, in several instances at once, and does
 * nothing once the database is current.
 */
export async function migrateIndexes(logger?: Logger): Promise<void> {
  await makePaymentIntentIdUnique(logger);
  await backfillDisabledFlag();
}

/**
 * Accounts made before accounts could be disabled have no `disabled` field; the admin list's filter and its
 * indexes read `disabled: false`, so they get it (one update that matches nothing once done).
 */
async function backfillDisabledFlag(): Promise<void> {
  await UserModel.collection.updateMany({ disabled: { $exists: false } }, { $set: { disabled: false } });
}

/** Unique on orders since hardening (sparse, named `paymentIntentId_unique`); before, a plain `paymentIntentId_1`. */
const PAYMENT_INTENT_KEY = { paymentIntentId: 1 };

/**
 * Orders used to store `paymentIntentId: null` until placed, under a non-unique index. A sparse index still
 * indexes null, so those nulls would collide in the unique one: while no unique index on the field exists,
 * the nulls of unplaced orders are unset (for an order not yet placed, null and absent mean the same:
 * no intent), then the old index is dropped by its name, and createIndexes() builds the unique one.
 * Placed orders are never touched: two placed orders with one intent id stop the build for a person to look at.
 */
async function makePaymentIntentIdUnique(logger?: Logger): Promise<void> {
  const orders = OrderModel.collection;
  const indexes = await listIndexes(() => orders.indexes());
  const onIntent = indexes.filter((index) => sameKey(index.key, PAYMENT_INTENT_KEY));
  if (indexes.length === 0 || onIntent.some((index) => index.unique)) return;

  const { modifiedCount } = await orders.updateMany(
    { paymentIntentId: { $type: 'null' }, placedAt: null },
    { $unset: { paymentIntentId: '' } },
  );
  const dropped: string[] = [];
  for (const { name } of onIntent) {
    if (!name) continue;
    try {
      await orders.dropIndex(name);
      dropped.push(name);
    } catch (error) {
      if (codeOf(error) !== 27) throw error; // IndexNotFound: another instance dropped it first
    }
  }
  if (modifiedCount > 0 || dropped.length > 0) {
    logger?.info('orders: paymentIntentId made unique', {
      droppedIndexes: dropped,
      unplacedOrdersWithNullUnset: modifiedCount,
    });
  }
}

/** A collection that does not exist yet (a new database) has no indexes to migrate. */
async function listIndexes(
  list: () => Promise<Array<{ name?: string; key: Record<string, unknown>; unique?: boolean }>>,
) {
  try {
    return await list();
  } catch (error) {
    if (codeOf(error) === 26) return []; // NamespaceNotFound
    throw error;
  }
}

function sameKey(key: Record<string, unknown>, expected: Record<string, number>): boolean {
  const entries = Object.entries(key);
  return (
    entries.length === Object.keys(expected).length &&
    entries.every(([field, direction]) => Number(direction) === expected[field])
  );
}

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

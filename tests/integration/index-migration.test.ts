import mongoose, { Types } from 'mongoose';
import { ensureIndexes } from '../../src/db';
import { OrderModel } from '../../src/models/order.model';
import { testDatabaseUri, useTestDatabase } from '../helpers/db';
import { startServerProcess, type RunningServer } from '../helpers/spawn-server';
import { startTcpProxy } from '../helpers/tcp-proxy';

/**
 * A database made before Order.paymentIntentId became unique has a plain `paymentIntentId_1` index and
 * stores `paymentIntentId: null` on orders not yet placed. Start-up (and every reconnect) migrates it by
 * itself: the nulls of unplaced orders are unset, the old index dropped, the unique one built; placed
 * orders are left as they are, and a current database is not touched.
 */
useTestDatabase({ clean: false });

const MIGRATED_LINE = 'orders: paymentIntentId made unique';

async function waitFor(check: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  return check();
}

/** Orders as the older version stored them, in `db`, with its plain index. */
async function createOldState(db: mongoose.Connection) {
  const orders = db.collection('orders');
  const future = new Date(Date.now() + 3_600_000);
  const row = (fields: Record<string, unknown>) => ({
    _id: new Types.ObjectId(),
    userId: new Types.ObjectId(),
    items: [],
    amountMinor: 1000,
    currency: 'USD',
    expiresAt: future,
    history: [],
    notes: [],
    ...fields,
  });
  const unplaced = [1, 2, 3].map(() =>
    row({ status: 'pending', stock: 'held', paymentIntentId: null, placedAt: null }),
  );
  const placed = row({ status: 'paid', stock: 'committed', paymentIntentId: 'pi_old_placed', placedAt: new Date() });
  // Not something the old code wrote, but if a placed order has a null, it is not the migration's to change.
  const placedWithNull = row({ status: 'paid', stock: 'committed', paymentIntentId: null, placedAt: new Date() });
  await orders.insertMany([...unplaced, placed, placedWithNull]);
  await orders.createIndex({ paymentIntentId: 1 }, { name: 'paymentIntentId_1' });
  return { unplaced: unplaced.map((o) => o._id), placed: placed._id, placedWithNull: placedWithNull._id };
}

async function expectMigrated(db: mongoose.Connection, ids: Awaited<ReturnType<typeof createOldState>>) {
  const orders = db.collection('orders');
  const indexes = await orders.indexes();
  expect(indexes.map((index) => index.name)).not.toContain('paymentIntentId_1');
  expect(indexes).toContainEqual(
    expect.objectContaining({
      name: 'paymentIntentId_unique',
      key: { paymentIntentId: 1 },
      unique: true,
      sparse: true,
    }),
  );
  for (const id of ids.unplaced) expect(await orders.findOne({ _id: id })).not.toHaveProperty('paymentIntentId');
  expect(await orders.findOne({ _id: ids.placed })).toMatchObject({ paymentIntentId: 'pi_old_placed', status: 'paid' });
  expect(await orders.findOne({ _id: ids.placedWithNull })).toMatchObject({ paymentIntentId: null });
}

function serverEnv(uri: string) {
  return {
    NODE_ENV: 'development',
    MONGOOSE_CONNECTION_STRING: uri,
    JWT_SECRET: 'migration-secret-long-enough-for-anything-0123456789',
    STRIPE_WEBHOOK_SECRET: 'whsec_migration_test',
    REQUEST_LOG: 'off',
    LOG_LEVEL: 'info',
    ORDER_SWEEP_INTERVAL_SECONDS: '3600',
  };
}

describe('the paymentIntentId index of an older database', () => {
  it('when the server starts on it, then it migrates it before listening; after a reconnect to an old copy it migrates again; a current one is left alone', async () => {
    const name = `${mongoose.connection.name}_old`;
    const db = mongoose.connection.useDb(name);
    const ids = await createOldState(db);
    const standin = new URL(process.env.MONGODB_TEST_URI!);
    const proxy = await startTcpProxy({ host: standin.hostname, port: Number(standin.port) });
    let server: RunningServer | undefined;
    try {
      server = await startServerProcess({
        ...serverEnv(`mongodb://127.0.0.1:${proxy.port}/${name}`),
        MONGO_HEARTBEAT_FREQUENCY_MS: '500',
      });
      await expectMigrated(db, ids);
      const migrated = server
        .output()
        .split('\n')
        .filter((line) => line.includes(MIGRATED_LINE));
      expect(migrated).toHaveLength(1);
      expect(JSON.parse(migrated[0]!)).toMatchObject({
        droppedIndexes: ['paymentIntentId_1'],
        unplacedOrdersWithNullUnset: 3,
      });

      // The database goes away and comes back as an old copy (a restore from an older backup).
      await proxy.cut();
      expect(await waitFor(() => /database unreachable/.test(server!.output()), 15_000)).toBe(true);
      await db.dropDatabase();
      const restored = await createOldState(db);
      await proxy.restore();
      expect(
        await waitFor(() => /database reachable again: indexes checked, serving/.test(server!.output()), 20_000),
      ).toBe(true);
      await expectMigrated(db, restored);
      expect((await fetch(`${server.baseUrl}/ready`)).status).toBe(200);
      expect(await server.stop()).toBe(0);

      // Started again on the current database: nothing to do.
      server = await startServerProcess(serverEnv(testDatabaseUri(name)));
      expect(server.output()).not.toContain(MIGRATED_LINE);
      await expectMigrated(db, restored);
    } finally {
      await server?.stop();
      await proxy.close();
      await db.dropDatabase();
    }
  }, 90_000);

  it('when several instances migrate at once, then each succeeds and the result is the same', async () => {
    await OrderModel.collection.dropIndex('paymentIntentId_unique');
    await OrderModel.deleteMany({});
    const ids = await createOldState(mongoose.connection);

    await Promise.all([ensureIndexes(), ensureIndexes(), ensureIndexes()]);

    await expectMigrated(mongoose.connection, ids);
  });
});

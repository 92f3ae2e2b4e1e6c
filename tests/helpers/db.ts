import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { ensureIndexes } from '../../src/db';

/** The run's MongoDB URI with a database name of our own. */
export function testDatabaseUri(name: string): string {
  const base = process.env.MONGODB_TEST_URI;
  if (!base) throw new Error('MONGODB_TEST_URI is not set: jest globalSetup should have provided it');
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Connects this test file to a database of its own (dropped at the end) with every index in place.
 * With `clean` (the default) every collection is emptied before each test.
 */
export function useTestDatabase(options: { clean?: boolean; monitorCommands?: boolean } = {}) {
  const name = `test_${process.env.JEST_WORKER_ID ?? '0'}_${randomBytes(4).toString('hex')}`;
  beforeAll(async () => {
    await mongoose.connect(testDatabaseUri(name), {
      serverSelectionTimeoutMS: 5000,
      autoIndex: false,
      monitorCommands: options.monitorCommands ?? false,
    });
    await ensureIndexes();
  });
  if (options.clean !== false) {
    beforeEach(async () => {
      const collections = await mongoose.connection.db!.collections();
      await Promise.all(collections.map((c) => c.deleteMany({})));
    });
  }
  afterAll(async () => {
    await mongoose.connection.dropDatabase();
    await mongoose.disconnect();
  });
}

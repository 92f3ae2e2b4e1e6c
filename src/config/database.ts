import path from 'node:path';
import mongoose from 'mongoose';
import type { Config } from './env';
import type { Logger } from '../lib/logger';
import { ALL_MODELS } from '../models';

export class EmbeddedDatabaseUnavailable extends Error {}

export interface Database {
  uri: string;
  close(): Promise<void>;
}

/**
 * Connects Mongoose to MONGOOSE_CONNECTION_STRING, or in development (no string set) to an embedded
 * MongoDB (mongodb-memory-server) whose files live under DEV_MONGO_DATA_DIR and survive restarts.
 */
export async function connectDatabase(config: Config, logger: Logger): Promise<Database> {
  let uri = config.mongo.uri;
  let stopEmbedded: (() => Promise<unknown>) | undefined;
  if (!uri) {
    const embedded = await startEmbeddedMongo(path.resolve(config.mongo.devDataDir));
    uri = embedded.uri;
    stopEmbedded = embedded.stop;
    logger.warn(`MONGOOSE_CONNECTION_STRING is not set: using an embedded MongoDB at ${uri} (data in ${config.mongo.devDataDir})`);
  }
  await mongoose.connect(uri, { serverSelectionTimeoutMS: config.mongo.serverSelectionTimeoutMs, autoIndex: false });
  await ensureIndexes();
  return {
    uri,
    async close() {
      await mongoose.disconnect();
      await stopEmbedded?.();
    },
  };
}

/** Creates every model's indexes (unique email, catalogue sort keys, ...) before the app takes traffic. */
export async function ensureIndexes(): Promise<void> {
  await Promise.all(ALL_MODELS.map((model) => model.createIndexes()));
}

export async function isDatabaseReady(): Promise<boolean> {
  const db = mongoose.connection.db;
  if (mongoose.connection.readyState !== mongoose.ConnectionStates.connected || !db) return false;
  try {
    await db.admin().ping({ timeoutMS: 2000 });
    return true;
  } catch {
    return false;
  }
}

async function startEmbeddedMongo(dbPath: string) {
  let memoryServer: typeof import('mongodb-memory-server');
  try {
    memoryServer = await import('mongodb-memory-server');
  } catch {
    throw new EmbeddedDatabaseUnavailable(
      'MONGOOSE_CONNECTION_STRING is not set and mongodb-memory-server is not installed (it is a dev dependency): set MONGOOSE_CONNECTION_STRING to a running MongoDB',
    );
  }
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dbPath, { recursive: true });
  try {
    // Fetch (or find) the binary first: on failure this throws quietly, where create() would also
    // print its own multi-line warning.
    await memoryServer.MongoBinary.getPath();
    const server = await memoryServer.MongoMemoryServer.create({ instance: { dbPath, storageEngine: 'wiredTiger' } });
    return { uri: server.getUri(), stop: () => server.stop({ doCleanup: false }) };
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').slice(0, 300);
    throw new EmbeddedDatabaseUnavailable(
      `MONGOOSE_CONNECTION_STRING is not set and the embedded MongoDB could not start (${reason.trim()}): set MONGOOSE_CONNECTION_STRING to a running MongoDB`,
    );
  }
}

import path from 'node:path';
import mongoose from 'mongoose';
import type { Config } from '../config/env';
import type { Logger } from '../lib/logger';
import { watchAvailability } from './availability';
import { startEmbeddedMongo } from './embedded';
import { databaseAddress, explainStartupFailure, failureReason, isUnreachable } from './errors';
import { ensureIndexes } from './indexes';

export interface Database {
  uri: string;
  /**
   * False while the database cannot be used (see availability.ts): requests that need it are then answered
   * 503 at once. A function property, not a method: server.ts hands it on detached from this object.
   */
  isAvailable: () => boolean;
  close(): Promise<void>;
}

/**
 * Connects Mongoose to MONGOOSE_CONNECTION_STRING, or in development (no string set) to an embedded
 * MongoDB (mongodb-memory-server) whose files live under DEV_MONGO_DATA_DIR and survive restarts.
 * Resolves once every model's indexes exist; after that the indexes are checked again on every reconnect.
 * A database that cannot be reached (within MONGO_STARTUP_TIMEOUT_MS) or entered is a DatabaseStartupError:
 * one line naming the host(s), never the credentials, and what to check.
 */
export async function connectDatabase(config: Config, logger: Logger): Promise<Database> {
  let uri = config.mongo.uri;
  let stopEmbedded: (() => Promise<unknown>) | undefined;
  if (!uri) {
    const embedded = await startEmbeddedMongo(path.resolve(config.mongo.devDataDir));
    uri = embedded.uri;
    stopEmbedded = embedded.stop;
    logger.warn(
      `MONGOOSE_CONNECTION_STRING is not set: using an embedded MongoDB at ${uri} (data in ${config.mongo.devDataDir})`,
    );
  }
  const started = Date.now();
  try {
    await connectWithRetry(uri, config.mongo, logger);
    await ensureIndexes(logger);
  } catch (error) {
    const explained = explainStartupFailure(error, uri, Date.now() - started);
    if (!explained) throw error;
    await mongoose.disconnect().catch(() => undefined);
    await stopEmbedded?.();
    throw explained;
  }
  const availability = watchAvailability(mongoose.connection.getClient(), config.mongo, logger, ensureIndexes);
  return {
    uri,
    isAvailable: availability.isAvailable,
    async close() {
      availability.stop();
      await mongoose.disconnect();
      await stopEmbedded?.();
    },
  };
}

/**
 * The driver's bounds decide how long a request can wait on a database that is gone (Mongoose 9 no longer
 * buffers once connected, and bufferCommands: false makes sure it never queues an operation for its own
 * 10 s buffer timeout either): server selection, connecting, and a read that stalls.
 */
function connectOptions(settings: Config['mongo']): mongoose.ConnectOptions {
  return {
    autoIndex: false,
    bufferCommands: false,
    serverSelectionTimeoutMS: settings.serverSelectionTimeoutMs,
    heartbeatFrequencyMS: settings.heartbeatFrequencyMs,
    connectTimeoutMS: settings.connectTimeoutMs,
    socketTimeoutMS: settings.socketTimeoutMs,
  };
}

/**
 * Start-up waits up to MONGO_STARTUP_TIMEOUT_MS for a database that is still coming up (a deploy racing its
 * database), saying so once; anything but "unreachable" (a wrong password, a malformed URI) fails at once.
 */
async function connectWithRetry(uri: string, settings: Config['mongo'], logger: Logger): Promise<void> {
  const deadline = Date.now() + settings.startupTimeoutMs;
  const address = databaseAddress(uri);
  for (let attempt = 1; ; attempt += 1) {
    try {
      await mongoose.connect(uri, connectOptions(settings));
      return;
    } catch (error) {
      if (!isUnreachable(error) || Date.now() >= deadline) throw error;
      const fields = { hosts: address.hosts, error: failureReason(error, address) ?? 'unreachable' };
      if (attempt === 1)
        logger.warn(
          `database not reachable yet: retrying for up to ${Math.round(settings.startupTimeoutMs / 1000)} s (MONGO_STARTUP_TIMEOUT_MS)`,
          fields,
        );
      else logger.debug('database not reachable yet: retrying', fields);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

import path from 'node:path';
import mongoose from 'mongoose';
import type { Config } from './env';
import type { Logger } from '../lib/logger';
import { ALL_MODELS } from '../models';
import { databaseAddress, EmbeddedDatabaseUnavailable, explainStartupFailure, failureReason, isUnreachable } from './database-errors';
import { migrateIndexes } from './index-migrations';

export { DatabaseStartupError, EmbeddedDatabaseUnavailable } from './database-errors';

export interface Database {
  uri: string;
  /**
   * False while the driver's monitoring knows no server that can take writes, and after a reconnect until
   * every index exists again: requests that need the database are then answered 503 at once.
   * A function property, not a method: server.ts hands it on detached from this object.
   */
  isAvailable: () => boolean;
  close(): Promise<void>;
}

/** Server types that accept writes (SDAM): with none of them known, every request would wait and fail. */
const WRITABLE_SERVER_TYPES = new Set(['Standalone', 'RSPrimary', 'Mongos', 'LoadBalancer']);

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
    logger.warn(`MONGOOSE_CONNECTION_STRING is not set: using an embedded MongoDB at ${uri} (data in ${config.mongo.devDataDir})`);
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
  const availability = watchAvailability(mongoose.connection.getClient(), config.mongo, logger);
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

/**
 * Knows, without waiting for a request to time out, when the database cannot be used:
 * - the driver's monitoring (SDAM) reports no writable server (a failed heartbeat; MONGO_HEARTBEAT_FREQUENCY_MS);
 * - or a connection broke under an operation, or a new one could not be opened (the driver no longer marks
 *   a server unknown for that alone, so its monitor may never notice a short cut).
 * Either way every model's indexes are recreated before requests are let through again (a database
 * replaced or restored without them would otherwise take duplicate emails), retried every heartbeat
 * interval until it succeeds, which is also how a short outage ends.
 *
 * A watchdog covers a driver 7 hang: a heartbeat that writes to a socket destroyed a moment earlier waits
 * for a 'drain' that never comes (no error, no timeout on a destroyed socket), and with its monitor stuck
 * the client never sees the database again. A heartbeat unanswered far past its own timeouts gets the
 * client closed and connected again (Mongoose's models keep working: they hold the same client).
 */
function watchAvailability(client: mongoose.mongo.MongoClient, settings: Config['mongo'], logger: Logger) {
  const retryMs = settings.heartbeatFrequencyMs;
  const stuckAfterMs = settings.connectTimeoutMs + Math.max(settings.socketTimeoutMs, settings.heartbeatFrequencyMs) + 2000;
  let reachable = true;
  let indexesReady = true;
  let restoring = false;
  let retry: NodeJS.Timeout | undefined;
  let stopped = false;
  let reconnecting = false;
  const heartbeatsPending = new Map<string, number>();

  const restoreIndexes = () => {
    clearTimeout(retry);
    if (restoring || stopped) return;
    restoring = true;
    ensureIndexes(logger).then(
      () => {
        restoring = false;
        if (!reachable || indexesReady) return; // lost again meanwhile: the next reconnect checks again
        indexesReady = true;
        logger.info('database reachable again: indexes checked, serving');
      },
      (error: unknown) => {
        restoring = false;
        if (stopped) return;
        logger.warn('database still unusable: indexes not checked yet, retrying', { error: error instanceof Error ? error.message : String(error) });
        retry = setTimeout(restoreIndexes, retryMs);
      },
    );
  };

  const lost = (why: string) => {
    if (!indexesReady) return;
    indexesReady = false;
    logger.warn(`database unreachable (${why}): requests that need it answer 503 until it is back`);
  };

  const onTopology = (event: mongoose.mongo.TopologyDescriptionChangedEvent) => {
    const writable = [...event.newDescription.servers.values()].some((server) => WRITABLE_SERVER_TYPES.has(server.type));
    if (writable === reachable) return;
    reachable = writable;
    if (!writable) return lost('no writable server');
    restoreIndexes();
  };
  const onConnectionClosed = (event: mongoose.mongo.ConnectionClosedEvent) => {
    if (event.reason !== 'error') return;
    lost('a connection broke');
    restoreIndexes();
  };
  const onCheckOutFailed = (event: mongoose.mongo.ConnectionCheckOutFailedEvent) => {
    if (event.reason !== 'connectionError') return;
    lost('cannot connect');
    restoreIndexes();
  };
  const onHeartbeatStarted = (event: mongoose.mongo.ServerHeartbeatStartedEvent) => {
    if (!heartbeatsPending.has(event.connectionId)) heartbeatsPending.set(event.connectionId, Date.now());
  };
  const onHeartbeatEnded = (event: mongoose.mongo.ServerHeartbeatSucceededEvent | mongoose.mongo.ServerHeartbeatFailedEvent) => {
    heartbeatsPending.delete(event.connectionId);
  };
  const reconnect = async (address: string, pendingMs: number) => {
    reconnecting = true;
    heartbeatsPending.clear();
    lost('the driver stopped monitoring it');
    logger.warn('database driver stuck: reconnecting', { server: address, heartbeatPendingMs: pendingMs });
    await client.close().catch(() => undefined);
    // A closed client does not connect again by itself: keep trying until the database answers.
    while (!stopped) {
      try {
        await client.connect();
        break;
      } catch (error) {
        logger.warn('database reconnect failed: retrying', { error: error instanceof Error ? error.message : String(error) });
        await new Promise((resolve) => setTimeout(resolve, retryMs));
      }
    }
    reconnecting = false;
    restoreIndexes();
  };
  const watchdog = setInterval(() => {
    if (reconnecting || stopped) return;
    const now = Date.now();
    for (const [address, since] of heartbeatsPending) {
      if (now - since > stuckAfterMs) return void reconnect(address, now - since);
    }
  }, retryMs);
  watchdog.unref();

  client.on('topologyDescriptionChanged', onTopology);
  client.on('connectionClosed', onConnectionClosed);
  client.on('connectionCheckOutFailed', onCheckOutFailed);
  client.on('serverHeartbeatStarted', onHeartbeatStarted);
  client.on('serverHeartbeatSucceeded', onHeartbeatEnded);
  client.on('serverHeartbeatFailed', onHeartbeatEnded);

  return {
    isAvailable: () => reachable && indexesReady,
    stop() {
      stopped = true;
      clearTimeout(retry);
      clearInterval(watchdog);
      client.off('topologyDescriptionChanged', onTopology);
      client.off('connectionClosed', onConnectionClosed);
      client.off('connectionCheckOutFailed', onCheckOutFailed);
      client.off('serverHeartbeatStarted', onHeartbeatStarted);
      client.off('serverHeartbeatSucceeded', onHeartbeatEnded);
      client.off('serverHeartbeatFailed', onHeartbeatEnded);
    },
  };
}

/**
 * Creates every model's indexes (unique email, catalogue sort keys, ...) before the app takes traffic, at
 * start-up and after every reconnect, first bringing an older database's indexes in line (index-migrations.ts).
 */
export async function ensureIndexes(logger?: Logger): Promise<void> {
  await migrateIndexes(logger);
  await Promise.all(ALL_MODELS.map((model) => model.createIndexes()));
}

/** /ready: the server answers a ping (bounded by server selection when nothing is reachable). */
export async function isDatabaseReady(): Promise<boolean> {
  const db = mongoose.connection.db;
  if (mongoose.connection.readyState !== mongoose.ConnectionStates.connected || !db) return false;
  try {
    await db.admin().ping();
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

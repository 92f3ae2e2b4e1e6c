import type mongoose from 'mongoose';
import type { Config } from '../config/env';
import type { Logger } from '../lib/logger';

/**
 * Whether requests may use the database, as a small state machine:
 *
 *   serving ──noWritableServer──▶ lost ──writableServer──▶ restoring ──indexesChecked──▶ serving
 *   serving ──connectionFailed──▶ restoring            (the monitor may never notice a short cut)
 *   any ──driverStuck──▶ reconnecting ──reconnected──▶ restoring
 *
 * - serving: a writable server is known and every index exists. The only state in which requests that need
 *   the database are let through; in every other one they are answered 503 at once.
 * - lost: the driver's monitoring (SDAM) knows no writable server (a heartbeat failed). Nothing to do but
 *   wait for the topology to report one again (MONGO_HEARTBEAT_FREQUENCY_MS).
 * - restoring: the server is back, or a connection broke under an operation or could not be opened (the
 *   driver no longer marks a server unknown for that alone). Every model's indexes are recreated before
 *   requests are let through (a database replaced or restored without them would otherwise take duplicate
 *   emails), retried every heartbeat interval until it succeeds, which is also how a short outage ends.
 * - reconnecting: a driver 7 hang. A heartbeat that writes to a socket destroyed a moment earlier waits for a
 *   'drain' that never comes (no error, no timeout on a destroyed socket), and with its monitor stuck the
 *   client never sees the database again. A heartbeat unanswered far past its own timeouts gets the client
 *   closed and connected again (Mongoose's models keep working: they hold the same client).
 */
export type AvailabilityState = 'serving' | 'lost' | 'restoring' | 'reconnecting' | 'stopped';
export type AvailabilityEvent =
  | 'noWritableServer'
  | 'writableServer'
  | 'connectionFailed'
  | 'indexesChecked'
  | 'driverStuck'
  | 'reconnected'
  | 'stop';

/** Every transition; an event not listed for the current state changes nothing. */
const TRANSITIONS: Record<AvailabilityEvent, Partial<Record<AvailabilityState, AvailabilityState>>> = {
  noWritableServer: { serving: 'lost', restoring: 'lost' },
  // Again from restoring: the check starts over at once instead of waiting for its retry.
  writableServer: { lost: 'restoring', restoring: 'restoring' },
  connectionFailed: { serving: 'restoring', restoring: 'restoring' },
  indexesChecked: { restoring: 'serving' },
  driverStuck: { serving: 'reconnecting', lost: 'reconnecting', restoring: 'reconnecting' },
  reconnected: { reconnecting: 'restoring' },
  stop: { serving: 'stopped', lost: 'stopped', restoring: 'stopped', reconnecting: 'stopped' },
};

/** The state `event` leads to from `state`, or undefined when it does not apply there. Pure: exported for its unit test. */
export function nextState(state: AvailabilityState, event: AvailabilityEvent): AvailabilityState | undefined {
  return TRANSITIONS[event][state];
}

/** Server types that accept writes (SDAM): with none of them known, every request would wait and fail. */
const WRITABLE_SERVER_TYPES = new Set(['Standalone', 'RSPrimary', 'Mongos', 'LoadBalancer']);

export interface Availability {
  isAvailable: () => boolean;
  stop(): void;
}

/** Follows the client's events through the states above; `ensureIndexes` is what restoring runs. */
export function watchAvailability(
  client: mongoose.mongo.MongoClient,
  settings: Config['mongo'],
  logger: Logger,
  ensureIndexes: (logger: Logger) => Promise<void>,
): Availability {
  const retryMs = settings.heartbeatFrequencyMs;
  const stuckAfterMs =
    settings.connectTimeoutMs + Math.max(settings.socketTimeoutMs, settings.heartbeatFrequencyMs) + 2000;
  let state: AvailabilityState = 'serving';
  /** The topology's last word: is a writable server known? */
  let writable = true;
  /** The index check in flight, if any: its outcome applies to the state it ends in. */
  let checking = false;
  let retry: NodeJS.Timeout | undefined;
  const heartbeatsPending = new Map<string, number>();

  /** Moves the machine and runs what entering the new state does. False when the event does not apply. */
  const fire = (event: AvailabilityEvent, why?: string): boolean => {
    const next = nextState(state, event);
    if (!next) return false;
    const previous = state;
    state = next;
    clearTimeout(retry);
    if (previous === 'serving' && next !== 'stopped')
      logger.warn(`database unreachable (${why ?? event}): requests that need it answer 503 until it is back`);
    if (next === 'serving') logger.info('database reachable again: indexes checked, serving');
    if (next === 'restoring') checkIndexes();
    return true;
  };

  const checkIndexes = () => {
    if (checking) return; // the check in flight decides when it ends
    checking = true;
    ensureIndexes(logger).then(
      () => {
        checking = false;
        // Lost again meanwhile: the next writable report checks again.
        if (writable) fire('indexesChecked');
      },
      (error: unknown) => {
        checking = false;
        if (state !== 'restoring') return;
        logger.warn('database still unusable: indexes not checked yet, retrying', {
          error: error instanceof Error ? error.message : String(error),
        });
        retry = setTimeout(checkIndexes, retryMs);
      },
    );
  };

  const reconnect = async (address: string, pendingMs: number) => {
    heartbeatsPending.clear();
    fire('driverStuck', 'the driver stopped monitoring it');
    logger.warn('database driver stuck: reconnecting', { server: address, heartbeatPendingMs: pendingMs });
    await client.close().catch(() => undefined);
    // A closed client does not connect again by itself: keep trying until the database answers.
    while (state === 'reconnecting') {
      try {
        await client.connect();
        break;
      } catch (error) {
        logger.warn('database reconnect failed: retrying', {
          error: error instanceof Error ? error.message : String(error),
        });
        await new Promise((resolve) => setTimeout(resolve, retryMs));
      }
    }
    fire('reconnected');
  };

  const onTopology = (event: mongoose.mongo.TopologyDescriptionChangedEvent) => {
    const writableNow = [...event.newDescription.servers.values()].some((server) =>
      WRITABLE_SERVER_TYPES.has(server.type),
    );
    if (writableNow === writable) return;
    writable = writableNow;
    fire(writable ? 'writableServer' : 'noWritableServer', 'no writable server');
  };
  const onConnectionClosed = (event: mongoose.mongo.ConnectionClosedEvent) => {
    if (event.reason === 'error') fire('connectionFailed', 'a connection broke');
  };
  const onCheckOutFailed = (event: mongoose.mongo.ConnectionCheckOutFailedEvent) => {
    if (event.reason === 'connectionError') fire('connectionFailed', 'cannot connect');
  };
  const onHeartbeatStarted = (event: mongoose.mongo.ServerHeartbeatStartedEvent) => {
    if (!heartbeatsPending.has(event.connectionId)) heartbeatsPending.set(event.connectionId, Date.now());
  };
  const onHeartbeatEnded = (
    event: mongoose.mongo.ServerHeartbeatSucceededEvent | mongoose.mongo.ServerHeartbeatFailedEvent,
  ) => {
    heartbeatsPending.delete(event.connectionId);
  };
  const watchdog = setInterval(() => {
    if (state === 'reconnecting' || state === 'stopped') return;
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
    isAvailable: () => state === 'serving',
    stop() {
      fire('stop');
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

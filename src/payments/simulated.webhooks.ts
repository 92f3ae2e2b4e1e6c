import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import type { Logger } from '../lib/logger';
import { SimulatedWebhookModel } from './simulated.store';

/** What Stripe POSTs: the envelope of a snapshot event. */
export interface SimulatedEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  livemode: false;
  pending_webhooks: number;
  request: { id: null; idempotency_key: null };
  type: string;
  data: { object: object };
}

export interface WebhookSenderOptions {
  secret: string;
  /** Read when a delivery is due, so a server that learns its port after start-up can still be reached. */
  url: () => string | undefined;
  delayMs: number;
  logger: Logger;
  fetchImpl?: typeof fetch;
  /** Waits between attempts; one more attempt than waits. */
  retryDelaysMs?: readonly number[];
}

export interface WebhookSender {
  /**
   * Records the event (simulated_webhooks) and queues its delivery. Resolves once it is recorded, so an event
   * whose cause has been answered survives a crash; never rejects (a failed record still delivers from memory).
   */
  send(event: SimulatedEvent): Promise<void>;
  /**
   * Delivers the recorded events that are due and that no process is delivering (one that crashed, or gave way
   * to a restart); resolves with how many it took on, without waiting for their delivery (settle() does).
   */
  redeliver(): Promise<number>;
  /** Resolves once every delivery queued so far (and any queued meanwhile) has finished or given up. */
  settle(): Promise<void>;
}

/** Five attempts over about 7.5 s: enough to ride out a restarting dev server, short enough for a test. */
const DEFAULT_RETRY_DELAYS_MS = [500, 1000, 2000, 4000];
const ATTEMPT_TIMEOUT_MS = 10_000;
/** How long after it is due the process that recorded an event keeps it for itself (its own timer is late at most that). */
const RECORDED_LEASE_MS = 5000;
/** Recorded events taken on by one redeliver() pass at most. */
const REDELIVERY_BATCH = 50;

/** Timers never keep the process alive on their own: a pending delivery must not block exit. */
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const { secret, logger } = options;
  const fetchImpl = options.fetchImpl ?? fetch;
  const retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const pending = new Set<Promise<void>>();
  const events = SimulatedWebhookModel;
  /** How long every attempt of one delivery can take: while it runs, no other process delivers the event. */
  const deliveryWindowMs =
    retryDelaysMs.reduce((sum, ms) => sum + ms, 0) + (retryDelaysMs.length + 1) * ATTEMPT_TIMEOUT_MS + 5000;

  /** This sender's name on the events it records and delivers. */
  const owner = randomUUID();

  /**
   * Takes the delivery of a recorded event for as long as its attempts can take: one this sender holds, or one
   * whose holder's lease has run out. False when another process has it.
   */
  async function claim(eventId: string): Promise<boolean> {
    const now = new Date();
    const { modifiedCount } = await events.updateOne(
      { _id: eventId, $or: [{ owner }, { leaseUntil: { $lte: now } }] },
      { $set: { owner, leaseUntil: new Date(now.getTime() + deliveryWindowMs) } },
    );
    return modifiedCount === 1;
  }

  /** Delivered or given up: the record goes (a failure here only means a duplicate later, which the webhook ignores). */
  const forget = (eventId: string) =>
    events.deleteOne({ _id: eventId }).then(
      () => undefined,
      (error: unknown) => logger.warn('Simulated webhook record not removed', { eventId, error: String(error) }),
    );

  function track(delivery: Promise<void>, eventId: string): void {
    const tracked: Promise<void> = delivery
      .catch((error: unknown) => logger.error('Simulated webhook delivery crashed', { eventId, error: String(error) }))
      .finally(() => pending.delete(tracked));
    pending.add(tracked);
  }

  /** One POST, signed at the moment it is sent as Stripe does, so retries stay within the 300 s tolerance. */
  async function post(url: string, payload: string): Promise<{ status?: number; failure?: string }> {
    const headers = {
      'Content-Type': 'application/json; charset=utf-8',
      'Stripe-Signature': Stripe.webhooks.generateTestHeaderString({ payload, secret }),
      'User-Agent': 'shop-backend simulated Stripe webhooks',
    };
    return fetchImpl(url, {
      method: 'POST',
      headers,
      body: payload,
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
    }).then(
      async (response) => {
        await response.body?.cancel();
        return response.ok
          ? { status: response.status }
          : { status: response.status, failure: `HTTP ${response.status}` };
      },
      (error: unknown) => ({ failure: describeFetchError(error) }),
    );
  }

  /** Every attempt at one event, then its record goes. */
  async function deliver(eventId: string, type: string, payload: string): Promise<void> {
    const url = options.url();
    const about = { eventId, type, url };
    try {
      if (!url) {
        logger.warn('Simulated webhook dropped: no webhook URL is known (set SIMULATED_WEBHOOK_URL)', about);
        return;
      }
      for (let attempt = 1; ; attempt += 1) {
        const { status, failure } = await post(url, payload);
        if (!failure) {
          logger.info('Simulated webhook delivered', { ...about, attempt, status });
          return;
        }
        const retryInMs = retryDelaysMs[attempt - 1];
        if (retryInMs === undefined) {
          logger.error('Simulated webhook not delivered: giving up', { ...about, attempt, failure });
          return;
        }
        logger.warn('Simulated webhook delivery failed: will retry', { ...about, attempt, failure, retryInMs });
        await sleep(retryInMs);
      }
    } finally {
      await forget(eventId);
    }
  }

  /** After the delay, this process delivers the event it recorded, unless another one has taken it meanwhile. */
  async function deliverWhenDue(event: SimulatedEvent, payload: string, recorded: boolean): Promise<void> {
    await sleep(options.delayMs);
    if (recorded && !(await claim(event.id))) return;
    await deliver(event.id, event.type, payload);
  }

  return {
    async send(event) {
      // Stripe sends indented JSON; the signature covers these exact bytes.
      const payload = JSON.stringify(event, null, 2);
      const recorded = await events
        .create({
          _id: event.id,
          type: event.type,
          payload,
          owner,
          leaseUntil: new Date(Date.now() + options.delayMs + RECORDED_LEASE_MS),
        })
        .then(
          () => true,
          (error: unknown) => {
            logger.warn('Simulated webhook not recorded: a crash before its delivery would lose it', {
              eventId: event.id,
              error: String(error),
            });
            return false;
          },
        );
      track(deliverWhenDue(event, payload, recorded), event.id);
    },

    async redeliver() {
      const now = new Date();
      const due = await events
        .find({ leaseUntil: { $lte: now } })
        .sort({ leaseUntil: 1 })
        .limit(REDELIVERY_BATCH)
        .lean();
      let taken = 0;
      for (const event of due) {
        if (!(await claim(event._id))) continue;
        taken += 1;
        logger.info('Simulated webhook left undelivered by an earlier process: delivering it', {
          eventId: event._id,
          type: event.type,
        });
        track(deliver(event._id, event.type, event.payload), event._id);
      }
      return taken;
    },

    async settle() {
      // The delivery timers are unref'd; this one is not, so a process awaiting settle() stays up for it.
      const keepAlive = setInterval(() => undefined, 1000);
      while (pending.size > 0) await Promise.all(pending);
      clearInterval(keepAlive);
    },
  };
}

/**
 * fetch says only "fetch failed"; the reason (ECONNREFUSED, a timeout) is in its cause. Duck-typed: its
 * errors can come from another realm (as under jest), where instanceof Error is false.
 */
function describeFetchError(error: unknown): string {
  const { message, cause } = Object(error) as { message?: string; cause?: { message?: string } };
  return [message ?? String(error), cause?.message].filter(Boolean).join(': ');
}

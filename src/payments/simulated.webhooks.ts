import Stripe from 'stripe';
import type { Logger } from '../lib/logger';

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
  send(event: SimulatedEvent): void;
  /** Resolves once every delivery queued so far (and any queued meanwhile) has finished or given up. */
  settle(): Promise<void>;
}

/** Five attempts over about 7.5 s: enough to ride out a restarting dev server, short enough for a test. */
const DEFAULT_RETRY_DELAYS_MS = [500, 1000, 2000, 4000];
const ATTEMPT_TIMEOUT_MS = 10_000;

/** Timers never keep the process alive on their own: a pending delivery must not block exit. */
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const { secret, logger } = options;
  const fetchImpl = options.fetchImpl ?? fetch;
  const retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const pending = new Set<Promise<void>>();

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

  async function deliver(event: SimulatedEvent): Promise<void> {
    await sleep(options.delayMs);
    const url = options.url();
    const about = { eventId: event.id, type: event.type, url };
    if (!url) {
      logger.warn('Simulated webhook dropped: no webhook URL is known (set SIMULATED_WEBHOOK_URL)', about);
      return;
    }
    // Stripe sends indented JSON; the signature covers these exact bytes.
    const payload = JSON.stringify(event, null, 2);
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
  }

  return {
    send(event) {
      const delivery: Promise<void> = deliver(event)
        .catch((error: unknown) =>
          logger.error('Simulated webhook delivery crashed', { eventId: event.id, error: String(error) }),
        )
        .finally(() => pending.delete(delivery));
      pending.add(delivery);
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

import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { HANDLED_EVENT_TYPES } from '../payments/stripe.events';
import { DISPUTE_CLOSED_STATUSES, DISPUTE_OPEN_STATUSES } from './disputes';

/**
 * Prometheus metrics, one Registry per Metrics object (never prom-client's global registry), so each app
 * or test owns its numbers. server.ts makes one per process and hands it to the app and the expiry job.
 */

/** How an order's payment ended (or, with manual capture, that it was authorized), as counted in shop_payments_total. */
export type PaymentEnd = 'succeeded' | 'failed' | 'canceled' | 'authorized';

/** What services record. Each call is made once per thing that happened (see where they are called). */
export interface ShopMetrics {
  orderCreated(): void;
  /** An order refused because a line's stock could not be had (409 OUT_OF_STOCK). */
  stockConflict(): void;
  /** An order's status moved because of its payment (counted on the move, so once per order and outcome). */
  payment(outcome: PaymentEnd): void;
  /** A refund the gateway accepted. */
  refundAccepted(): void;
  /** One processed webhook delivery and the webhook intake's outcome for it. */
  webhookEvent(type: string, outcome: string): void;
  /** A dispute reached this status (a new one counts under its first status): once per dispute and status. */
  dispute(status: string): void;
}

/** What the mail worker records (src/mail/worker.ts). */
export interface MailMetrics {
  mailSent(template: string): void;
  /** A mail given up on, for a person: `failing`, `rejected` or `outcome_unknown`. Counted once per mail. */
  mailParked(template: string, reason: string): void;
  /** An attempt that certainly did not deliver and will be retried (or parked as failing). */
  mailAttemptFailed(template: string): void;
}

/** What the account services record. */
export interface AccountMetrics {
  /** A refresh token presented after it was used: its session was ended. */
  refreshTokenReused(): void;
}

export interface Metrics extends ShopMetrics, MailMetrics, AccountMetrics {
  readonly registry: Registry;
  /** One answered HTTP request; `route` is the route template or UNMATCHED_ROUTE, never a raw path. */
  observeRequest(method: string, route: string, statusCode: number, seconds: number): void;
}

export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The event types the webhook acts on (the adapter's one list); any other type is counted as `other`, so
 * whoever sends events cannot grow the label set.
 */
export const WEBHOOK_EVENT_TYPES: ReadonlySet<string> = new Set(HANDLED_EVENT_TYPES);

/** The mail templates (src/mail/mails.ts); anything else is labelled `other`. */
const MAIL_TEMPLATE_LABELS = new Set([
  'email-verification',
  'password-reset',
  'order-paid',
  'order-refunded',
  'order-canceled',
]);
/** Stripe's dispute statuses; any other (a value Stripe adds later) is counted as `other`, so the label set stays bounded. */
const DISPUTE_STATUS_LABELS: ReadonlySet<string> = new Set([...DISPUTE_OPEN_STATUSES, ...DISPUTE_CLOSED_STATUSES]);

/** Request latencies from 1 ms (a cached read) to 10 s (a slow gateway call). */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(options: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  // CPU, memory, event loop lag, GC, handles: worth having on a server, wasted on every test app.
  if (options.processMetrics) collectDefaultMetrics({ register: registry });

  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving a request to finishing its response, by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const ordersCreated = new Counter({
    name: 'shop_orders_created_total',
    help: 'Orders placed (stock reserved and a payment intent attached)',
    registers: [registry],
  });
  const payments = new Counter({
    name: 'shop_payments_total',
    help: 'Orders whose payment succeeded, failed or was canceled (counted when the order status moves)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const refunds = new Counter({
    name: 'shop_refunds_total',
    help: 'Refunds the payment gateway accepted',
    registers: [registry],
  });
  const webhookEvents = new Counter({
    name: 'shop_webhook_events_total',
    help: 'Verified Stripe webhook deliveries by event type and outcome (applied, no_change, duplicate, ignored, unknown_intent, mismatch)',
    labelNames: ['type', 'outcome'] as const,
    registers: [registry],
  });
  const disputes = new Counter({
    name: 'shop_disputes_total',
    help: 'Disputes (chargebacks, inquiries) of order payments by the status they reached; a new dispute counts under its first status',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const stockConflicts = new Counter({
    name: 'shop_stock_conflicts_total',
    help: 'Orders refused because there was not enough stock',
    registers: [registry],
  });

  const mailsSent = new Counter({
    name: 'shop_mails_sent_total',
    help: 'Mails the SMTP server accepted (or, without SMTP_URL, wrote to MAIL_DIR), by template',
    labelNames: ['template'] as const,
    registers: [registry],
  });
  const mailsParked = new Counter({
    name: 'shop_mails_parked_total',
    help: 'Mails given up on for a person to look at, by template and reason (failing, rejected, outcome_unknown)',
    labelNames: ['template', 'reason'] as const,
    registers: [registry],
  });
  const mailAttemptsFailed = new Counter({
    name: 'shop_mail_attempts_failed_total',
    help: 'Attempts to send a mail that certainly did not deliver it (retried with backoff, or parked after the last), by template',
    labelNames: ['template'] as const,
    registers: [registry],
  });
  const refreshTokenReuses = new Counter({
    name: 'shop_refresh_token_reuse_total',
    help: 'Refresh tokens presented again after they were used (the theft signal): each ended its session',
    registers: [registry],
  });
  const mailLabel = (template: string) => (MAIL_TEMPLATE_LABELS.has(template) ? template : 'other');

  // Zero series exist from the start, so rate() and alerts see 0 rather than "no data" before the first event.
  for (const outcome of ['succeeded', 'failed', 'canceled', 'authorized'] as const) payments.inc({ outcome }, 0);
  for (const status of DISPUTE_STATUS_LABELS) disputes.inc({ status }, 0);
  for (const template of MAIL_TEMPLATE_LABELS) {
    mailsSent.inc({ template }, 0);
    for (const reason of ['failing', 'rejected', 'outcome_unknown']) mailsParked.inc({ template, reason }, 0);
  }
  refreshTokenReuses.inc(0);

  return {
    registry,
    observeRequest: (method, route, statusCode, seconds) =>
      httpDuration.observe({ method, route, status_code: statusCode }, seconds),
    orderCreated: () => ordersCreated.inc(),
    stockConflict: () => stockConflicts.inc(),
    payment: (outcome) => payments.inc({ outcome }),
    refundAccepted: () => refunds.inc(),
    webhookEvent: (type, outcome) =>
      webhookEvents.inc({ type: WEBHOOK_EVENT_TYPES.has(type) ? type : 'other', outcome }),
    mailSent: (template) => mailsSent.inc({ template: mailLabel(template) }),
    mailParked: (template, reason) => mailsParked.inc({ template: mailLabel(template), reason }),
    mailAttemptFailed: (template) => mailAttemptsFailed.inc({ template: mailLabel(template) }),
    refreshTokenReused: () => refreshTokenReuses.inc(),
    dispute: (status) => disputes.inc({ status: DISPUTE_STATUS_LABELS.has(status) ? status : 'other' }),
  };
}

/** For code run without metrics (tests of one service, scripts): records nothing. */
export const noMetrics: ShopMetrics = {
  orderCreated: () => undefined,
  stockConflict: () => undefined,
  payment: () => undefined,
  refundAccepted: () => undefined,
  webhookEvent: () => undefined,
  dispute: () => undefined,
};

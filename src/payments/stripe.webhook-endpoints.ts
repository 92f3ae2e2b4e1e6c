import Stripe from 'stripe';
import type { Config } from '../config/env';
import { STRIPE_API_VERSION, sdkApiVersion } from './stripe.api-version';
import { HANDLED_EVENT_TYPES } from './stripe.events';

export const WEBHOOK_PATH = '/api/orders/webhook';
const DESCRIPTION = 'shop-backend: order payments, captures, refunds and disputes (npm run stripe:webhook)';

export interface WebhookEndpointResult {
  action: 'created' | 'updated' | 'unchanged';
  id: string;
  url: string;
  enabledEvents: readonly string[];
  /** The endpoint's API version: ours when created; an existing endpoint keeps its own (Stripe cannot change it). */
  apiVersion: string | null;
  /** Only when created: Stripe shows an endpoint's signing secret this once. */
  secret?: string;
  /** Other endpoints with the same URL (made by hand before): each delivers every event again. */
  duplicates: string[];
}

/**
 * The Stripe webhook endpoint for our webhook URL, created or brought in line, never duplicated: every endpoint
 * of the account is listed and one with this exact URL is updated (its event types made exactly
 * HANDLED_EVENT_TYPES, enabled again if it was disabled); only when there is none is one created, for exactly
 * those event types and pinned to our API version. Stripe shows a signing secret only in the answer that
 * creates the endpoint; an update cannot show it (nor change the endpoint's API version).
 */
export async function ensureWebhookEndpoint(config: Config['stripe'], url: string): Promise<WebhookEndpointResult> {
  if (!config.secretKey)
    throw new Error('STRIPE_SECRET_KEY is not set: the webhook endpoint is made in the Stripe account it names');
  const { host, port, protocol } = config.api;
  const stripe = new Stripe(config.secretKey, {
    apiVersion: sdkApiVersion,
    timeout: config.timeoutMs,
    maxNetworkRetries: config.maxNetworkRetries,
    ...(host !== undefined && { host }),
    ...(port !== undefined && { port }),
    ...(protocol !== undefined && { protocol }),
  });
  const events = [...HANDLED_EVENT_TYPES].sort();
  // The SDK types enabled_events as the event names of its own API version; ours are checked against the spec by stripe-mock.
  const enabledEvents = events as Stripe.WebhookEndpointCreateParams.EnabledEvent[];

  const matching: Stripe.WebhookEndpoint[] = [];
  for await (const endpoint of stripe.webhookEndpoints.list({ limit: 100 }))
    if (endpoint.url === url) matching.push(endpoint);
  const [existing, ...others] = matching;
  const duplicates = others.map((endpoint) => endpoint.id);

  if (!existing) {
    const created = await stripe.webhookEndpoints.create({
      url,
      enabled_events: enabledEvents,
      api_version: STRIPE_API_VERSION,
      description: DESCRIPTION,
    });
    return {
      action: 'created',
      id: created.id,
      url: created.url,
      enabledEvents: created.enabled_events,
      apiVersion: created.api_version,
      ...(created.secret && { secret: created.secret }),
      duplicates,
    };
  }
  const sameEvents = [...existing.enabled_events].sort().join(',') === events.join(',');
  if (sameEvents && existing.status === 'enabled') {
    return {
      action: 'unchanged',
      id: existing.id,
      url,
      enabledEvents: existing.enabled_events,
      apiVersion: existing.api_version,
      duplicates,
    };
  }
  const updated = await stripe.webhookEndpoints.update(existing.id, {
    enabled_events: enabledEvents,
    ...(existing.status !== 'enabled' && { disabled: false }),
  });
  return {
    action: 'updated',
    id: updated.id,
    url,
    enabledEvents: updated.enabled_events,
    apiVersion: updated.api_version,
    duplicates,
  };
}

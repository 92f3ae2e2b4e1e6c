import { buildServices } from '../compose';
import { ConfigError, loadCliConfig } from '../config/env';
import { createLogger } from '../lib/logger';
import { createPaymentGateway } from '../payments';
import { STRIPE_API_VERSION } from '../payments/stripe.api-version';
import { WEBHOOK_PATH, type WebhookEndpointResult } from '../payments/stripe.webhook-endpoints';

const USAGE = `usage: npm run stripe:webhook -- https://<your service>${WEBHOOK_PATH}
  With STRIPE_SECRET_KEY (and STRIPE_API_HOST/PORT/PROTOCOL, when another Stripe-compatible server), creates the
  Stripe webhook endpoint for that URL, or brings the one that exists in line (never a second one), with exactly
  the event types this code handles, and prints its signing secret (STRIPE_WEBHOOK_SECRET) when it creates it.`;

class UsageError extends Error {}

function parseUrl(args: string[]): string {
  if (args.includes('--help') || args.includes('-h')) throw new UsageError('');
  if (args.length !== 1)
    throw new UsageError(args.length === 0 ? 'The webhook URL is required.' : 'Only the webhook URL is taken.');
  let url: URL;
  try {
    url = new URL(args[0]!);
  } catch {
    throw new UsageError(`That is not a URL: ${args[0]}`);
  }
  if (url.protocol !== 'https:') throw new UsageError('Stripe delivers events to https URLs only.');
  if (url.pathname !== WEBHOOK_PATH || url.search || url.hash)
    throw new UsageError(`The URL must end in ${WEBHOOK_PATH}, with nothing after it.`);
  return url.toString();
}

function report(result: WebhookEndpointResult): string {
  const lines = [`${result.enabledEvents.length} event types: ${result.enabledEvents.join(', ')}`];
  if (result.action === 'created') {
    lines.unshift(
      `Created webhook endpoint ${result.id} for ${result.url} (API version ${result.apiVersion ?? STRIPE_API_VERSION}).`,
    );
    if (result.secret) {
      lines.push(
        '',
        'Its signing secret, which Stripe shows only now: set it on the service and restart it.',
        '',
        `STRIPE_WEBHOOK_SECRET=${result.secret}`,
        '',
      );
    } else {
      lines.push(
        'Stripe sent no signing secret with it: reveal it in the Dashboard (Workbench > Webhooks > the endpoint > Signing secret).',
      );
    }
  } else {
    lines.unshift(
      result.action === 'updated'
        ? `Updated webhook endpoint ${result.id} for ${result.url}: its event types are now exactly the ones this code handles.`
        : `Webhook endpoint ${result.id} for ${result.url} already has exactly the event types this code handles: nothing changed.`,
    );
    lines.push(
      'Its signing secret is unchanged, and Stripe shows it only when an endpoint is created: reveal it in the Dashboard (Workbench >',
      'Webhooks > the endpoint > Signing secret). To replace it, roll it there (Roll secret) and set the new STRIPE_WEBHOOK_SECRET.',
    );
    if (result.apiVersion !== STRIPE_API_VERSION) {
      lines.push(
        `Its events are sent with API version ${result.apiVersion ?? "the account's default"}, not ${STRIPE_API_VERSION}; Stripe cannot change`,
        'that on an existing endpoint. The fields read are the same in recent versions; to pin it, delete the endpoint and run this again.',
      );
    }
  }
  if (result.duplicates.length > 0) {
    lines.push(
      `Other endpoints have the same URL (${result.duplicates.join(', ')}): each delivers every event again. Delete them in the Dashboard.`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** npm run stripe:webhook -- https://<service>/api/orders/webhook */
async function main() {
  const url = parseUrl(process.argv.slice(2));
  const { config } = loadCliConfig();
  if (!config.stripe.secretKey)
    throw new UsageError('STRIPE_SECRET_KEY is not set: the endpoint is made in the Stripe account it names.');
  const logger = createLogger({ level: 'warn', json: false });
  // The services as the server builds them: the endpoint is made with the same Stripe settings as the gateway.
  const services = buildServices(config, {
    logger,
    payments: createPaymentGateway(config, { logger, webhookUrl: () => undefined }),
  });
  // Written to stdout directly, not through the logger: the logger masks whsec_ secrets, and this one must be read.
  process.stdout.write(report(await services.stripeWebhook.ensure(url)));
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message ? `${error.message}\n` : ''}${USAGE}\n`);
    process.exit(2);
  }
  process.stderr.write(`${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

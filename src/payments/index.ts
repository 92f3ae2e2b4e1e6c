import type { Config } from '../config/env';
import type { Logger } from '../lib/logger';
import type { PaymentGateway } from './gateway';
import { createSimulatedGateway } from './simulated.gateway';
import { createStripeGateway } from './stripe.gateway';

/** The gateway the server runs with, plus what graceful shutdown needs from it. */
export interface ActivePaymentGateway extends PaymentGateway {
  /** Resolves when background work (the simulated gateway's webhook deliveries) has finished. */
  settle(): Promise<void>;
}

export interface PaymentGatewayDeps {
  logger: Logger;
  /** Where the simulated gateway posts its events when SIMULATED_WEBHOOK_URL is not set (our own webhook route). */
  webhookUrl: () => string | undefined;
}

/** Stripe when STRIPE_SECRET_KEY is set; otherwise the simulated gateway, which production never gets. */
export function createPaymentGateway(config: Config, deps: PaymentGatewayDeps): ActivePaymentGateway {
  const { logger } = deps;
  if (config.stripe.secretKey) {
    const gateway = createStripeGateway(config.stripe, logger);
    logger.info(
      `Payments: Stripe (${gateway.liveMode ? 'live' : 'test'} mode) at ${stripeApiOrigin(config.stripe.api)}`,
    );
    // Stripe delivers its own events: nothing of ours is in flight.
    return { ...gateway, settle: () => Promise.resolve() };
  }
  if (config.env === 'production') {
    throw new Error(
      'STRIPE_SECRET_KEY is required in production: the simulated payment gateway is for development and tests',
    );
  }
  const configuredUrl = config.simulated.webhookUrl;
  logger.info(
    `Payments: simulated gateway (no STRIPE_SECRET_KEY), no real charges; signed events go to ${configuredUrl ?? "this server's webhook"} ` +
      `${config.simulated.webhookDelayMs} ms after each payment change`,
  );
  return createSimulatedGateway({
    webhookSecret: config.stripe.webhookSecret,
    webhookUrl: () => configuredUrl ?? deps.webhookUrl(),
    deliveryDelayMs: config.simulated.webhookDelayMs,
    logger,
  });
}

function stripeApiOrigin({ host, port, protocol }: Config['stripe']['api']): string {
  if (host === undefined && port === undefined && protocol === undefined) return 'https://api.stripe.com';
  return `${protocol ?? 'https'}://${host ?? 'api.stripe.com'}${port === undefined ? '' : `:${port}`} (STRIPE_API_* override)`;
}

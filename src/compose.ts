import type { Config } from './config/env';
import { crashAt } from './lib/fault-points';
import type { Logger } from './lib/logger';
import { createMetrics, type Metrics } from './lib/metrics';
import type { PaymentGateway } from './payments/gateway';
import { ensureWebhookEndpoint } from './payments/stripe.webhook-endpoints';
import { createWebhookVerifier } from './payments/webhook';
import { createAdminOrderService } from './services/admin-order.service';
import { ensureAdmin, type AdminAccount } from './services/admin.service';
import { createAuthService } from './services/auth.service';
import { createCatalogueService } from './services/catalogue.service';
import { createFulfilmentService } from './services/fulfilment.service';
import { createOrderSweeper } from './services/order-sweeper.service';
import { createOrderService } from './services/order.service';
import { createOrderPaymentService } from './services/order-payment.service';
import { createRefundService } from './services/refund.service';
import { createSavedCardService } from './services/saved-cards.service';
import { seedProducts } from './services/seed.service';
import { shopConfigOf } from './services/shop-config.service';
import { createWebhookIntake } from './services/webhook-intake.service';

/** What the services talk to outside their own code: handed in, so that tests pass what they can run. */
export interface Outside {
  logger: Logger;
  payments: PaymentGateway;
  /** The time, for archive stamps and payment expiry. */
  clock?: () => Date;
  /** The process's metrics (the app's requests and the expiry job's work in one registry); a private set when omitted. */
  metrics?: Metrics;
}

/**
 * The composition root: every service of the process, built once from the config and the outside world.
 * The app (its controllers), the server's background job (the sweeper), the CLIs and the tests all take
 * their services from here, so each setting reaches each service from one place. Building touches nothing:
 * no connection, no timer, no thread (the password hashing pool starts on first use).
 */
export function buildServices(config: Config, outside: Outside) {
  const { logger, payments } = outside;
  const clock = outside.clock ?? (() => new Date());
  const metrics = outside.metrics ?? createMetrics();
  // One refund service: the admin's requests and the expiry job's resends share one attempt lease.
  const refunds = createRefundService({ payments, clock, logger, metrics, settings: config.refunds });
  // One capture service too: the admin's captures and the expiry job's resends share one attempt lease.
  const fulfilment = createFulfilmentService({ payments, clock, logger, metrics, settings: { attemptLeaseMs: config.refunds.attemptLeaseMs } });
  return {
    clock,
    metrics,
    auth: createAuthService({ jwt: config.jwt, bcryptCost: config.bcryptCost, hashThreads: config.passwordHashThreads }),
    /** The buyer's side of a payment in progress (the client secret, the simulated 3-D Secure answer) and saved cards. */
    orderPayments: createOrderPaymentService({ payments, clock }),
    cards: createSavedCardService({ payments, logger }),
    /** What GET /api/config and the storefront's page tell a browser (settings only, built once). */
    shopConfig: shopConfigOf(config),
    catalogue: createCatalogueService(clock),
    orders: createOrderService({
      payments,
      clock,
      logger,
      metrics,
      settings: { ...config.orders, capture: config.payments.capture },
      faults: crashAt(config.faults.crashAt),
    }),
    refunds,
    fulfilment,
    paymentEvents: createWebhookIntake({ clock, logger, metrics, verify: createWebhookVerifier(config.stripe.webhookSecret) }),
    adminOrders: createAdminOrderService(),
    sweeper: createOrderSweeper({
      payments,
      clock,
      logger,
      metrics,
      refunds,
      fulfilment,
      settings: { ...config.orders, authorizationVoidAfterMs: config.payments.authorizationVoidAfterMs },
    }),
    /** Admin accounts: the server's bootstrap keeps an existing password, create-admin sets it. */
    admins: {
      ensure: (account: AdminAccount, options: { resetPassword: boolean }) =>
        ensureAdmin(account, { bcryptCost: config.bcryptCost, resetPassword: options.resetPassword }),
    },
    seed: { products: seedProducts },
    /** npm run stripe:webhook: the Stripe webhook endpoint for our URL, created or brought in line (STRIPE_* settings). */
    stripeWebhook: { ensure: (url: string) => ensureWebhookEndpoint(config.stripe, url) },
  };
}

export type Services = ReturnType<typeof buildServices>;

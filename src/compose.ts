import type { Config } from './config/env';
import { crashAt } from './lib/fault-points';
import type { Logger } from './lib/logger';
import { createMetrics, type Metrics } from './lib/metrics';
import { createMail } from './mail';
import { orderMails } from './mail/order-mails';
import type { MailTransport } from './mail/transport';
import type { PaymentGateway } from './payments/gateway';
import { ensureWebhookEndpoint } from './payments/stripe.webhook-endpoints';
import { createWebhookVerifier } from './payments/webhook';
import { createAccountService } from './services/account.service';
import { createAdminOrderService } from './services/admin-order.service';
import { createAdminUserService } from './services/admin-user.service';
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
  /** Where mail goes; by default SMTP_URL's server, or files in MAIL_DIR without it. */
  mailTransport?: MailTransport;
}

/**
 * The composition root: every service of the process, built once from the config and the outside world.
 * The app (its controllers), the server's background job (the sweeper), the CLIs and the tests all take
 * their services from here, so each setting reaches each service from one place. Building touches nothing:
 * no connection, no timer, no thread (the password hashing pool starts on first use; the server starts the
 * sweeper and the mail worker).
 */
export function buildServices(config: Config, outside: Outside) {
  const { logger, payments } = outside;
  const clock = outside.clock ?? (() => new Date());
  const metrics = outside.metrics ?? createMetrics();
  // One refund service: the admin's requests and the expiry job's resends share one attempt lease.
  const refunds = createRefundService({ payments, clock, logger, metrics, settings: config.refunds });
  const faults = crashAt(config.faults.crashAt);
  // The outbox every cause records its mail in, and the worker that sends them (started by the server).
  const mail = createMail(config, { clock, logger, metrics, transport: outside.mailTransport, faults });
  // The payment mails, recorded by the steps that settle an order and store a refunded total (whoever runs them).
  const mails = orderMails(mail.outbox);
  const auth = createAuthService({
    jwt: config.jwt,
    bcryptCost: config.bcryptCost,
    hashThreads: config.passwordHashThreads,
    sessions: config.sessions,
    outbox: mail.outbox,
    clock,
    logger,
    onRefreshTokenReuse: () => metrics.refreshTokenReused(),
  });
  // One capture service too: the admin's captures and the expiry job's resends share one attempt lease.
  const fulfilment = createFulfilmentService({
    payments,
    clock,
    logger,
    metrics,
    mails,
    settings: { attemptLeaseMs: config.refunds.attemptLeaseMs },
  });
  return {
    clock,
    metrics,
    mail,
    auth,
    accounts: createAccountService({
      hasher: auth.hasher,
      bcryptCost: config.bcryptCost,
      sessions: auth.sessions,
      outbox: mail.outbox,
      clock,
    }),
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
      mails,
      settings: { ...config.orders, capture: config.payments.capture },
      faults,
    }),
    refunds,
    fulfilment,
    paymentEvents: createWebhookIntake({
      clock,
      logger,
      metrics,
      mails,
      faults,
      verify: createWebhookVerifier(config.stripe.webhookSecret),
    }),
    adminOrders: createAdminOrderService(),
    /** Accounts for the admin; the server finishes a decided change a crash left half-applied before it serves. */
    adminUsers: createAdminUserService({ clock }),
    sweeper: createOrderSweeper({
      payments,
      clock,
      logger,
      metrics,
      mails,
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

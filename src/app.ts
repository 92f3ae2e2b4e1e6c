import { randomUUID } from 'node:crypto';
import cors from 'cors';
import express, { type Express } from 'express';
import helmet from 'helmet';
import morgan from 'morgan';
import type { Config } from './config/env';
import type { Logger } from './lib/logger';
import { authenticate } from './middleware/authenticate';
import { errorHandler, notFoundHandler } from './middleware/error-handler';
import { authLimits, limitRequests } from './middleware/rate-limit';
import { requireDatabase } from './middleware/require-database';
import { requireJsonBody } from './middleware/require-json';
import { authRoutes } from './routes/auth.routes';
import type { PaymentGateway } from './payments/gateway';
import { createWebhookVerifier } from './payments/webhook';
import { healthRoutes } from './routes/health.routes';
import { orderRoutes, webhookRoutes } from './routes/order.routes';
import { productRoutes } from './routes/product.routes';
import { createAuthService } from './services/auth.service';
import { createCatalogueService } from './services/catalogue.service';
import { createOrderService } from './services/order.service';
import { createPaymentEventService } from './services/payment-events.service';

/** Everything the app talks to outside its own code is handed in, so tests can pass what they run. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  isDatabaseReady: () => Promise<boolean>;
  /** False while the database is known to be unreachable: requests that need it get 503 at once instead of waiting. */
  isDatabaseAvailable?: () => boolean;
  payments: PaymentGateway;
  /** The time, for archive stamps and payment expiry. */
  clock?: () => Date;
}

/** Builds the Express app: middleware order, routers, 404 and the error handler. Never listens or connects. */
export function createApp(deps: AppDeps): Express {
  const { config, logger } = deps;
  const clock = deps.clock ?? (() => new Date());
  const auth = createAuthService({ jwt: config.jwt, bcryptCost: config.bcryptCost });
  const catalogue = createCatalogueService(clock);
  const requireUser = authenticate(auth);
  const orders = createOrderService({ payments: deps.payments, clock, logger, settings: config.orders });
  const paymentEvents = createPaymentEventService({ clock, logger, verify: createWebhookVerifier(config.stripe.webhookSecret) });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);

  app.use((req, res, next) => {
    const incoming = req.get('x-request-id');
    res.locals.requestId = incoming && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    res.set('X-Request-Id', res.locals.requestId as string);
    next();
  });
  app.use(helmet());
  app.use(corsFromAllowList(config.cors.origins));
  if (config.requestLog && config.requestLog !== 'off') app.use(morgan(config.requestLog));
  if (deps.isDatabaseAvailable) app.use('/api', requireDatabase(deps.isDatabaseAvailable));
  app.use(webhookRoutes(paymentEvents, config.http.jsonBodyLimit));
  app.use('/api', limitRequests(config.rateLimits.api, logger));

  app.use(requireJsonBody);
  app.use(express.json({ limit: config.http.jsonBodyLimit }));

  app.use(healthRoutes(deps.isDatabaseReady));
  app.use('/api/products', productRoutes(catalogue, requireUser));
  app.use('/api/orders', orderRoutes(orders, requireUser));
  app.use(
    '/api',
    authRoutes(auth, {
      authenticate: requireUser,
      limits: authLimits(config.rateLimits, logger),
    }),
  );

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}

/**
 * Only listed origins get CORS headers; `*` allows any origin. Credentials are never allowed: the API
 * authenticates with a bearer header, not cookies, so no origin is ever reflected with credentials.
 */
function corsFromAllowList(origins: string[]) {
  if (origins.includes('*')) return cors({ origin: '*' });
  const allowed = new Set(origins);
  return cors({ origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)) });
}

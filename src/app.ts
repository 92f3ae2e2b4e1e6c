import cors from 'cors';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Config } from './config/env';
import type { Logger } from './lib/logger';
import { createMetrics, type Metrics } from './lib/metrics';
import { accessLog, observeResponses, type ResponseObserver } from './middleware/access-log';
import { authenticate } from './middleware/authenticate';
import { errorHandler, notFoundHandler } from './middleware/error-handler';
import { fixedHeaders } from './middleware/fixed-headers';
import { httpMetrics } from './middleware/http-metrics';
import { noStore } from './middleware/no-store';
import { onlyUnder } from './middleware/path-prefix';
import { methodNotAllowed } from './middleware/method-not-allowed';
import { authLimits, limitRequests } from './middleware/rate-limit';
import { recordRouteTemplates, requestContext } from './middleware/request-context';
import { requireDatabase } from './middleware/require-database';
import { series } from './middleware/series';
import { jsonBody } from './middleware/require-json';
import { adminRoutes } from './routes/admin.routes';
import { authRoutes } from './routes/auth.routes';
import { docsRoutes } from './routes/docs.routes';
import { apiOperations } from './openapi/operations';
import type { PaymentGateway } from './payments/gateway';
import { createWebhookVerifier } from './payments/webhook';
import { healthRoutes } from './routes/health.routes';
import { metricsRoutes } from './routes/metrics.routes';
import { orderRoutes, webhookRoutes } from './routes/order.routes';
import { productRoutes } from './routes/product.routes';
import { createAdminOrderService } from './services/admin-order.service';
import { createAuthService } from './services/auth.service';
import { createCatalogueService } from './services/catalogue.service';
import { createOrderService } from './services/order.service';
import { createRefundService } from './services/refund.service';
import { createWebhookIntake } from './services/webhook-intake.service';

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
  /** The process's metrics (server.ts shares them with the expiry job); a private set when omitted. */
  metrics?: Metrics;
}

/** Builds the Express app: middleware order, routers, 404 and the error handler. Never listens or connects. */
export function createApp(deps: AppDeps): Express {
  const { config, logger } = deps;
  const clock = deps.clock ?? (() => new Date());
  const metrics = deps.metrics ?? createMetrics();
  const auth = createAuthService({ jwt: config.jwt, bcryptCost: config.bcryptCost, hashThreads: config.passwordHashThreads });
  const catalogue = createCatalogueService(clock);
  const requireUser = authenticate(auth);
  const orders = createOrderService({ payments: deps.payments, clock, logger, metrics, settings: config.orders });
  const refunds = createRefundService({ payments: deps.payments, clock, logger, metrics, settings: config.refunds });
  const paymentEvents = createWebhookIntake({ clock, logger, metrics, verify: createWebhookVerifier(config.stripe.webhookSecret) });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);

  // Observability first, so even a request refused by a later middleware has its id, access line and timing.
  // Everything but the 404 and the error handler runs as one series (one router layer, see series.ts): the
  // routers in it are entered only under their own paths, and the /api gates test the path instead of mounting
  // at /api (a mount makes Express cut and restore the URL on every request that passes it).
  recordRouteTemplates(app);
  const observers: ResponseObserver[] = [];
  if (config.requestLog && logger.pino) observers.push(accessLog(logger.pino));
  if (config.metrics.token) observers.push(httpMetrics(metrics));
  app.use(
    series(
      requestContext({ logContext: logger.pino !== undefined && logger.pino.level !== 'silent' }),
      observeResponses(observers),
      fixedHeaders(helmet()),
      corsFromAllowList(config.cors.origins),
      // Tokens (login), client secrets (orders) and personal data (profile, orders, admin views).
      noStore(['/api/registration', '/api/login', '/api/profile', '/api/orders', '/api/admin']),
      // Static and unauthenticated: a page load is several requests, so outside the /api rate limit (and the
      // database gate: the docs need no database).
      onlyUnder(['/api/docs', '/api/openapi.json'], docsRoutes()),
      ...(deps.isDatabaseAvailable ? [onlyUnder(['/api'], requireDatabase(deps.isDatabaseAvailable))] : []),
      onlyUnder(['/api/orders/webhook'], webhookRoutes(paymentEvents, config.http.jsonBodyLimit)),
      onlyUnder(['/api'], limitRequests(config.rateLimits.api)),
      // Without METRICS_TOKEN there is no /metrics at all: any method gets the 404 of an unknown path.
      methodNotAllowed(config.metrics.token ? apiOperations : apiOperations.filter((op) => op.access !== 'metrics')),
      jsonBody(config.http.jsonBodyLimit),
      onlyUnder(['/health', '/ready'], healthRoutes(deps.isDatabaseReady)),
      // Outside /api and its rate limit: a scraper must not be throttled, and the token guards it.
      ...(config.metrics.token ? [onlyUnder(['/metrics'], metricsRoutes(metrics, config.metrics.token))] : []),
      // The resource routers, at the root with full paths, each entered only under its own: no mount cutting
      // and restoring the URL, and a request tests one pattern per router instead of walking its routes.
      onlyUnder(['/api/products'], productRoutes(catalogue, requireUser)),
      onlyUnder(['/api/orders'], orderRoutes(orders, refunds, requireUser)),
      onlyUnder(['/api/admin'], adminRoutes(createAdminOrderService(), requireUser)),
      onlyUnder(
        ['/api/registration', '/api/login', '/api/profile'],
        authRoutes(auth, { authenticate: requireUser, limits: authLimits(config.rateLimits, logger) }),
      ),
    ),
  );

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}

/**
 * Only listed origins get CORS headers; `*` allows any origin. Credentials are never allowed: the API
 * authenticates with a bearer header, not cookies, so no origin is ever reflected with credentials.
 */
function corsFromAllowList(origins: string[]): RequestHandler {
  if (origins.includes('*')) return cors({ origin: '*' });
  const allowed = new Set(origins);
  const allowList = cors({ origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)) });
  return (req, res, next) => {
    // Whether the CORS headers are sent depends on Origin, also when it is absent or refused (where cors adds
    // no Vary): a shared cache must not serve one origin's answer to another.
    if (allowed.size > 0) res.vary('Origin');
    // No Origin, no CORS: cors would find nothing to allow (same-origin browsers, servers, probes).
    if (req.headers.origin === undefined) return next();
    allowList(req, res, next);
  };
}

import cors from 'cors';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import { buildServices, type Outside, type Services } from './compose';
import type { Config } from './config/env';
import { createControllers } from './controllers';
import { accessLog, observeResponses, type ResponseObserver } from './middleware/access-log';
import { authenticate, requireMetricsToken } from './middleware/authenticate';
import { errorHandler, notFoundHandler } from './middleware/error-handler';
import { fixedHeaders } from './middleware/fixed-headers';
import { httpMetrics } from './middleware/http-metrics';
import { accountLimits, authLimits, limitRequests } from './middleware/rate-limit';
import { recordRouteTemplates, requestContext } from './middleware/request-context';
import { requireVerifiedEmail } from './middleware/require-verified-email';
import { openApiJson } from './openapi/document';
import { routeTable } from './routes';
import type { RouteEntry } from './routes/operation';
import { createRouter } from './routes/router';
import { storefront } from './storefront/serve';

/** Everything the app talks to outside its own code is handed in, so tests can pass what they run. */
export interface AppDeps extends Outside {
  config: Config;
  isDatabaseReady: () => Promise<boolean>;
  /** False while the database is known to be unreachable: requests that need it get 503 at once instead of waiting. */
  isDatabaseAvailable?: () => boolean;
  /** The process's services (server.ts shares them with its background job); built from config and deps when omitted. */
  services?: Services;
  /** The route table served and documented (src/routes); a test may serve one with an entry of its own. */
  routes?: readonly RouteEntry[];
}

/** Builds the Express app: the routing derived from the route table, the 404 and the error handler. Never listens or connects. */
export function createApp(deps: AppDeps): Express {
  const { config, logger } = deps;
  const services = deps.services ?? buildServices(config, deps);
  const routes = deps.routes ?? routeTable;
  const controllers = createControllers(services, {
    isDatabaseReady: deps.isDatabaseReady,
    metrics: services.metrics,
    openApiJson: () => openApiJson(routes),
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);

  recordRouteTemplates(app);
  const observers: ResponseObserver[] = [];
  if (config.requestLog && logger.pino) observers.push(accessLog(logger.pino));
  if (config.metrics.token) observers.push(httpMetrics(services.metrics));
  app.use(
    createRouter(routes, {
      // Observability first, so even a request refused by a later step has its id, access line and timing.
      before: [
        requestContext({ logContext: logger.pino !== undefined && logger.pino.level !== 'silent' }),
        observeResponses(observers),
        fixedHeaders(helmet()),
        corsFromAllowList(config.cors.origins),
        // The shop's pages: GET/HEAD of `/` and `/storefront/<file>` (the handler is its own path gate),
        // before the database gate and the /api rate limit, like the API's own docs.
        ...(config.storefront.enabled ? [storefront(config)] : []),
      ],
      controllers,
      authenticate: authenticate(services.auth),
      metricsToken: config.metrics.token ? requireMetricsToken(config.metrics.token) : undefined,
      simulatedAuthentication: typeof deps.payments.answerAuthentication === 'function',
      limits: {
        ...authLimits(config.rateLimits, logger),
        ...accountLimits({ ...config.accounts.limits, loginPerAccount: config.rateLimits.loginPerAccount }, logger),
      },
      guards: config.accounts.requireVerifiedEmailToOrder
        ? { verifiedEmail: requireVerifiedEmail(services.accounts) }
        : {},
      rateLimit: limitRequests(config.rateLimits.api),
      isDatabaseAvailable: deps.isDatabaseAvailable,
      jsonBodyLimit: config.http.jsonBodyLimit,
    }),
  );

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}

/**
 * What a browser client on another origin may send and read. It sends the token, JSON and its own request id
 * and Idempotency-Key; it reads the request id (to quote), Retry-After and the RateLimit headers (to wait),
 * Location (the new order), Idempotent-Replayed (a replayed answer) and Allow (a 405). A browser hides every
 * other response header from a cross-origin script.
 */
export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'];
export const CORS_EXPOSED_HEADERS = [
  'X-Request-Id',
  'Retry-After',
  'RateLimit',
  'RateLimit-Policy',
  'Location',
  'Idempotent-Replayed',
  'Allow',
];

/**
 * Only listed origins get CORS headers; `*` allows any origin. Credentials are never allowed: the API
 * authenticates with a bearer header, not cookies, so no origin is ever reflected with credentials.
 */
function corsFromAllowList(origins: string[]): RequestHandler {
  const headers = { allowedHeaders: CORS_ALLOWED_HEADERS, exposedHeaders: CORS_EXPOSED_HEADERS };
  if (origins.includes('*')) return cors({ origin: '*', ...headers });
  const allowed = new Set(origins);
  const allowList = cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    ...headers,
  });
  return (req, res, next) => {
    // Whether the CORS headers are sent depends on Origin, also when it is absent or refused (where cors adds
    // no Vary): a shared cache must not serve one origin's answer to another.
    if (allowed.size > 0) res.vary('Origin');
    // No Origin, no CORS: cors would find nothing to allow (same-origin browsers, servers, probes).
    if (req.headers.origin === undefined) return next();
    allowList(req, res, next);
  };
}

import path from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { z } from 'zod';
import { NotFound, ServiceUnavailable } from '../lib/errors';
import type { Metrics } from '../lib/metrics';
import { fixedHeaders } from '../middleware/fixed-headers';
import type { healthResponse, readyResponse } from '../schemas/common.schemas';

/**
 * The system's own answers: liveness and readiness, the Prometheus metrics, this API's OpenAPI document and
 * the Swagger UI reference at GET /api/docs, served from the installed swagger-ui-dist package (no CDN, so it
 * works offline). Everything of the docs is static.
 */

// Swagger UI needs only its own script and stylesheet, our start-up script, JSON fetched from this origin
// (the document and "Try it out") and data: images (its icons). The API's own CSP stays as helmet sets it.
const setDocsCsp = fixedHeaders(
  helmet.contentSecurityPolicy({
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
      frameAncestors: ["'none'"],
    },
  }),
);

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Shop backend API</title>
  <link rel="stylesheet" href="/api/docs/swagger-ui.css">
  <link rel="stylesheet" href="/api/docs/docs.css">
  <link rel="icon" type="image/png" href="/api/docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/api/docs/swagger-ui-bundle.js"></script>
  <script src="/api/docs/docs.js"></script>
</body>
</html>
`;

// validatorUrl null: no badge fetched from validator.swagger.io.
const START_SCRIPT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    validatorUrl: null,
    displayOperationId: false,
    displayRequestDuration: true,
    defaultModelsExpandDepth: 0,
  });
});
`;

const STYLE =
  'html { box-sizing: border-box; overflow-y: scroll; } *, *:before, *:after { box-sizing: inherit; } body { margin: 0; background: #fafafa; }\n';

const OWN_FILES: Record<string, { type: string; body: string } | undefined> = {
  'docs.js': { type: 'application/javascript', body: START_SCRIPT },
  'docs.css': { type: 'text/css', body: STYLE },
};

/** fixedHeaders calls it at once: the page's CSP is set, and the page follows. */
const headersSet: NextFunction = () => undefined;

/** The package files the page uses; nothing else of the package is served. */
const PACKAGE_FILES = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png']);

export interface SystemDeps {
  /** Liveness says the process answers; readiness says it can do its job (the database answers). */
  isDatabaseReady: () => Promise<boolean>;
  metrics: Metrics;
  /** The OpenAPI document of the app's route table, as JSON (built on first use). */
  openApiJson: () => string;
}

export function createSystemController(deps: SystemDeps) {
  // Not require('swagger-ui-dist'): its main module loads the whole 1.7 MB bundle (half a second at start-up).
  const packageDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  return {
    health: (_req: Request, res: Response) => {
      res.json({ status: 'ok' } satisfies z.infer<typeof healthResponse>);
    },

    ready: async (_req: Request, res: Response) => {
      if (!(await deps.isDatabaseReady())) throw new ServiceUnavailable('Database is not reachable', 'NOT_READY');
      res.json({ status: 'ready' } satisfies z.infer<typeof readyResponse>);
    },

    /** Prometheus text format; the route's access rule has checked the scraper's token. */
    metrics: async (_req: Request, res: Response) => {
      const text = await deps.metrics.registry.metrics();
      res.set('Cache-Control', 'no-store').type(deps.metrics.registry.contentType).send(text);
    },

    openApiDocument: (_req: Request, res: Response) => {
      res.type('application/json').set('Cache-Control', 'no-cache').send(deps.openApiJson());
    },

    docsPage: (req: Request, res: Response) => {
      setDocsCsp(req, res, headersSet);
      res.type('html').set('Cache-Control', 'no-cache').send(PAGE);
    },

    docsAsset: (req: Request, res: Response) => {
      const asset = String(req.params.asset);
      const own = OWN_FILES[asset];
      if (!own && !PACKAGE_FILES.has(asset)) throw new NotFound(`Route GET ${req.path} not found`, 'ROUTE_NOT_FOUND');
      res.set('Cache-Control', 'public, max-age=3600');
      if (own) res.type(own.type).send(own.body);
      else res.sendFile(path.join(packageDir, asset));
    },
  };
}

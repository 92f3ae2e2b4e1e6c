import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { Unauthorized } from '../lib/errors';
import type { Metrics } from '../lib/metrics';

/** GET /metrics (Prometheus text format) for a scraper holding `Authorization: Bearer <METRICS_TOKEN>`. */
export function metricsRoutes(metrics: Metrics, token: string) {
  const router = Router();
  router.get('/metrics', requireBearer(token), async (_req, res) => {
    const text = await metrics.registry.metrics();
    res.set('Cache-Control', 'no-store').type(metrics.registry.contentType).send(text);
  });
  return router;
}

/**
 * Compares digests of the presented and expected tokens with timingSafeEqual: equal lengths whatever was
 * sent, and the time taken says nothing about how much of the token was right.
 */
function requireBearer(token: string) {
  const expected = digest(token);
  return (req: Request, res: Response, next: NextFunction) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      res.set('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new Unauthorized('A valid metrics token is required', 'INVALID_METRICS_TOKEN');
    }
    next();
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

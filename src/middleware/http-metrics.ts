import type { Request, Response } from 'express';
import type { Metrics } from '../lib/metrics';
import { elapsedMs, routeTemplate } from './request-context';

/** Observes every finished response in http_request_duration_seconds{method, route, status_code}. */
export function httpMetrics(metrics: Metrics) {
  return (req: Request, res: Response) => {
    if (res.writableFinished)
      metrics.observeRequest(req.method, routeTemplate(req), res.statusCode, elapsedMs(req) / 1000);
  };
}

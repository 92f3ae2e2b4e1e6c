import type { NextFunction, Request, Response } from 'express';
import { ServiceUnavailable } from '../lib/errors';

/**
 * While the driver knows no reachable server (or indexes are being restored after a reconnect), answers
 * 503 DATABASE_UNAVAILABLE at once rather than letting each request wait for server selection. Webhooks
 * included: a 5xx makes Stripe retry later.
 */
export function requireDatabase(isAvailable: () => boolean) {
  return (_req: Request, _res: Response, next: NextFunction) => {
    if (isAvailable()) return next();
    next(new ServiceUnavailable('Database unavailable, please retry', 'DATABASE_UNAVAILABLE'));
  };
}

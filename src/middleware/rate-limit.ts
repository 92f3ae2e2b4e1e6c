import type { NextFunction, Request, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { TooManyRequests } from '../lib/errors';

/**
 * Per-client (req.ip, so TRUST_PROXY matters behind a proxy) fixed-window limit, kept in this process's
 * memory: with several instances each one counts on its own.
 */
export function limitRequests(options: { windowMs: number; max: number; message?: string }) {
  return rateLimit({
    windowMs: options.windowMs,
    limit: options.max,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req: Request, _res: Response, next: NextFunction) => next(new TooManyRequests(options.message)),
  });
}

import type { NextFunction, Request, Response } from 'express';
import { UnsupportedMediaType } from '../lib/errors';

/**
 * JSON endpoints accept JSON only: a request that carries a body of another type gets 415 instead of
 * being silently read as empty. Bodiless POSTs (e.g. cancel) stay allowed.
 */
export function requireJsonBody(req: Request, _res: Response, next: NextFunction) {
  const hasBody = req.get('transfer-encoding') !== undefined || Number(req.get('content-length') ?? 0) > 0;
  if (hasBody && !req.is('application/json')) throw new UnsupportedMediaType();
  next();
}

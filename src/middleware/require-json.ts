import express, { type NextFunction, type Request, type Response } from 'express';
import { UnsupportedMediaType } from '../lib/errors';

/**
 * JSON endpoints accept JSON only: a request that carries a body of another type gets 415 instead of
 * being silently read as empty. Bodiless POSTs (e.g. cancel) stay allowed. A request without a body (every
 * GET, and those POSTs) costs one look at two headers: no content-type check, no body parser.
 */
export function jsonBody(limit: string) {
  const parse = express.json({ limit });
  return (req: Request, res: Response, next: NextFunction) => {
    const { 'transfer-encoding': chunked, 'content-length': length } = req.headers;
    if (chunked === undefined && !(Number(length ?? 0) > 0)) return next();
    if (!req.is('application/json')) throw new UnsupportedMediaType();
    parse(req, res, next);
  };
}

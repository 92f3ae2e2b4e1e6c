import type { NextFunction, Request, Response } from 'express';

/** Responses carrying tokens, client secrets or personal data: no browser or shared cache may keep them. */
export function noStore(_req: Request, res: Response, next: NextFunction) {
  res.set('Cache-Control', 'no-store');
  next();
}

import type { NextFunction, Request, Response } from 'express';
import { pathPrefixPattern } from './path-prefix';

/**
 * Responses carrying tokens, client secrets or personal data: no browser or shared cache may keep them.
 * The prefixes match as mount paths do, in one regular expression: one test per request instead of a
 * router layer per prefix.
 */
export function noStore(prefixes: readonly string[]) {
  const privatePath = pathPrefixPattern(prefixes);
  return (req: Request, res: Response, next: NextFunction) => {
    if (privatePath.test(req.path)) res.setHeader('Cache-Control', 'no-store');
    next();
  };
}

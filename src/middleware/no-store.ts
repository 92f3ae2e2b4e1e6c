import type { NextFunction, Request, Response } from 'express';

/**
 * Responses carrying tokens, client secrets or personal data: no browser or shared cache may keep them.
 * `prefixes` match as app.use mount paths do (case-insensitive, the path itself or below it), in one
 * regular expression: one test per request instead of a router layer per prefix.
 */
export function noStore(prefixes: readonly string[]) {
  const escaped = prefixes.map((prefix) => prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const privatePath = new RegExp(`^(?:${escaped.join('|')})(?:/|$)`, 'i');
  return (req: Request, res: Response, next: NextFunction) => {
    if (privatePath.test(req.path)) res.setHeader('Cache-Control', 'no-store');
    next();
  };
}

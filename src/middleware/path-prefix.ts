import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * One regular expression for paths at or below any of `prefixes`, matched as app.use mount paths are:
 * case-insensitive, the prefix itself or anything below it (`/api/orders`, `/api/orders/`, `/api/orders/x`).
 */
export function pathPrefixPattern(prefixes: readonly string[]): RegExp {
  const escaped = prefixes.map((prefix) => prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^(?:${escaped.join('|')})(?:/|$)`, 'i');
}

/**
 * Runs `router` only for paths under `prefixes` (every path its routes can match); any other request goes
 * straight on. Mounted at the root, a router is entered by every request and tests each of its routes:
 * Express's routing was the largest share of the middleware chain's CPU time.
 */
export function onlyUnder(prefixes: readonly string[], router: RequestHandler & { stack?: unknown[] }): RequestHandler {
  const pattern = pathPrefixPattern(prefixes);
  const gate = (req: Request, res: Response, next: NextFunction) => {
    if (!pattern.test(req.path)) return next();
    return router(req, res, next);
  };
  // A router's routes stay visible to whoever walks the app's stack (the OpenAPI test lists routes so).
  return router.stack ? Object.assign(gate, { stack: router.stack }) : gate;
}

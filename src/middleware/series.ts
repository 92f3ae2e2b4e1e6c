import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Plain middleware run one after another as a single layer of the app's router. Every layer Express walks
 * costs path matching and bookkeeping on every request; these run on every request anyway. An error (thrown,
 * a rejected promise, or passed to next) leaves the series for Express's error handling, as it would leave
 * separate layers. A router in a series (behind onlyUnder, mounted at the root) keeps its routes visible:
 * the series lists their layers as its `stack`, where whoever walks the app's routes looks for them.
 */
export function series(...handlers: RequestHandler[]): RequestHandler {
  const run = (req: Request, res: Response, next: NextFunction) => {
    let index = 0;
    const step = (error?: unknown) => {
      if (error !== undefined && error !== null) return next(error);
      const handler = handlers[index++];
      if (!handler) return next();
      try {
        const result: unknown = handler(req, res, step);
        if (result instanceof Promise) result.then(undefined, (rejection: unknown) => step(rejection ?? new Error('Rejected promise')));
      } catch (thrown) {
        step(thrown);
      }
    };
    step();
  };
  const stack = handlers.flatMap((handler) => (handler as { stack?: unknown[] }).stack ?? []);
  return stack.length > 0 ? Object.assign(run, { stack }) : run;
}

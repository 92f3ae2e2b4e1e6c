import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Runs a middleware whose headers never depend on the request (helmet with static options) once, at start-up,
 * and returns a middleware that sets those same headers. Helmet is twelve nested middleware calls per request;
 * this is one loop. A middleware that does anything but set and remove headers, or does not call next
 * synchronously, is refused: its output could depend on the request.
 */
export function fixedHeaders(middleware: RequestHandler): RequestHandler {
  const set = new Map<string, string | string[]>();
  const removed = new Set<string>();
  let calledNext = false;
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      set.set(name, Array.isArray(value) ? [...(value as string[])] : String(value));
      removed.delete(name.toLowerCase());
      return recorder;
    },
    removeHeader(name: string) {
      for (const key of set.keys()) if (key.toLowerCase() === name.toLowerCase()) set.delete(key);
      removed.add(name.toLowerCase());
    },
    getHeader: () => undefined,
  };
  const probe = { headers: {}, method: 'GET', url: '/', originalUrl: '/' } as unknown as IncomingMessage;
  void middleware(
    probe as Request,
    recorder as unknown as ServerResponse as Response,
    ((error?: unknown) => {
      if (error)
        throw error instanceof Error ? error : new Error('fixedHeaders: the middleware passed an error to next()');
      calledNext = true;
    }) as NextFunction,
  );
  if (!calledNext) throw new Error('fixedHeaders: the middleware did not call next() synchronously');
  const headers = [...set];
  const removals = [...removed];
  return (_req: Request, res: Response, next: NextFunction) => {
    for (const name of removals) res.removeHeader(name);
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}

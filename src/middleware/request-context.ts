import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Express, NextFunction, Request, Response } from 'express';
import { holdLogContext, runWithRequestId } from '../lib/logger';
import { UNMATCHED_ROUTE } from '../lib/metrics';

/**
 * Reads: their services never log (they call no gateway and change nothing), so their lines are the access line
 * and the error handler's, which name the request id themselves. Only the other methods need the log context.
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** An inbound X-Request-Id is kept when it is plain (letters, digits, `_.-`) and at most 128 characters. */
const SANE_REQUEST_ID = /^[\w.-]{1,128}$/;

/**
 * What the app keeps about a request while serving it, in one object of one shape. It hangs on res.locals
 * (a dictionary Express makes per request): a property added to a request or response object after Express
 * has swapped their prototypes leaves V8's fast path (a dictionary-mode object) and costs far more than one
 * on res.locals, and these fields are written several times per request.
 */
class RequestState {
  /** The route Express matched (its `req.route`), and its full template. */
  route: unknown = undefined;
  template: string | undefined = undefined;
  /** req.ip, worked out once (proxy-addr walks X-Forwarded-For on every read): the rate limit and the access line read it. */
  clientIp: string | undefined = undefined;
  constructor(
    readonly requestId: string | undefined,
    readonly startedAt: number,
  ) {}
}

const STATE = Symbol('requestState');
type Locals = Record<symbol, RequestState | undefined>;

function stateOf(req: Request): RequestState | undefined {
  return (req.res?.locals as Locals | undefined)?.[STATE];
}

/**
 * First middleware of the app: gives the request its id (the caller's, when sane, so one id follows a
 * request across services; else a new UUID), echoes it in X-Request-Id, notes when the request started
 * (for the access line and the latency histogram), and runs the rest of the request inside the log
 * context, so every line logged while serving it carries `requestId`. On Node 20 AsyncLocalStorage costs a
 * hook on every promise while it is in use, so the context is held only where it is read: not for reads
 * (SAFE_METHODS), and not at all with `logContext` false (logs are silent). See holdLogContext.
 */
export function requestContext(options: { logContext: boolean }) {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    (res.locals as Locals)[STATE] = new RequestState(requestId, performance.now());
    res.setHeader('X-Request-Id', requestId);
    if (!options.logContext || SAFE_METHODS.has(req.method)) return next();
    res.once('close', holdLogContext());
    runWithRequestId(requestId, next);
  };
}

export function requestIdOf(req: Request): string | undefined {
  return stateOf(req)?.requestId;
}

/** The client's address as TRUST_PROXY reads it (req.ip), read once per request. */
export function clientIp(req: Request): string | undefined {
  const state = stateOf(req);
  if (!state) return req.ip;
  return (state.clientIp ??= req.ip);
}

/** Milliseconds since requestContext saw the request. */
export function elapsedMs(req: Request): number {
  return performance.now() - (stateOf(req)?.startedAt ?? Number.NaN);
}

/**
 * Makes `routeTemplate(req)` work for this app's requests: an accessor on this app's request prototype
 * records the template when Express assigns `req.route` (twice per matched route; the second is skipped).
 * Two reasons for an accessor rather than reading `req.route` afterwards: the assignment lands in the request
 * state instead of adding a property to every request (see RequestState), and the template is taken while
 * `baseUrl` is still a mounted router's path (Express restores it when an error leaves the router, so the error
 * handler would read `/:id` instead of `/api/orders/:id`). The app mounts no router (full paths,
 * `baseUrl` empty); a mounted one would still be labelled right.
 */
export function recordRouteTemplates(app: Express) {
  Object.defineProperty(app.request, 'route', {
    configurable: true,
    enumerable: true,
    get(this: Request) {
      return stateOf(this)?.route;
    },
    set(this: Request, route: { path?: unknown } | undefined) {
      // Express made res.locals before routing; the state is there unless requestContext did not run.
      const locals = this.res!.locals as Locals;
      const state = (locals[STATE] ??= new RequestState(undefined, Number.NaN));
      if (state.route === route) return;
      state.route = route;
      if (route) state.template = joinTemplate(this.baseUrl, route.path);
    },
  });
}

/** The matched route's template (`/api/orders/:id`), or one shared label for requests no route matched. */
export function routeTemplate(req: Request): string {
  return stateOf(req)?.template ?? UNMATCHED_ROUTE;
}

function joinTemplate(baseUrl: string | undefined, path: unknown): string {
  const base = baseUrl ?? '';
  const own = typeof path === 'string' ? path : String(path);
  if (own === '/' && base !== '') return base;
  return base + own;
}

import express, { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Controllers } from '../controllers';
import { AppError } from '../lib/errors';
import { requireRole } from '../middleware/authenticate';
import type { AttemptLimits } from '../middleware/rate-limit';
import { requireDatabase } from '../middleware/require-database';
import { jsonBody } from '../middleware/require-json';
import { validate } from '../middleware/validate';
import { API_ROOT, resourceOf, traitsOf, type Access, type Guard, type Route, type RouteEntry } from './operation';

export interface RouterDeps {
  /** Run first for every request, in this order (request id, response observers, fixed headers, CORS). */
  before: RequestHandler[];
  controllers: Controllers;
  /** The `user` access rule; `admin` adds the role check after it. */
  authenticate: RequestHandler;
  /** The `metrics` access rule. Without it (no METRICS_TOKEN) the `metrics` routes are not served: 404. */
  metricsToken?: RequestHandler;
  /** The gateway answers 3-D Secure itself (simulated payments): the `onlyWith: 'simulatedAuthentication'` routes are served. */
  simulatedAuthentication?: boolean;
  limits: AttemptLimits;
  /** The guards the settings turn on; an operation's guard missing here is not served. */
  guards?: Partial<Record<Guard, RequestHandler>>;
  /** The per-client flood guard of the routes that are rate-limited. */
  rateLimit: RequestHandler;
  /** The database gate's question. Without it there is no gate. */
  isDatabaseAvailable?: () => boolean;
  jsonBodyLimit: string;
}

/** What runs for a request, in order, until one of them answers (or the app's 404 does). */
type Steps = readonly RequestHandler[];

interface PathEntry {
  /** The steps of each method the path takes; HEAD shares GET's, as Express routes it. */
  byMethod: Map<string, Steps>;
  /** Its methods, HEAD included, in declaration order: the Allow header. */
  allowed: string[];
  /** Gates, then 405 with Allow (204 for OPTIONS). */
  otherMethod: Steps;
}

/**
 * The app's whole routing, derived from the route table, as ONE handler: one layer of the app's router (every
 * layer Express walks costs path matching and bookkeeping on every request). No router is mounted (a mount cuts
 * and restores the URL on every request that passes it) and no gate tests a path per request: a request's method
 * and path are looked up once (a map for paths without parameters, else the templates) and what is found is the
 * list of steps worked out at start-up for that operation:
 *
 *   before (request id, observers, security headers, CORS) → no-store (private resource) → database gate →
 *   flood guard → body (JSON; raw bytes for the webhook) → the operation's own route: its path matched
 *   (parameters decoded: broken percent-encoding is a 400 MALFORMED_URL here, before anything reads them),
 *   access rule, guards the settings turn on, attempt limits before validation, validation, attempt limits after it, the handler.
 *
 * A known path with a method it does not take passes the API root's gates, then answers 405 with Allow (204 for
 * OPTIONS). An unknown path passes the same gates and the JSON body check and falls through to the app's 404.
 */
export function createRouter(table: readonly RouteEntry[], deps: RouterDeps): RequestHandler & { stack: unknown[] } {
  const served = table.filter(
    (route) =>
      (route.access !== 'metrics' || deps.metricsToken) &&
      (route.onlyWith !== 'simulatedAuthentication' || deps.simulatedAuthentication),
  );
  checkTable(served);

  const privateResources = [
    ...new Set(served.filter((route) => traitsOf(route).private).map((route) => resourceOf(route.path))),
  ];
  const isPrivate = prefixPattern(privateResources);
  const isUnderApiRoot = prefixPattern([API_ROOT]);
  const databaseGate = deps.isDatabaseAvailable && requireDatabase(deps.isDatabaseAvailable);
  const json = jsonBody(deps.jsonBodyLimit);
  const raw = express.raw({ type: () => true, limit: deps.jsonBodyLimit });
  const leadingSteps = (privatePath: boolean, usesDatabase: boolean, rateLimited: boolean): RequestHandler[] => [
    ...deps.before,
    ...(privatePath ? [noStore] : []),
    ...(usesDatabase && databaseGate ? [databaseGate] : []),
    ...(rateLimited ? [deps.rateLimit] : []),
  ];
  // What a path no operation takes (or a method it does not) gets: the API root's gates.
  const rootGates = (path: string) =>
    leadingSteps(isPrivate.test(path), isUnderApiRoot.test(path), isUnderApiRoot.test(path));
  const accessRule: Record<Access, RequestHandler[]> = {
    public: [],
    user: [deps.authenticate],
    admin: [deps.authenticate, requireRole('admin')],
    metrics: deps.metricsToken ? [deps.metricsToken] : [],
  };

  const routers: Router[] = [];
  const stepsOf = (route: Route): Steps => {
    const traits = traitsOf(route);
    const router = Router();
    router[route.method](
      expressPath(route.path),
      ...accessRule[route.access],
      ...(route.guards ?? []).flatMap((name) => deps.guards?.[name] ?? []),
      ...(route.limits?.beforeValidation ?? []).map((name) => deps.limits[name]),
      ...(route.request && !route.rawBody ? [validate(route.request)] : []),
      ...(route.limits?.afterValidation ?? []).map((name) => deps.limits[name]),
      route.handler(deps.controllers),
    );
    routers.push(router);
    return [
      ...leadingSteps(isPrivate.test(route.path), traits.usesDatabase, traits.rateLimited),
      route.rawBody ? raw : json,
      router,
    ];
  };

  const entries = new Map<string, PathEntry>();
  for (const route of served) {
    let entry = entries.get(route.path);
    if (!entry) entries.set(route.path, (entry = { byMethod: new Map(), allowed: [], otherMethod: [] }));
    const steps = stepsOf(route);
    const method = route.method.toUpperCase();
    entry.byMethod.set(method, steps);
    entry.allowed.push(method);
    if (method === 'GET') entry.byMethod.set('HEAD', steps);
  }
  for (const [path, entry] of entries) {
    if (entry.byMethod.has('HEAD')) entry.allowed.push('HEAD');
    entry.otherMethod = [...rootGates(path), methodNotAllowed(entry.allowed)];
  }
  // A path without parameters is one map lookup, and wins over a template that also matches it (as in OpenAPI).
  const exact = new Map(
    [...entries].filter(([path]) => !path.includes('{')).map(([path, entry]) => [path.toLowerCase(), entry]),
  );
  const templates = [...entries]
    .filter(([path]) => path.includes('{'))
    .map(([path, entry]) => ({ pattern: templatePattern(path), entry }));
  const unknownPath = new Map<string, Steps>();

  const stepsFor = (method: string, path: string): Steps => {
    const bare = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    const own = exact.get(bare) ?? exact.get(bare.toLowerCase());
    if (own) return own.byMethod.get(method) ?? own.otherMethod;
    let matched: PathEntry | undefined;
    let several = false;
    for (const { pattern, entry } of templates) {
      if (!pattern.test(path)) continue;
      const steps = entry.byMethod.get(method);
      if (steps) return steps;
      several = matched !== undefined;
      matched ??= entry;
    }
    if (several) {
      const allowed = new Set(
        templates.filter(({ pattern }) => pattern.test(path)).flatMap(({ entry }) => entry.allowed),
      );
      allowed.delete('HEAD');
      if (allowed.has('GET')) allowed.add('HEAD');
      return [...rootGates(path), methodNotAllowed([...allowed])];
    }
    if (matched) return matched.otherMethod;
    // Four kinds at most (private or not, under the API root or not): worked out once each.
    const kind = `${isPrivate.test(path)} ${isUnderApiRoot.test(path)}`;
    let steps = unknownPath.get(kind);
    if (!steps) unknownPath.set(kind, (steps = [...rootGates(path), json]));
    return steps;
  };

  const route = (req: Request, res: Response, next: NextFunction) =>
    run(stepsFor(req.method, req.path), req, res, next);
  // The routes stay visible to whoever walks the app's router stack (the OpenAPI test lists them so).
  return Object.assign(route, { stack: routers.flatMap((router) => router.stack as unknown[]) });
}

/**
 * Runs the steps one after another within the one layer. An error (thrown, a rejected promise, or passed to
 * next) leaves them for Express's error handling, as it would leave separate layers.
 */
function run(steps: Steps, req: Request, res: Response, done: NextFunction) {
  let index = 0;
  const step = (error?: unknown) => {
    if (error !== undefined && error !== null) return done(error);
    const handler = steps[index++];
    if (!handler) return done();
    try {
      const result: unknown = handler(req, res, step);
      if (result instanceof Promise)
        result.then(undefined, (rejection: unknown) => step(rejection ?? new Error('Rejected promise')));
    } catch (thrown) {
      step(thrown);
    }
  };
  step();
}

/** Answers of a private resource (tokens, client secrets, personal data): no browser or shared cache may keep them. */
function noStore(_req: Request, res: Response, next: NextFunction) {
  res.setHeader('Cache-Control', 'no-store');
  next();
}

/**
 * A method the path does not take: 405 with Allow (RFC 9110) instead of reaching a route it was not meant for
 * (GET /api/orders/create would otherwise be read as GET /api/orders/:id) or the 404 of an unknown path;
 * OPTIONS: 204 with Allow. CORS preflights never get here: the cors middleware answers them first.
 */
function methodNotAllowed(allowed: string[]): RequestHandler {
  const list = allowed.join(', ');
  return (req, res) => {
    res.set('Allow', list);
    if (req.method === 'OPTIONS') return void res.status(204).end();
    throw new AppError('METHOD_NOT_ALLOWED', `${req.method} is not allowed here; allowed: ${list}`, 405);
  };
}

/** Paths at or below any of `prefixes`, matched as mount paths are: case-insensitive, the prefix itself or below it. */
function prefixPattern(prefixes: readonly string[]): RegExp {
  if (prefixes.length === 0) return /$^/;
  const escaped = prefixes.map((prefix) => prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^(?:${escaped.join('|')})(?:/|$)`, 'i');
}

/** Like Express's default routing: case-insensitive, an optional trailing slash, `{id}` one segment. */
function templatePattern(path: string): RegExp {
  const escaped = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+');
  return new RegExp(`^${escaped}/?$`, 'i');
}

/** `/api/orders/{id}` → `/api/orders/:id`. */
function expressPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

/** A table the router cannot serve as written fails at start-up, not on some later request. */
function checkTable(routes: readonly Route[]) {
  const seen = new Set<string>();
  for (const { method, path } of routes) {
    const key = `${method.toUpperCase()} ${path}`;
    if (seen.has(key)) throw new Error(`${key} is declared twice in the route table`);
    seen.add(key);
    if (!path.startsWith('/') || !/^[\w\-./{}]+$/.test(path))
      throw new Error(`${key}: a path is literal segments and {parameters}`);
    if (resourceOf(path).includes('{'))
      throw new Error(`${key}: its first two segments name its resource and cannot be parameters`);
  }
}

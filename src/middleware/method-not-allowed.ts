import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../lib/errors';

/**
 * For a path the API has: OPTIONS answers 204 with an Allow header, and a method the path does not take
 * answers 405 with Allow (RFC 9110) instead of reaching a route it was not meant for (GET /api/orders/create
 * would otherwise be read as GET /api/orders/:id) or the 404 of an unknown path. As in OpenAPI, a path
 * without parameters wins over a template that also matches it. `routes` are the documented operations
 * (OpenAPI `{param}` paths), which the OpenAPI test holds equal to the routes the app registers. CORS
 * preflights never get here: the cors middleware answers them first.
 */
export function methodNotAllowed(routes: ReadonlyArray<{ method: string; path: string }>) {
  const paths = new Map<string, { pattern: RegExp; templated: boolean; methods: Set<string> }>();
  for (const { method, path } of routes) {
    const entry = paths.get(path) ?? { pattern: templatePattern(path), templated: path.includes('{'), methods: new Set<string>() };
    entry.methods.add(method.toUpperCase());
    paths.set(path, entry);
  }
  const withHead = (methods: Set<string>) => (methods.has('GET') ? new Set([...methods, 'HEAD']) : methods);
  // Worked out once, not per request: a path without parameters is one map lookup (its own methods win),
  // any other is tested against the templates only.
  const exact = new Map([...paths].filter(([, entry]) => !entry.templated).map(([path, entry]) => [path.toLowerCase(), withHead(entry.methods)]));
  const templates = [...paths.values()].filter((entry) => entry.templated);
  const allowedFor = (requestPath: string): Set<string> => {
    const bare = requestPath.length > 1 && requestPath.endsWith('/') ? requestPath.slice(0, -1) : requestPath;
    const own = exact.get(bare) ?? exact.get(bare.toLowerCase());
    if (own) return own;
    const allowed = new Set<string>();
    for (const { pattern, methods } of templates) if (pattern.test(requestPath)) for (const method of methods) allowed.add(method);
    return withHead(allowed);
  };
  return (req: Request, res: Response, next: NextFunction) => {
    const allowed = allowedFor(req.path);
    if (allowed.size === 0 || allowed.has(req.method)) return next();
    const list = [...allowed].join(', ');
    res.set('Allow', list);
    if (req.method === 'OPTIONS') return void res.status(204).end();
    throw new AppError('METHOD_NOT_ALLOWED', `${req.method} is not allowed here; allowed: ${list}`, 405);
  };
}

/** Like Express's default routing: case-insensitive, an optional trailing slash, `{id}` one segment. */
function templatePattern(path: string): RegExp {
  const escaped = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+');
  return new RegExp(`^${escaped}/?$`, 'i');
}

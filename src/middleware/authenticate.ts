import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { Forbidden, Unauthorized } from '../lib/errors';
import type { Role } from '../models/user.model';
import type { AuthService, PublicUser } from '../services/auth.service';

const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-_.]+)[ \t]*$/i;

/** Only the Authorization header is read: no cookies, no query-string tokens. */
export function authenticate(auth: AuthService) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization');
    if (!header) throw new Unauthorized('Authentication required: send Authorization: Bearer <token>');
    const token = BEARER.exec(header)?.[1];
    if (!token) throw new Unauthorized('Authorization header must be "Bearer <token>"', 'INVALID_TOKEN');
    const { user, sessionId } = await auth.userForToken(token);
    res.locals.user = user;
    res.locals.sessionId = sessionId;
    next();
  };
}

export function requireRole(role: Role) {
  return (_req: Request, res: Response, next: NextFunction) => {
    if (currentUser(res).role !== role) throw new Forbidden(`This action requires the ${role} role`);
    next();
  };
}

export function currentUser(res: Response): PublicUser {
  const user = res.locals.user as PublicUser | undefined;
  if (!user) throw new Unauthorized();
  return user;
}

/** The session the request's token belongs to (set by authenticate with the user). */
export function currentSessionId(res: Response): string {
  const sessionId = res.locals.sessionId as string | undefined;
  if (!sessionId) throw new Unauthorized();
  return sessionId;
}

/**
 * The `metrics` access rule: `Authorization: Bearer <METRICS_TOKEN>`. Compares digests of the presented and expected tokens with timingSafeEqual:
 * equal lengths whatever was sent, and the time taken says nothing about how much of the token was right.
 */
export function requireMetricsToken(token: string) {
  const expected = digest(token);
  return (req: Request, res: Response, next: NextFunction) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      res.set('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new Unauthorized('A valid metrics token is required', 'INVALID_METRICS_TOKEN');
    }
    next();
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

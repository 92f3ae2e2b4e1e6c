import type { NextFunction, Request, Response } from 'express';
import { ipKeyGenerator, rateLimit, type Options, type Store } from 'express-rate-limit';
import type { RateLimit } from '../config/env';
import { TooManyRequests } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { createAttemptCounter } from '../services/attempt-counter.service';
import { clientIp } from './request-context';

const TOO_MANY_ATTEMPTS = 'Too many attempts, please try again later';

/**
 * Common settings: IETF RateLimit headers and Retry-After, the one error body (429 RATE_LIMITED), and
 * express-rate-limit's own reports (a failed give-back, a misconfiguration such as X-Forwarded-For without
 * TRUST_PROXY) in our log, as warnings: a client's headers can trigger some of them.
 */
function limiter(limit: RateLimit, message: string | undefined, logger: Logger, extra: Partial<Options>) {
  const report = (error: unknown, text?: string) =>
    logger.warn(text ?? 'rate limiter', { error: error instanceof Error ? error.message : String(error) });
  return rateLimit({
    windowMs: limit.windowMs,
    limit: limit.max,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req: Request, _res: Response, next: NextFunction) => next(new TooManyRequests(message)),
    logger: { error: report, warn: report },
    ...extra,
  });
}

/**
 * Per-client (req.ip, so TRUST_PROXY decides how it is read) fixed-window limit kept in this process's
 * memory: a flood guard for all of /api. With several instances each counts on its own, which is fine for
 * a limit this generous. It runs on every request, so it is written out here, synchronous: the same
 * windows as express-rate-limit's memory store (a client's window starts at its first request; clients
 * idle for a whole window are dropped), the same RateLimit-Policy / RateLimit (draft 7) and Retry-After
 * headers and the same 429, without the library's chain of promises per request (each promise also pays the
 * async-context hooks while request logging is on).
 */
export function limitRequests(limit: RateLimit) {
  const policy = `${limit.max};w=${Math.ceil(limit.windowMs / 1000)}`;
  let current = new Map<string, { hits: number; resetAt: number }>();
  let previous = new Map<string, { hits: number; resetAt: number }>();
  const rotate = setInterval(() => {
    previous = current;
    current = new Map();
  }, limit.windowMs);
  rotate.unref();
  return (req: Request, res: Response, next: NextFunction) => {
    const key = clientKey(req);
    const now = Date.now();
    let client = current.get(key);
    if (!client) {
      client = previous.get(key) ?? { hits: 0, resetAt: now + limit.windowMs };
      previous.delete(key);
      current.set(key, client);
    }
    if (client.resetAt <= now) {
      client.hits = 0;
      client.resetAt = now + limit.windowMs;
    }
    client.hits += 1;
    const resetSeconds = Math.max(0, Math.ceil((client.resetAt - now) / 1000));
    if (!res.headersSent) {
      res.setHeader('RateLimit-Policy', policy);
      res.setHeader(
        'RateLimit',
        `limit=${limit.max}, remaining=${Math.max(limit.max - client.hits, 0)}, reset=${resetSeconds}`,
      );
    }
    if (client.hits <= limit.max) return next();
    if (!res.headersSent) res.setHeader('Retry-After', String(resetSeconds));
    next(new TooManyRequests());
  };
}

const DOTTED_IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * The client's key as express-rate-limit's ipKeyGenerator makes it (an IPv4 address as it is, an IPv6 client
 * by its /56 network), without parsing IPv6 text for what is IPv4 underneath: a server listening on `::`
 * sees IPv4 clients as `::ffff:a.b.c.d`, and parsing that text on every request is a visible share of its CPU.
 */
function clientKey(req: Request): string {
  const ip = clientIp(req) ?? '';
  if (!ip.includes(':')) return ip;
  const mapped = ip.startsWith('::ffff:') ? ip.slice(7) : undefined;
  if (mapped && DOTTED_IPV4.test(mapped)) return mapped;
  return ipKeyGenerator(ip, 56);
}

/**
 * express-rate-limit's Store over the MongoDB attempt counters (src/services/attempt-counter.service.ts).
 * Our own because the maintained MongoDB store, rate-limit-mongo, brings the 3.x driver: a second client
 * and connection pool beside Mongoose 9's driver 7, and no way to use Mongoose's connection.
 */
function mongoStore(name: string, limit: RateLimit, logger: Logger): Store {
  const counter = createAttemptCounter({ name, windowMs: limit.windowMs, limit: limit.max });
  return {
    localKeys: false,
    prefix: name,
    async increment(key) {
      const { hits, resetAt } = await counter.hit(key);
      return { totalHits: hits, resetTime: resetAt };
    },
    async decrement(key) {
      await counter
        .giveBack(key)
        .catch((error: unknown) =>
          logger.warn('could not give back a rate-limit attempt', { limiter: name, error: String(error) }),
        );
    },
    async resetKey(key) {
      await counter.reset(key);
    },
    async get(key) {
      const window = await counter.current(key);
      return window && { totalHits: window.hits, resetTime: window.resetAt };
    },
  };
}

/**
 * The login and registration limits, counted in MongoDB so that every instance on the database shares
 * them. A database error fails the request (503 through the error handler), never lets it through unlimited.
 */
export function authLimits(
  limits: { loginPerAccount: RateLimit; loginPerAddress: RateLimit; registration: RateLimit },
  logger: Logger,
) {
  return {
    /**
     * Failed logins per client address. Every attempt is counted before the password is checked, so
     * concurrent attempts cannot slip past; a successful login gives its attempt back.
     */
    loginPerAddress: limiter(limits.loginPerAddress, TOO_MANY_ATTEMPTS, logger, {
      store: mongoStore('login-address', limits.loginPerAddress, logger),
      skipSuccessfulRequests: true,
    }),
    /**
     * Failed logins per account, keyed by the validated (trimmed, lower-cased) email whether or not an
     * account has it, so the 429 says nothing about which accounts exist. Runs after validation.
     */
    loginPerAccount: limiter(limits.loginPerAccount, TOO_MANY_ATTEMPTS, logger, {
      store: mongoStore('login-account', limits.loginPerAccount, logger),
      skipSuccessfulRequests: true,
      keyGenerator: (_req, res) => (res.locals.parsed as { body: { email: string } }).body.email,
    }),
    /** Registrations per client address, successful or not. */
    registration: limiter(limits.registration, TOO_MANY_ATTEMPTS, logger, {
      store: mongoStore('registration-address', limits.registration, logger),
    }),
  };
}

export type AuthLimits = ReturnType<typeof authLimits>;

/**
 * The account limits, counted in MongoDB like the login limits. The per-account password-reset limit is keyed
 * by the validated email whether or not an account has it (so a 429 says nothing about which accounts exist);
 * the password change counts its failures in the same per-account budget as failed logins (a stolen access
 * token must not become a way to guess the password), keyed by the account's email.
 */
export function accountLimits(
  limits: {
    passwordForgotPerAccount: RateLimit;
    passwordForgotPerAddress: RateLimit;
    verificationMail: RateLimit;
    loginPerAccount: RateLimit;
  },
  logger: Logger,
) {
  const accountOf = (res: Response) => (res.locals.user as { id: string; email: string }).email;
  return {
    passwordForgotPerAddress: limiter(limits.passwordForgotPerAddress, TOO_MANY_ATTEMPTS, logger, {
      store: mongoStore('password-forgot-address', limits.passwordForgotPerAddress, logger),
    }),
    passwordForgotPerAccount: limiter(limits.passwordForgotPerAccount, TOO_MANY_ATTEMPTS, logger, {
      store: mongoStore('password-forgot-account', limits.passwordForgotPerAccount, logger),
      keyGenerator: (_req, res) => (res.locals.parsed as { body: { email: string } }).body.email,
    }),
    verificationMail: limiter(limits.verificationMail, TOO_MANY_ATTEMPTS, logger, {
      store: mongoStore('verification-mail', limits.verificationMail, logger),
      keyGenerator: (_req, res) => (res.locals.user as { id: string }).id,
    }),
    passwordChange: limiter(limits.loginPerAccount, TOO_MANY_ATTEMPTS, logger, {
      store: mongoStore('login-account', limits.loginPerAccount, logger),
      skipSuccessfulRequests: true,
      keyGenerator: (_req, res) => accountOf(res),
    }),
  };
}

export type AccountLimits = ReturnType<typeof accountLimits>;

/** Every attempt limit an operation of the route table may name. */
export type AttemptLimits = AuthLimits & AccountLimits;

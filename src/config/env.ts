import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { config as loadDotenv } from 'dotenv';
import { z } from 'zod';
import { parseDurationMs } from '../lib/duration';
import { FAULT_POINTS, type FaultPoint } from '../lib/fault-points';
import { LOG_LEVELS, type LogLevel } from '../lib/logger';
import { passwordProblem } from '../lib/password';

/**
 * The only reader of process.env. Every setting, its default and its rules live here; the README and
 * .env.example list the same variables. Parsed once at boot: a bad value stops the process with every
 * problem in one message.
 */

const optionalText = z.string().trim().min(1).optional();
const int = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);
const durationMs = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDurationMs(text);
      if (ms === undefined || ms < 1000) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be milliseconds (86400000) or a duration like 15m, 12h, 1d; at least 1s',
        });
        return z.NEVER;
      }
      return ms;
    });

const optionalDurationMs = () =>
  z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return undefined;
      const ms = parseDurationMs(text);
      if (ms === undefined || ms < 1000) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be milliseconds (900000) or a duration like 15m, 12h, 1d; at least 1s',
        });
        return z.NEVER;
      }
      return ms;
    });

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(0, 65_535, 3000),
  LOG_LEVEL: z.enum(LOG_LEVELS).optional(),
  REQUEST_LOG: z.enum(['on', 'off']).optional(),
  METRICS_TOKEN: z.string().trim().min(16, 'must be at least 16 characters (it guards /metrics)').optional(),

  MONGOOSE_CONNECTION_STRING: optionalText.refine(
    (uri) => uri === undefined || /^mongodb(\+srv)?:\/\//.test(uri),
    'must be a mongodb:// or mongodb+srv:// connection string',
  ),
  DEV_MONGO_DATA_DIR: z.string().default('.data/mongo'),
  // Fail fast while the database is unreachable (503 in about 2 s), notice its return quickly.
  MONGO_SERVER_SELECTION_TIMEOUT_MS: int(100, 120_000, 2_000),
  MONGO_HEARTBEAT_FREQUENCY_MS: int(500, 60_000, 2_000),
  MONGO_CONNECT_TIMEOUT_MS: int(100, 120_000, 3_000),
  MONGO_SOCKET_TIMEOUT_MS: int(0, 600_000, 5_000),
  MONGO_STARTUP_TIMEOUT_MS: int(0, 600_000, 30_000),

  JWT_SECRET: optionalText,
  JWT_EXPIRY: durationMs('1d'),
  // Unset: JWT_EXPIRY, so a deployment that never heard of refresh tokens keeps its access tokens' lifetime.
  ACCESS_TOKEN_EXPIRY: optionalDurationMs(),
  REFRESH_TOKEN_EXPIRY: durationMs('30d'),
  SESSIONS_MAX_PER_USER: int(1, 1000, 10),
  PASSWORD_RESET_TOKEN_EXPIRY: durationMs('30m'),
  EMAIL_VERIFICATION_TOKEN_EXPIRY: durationMs('2d'),
  REQUIRE_VERIFIED_EMAIL_TO_ORDER: z.enum(['on', 'off']).default('off'),
  BCRYPT_COST: int(4, 15, 10),
  PASSWORD_HASH_THREADS: int(0, 64, availableParallelism()),

  ADMIN_EMAIL: optionalText,
  ADMIN_PASSWORD: optionalText,
  ADMIN_NAME: z.string().trim().min(1).max(100).default('Administrator'),

  CORS_ORIGINS: z.string().default(''),
  TRUST_PROXY: z.string().trim().default('false'),
  JSON_BODY_LIMIT: z
    .string()
    .trim()
    .regex(/^\d+(b|kb|mb)?$/i, 'must be a size like 100kb')
    .default('100kb'),
  REQUEST_TIMEOUT_MS: int(1000, 600_000, 30_000),
  SHUTDOWN_TIMEOUT_MS: int(0, 120_000, 10_000),
  SHUTDOWN_IDLE_GRACE_MS: int(0, 60_000, 1_000),

  LOGIN_ACCOUNT_RATE_LIMIT_MAX: int(1, 1_000_000, 10),
  LOGIN_ACCOUNT_RATE_LIMIT_WINDOW_SECONDS: int(1, 86_400, 900),
  LOGIN_ADDRESS_RATE_LIMIT_MAX: int(1, 1_000_000, 100),
  LOGIN_ADDRESS_RATE_LIMIT_WINDOW_SECONDS: int(1, 86_400, 900),
  REGISTRATION_RATE_LIMIT_MAX: int(1, 1_000_000, 20),
  REGISTRATION_RATE_LIMIT_WINDOW_SECONDS: int(1, 86_400, 900),
  PASSWORD_FORGOT_ACCOUNT_RATE_LIMIT_MAX: int(1, 1_000_000, 3),
  PASSWORD_FORGOT_ACCOUNT_RATE_LIMIT_WINDOW_SECONDS: int(1, 86_400, 3600),
  PASSWORD_FORGOT_ADDRESS_RATE_LIMIT_MAX: int(1, 1_000_000, 20),
  PASSWORD_FORGOT_ADDRESS_RATE_LIMIT_WINDOW_SECONDS: int(1, 86_400, 3600),
  VERIFICATION_MAIL_RATE_LIMIT_MAX: int(1, 1_000_000, 3),
  VERIFICATION_MAIL_RATE_LIMIT_WINDOW_SECONDS: int(1, 86_400, 3600),
  API_RATE_LIMIT_WINDOW_SECONDS: int(1, 86_400, 60),
  API_RATE_LIMIT_MAX: int(1, 1_000_000, 300),

  STRIPE_SECRET_KEY: optionalText.refine(
    (key) => key === undefined || /^(sk|rk)_(test|live)_\w+$/.test(key),
    'must be a Stripe secret key (sk_test_... or sk_live_...)',
  ),
  STRIPE_WEBHOOK_SECRET: optionalText.refine(
    (secret) => secret === undefined || /^whsec_\w+$/.test(secret),
    'must start with whsec_',
  ),
  // What the browser's Stripe.js is initialised with: public by design, it can only create tokens and confirm with client secrets.
  STRIPE_PUBLISHABLE_KEY: optionalText.refine(
    (key) => key === undefined || /^pk_(test|live)_\w+$/.test(key),
    'must be a Stripe publishable key (pk_test_... or pk_live_...)',
  ),
  STRIPE_API_HOST: optionalText,
  STRIPE_API_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
  STRIPE_API_PROTOCOL: z.enum(['http', 'https']).optional(),
  STRIPE_TIMEOUT_MS: int(500, 120_000, 10_000),
  STRIPE_MAX_NETWORK_RETRIES: int(0, 5, 1),
  // Unset: derived from the Stripe timeout and retries (see refundAttemptLeaseMs).
  REFUND_ATTEMPT_LEASE_MS: z.coerce.number().int().min(1000).max(3_600_000).optional(),
  REFUND_REFUSED_ATTEMPTS_KEPT: int(1, 1000, 10),
  SIMULATED_WEBHOOK_URL: z.url().optional(),
  SIMULATED_WEBHOOK_DELAY_MS: int(0, 60_000, 500),
  // Where the storefront loads Stripe.js from; its origin is what the page's Content-Security-Policy allows.
  STRIPE_JS_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://js.stripe.com/v3/' })
    .default('https://js.stripe.com/v3/'),
  STOREFRONT: z.enum(['on', 'off']).default('on'),

  PAYMENT_CAPTURE: z.enum(['automatic', 'manual']).default('automatic'),
  // Stripe cancels an uncaptured card payment 7 days after its intent was created; the expiry job voids it before.
  AUTHORIZATION_VOID_AFTER_HOURS: int(1, 167, 144),

  ORDER_PAYMENT_TIMEOUT_MINUTES: int(1, 7 * 24 * 60, 30),
  ORDER_CREATION_TIMEOUT_SECONDS: int(1, 3600, 60),
  ORDER_SWEEP_INTERVAL_SECONDS: int(1, 3600, 60),
  IDEMPOTENCY_KEY_TTL_HOURS: int(1, 24 * 30, 24),
  ORDER_STOCK_WAIT_MS: int(0, 60_000, 3000),
  ORDER_MAX_OPEN_PER_USER: int(1, 10_000, 10),
  ORDER_MAX_OPEN_UNITS_PER_USER: int(1, 100_000_000, 1000),

  SHOP_NAME: z.string().trim().min(1).max(100).default('Shop'),
  SHOP_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  SMTP_URL: optionalText.refine(
    (url) => url === undefined || /^smtps?:\/\/[^\s/]+/.test(url),
    'must be smtp://[user:password@]host[:port] or smtps://...',
  ),
  MAIL_FROM: optionalText,
  MAIL_DIR: z.string().default('.data/mail'),
  MAIL_POLL_INTERVAL_SECONDS: int(1, 3600, 5),
  MAIL_MAX_ATTEMPTS: int(1, 100, 8),
  MAIL_RETRY_BASE_SECONDS: int(1, 86_400, 30),
  MAIL_RETRY_MAX_SECONDS: int(1, 7 * 86_400, 3600),
  MAIL_SMTP_TIMEOUT_MS: int(500, 120_000, 10_000),
  MAIL_RETENTION_DAYS: int(1, 3650, 30),
  FAULT_CRASH_AT: z.enum(FAULT_POINTS).optional(),
});

type RawEnv = z.output<typeof schema>;

export interface Config {
  env: RawEnv['NODE_ENV'];
  port: number;
  logLevel: LogLevel;
  /** One access line per request. */
  requestLog: boolean;
  /** GET /metrics is served only when a token is set, and only to `Authorization: Bearer <token>`. */
  metrics: { token?: string };
  mongo: {
    uri?: string;
    devDataDir: string;
    /** How long an operation waits for a reachable server: the bound on a request's 503 during an outage. */
    serverSelectionTimeoutMs: number;
    /** How often the driver checks each server: how soon an outage, and the database's return, are noticed. */
    heartbeatFrequencyMs: number;
    connectTimeoutMs: number;
    /** A read that stalls this long (a silently dropped network) fails; 0 = never. */
    socketTimeoutMs: number;
    /** How long start-up keeps trying to reach the database before giving up. */
    startupTimeoutMs: number;
  };
  /** The access tokens (JWT): their secret and lifetime (ACCESS_TOKEN_EXPIRY, else JWT_EXPIRY). */
  jwt: { secret: string; expiresInSeconds: number };
  sessions: {
    /** A refresh token lasts this long after it is issued; each refresh issues a new one. */
    refreshTokenTtlMs: number;
    /** Live sessions per account: a login past it ends the account's oldest session. */
    maxPerUser: number;
  };
  accounts: {
    passwordResetTokenTtlMs: number;
    emailVerificationTokenTtlMs: number;
    requireVerifiedEmailToOrder: boolean;
    /** Counted in MongoDB, shared by every instance, like the login limits. */
    limits: {
      /** Password-reset requests per email address, whether or not an account has it. */
      passwordForgotPerAccount: RateLimit;
      /** Password-reset requests per client address. */
      passwordForgotPerAddress: RateLimit;
      /** Verification mails asked for per account. */
      verificationMail: RateLimit;
    };
  };
  mail: {
    shopName: string;
    /** Where the links in mails point: the shop's front end (the storefront this server serves, by default). */
    linkBase: string;
    from: string;
    /** Unset: no SMTP; each mail is written to `dir` (and, in development, to the log). */
    smtpUrl?: string;
    dir: string;
    pollIntervalMs: number;
    maxAttempts: number;
    retryBaseMs: number;
    retryMaxMs: number;
    smtpTimeoutMs: number;
    /** How long a sender holds a claimed mail: past it, another instance takes it over (see src/mail/worker.ts). */
    sendLeaseMs: number;
    retentionMs: number;
  };
  bcryptCost: number;
  /** Worker threads hashing passwords at the lowest OS priority (default: one per core); 0 = on the event loop. */
  passwordHashThreads: number;
  admin?: { email: string; password: string; name: string };
  cors: { origins: string[] };
  trustProxy: boolean | number | string;
  http: { jsonBodyLimit: string; requestTimeoutMs: number; shutdownTimeoutMs: number; shutdownIdleGraceMs: number };
  rateLimits: {
    /** Failed logins per email; counted in MongoDB, shared by every instance. */
    loginPerAccount: RateLimit;
    /** Failed logins per client address; in MongoDB. */
    loginPerAddress: RateLimit;
    /** Registrations per client address; in MongoDB. */
    registration: RateLimit;
    /** Every /api request per client address, in this process's memory (a flood guard). */
    api: RateLimit;
  };
  stripe: {
    secretKey?: string;
    /** For Stripe.js in the browser (GET /api/config); only with a secret key of the same mode. */
    publishableKey?: string;
    webhookSecret: string;
    /** Another Stripe-compatible server (localstripe, stripe-mock); unset means api.stripe.com. */
    api: { host?: string; port?: number; protocol?: 'http' | 'https' };
    timeoutMs: number;
    maxNetworkRetries: number;
  };
  /** The shop's own pages at / (src/storefront). */
  storefront: {
    enabled: boolean;
    /** Stripe.js, loaded by the pages in Stripe mode; its origin is allowed by their Content-Security-Policy. */
    stripeJsUrl: string;
  };
  /** Only for the simulated gateway (no STRIPE_SECRET_KEY): where and how soon it delivers its events. */
  simulated: { webhookUrl?: string; webhookDelayMs: number };
  refunds: {
    /**
     * How long one refund's gateway call may run: until then a retry with its Idempotency-Key is told to
     * wait and the expiry job leaves it alone; after it, either may send the request again (same gateway key).
     */
    attemptLeaseMs: number;
    /** Refund requests the gateway refused stay on their order, newest first, up to this many (with their notes). */
    refusedAttemptsKept: number;
  };
  payments: {
    /** `automatic`: a confirmed payment is captured at once; `manual`: only authorized, captured by an admin (or at fulfilment). */
    capture: 'automatic' | 'manual';
    /** How long after its order was placed an authorization the shop has not captured is voided (before Stripe lets it lapse). */
    authorizationVoidAfterMs: number;
  };
  orders: {
    paymentTimeoutMs: number;
    /**
     * How long creating an order may take at most (stock wait and gateway calls included): a creation whose
     * Idempotency-Key is older than this without a placed order was interrupted, and the key is free again.
     */
    creationTimeoutMs: number;
    sweepIntervalMs: number;
    idempotencyKeyTtlMs: number;
    stockWaitMs: number;
    /** Stock hoarding caps per account: open (unpaid) orders, and units in them. */
    maxOpenOrders: number;
    maxOpenUnits: number;
  };
  /** Tests only (refused in production): the fault point where the process kills itself (src/lib/fault-points.ts). */
  faults: { crashAt?: FaultPoint };
}

export interface RateLimit {
  windowMs: number;
  max: number;
}

export interface LoadedConfig {
  config: Config;
  /** Things a developer should know about (generated secrets, embedded database); logged at boot. */
  warnings: string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** `your_jwt_secret` and the like: values copied from an example file, never meant to sign anything. */
function isPlaceholderSecret(secret: string): boolean {
  return /^(your[_-]|change[_-]?me|replace[_-]?me|placeholder|example|secret$|jwt[_-]?secret$)/i.test(secret.trim());
}

/** Settings that are no longer read, and what replaced them: a deployment still setting one is told so. */
const RETIRED: Record<string, string> = {
  AUTH_RATE_LIMIT_MAX: 'LOGIN_ACCOUNT_RATE_LIMIT_MAX, LOGIN_ADDRESS_RATE_LIMIT_MAX and REGISTRATION_RATE_LIMIT_MAX',
  AUTH_RATE_LIMIT_WINDOW_SECONDS:
    'LOGIN_ACCOUNT_RATE_LIMIT_WINDOW_SECONDS, LOGIN_ADDRESS_RATE_LIMIT_WINDOW_SECONDS and REGISTRATION_RATE_LIMIT_WINDOW_SECONDS',
};

const REQUIRED_IN_PRODUCTION = [
  'MONGOOSE_CONNECTION_STRING',
  'JWT_SECRET',
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
] as const;
const MIN_PRODUCTION_JWT_SECRET = 32;

/** Pure: parses a set of variables (process.env in the server, a literal object in tests). */
export function parseConfig(source: Record<string, string | undefined>): LoadedConfig {
  // An empty variable means "not set", as it does in most deployment dashboards.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = schema.safeParse(cleaned);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  const production = cleaned.NODE_ENV === 'production';
  if (production) {
    for (const name of REQUIRED_IN_PRODUCTION) {
      if (!cleaned[name]) problems.push(`${name}: is required when NODE_ENV=production`);
    }
    const secret = cleaned.JWT_SECRET;
    if (secret && isPlaceholderSecret(secret)) {
      problems.push(
        'JWT_SECRET: is the placeholder from .env.example; set a long random value (e.g. `openssl rand -hex 32`)',
      );
    } else if (secret && secret.trim().length < MIN_PRODUCTION_JWT_SECRET) {
      problems.push(`JWT_SECRET: must be at least ${MIN_PRODUCTION_JWT_SECRET} characters when NODE_ENV=production`);
    }
    // A page allowed to run scripts from a plain-http origin can be given any script by whoever is on the network.
    if (cleaned.STRIPE_JS_URL?.trim().toLowerCase().startsWith('http:'))
      problems.push('STRIPE_JS_URL: must be https when NODE_ENV=production');
    // The pages take a card through Stripe.js (Elements, 3-D Secure), which needs the publishable key.
    const storefrontOn = (cleaned.STOREFRONT ?? 'on').trim() !== 'off';
    if (storefrontOn && !cleaned.STRIPE_PUBLISHABLE_KEY) {
      problems.push(
        'STRIPE_PUBLISHABLE_KEY: is required when NODE_ENV=production and the storefront is on (or set STOREFRONT=off)',
      );
    }
  }
  const publishableProblem = publishableKeyProblem(cleaned.STRIPE_SECRET_KEY, cleaned.STRIPE_PUBLISHABLE_KEY);
  if (publishableProblem) problems.push(publishableProblem);
  const { ADMIN_EMAIL: adminEmail, ADMIN_PASSWORD: adminPassword } = cleaned;
  if (Boolean(adminEmail) !== Boolean(adminPassword))
    problems.push('ADMIN_EMAIL and ADMIN_PASSWORD: set both or neither');
  if (adminEmail && !z.email().safeParse(adminEmail.trim().toLowerCase()).success) {
    problems.push('ADMIN_EMAIL: must be an email address');
  }
  const adminPasswordProblem = adminPassword ? passwordProblem(adminPassword) : undefined;
  if (adminPasswordProblem) problems.push(`ADMIN_PASSWORD: ${adminPasswordProblem}`);
  if (production && cleaned.FAULT_CRASH_AT)
    problems.push('FAULT_CRASH_AT: is for tests and is refused when NODE_ENV=production');
  if (parsed.success) {
    const {
      ORDER_CREATION_TIMEOUT_SECONDS: creation,
      ORDER_STOCK_WAIT_MS: stockWait,
      STRIPE_TIMEOUT_MS: timeout,
    } = parsed.data;
    const longestCreation = stockWait + timeout * (parsed.data.STRIPE_MAX_NETWORK_RETRIES + 1);
    if (creation * 1000 <= longestCreation) {
      problems.push(
        `ORDER_CREATION_TIMEOUT_SECONDS: must be longer than a creation can take (ORDER_STOCK_WAIT_MS + STRIPE_TIMEOUT_MS × (STRIPE_MAX_NETWORK_RETRIES + 1) = ${longestCreation} ms)`,
      );
    }
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const env = parsed.data;
  const warnings: string[] = [];
  for (const [name, replacement] of Object.entries(RETIRED)) {
    if (cleaned[name] !== undefined) warnings.push(`${name} is no longer read: use ${replacement}`);
  }

  let jwtSecret = env.JWT_SECRET;
  if (jwtSecret && isPlaceholderSecret(jwtSecret)) {
    warnings.push(
      'JWT_SECRET is the placeholder from .env.example: fine for development, refused in production (use `openssl rand -hex 32`)',
    );
  }
  if (!jwtSecret) {
    jwtSecret = randomBytes(32).toString('hex');
    warnings.push('JWT_SECRET is not set: using a random secret for this run (tokens stop working on restart)');
  }
  let webhookSecret = env.STRIPE_WEBHOOK_SECRET;
  if (!webhookSecret) {
    webhookSecret = `whsec_${randomBytes(24).toString('hex')}`;
    warnings.push(
      'STRIPE_WEBHOOK_SECRET is not set: using a random secret for this run (only simulated payments can be verified)',
    );
  }

  return {
    warnings,
    config: {
      env: env.NODE_ENV,
      port: env.PORT,
      logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info'),
      requestLog: (env.REQUEST_LOG ?? (env.NODE_ENV === 'test' ? 'off' : 'on')) === 'on',
      metrics: { token: env.METRICS_TOKEN },
      mongo: {
        uri: env.MONGOOSE_CONNECTION_STRING,
        devDataDir: env.DEV_MONGO_DATA_DIR,
        serverSelectionTimeoutMs: env.MONGO_SERVER_SELECTION_TIMEOUT_MS,
        heartbeatFrequencyMs: env.MONGO_HEARTBEAT_FREQUENCY_MS,
        connectTimeoutMs: env.MONGO_CONNECT_TIMEOUT_MS,
        socketTimeoutMs: env.MONGO_SOCKET_TIMEOUT_MS,
        startupTimeoutMs: env.MONGO_STARTUP_TIMEOUT_MS,
      },
      jwt: {
        secret: jwtSecret,
        expiresInSeconds: Math.max(1, Math.floor((env.ACCESS_TOKEN_EXPIRY ?? env.JWT_EXPIRY) / 1000)),
      },
      sessions: { refreshTokenTtlMs: env.REFRESH_TOKEN_EXPIRY, maxPerUser: env.SESSIONS_MAX_PER_USER },
      accounts: {
        passwordResetTokenTtlMs: env.PASSWORD_RESET_TOKEN_EXPIRY,
        emailVerificationTokenTtlMs: env.EMAIL_VERIFICATION_TOKEN_EXPIRY,
        requireVerifiedEmailToOrder: env.REQUIRE_VERIFIED_EMAIL_TO_ORDER === 'on',
        limits: {
          passwordForgotPerAccount: {
            windowMs: env.PASSWORD_FORGOT_ACCOUNT_RATE_LIMIT_WINDOW_SECONDS * 1000,
            max: env.PASSWORD_FORGOT_ACCOUNT_RATE_LIMIT_MAX,
          },
          passwordForgotPerAddress: {
            windowMs: env.PASSWORD_FORGOT_ADDRESS_RATE_LIMIT_WINDOW_SECONDS * 1000,
            max: env.PASSWORD_FORGOT_ADDRESS_RATE_LIMIT_MAX,
          },
          verificationMail: {
            windowMs: env.VERIFICATION_MAIL_RATE_LIMIT_WINDOW_SECONDS * 1000,
            max: env.VERIFICATION_MAIL_RATE_LIMIT_MAX,
          },
        },
      },
      mail: mailSettings(env),
      bcryptCost: env.BCRYPT_COST,
      passwordHashThreads: env.PASSWORD_HASH_THREADS,
      admin:
        env.ADMIN_EMAIL && env.ADMIN_PASSWORD
          ? { email: env.ADMIN_EMAIL.toLowerCase(), password: env.ADMIN_PASSWORD, name: env.ADMIN_NAME }
          : undefined,
      cors: {
        origins: env.CORS_ORIGINS.split(',')
          .map((o) => o.trim())
          .filter(Boolean),
      },
      trustProxy: parseTrustProxy(env.TRUST_PROXY),
      http: {
        jsonBodyLimit: env.JSON_BODY_LIMIT,
        requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
        shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
        shutdownIdleGraceMs: env.SHUTDOWN_IDLE_GRACE_MS,
      },
      rateLimits: {
        loginPerAccount: {
          windowMs: env.LOGIN_ACCOUNT_RATE_LIMIT_WINDOW_SECONDS * 1000,
          max: env.LOGIN_ACCOUNT_RATE_LIMIT_MAX,
        },
        loginPerAddress: {
          windowMs: env.LOGIN_ADDRESS_RATE_LIMIT_WINDOW_SECONDS * 1000,
          max: env.LOGIN_ADDRESS_RATE_LIMIT_MAX,
        },
        registration: {
          windowMs: env.REGISTRATION_RATE_LIMIT_WINDOW_SECONDS * 1000,
          max: env.REGISTRATION_RATE_LIMIT_MAX,
        },
        api: { windowMs: env.API_RATE_LIMIT_WINDOW_SECONDS * 1000, max: env.API_RATE_LIMIT_MAX },
      },
      stripe: {
        secretKey: env.STRIPE_SECRET_KEY,
        publishableKey: env.STRIPE_PUBLISHABLE_KEY,
        webhookSecret,
        api: { host: env.STRIPE_API_HOST, port: env.STRIPE_API_PORT, protocol: env.STRIPE_API_PROTOCOL },
        timeoutMs: env.STRIPE_TIMEOUT_MS,
        maxNetworkRetries: env.STRIPE_MAX_NETWORK_RETRIES,
      },
      storefront: { enabled: env.STOREFRONT === 'on', stripeJsUrl: env.STRIPE_JS_URL },
      simulated: { webhookUrl: env.SIMULATED_WEBHOOK_URL, webhookDelayMs: env.SIMULATED_WEBHOOK_DELAY_MS },
      refunds: {
        attemptLeaseMs:
          env.REFUND_ATTEMPT_LEASE_MS ?? refundAttemptLeaseMs(env.STRIPE_TIMEOUT_MS, env.STRIPE_MAX_NETWORK_RETRIES),
        refusedAttemptsKept: env.REFUND_REFUSED_ATTEMPTS_KEPT,
      },
      payments: {
        capture: env.PAYMENT_CAPTURE,
        authorizationVoidAfterMs: env.AUTHORIZATION_VOID_AFTER_HOURS * 3_600_000,
      },
      orders: {
        paymentTimeoutMs: env.ORDER_PAYMENT_TIMEOUT_MINUTES * 60_000,
        creationTimeoutMs: env.ORDER_CREATION_TIMEOUT_SECONDS * 1000,
        sweepIntervalMs: env.ORDER_SWEEP_INTERVAL_SECONDS * 1000,
        idempotencyKeyTtlMs: env.IDEMPOTENCY_KEY_TTL_HOURS * 3_600_000,
        stockWaitMs: env.ORDER_STOCK_WAIT_MS,
        maxOpenOrders: env.ORDER_MAX_OPEN_PER_USER,
        maxOpenUnits: env.ORDER_MAX_OPEN_UNITS_PER_USER,
      },
      faults: { crashAt: env.FAULT_CRASH_AT },
    },
  };
}

/** `test` or `live` from a Stripe key's prefix (sk_, rk_ or pk_); undefined for anything else. */
function keyMode(key: string | undefined): 'test' | 'live' | undefined {
  return /^(?:sk|rk|pk)_(test|live)_/.exec(key?.trim() ?? '')?.[1] as 'test' | 'live' | undefined;
}

/**
 * A publishable key belongs with a secret key of the same mode: Stripe.js with a live key cannot confirm a test-mode
 * intent (nor the reverse), and without a secret key there is no Stripe account to confirm against.
 */
function publishableKeyProblem(secretKey: string | undefined, publishableKey: string | undefined): string | undefined {
  const publishable = keyMode(publishableKey);
  if (!publishable) return undefined;
  if (!secretKey)
    return 'STRIPE_PUBLISHABLE_KEY: is set without STRIPE_SECRET_KEY; set both (from one Stripe account and mode) or neither';
  const secret = keyMode(secretKey);
  if (secret && secret !== publishable) {
    return `STRIPE_PUBLISHABLE_KEY: is a ${publishable} key and STRIPE_SECRET_KEY a ${secret} key; use both keys of one mode (Dashboard > Developers > API keys)`;
  }
  return undefined;
}

/**
 * The mail settings. One attempt to send is bounded by three SMTP timeouts (connecting, the envelope, the
 * message) and waits at most one more for the server's answer to the message; the lease a sender holds a mail
 * under outlasts all four, so it is taken over only from a sender that is gone.
 */
function mailSettings(env: RawEnv): Config['mail'] {
  const linkBase = env.SHOP_URL ?? `http://localhost:${env.PORT === 0 ? 3000 : env.PORT}/`;
  return {
    shopName: env.SHOP_NAME,
    linkBase: linkBase.endsWith('/') ? linkBase : `${linkBase}/`,
    from: env.MAIL_FROM ?? `"${env.SHOP_NAME.replace(/["\\\r\n]/g, '')}" <no-reply@${new URL(linkBase).hostname}>`,
    smtpUrl: env.SMTP_URL,
    dir: env.MAIL_DIR,
    pollIntervalMs: env.MAIL_POLL_INTERVAL_SECONDS * 1000,
    maxAttempts: env.MAIL_MAX_ATTEMPTS,
    retryBaseMs: env.MAIL_RETRY_BASE_SECONDS * 1000,
    retryMaxMs: Math.max(env.MAIL_RETRY_BASE_SECONDS, env.MAIL_RETRY_MAX_SECONDS) * 1000,
    smtpTimeoutMs: env.MAIL_SMTP_TIMEOUT_MS,
    sendLeaseMs: 4 * env.MAIL_SMTP_TIMEOUT_MS + 10_000,
    retentionMs: env.MAIL_RETENTION_DAYS * 86_400_000,
  };
}

/**
 * The longest one gateway call can take (the SDK's timeout for the first try and each retry) plus a margin
 * for recording its answer: a lease shorter than that would let a second sender call while the first still runs.
 */
export function refundAttemptLeaseMs(timeoutMs: number, maxNetworkRetries: number): number {
  return timeoutMs * (maxNetworkRetries + 1) + 5_000;
}

/** `true`/`false`, a hop count (`1` behind Render's proxy), or a comma list of trusted addresses/subnets. */
function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

/** Reads `.env` when present (silently otherwise), then process.env. */
export function loadConfig(): LoadedConfig {
  loadDotenv({ quiet: true });
  const persisted = developmentJwtSecret(process.env);
  if (!persisted) return parseConfig(process.env);
  const loaded = parseConfig({ ...process.env, JWT_SECRET: persisted.secret });
  loaded.warnings.unshift(
    `JWT_SECRET is not set: using the development secret kept in ${persisted.file} (tokens survive restarts; delete the file to revoke them all)`,
  );
  return loaded;
}

/**
 * In development with no JWT_SECRET, one random secret kept beside the development data (readable by its
 * owner only), so that `npm run dev` restarting on every save does not log everybody out. Never in
 * production or tests: there the variable is required, or each run gets a fresh secret.
 */
function developmentJwtSecret(
  source: Record<string, string | undefined>,
): { secret: string; file: string } | undefined {
  const env = source.NODE_ENV?.trim() || 'development';
  if (env !== 'development' || source.JWT_SECRET?.trim()) return undefined;
  const dataDir = path.dirname(source.DEV_MONGO_DATA_DIR?.trim() || '.data/mongo');
  const file = path.join(dataDir, 'dev-jwt-secret');
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return { secret: existing, file };
  } catch {
    // not created yet
  }
  const secret = randomBytes(32).toString('hex');
  try {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
    return { secret, file };
  } catch {
    return undefined; // a read-only checkout: fall back to a secret per run
  }
}

/**
 * For `npm run create-admin`: the config without the boot-time admin pair, plus ADMIN_EMAIL and
 * ADMIN_PASSWORD as given (either may be missing: the command takes the email as an argument and asks for
 * the password in a terminal).
 */
export function loadCliConfig(): LoadedConfig & { adminEmail?: string; adminPassword?: string } {
  loadDotenv({ quiet: true });
  const { ADMIN_EMAIL, ADMIN_PASSWORD, ...rest } = process.env;
  return {
    ...parseConfig(rest),
    adminEmail: ADMIN_EMAIL?.trim() || undefined,
    adminPassword: ADMIN_PASSWORD || undefined,
  };
}

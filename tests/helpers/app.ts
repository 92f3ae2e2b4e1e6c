import type { Express } from 'express';
import { createApp, type AppDeps } from '../../src/app';
import { isDatabaseReady } from '../../src/db';
import { parseConfig, type Config } from '../../src/config/env';
import { silentLogger } from '../../src/lib/logger';
import { createSimulatedGateway } from '../../src/payments/simulated.gateway';

export const TEST_JWT_SECRET = 'test-jwt-secret-that-is-long-enough-0123456789';

/** The config tests run with: cheap hashing and limits high enough not to get in the way. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return parseConfig({
    NODE_ENV: 'test',
    JWT_SECRET: TEST_JWT_SECRET,
    STRIPE_WEBHOOK_SECRET: 'whsec_test_secret',
    BCRYPT_COST: '4',
    LOGIN_ACCOUNT_RATE_LIMIT_MAX: '100000',
    LOGIN_ADDRESS_RATE_LIMIT_MAX: '100000',
    REGISTRATION_RATE_LIMIT_MAX: '100000',
    API_RATE_LIMIT_MAX: '100000',
    PASSWORD_FORGOT_ACCOUNT_RATE_LIMIT_MAX: '100000',
    PASSWORD_FORGOT_ADDRESS_RATE_LIMIT_MAX: '100000',
    VERIFICATION_MAIL_RATE_LIMIT_MAX: '100000',
    ...overrides,
  }).config;
}

/**
 * The app on the test database. Payments default to the simulated gateway with no webhook target:
 * tests deliver the events themselves, signed as Stripe signs them (see helpers/webhooks.ts).
 */
export function buildTestApp(options: { env?: Record<string, string>; deps?: Partial<AppDeps> } = {}): Express {
  const config = testConfig(options.env);
  const payments =
    options.deps?.payments ??
    createSimulatedGateway({
      webhookSecret: config.stripe.webhookSecret,
      webhookUrl: () => undefined,
      deliveryDelayMs: 0,
      logger: silentLogger,
    });
  return createApp({ config, logger: silentLogger, isDatabaseReady, ...options.deps, payments });
}

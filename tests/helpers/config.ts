import { ConfigError, parseConfig } from '../../src/config/env';

/** Everything NODE_ENV=production requires, with Stripe in test mode and the storefront on. */
export const productionEnv = {
  NODE_ENV: 'production',
  MONGOOSE_CONNECTION_STRING: 'mongodb://db.example.com/shop',
  JWT_SECRET: 'a-production-secret-that-is-long-enough-0123456789',
  STRIPE_SECRET_KEY: 'sk_test_123',
  STRIPE_PUBLISHABLE_KEY: 'pk_test_123',
  STRIPE_WEBHOOK_SECRET: 'whsec_123',
};

/** The lines start-up would stop with for `source` (the ConfigError's problems); none when it parses. */
export function problemsOf(source: Record<string, string>): string[] {
  try {
    parseConfig(source);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

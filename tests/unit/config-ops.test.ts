import { parseConfig } from '../../src/config/env';

describe('parseConfig: database bounds, shutdown and throttling', () => {
  it('when nothing is set, then the database fails fast, shutdown drains, and the login limits are 10 per account and 100 per address per 15 minutes', () => {
    const { config } = parseConfig({});

    expect(config.mongo).toMatchObject({
      serverSelectionTimeoutMs: 2000,
      heartbeatFrequencyMs: 2000,
      connectTimeoutMs: 3000,
      socketTimeoutMs: 5000,
      startupTimeoutMs: 30_000,
    });
    expect(config.http).toMatchObject({ shutdownTimeoutMs: 10_000, shutdownIdleGraceMs: 1000 });
    expect(config.rateLimits).toEqual({
      loginPerAccount: { max: 10, windowMs: 900_000 },
      loginPerAddress: { max: 100, windowMs: 900_000 },
      registration: { max: 20, windowMs: 900_000 },
      api: { max: 300, windowMs: 60_000 },
    });
  });

  it('when the limits are set, then each is read from its own variable', () => {
    const { config } = parseConfig({
      LOGIN_ACCOUNT_RATE_LIMIT_MAX: '5',
      LOGIN_ACCOUNT_RATE_LIMIT_WINDOW_SECONDS: '60',
      LOGIN_ADDRESS_RATE_LIMIT_MAX: '50',
      LOGIN_ADDRESS_RATE_LIMIT_WINDOW_SECONDS: '120',
      REGISTRATION_RATE_LIMIT_MAX: '3',
      REGISTRATION_RATE_LIMIT_WINDOW_SECONDS: '3600',
      MONGO_SERVER_SELECTION_TIMEOUT_MS: '500',
      MONGO_SOCKET_TIMEOUT_MS: '0',
    });

    expect(config.rateLimits.loginPerAccount).toEqual({ max: 5, windowMs: 60_000 });
    expect(config.rateLimits.loginPerAddress).toEqual({ max: 50, windowMs: 120_000 });
    expect(config.rateLimits.registration).toEqual({ max: 3, windowMs: 3_600_000 });
    expect(config.mongo).toMatchObject({ serverSelectionTimeoutMs: 500, socketTimeoutMs: 0 });
  });

  it('when the retired AUTH_RATE_LIMIT_* variables are still set, then start-up warns and names their replacements', () => {
    const { warnings } = parseConfig({ AUTH_RATE_LIMIT_MAX: '1000', AUTH_RATE_LIMIT_WINDOW_SECONDS: '60' });

    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^AUTH_RATE_LIMIT_MAX is no longer read: use LOGIN_ACCOUNT_RATE_LIMIT_MAX, LOGIN_ADDRESS_RATE_LIMIT_MAX and REGISTRATION_RATE_LIMIT_MAX/,
        ),
        expect.stringMatching(/^AUTH_RATE_LIMIT_WINDOW_SECONDS is no longer read/),
      ]),
    );
  });
});

describe('parseConfig: order creation deadline and fault points', () => {
  it('when nothing is set, then a creation has 60 s and no fault point is armed', () => {
    const { config } = parseConfig({});

    expect(config.orders.creationTimeoutMs).toBe(60_000);
    expect(config.faults).toEqual({ crashAt: undefined });
  });

  it('when the creation deadline is not longer than a creation can take, then start-up stops and says why', () => {
    expect(() =>
      parseConfig({ ORDER_CREATION_TIMEOUT_SECONDS: '20', ORDER_STOCK_WAIT_MS: '3000', STRIPE_TIMEOUT_MS: '10000' }),
    ).toThrow(/ORDER_CREATION_TIMEOUT_SECONDS: must be longer than a creation can take .* = 23000 ms/);
  });

  it('when a fault point is named in production, or an unknown one anywhere, then start-up stops', () => {
    const production = {
      NODE_ENV: 'production',
      MONGOOSE_CONNECTION_STRING: 'mongodb://db/shop',
      JWT_SECRET: 'x'.repeat(40),
    };
    expect(() =>
      parseConfig({
        ...production,
        STRIPE_SECRET_KEY: 'sk_test_abc',
        STRIPE_WEBHOOK_SECRET: 'whsec_abc',
        FAULT_CRASH_AT: 'order.after-insert',
      }),
    ).toThrow(/FAULT_CRASH_AT: is for tests and is refused when NODE_ENV=production/);
    expect(() => parseConfig({ FAULT_CRASH_AT: 'somewhere' })).toThrow(/FAULT_CRASH_AT/);
    expect(parseConfig({ FAULT_CRASH_AT: 'order.after-insert' }).config.faults.crashAt).toBe('order.after-insert');
  });
});

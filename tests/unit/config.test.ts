import { ConfigError, parseConfig } from '../../src/config/env';

const production = {
  NODE_ENV: 'production',
  MONGOOSE_CONNECTION_STRING: 'mongodb://db.example.com/shop',
  JWT_SECRET: 'x'.repeat(40),
  STRIPE_SECRET_KEY: 'sk_test_123',
  STRIPE_PUBLISHABLE_KEY: 'pk_test_123',
  STRIPE_WEBHOOK_SECRET: 'whsec_123',
};

function problemsOf(source: Record<string, string | undefined>): string[] {
  try {
    parseConfig(source);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('when nothing is set in development, then it uses the documented defaults and warns about generated secrets', () => {
    const { config, warnings } = parseConfig({});

    expect(config).toMatchObject({
      env: 'development',
      port: 3000,
      bcryptCost: 10,
      jwt: { expiresInSeconds: 86_400 },
      http: { jsonBodyLimit: '100kb' },
      cors: { origins: [] },
      trustProxy: false,
    });
    expect(config.jwt.secret).toHaveLength(64);
    expect(warnings.join('\n')).toMatch(/JWT_SECRET is not set/);
    expect(warnings.join('\n')).toMatch(/STRIPE_WEBHOOK_SECRET is not set/);
  });

  it.each([
    ['86400000', 86_400],
    ['1d', 86_400],
    ['3600s', 3_600],
    ['15m', 900],
    ['12h', 43_200],
    ['90000ms', 90],
  ])('when JWT_EXPIRY is %s, then tokens last %i seconds', (value, seconds) => {
    expect(parseConfig({ JWT_EXPIRY: value }).config.jwt.expiresInSeconds).toBe(seconds);
  });

  it.each([['tomorrow'], ['-5'], ['10'], ['1w']])('when JWT_EXPIRY is %s, then it is refused', (value) => {
    expect(problemsOf({ JWT_EXPIRY: value })).toEqual([expect.stringMatching(/^JWT_EXPIRY: /)]);
  });

  it('when production lacks every secret, then one error names each missing variable', () => {
    const problems = problemsOf({ NODE_ENV: 'production', PORT: 'eighty' });

    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT: /),
        'MONGOOSE_CONNECTION_STRING: is required when NODE_ENV=production',
        'JWT_SECRET: is required when NODE_ENV=production',
        'STRIPE_SECRET_KEY: is required when NODE_ENV=production',
        'STRIPE_WEBHOOK_SECRET: is required when NODE_ENV=production',
        'STRIPE_PUBLISHABLE_KEY: is required when NODE_ENV=production and the storefront is on (or set STOREFRONT=off)',
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  it('when production has a short JWT secret, then it is refused', () => {
    expect(problemsOf({ ...production, JWT_SECRET: 'short' })).toEqual([
      expect.stringMatching(/JWT_SECRET: must be at least 32/),
    ]);
  });

  it('when production has everything, then it parses without warnings and logs JSON-ready settings', () => {
    const { config, warnings } = parseConfig({
      ...production,
      TRUST_PROXY: '1',
      CORS_ORIGINS: 'https://a.example, https://b.example',
    });

    expect(warnings).toEqual([]);
    expect(config).toMatchObject({ env: 'production', trustProxy: 1, requestLog: true, logLevel: 'info' });
    expect(config.cors.origins).toEqual(['https://a.example', 'https://b.example']);
  });

  it('when a variable is set to an empty string, then it counts as unset', () => {
    expect(parseConfig({ PORT: '', JWT_SECRET: '  ' }).config.port).toBe(3000);
  });

  it.each([
    [{ ADMIN_EMAIL: 'admin@example.com' }, /ADMIN_EMAIL and ADMIN_PASSWORD: set both or neither/],
    [{ ADMIN_EMAIL: 'nope', ADMIN_PASSWORD: 'long-enough-password' }, /ADMIN_EMAIL: must be an email/],
    [{ ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'short' }, /ADMIN_PASSWORD: Password must be at least 8/],
    [{ BCRYPT_COST: '3' }, /BCRYPT_COST/],
    [{ JSON_BODY_LIMIT: 'lots' }, /JSON_BODY_LIMIT: must be a size/],
    [{ NODE_ENV: 'staging' }, /NODE_ENV/],
    [
      { MONGOOSE_CONNECTION_STRING: 'your_mongo_connection_string' },
      /MONGOOSE_CONNECTION_STRING: must be a mongodb:\/\//,
    ],
    [{ STRIPE_SECRET_KEY: 'your_stripe_secret_key' }, /STRIPE_SECRET_KEY: must be a Stripe secret key/],
    [{ STRIPE_WEBHOOK_SECRET: 'your_stripe_webhook_secret' }, /STRIPE_WEBHOOK_SECRET: must start with whsec_/],
  ])('when the settings are %j, then the problem is reported', (source, problem) => {
    expect(problemsOf(source)).toEqual([expect.stringMatching(problem)]);
  });

  it('when the admin account is set, then its email is normalised', () => {
    const { config } = parseConfig({ ADMIN_EMAIL: ' Admin@Example.com', ADMIN_PASSWORD: 'long-enough-password' });

    expect(config.admin).toEqual({
      email: 'admin@example.com',
      password: 'long-enough-password',
      name: 'Administrator',
    });
  });

  it.each([
    ['true', true],
    ['false', false],
    ['2', 2],
    ['loopback, 10.0.0.0/8', 'loopback, 10.0.0.0/8'],
  ])('when TRUST_PROXY is %s, then Express gets %j', (value, expected) => {
    expect(parseConfig({ TRUST_PROXY: value }).config.trustProxy).toEqual(expected);
  });
});

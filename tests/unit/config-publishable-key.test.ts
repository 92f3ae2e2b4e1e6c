import { parseConfig } from '../../src/config/env';
import { problemsOf, productionEnv } from '../helpers/config';

// Production without either Stripe key: each test sets the ones it is about.
const { STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY, ...production } = productionEnv;

describe('parseConfig: STRIPE_PUBLISHABLE_KEY', () => {
  it('when it is set with a secret key of the same mode, then it is read', () => {
    expect(
      parseConfig({ STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_PUBLISHABLE_KEY: 'pk_test_abc' }).config.stripe
        .publishableKey,
    ).toBe('pk_test_abc');
    expect(
      parseConfig({ STRIPE_SECRET_KEY: 'rk_live_abc', STRIPE_PUBLISHABLE_KEY: 'pk_live_abc' }).config.stripe
        .publishableKey,
    ).toBe('pk_live_abc');
    expect(parseConfig({}).config.stripe.publishableKey).toBeUndefined();
  });

  it.each([
    ['pk_live_abc', 'sk_test_abc', 'is a live key and STRIPE_SECRET_KEY a test key'],
    ['pk_test_abc', 'sk_live_abc', 'is a test key and STRIPE_SECRET_KEY a live key'],
    ['pk_test_abc', 'rk_live_abc', 'is a test key and STRIPE_SECRET_KEY a live key'],
  ])(
    'when %s comes with %s, then start-up stops with one line saying the modes differ',
    (publishable, secret, says) => {
      const problems = problemsOf({ STRIPE_SECRET_KEY: secret, STRIPE_PUBLISHABLE_KEY: publishable });

      expect(problems).toEqual([expect.stringContaining(`STRIPE_PUBLISHABLE_KEY: ${says}`)]);
      expect(problems[0]).not.toContain('\n');
      expect(problems[0]).not.toContain(publishable);
    },
  );

  it('when it is set without a secret key, or is not a publishable key, then start-up says so', () => {
    expect(problemsOf({ STRIPE_PUBLISHABLE_KEY: 'pk_test_abc' })).toEqual([
      expect.stringMatching(/^STRIPE_PUBLISHABLE_KEY: is set without STRIPE_SECRET_KEY/),
    ]);
    expect(problemsOf({ STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_PUBLISHABLE_KEY: 'sk_test_abc' })).toEqual([
      'STRIPE_PUBLISHABLE_KEY: must be a Stripe publishable key (pk_test_... or pk_live_...)',
    ]);
  });

  it('when production has the storefront on, then the publishable key is required in either mode; with the storefront off it is not', () => {
    const required =
      'STRIPE_PUBLISHABLE_KEY: is required when NODE_ENV=production and the storefront is on (or set STOREFRONT=off)';
    const live = { ...production, STRIPE_SECRET_KEY: 'sk_live_abc' };
    const test = { ...production, STRIPE_SECRET_KEY: 'sk_test_abc' };

    expect(problemsOf(live)).toEqual([required]);
    expect(problemsOf(test)).toEqual([required]);
    expect(problemsOf({ ...live, STRIPE_PUBLISHABLE_KEY: 'pk_live_abc' })).toEqual([]);
    expect(problemsOf({ ...test, STRIPE_PUBLISHABLE_KEY: 'pk_test_abc' })).toEqual([]);
    expect(problemsOf({ ...live, STOREFRONT: 'off' })).toEqual([]);
  });
});

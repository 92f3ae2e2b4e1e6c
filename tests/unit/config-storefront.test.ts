import { parseConfig } from '../../src/config/env';
import { productionEnv, problemsOf } from '../helpers/config';

describe('parseConfig: the storefront', () => {
  it('when nothing is set, then the storefront is on and loads Stripe.js from js.stripe.com', () => {
    const { config } = parseConfig({});

    expect(config.storefront).toEqual({ enabled: true, stripeJsUrl: 'https://js.stripe.com/v3/' });
  });

  it('when STOREFRONT=off and STRIPE_JS_URL names localstripe, then both are read', () => {
    const { config } = parseConfig({ STOREFRONT: 'off', STRIPE_JS_URL: 'http://127.0.0.1:8420/js.stripe.com/v3/' });

    expect(config.storefront).toEqual({ enabled: false, stripeJsUrl: 'http://127.0.0.1:8420/js.stripe.com/v3/' });
  });

  it('when STOREFRONT or STRIPE_JS_URL is not a value they take, then start-up names each', () => {
    expect(problemsOf({ STOREFRONT: 'yes', STRIPE_JS_URL: 'javascript:alert(1)' })).toEqual([
      expect.stringMatching(/^STRIPE_JS_URL: must be an http\(s\) URL/),
      expect.stringMatching(/^STOREFRONT: /),
    ]);
  });

  it('when production would load Stripe.js over plain http, then start-up refuses it', () => {
    expect(problemsOf({ ...productionEnv, STRIPE_JS_URL: 'http://js.example.com/v3/' })).toEqual([
      'STRIPE_JS_URL: must be https when NODE_ENV=production',
    ]);
    expect(problemsOf(productionEnv)).toEqual([]);
  });
});

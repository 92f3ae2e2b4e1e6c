import type { Config } from '../config/env';

/**
 * What a front end must know before it takes a payment, built from the settings once: the payment mode and,
 * in Stripe mode, what Stripe.js is loaded from and initialised with. Nothing in it is secret (a publishable
 * key is public by design). GET /api/config answers it; the storefront's page carries its payment mode in a
 * meta tag derived from it (pageSettings in src/storefront/serve.ts).
 */
export interface ShopConfig {
  payments: {
    /** `simulated`: no Stripe account (STRIPE_SECRET_KEY unset), nothing is charged; `stripe`: Stripe's API. */
    mode: 'simulated' | 'stripe';
    /** True with a live Stripe key: real cards, real money. */
    livemode: boolean;
    /** Whether POST /api/orders/{id}/pay takes Stripe's test payment methods (pm_card_visa, ...): simulated and test mode. */
    testPaymentMethods: boolean;
    /** STRIPE_PUBLISHABLE_KEY, for Stripe.js; null when unset (and always in simulated mode). */
    publishableKey: string | null;
    /** Where to load Stripe.js from (STRIPE_JS_URL); null when there is no publishable key to initialise it with. */
    stripeJsUrl: string | null;
  };
}

export function shopConfigOf(config: Config): ShopConfig {
  const { secretKey, publishableKey } = config.stripe;
  const livemode = secretKey !== undefined && /^(sk|rk)_live_/.test(secretKey);
  const usable = secretKey !== undefined && publishableKey !== undefined;
  return {
    payments: {
      mode: secretKey === undefined ? 'simulated' : 'stripe',
      livemode,
      testPaymentMethods: !livemode,
      publishableKey: usable ? publishableKey : null,
      stripeJsUrl: usable ? config.storefront.stripeJsUrl : null,
    },
  };
}

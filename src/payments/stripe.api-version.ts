import type Stripe from 'stripe';

/**
 * The Stripe API version our requests are sent with (and simulated events claim), older than stripe-node
 * 23's default on purpose. From 2026-09-30.endive, PaymentIntents refuse `payment_method_types` (400
 * payment_method_types_no_longer_supported) and want `allowed_payment_method_types`, which localstripe
 * 1.15.10 refuses ("Unexpected allowed_payment_method_types"). Sending neither gives dynamic payment methods,
 * whose server-side confirm requires a return_url that localstripe cannot take. 2026-08-26.dahlia accepts
 * `payment_method_types` and is the spec stripe-mock v0.203.0 validates (run with -strict-version-check).
 * We read only id, client_secret and status from responses, which this version shares with the SDK's types.
 * Moving to endive: send allowed_payment_method_types and replace localstripe.
 */
export const STRIPE_API_VERSION = '2026-08-26.dahlia';

/** stripe-node types apiVersion as its own pinned version only. */
export const sdkApiVersion = STRIPE_API_VERSION as Stripe.LatestApiVersion;

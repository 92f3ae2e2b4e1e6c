import { z } from 'zod';
import { HANDLED_EVENT_TYPES } from '../payments/stripe.events';

/**
 * What a Stripe webhook delivery carries. The route does not parse it with zod: the signature is checked
 * over the raw bytes first (src/payments/webhook.ts), so these schemas only describe the request for the
 * API document. The event is loose: Stripe sends many more fields than the ones the service reads.
 */
export const stripeWebhookRequest = {
  headers: z.object({
    'stripe-signature': z.string().min(1).meta({
      description:
        'Stripe\'s signature of the raw body: `t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with the endpoint\'s signing secret (STRIPE_WEBHOOK_SECRET), at most 300 s old',
      example: 't=1767225600,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd',
    }),
  }),
  body: z
    .looseObject({
      id: z.string().meta({ example: 'evt_1Nv1aB2eZvKYlo2C' }),
      type: z.string().meta({
        description: `${HANDLED_EVENT_TYPES.join(', ')} are read and applied to the order they concern; other types are acknowledged and ignored`,
      }),
      data: z.looseObject({ object: z.looseObject({}) }),
    })
    .meta({
      id: 'StripeEvent',
      description: 'A Stripe event, exactly as Stripe sent it (the signature covers these bytes)',
    }),
};

import { z } from 'zod';

export const shopConfigResponse = z.object({
  message: z.literal('Shop config'),
  data: z
    .object({
      payments: z.object({
        mode: z
          .enum(['simulated', 'stripe'])
          .meta({ description: '`simulated`: no Stripe account, nothing is charged; `stripe`: Stripe' }),
        livemode: z.boolean().meta({ description: 'True with a live Stripe key' }),
        testPaymentMethods: z.boolean().meta({
          description:
            "Whether `/pay` takes Stripe's test payment methods (`pm_card_visa`, ...): simulated and test mode",
        }),
        publishableKey: z.string().nullable().meta({
          description: 'For `Stripe(publishableKey)` in the browser; null when the server has none',
          example: 'pk_test_51Nv1aB2eZvKYlo2C',
        }),
        stripeJsUrl: z.string().nullable().meta({
          description: 'Where to load Stripe.js from; null without a publishable key',
          example: 'https://js.stripe.com/v3/',
        }),
      }),
    })
    .meta({ id: 'ShopConfig' }),
});

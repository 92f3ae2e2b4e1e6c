import { shopConfigResponse } from '../schemas/shop-config.schemas';
import type { ApiOperation } from './operation';

export const shopRoutes: ApiOperation[] = [
  {
    method: 'get',
    path: '/api/config',
    operationId: 'shopConfig',
    handler: (c) => c.shopConfig.get,
    tag: 'Storefront',
    summary: 'What a front end needs before it takes a payment: the payment mode and the Stripe.js settings',
    description:
      'Public, read from the settings (no database). In `stripe` mode with a `publishableKey`, load Stripe.js from `stripeJsUrl`, ' +
      'call `Stripe(publishableKey)`, save cards with a SetupIntent (`/api/payment-methods`) and pay with `/api/orders/{id}/pay`; ' +
      'with `testPaymentMethods`, `/pay` also takes Stripe test ids such as `pm_card_visa`. `Cache-Control: no-cache`.',
    access: 'public',
    usesDatabase: false,
    responses: {
      200: {
        description: 'The shop config',
        schema: shopConfigResponse,
        example: {
          message: 'Shop config',
          data: {
            payments: {
              mode: 'stripe',
              livemode: false,
              testPaymentMethods: true,
              publishableKey: 'pk_test_51Nv1aB2eZvKYlo2C',
              stripeJsUrl: 'https://js.stripe.com/v3/',
            },
          },
        },
      },
    },
  },
];

import { z } from 'zod';

const PAYMENT_METHOD_ID = 'Must be a payment method id such as pm_1Nv1aB2eZvKYlo2C';
const SETUP_INTENT_ID = 'Must be a SetupIntent id such as seti_1Nv1aB2eZvKYlo2C';

export const saveCardRequest = {
  body: z.object({
    setupIntentId: z.string(SETUP_INTENT_ID).regex(/^seti_\w{1,100}$/, SETUP_INTENT_ID),
  }),
};

export const paymentMethodIdRequest = {
  params: z.object({ id: z.string(PAYMENT_METHOD_ID).regex(/^pm_\w{1,100}$/, PAYMENT_METHOD_ID) }),
};

// ---- Responses ----

export const savedCardView = z
  .object({
    id: z.string().meta({
      description: 'The payment method id: pay with it (`/pay`) or remove it',
      example: 'pm_1Nv1aB2eZvKYlo2C0abc1234',
    }),
    brand: z.string().meta({ example: 'visa' }),
    last4: z.string().meta({ example: '4242' }),
    expMonth: z.number().int().meta({ example: 12 }),
    expYear: z.number().int().meta({ example: 2030 }),
  })
  .meta({ id: 'SavedCard' });

export const setupIntentCreatedResponse = z.object({
  message: z.literal('Setup intent created'),
  data: z.object({
    setupIntentId: z.string().meta({ example: 'seti_1Nv1aB2eZvKYlo2C0abc1234' }),
    clientSecret: z.string().meta({
      description:
        "For Stripe.js `confirmCardSetup(clientSecret, { payment_method: { card } })` in the buyer's browser",
      example: 'seti_1Nv1aB2eZvKYlo2C0abc1234_secret_9xYz',
    }),
  }),
});
export const cardSavedResponse = z.object({ message: z.literal('Card saved'), data: savedCardView });
export const cardListResponse = z.object({ message: z.literal('Saved cards'), data: z.array(savedCardView) });
export const cardRemovedResponse = z.object({ message: z.literal('Card removed'), data: z.object({ id: z.string() }) });

import {
  cardListResponse,
  cardRemovedResponse,
  cardSavedResponse,
  paymentMethodIdRequest,
  saveCardRequest,
  setupIntentCreatedResponse,
} from '../schemas/payment-method.schemas';
import type { ApiOperation } from './operation';

const exampleCard = { id: 'pm_1Nv1aB2eZvKYlo2C0abc1234', brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030 };

export const paymentMethodRoutes: ApiOperation[] = [
  {
    method: 'post',
    path: '/api/payment-methods/setup-intent',
    operationId: 'createSetupIntent',
    handler: (c) => c.cards.createSetupIntent,
    tag: 'Saved cards',
    summary: "Start saving a card: a SetupIntent on the buyer's Customer (made on first need)",
    description:
      'The buyer gets one Customer at the payment provider, made the first time one is needed (concurrent first calls agree). The browser ' +
      "confirms the answer's `clientSecret` with Stripe.js `confirmCardSetup(clientSecret, { payment_method: { card } })`, so the card " +
      'never reaches this server, then saves it with `POST /api/payment-methods`. No body.',
    access: 'user',
    errors: ['PAYMENT_REQUEST_REJECTED', 'PAYMENT_GATEWAY_ERROR'],
    responses: {
      201: {
        description: 'A SetupIntent to confirm in the browser',
        schema: setupIntentCreatedResponse,
        example: {
          message: 'Setup intent created',
          data: {
            setupIntentId: 'seti_1Nv1aB2eZvKYlo2C0abc1234',
            clientSecret: 'seti_1Nv1aB2eZvKYlo2C0abc1234_secret_9xYz',
          },
        },
      },
    },
  },
  {
    method: 'post',
    path: '/api/payment-methods',
    operationId: 'saveCard',
    handler: (c) => c.cards.save,
    tag: 'Saved cards',
    summary: 'Keep the card a confirmed SetupIntent of this buyer saved',
    description:
      "Checks that the SetupIntent is the buyer's own (404 `SETUP_INTENT_NOT_FOUND` otherwise) and has succeeded (409 " +
      '`SETUP_NOT_COMPLETE` with its `status` while Stripe.js has not confirmed it), and answers the card: pay with its `id` ' +
      '(`POST /api/orders/{id}/pay`). Saving the same SetupIntent again answers the same card.',
    access: 'user',
    request: saveCardRequest,
    requestExample: { setupIntentId: 'seti_1Nv1aB2eZvKYlo2C0abc1234' },
    errors: ['SETUP_INTENT_NOT_FOUND', 'SETUP_NOT_COMPLETE', 'PAYMENT_REQUEST_REJECTED', 'PAYMENT_GATEWAY_ERROR'],
    responses: {
      201: { description: 'Saved', schema: cardSavedResponse, example: { message: 'Card saved', data: exampleCard } },
    },
  },
  {
    method: 'get',
    path: '/api/payment-methods',
    operationId: 'listCards',
    handler: (c) => c.cards.list,
    tag: 'Saved cards',
    summary: "The buyer's saved cards, newest first",
    description: 'Brand, last four digits and expiry: never the number. An empty list before the first card is saved.',
    access: 'user',
    errors: ['PAYMENT_GATEWAY_ERROR'],
    responses: {
      200: {
        description: 'The cards',
        schema: cardListResponse,
        example: { message: 'Saved cards', data: [exampleCard] },
      },
    },
  },
  {
    method: 'delete',
    path: '/api/payment-methods/{id}',
    operationId: 'removeCard',
    handler: (c) => c.cards.remove,
    tag: 'Saved cards',
    summary: 'Remove a saved card (it can no longer be charged)',
    description:
      "Detaches the card from the buyer's Customer. A card that is not the buyer's (or no longer is) is a 404.",
    access: 'user',
    request: paymentMethodIdRequest,
    parameterDescriptions: { id: "The card's id (a SavedCard's `id`)" },
    errors: ['PAYMENT_METHOD_NOT_FOUND', 'PAYMENT_REQUEST_REJECTED', 'PAYMENT_GATEWAY_ERROR'],
    responses: {
      200: {
        description: 'Removed',
        schema: cardRemovedResponse,
        example: { message: 'Card removed', data: { id: exampleCard.id } },
      },
    },
  },
];

import type Stripe from 'stripe';
import type { Logger } from '../lib/logger';
import {
  GatewayError,
  SETUP_INTENT_STATUSES,
  type CustomerOperations,
  type SavedCard,
  type SetupIntentStatus,
} from './gateway';
import { PROVIDER_UNAVAILABLE_MESSAGE } from './stripe.errors';

type Call = <T>(operation: string, request: () => Promise<T>) => Promise<T>;

/** Stripe's largest page: a buyer's saved cards are listed in one request. */
const CARD_LIST_LIMIT = 100;

const idOf = (ref: string | { id: string } | null | undefined) => (typeof ref === 'string' ? ref : (ref?.id ?? null));

/** What the shop shows of a card; a payment method of another type (never saved through the shop) shows its type. */
function savedCard(method: Stripe.PaymentMethod): SavedCard {
  const card = method.card;
  return {
    id: method.id,
    customerId: idOf(method.customer),
    brand: card?.brand ?? method.type,
    last4: card?.last4 ?? '',
    expMonth: card?.exp_month ?? 0,
    expYear: card?.exp_year ?? 0,
  };
}

/**
 * Customers, SetupIntents and saved cards through the SDK. Like the intents' requests, each is one that Stripe (at
 * STRIPE_API_VERSION), stripe-mock and localstripe all accept. One gap of localstripe is bridged here: confirming a
 * SetupIntent does not attach its card to the SetupIntent's customer there, as Stripe does, so retrieveSetup
 * attaches a succeeded SetupIntent's card that is on no customer (on Stripe it always is: the step never runs).
 */
export function stripeCustomerOperations(stripe: Stripe, call: Call, logger: Logger): CustomerOperations {
  const setupStatusOf = (setup: Stripe.SetupIntent): SetupIntentStatus => {
    const status = SETUP_INTENT_STATUSES.find((known) => known === setup.status);
    if (status) return status;
    logger.error('Stripe returned a SetupIntent status this code does not know', {
      id: setup.id,
      status: setup.status,
    });
    throw new GatewayError('unavailable', PROVIDER_UNAVAILABLE_MESSAGE);
  };

  return {
    async createCustomer({ email, name, metadata, idempotencyKey }) {
      const customer = await call('create customer', () =>
        stripe.customers.create({ email, name, metadata }, { idempotencyKey }),
      );
      return { id: customer.id };
    },

    async createSetupIntent({ customerId, metadata }) {
      // Card only, like the intents (see stripe.api-version.ts); the SDK's types describe a later API version without the field.
      const params: Stripe.SetupIntentCreateParams & { payment_method_types: string[] } = {
        customer: customerId,
        payment_method_types: ['card'],
        metadata,
      };
      const setup = await call('create setup intent', () => stripe.setupIntents.create(params));
      if (!setup.client_secret) {
        logger.error('Stripe created a SetupIntent without a client secret', { id: setup.id });
        throw new GatewayError('unavailable', PROVIDER_UNAVAILABLE_MESSAGE);
      }
      return { id: setup.id, clientSecret: setup.client_secret, status: setupStatusOf(setup) };
    },

    async retrieveSetup(id) {
      const setup = await call('retrieve setup intent', () => stripe.setupIntents.retrieve(id));
      const status = setupStatusOf(setup);
      const customerId = idOf(setup.customer);
      const methodId = idOf(setup.payment_method);
      if (status !== 'succeeded' || !methodId) return { id: setup.id, status, customerId, card: null };
      let method = await call('retrieve payment method', () => stripe.paymentMethods.retrieve(methodId));
      if (idOf(method.customer) === null && customerId !== null) {
        // localstripe only (see above): Stripe attached it when the SetupIntent was confirmed.
        method = await call('attach payment method to customer', () =>
          stripe.paymentMethods.attach(methodId, { customer: customerId }),
        );
      }
      return { id: setup.id, status, customerId, card: savedCard(method) };
    },

    async retrievePaymentMethod(id) {
      return savedCard(await call('retrieve payment method', () => stripe.paymentMethods.retrieve(id)));
    },

    async listCards(customerId) {
      const page = await call('list payment methods', () =>
        stripe.paymentMethods.list({ customer: customerId, type: 'card', limit: CARD_LIST_LIMIT }),
      );
      return page.data.map(savedCard);
    },

    async detachPaymentMethod(id) {
      await call('detach payment method', () => stripe.paymentMethods.detach(id));
    },
  };
}

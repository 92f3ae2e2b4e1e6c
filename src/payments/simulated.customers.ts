import { isDuplicateKeyError } from '../lib/db-errors';
import {
  GatewayError,
  type CustomerOperations,
  type SavedCard,
  type SetupIntentRef,
  type SetupIntentStatus,
} from './gateway';
import { declinedOnSetup, testCardDetails, testCardOutcome } from './simulated.cards';
import {
  SimulatedCustomerModel,
  SimulatedIdempotencyKeyModel,
  SimulatedPaymentMethodModel,
  SimulatedSetupIntentModel,
} from './simulated.store';

/** Stripe's objects as the simulated gateway keeps them (`_id` is the Stripe id); types, not interfaces, so they fit the store's shape. */
type StoredCustomer = {
  _id: string;
  object: 'customer';
  email: string;
  name: string;
  metadata: Record<string, string>;
  created: number;
  livemode: false;
};
type StoredSetupIntent = {
  _id: string;
  object: 'setup_intent';
  customer: string;
  status: SetupIntentStatus;
  client_secret: string;
  payment_method: string | null;
  payment_method_types: string[];
  metadata: Record<string, string>;
  created: number;
  livemode: false;
};
type StoredPaymentMethod = {
  _id: string;
  object: 'payment_method';
  type: 'card';
  customer: string | null;
  card: { brand: string; last4: string; exp_month: number; exp_year: number };
  created: number;
  livemode: false;
  /** Not Stripe's: the test payment method this card was saved from, which decides how charging it goes. */
  test_card: string;
  /** Not Stripe's: when it was saved, in milliseconds (`created` has seconds), so the list is newest first. */
  saved_at_ms: number;
};

export type SimulatedCustomers = CustomerOperations & {
  /**
   * Stands in for Stripe.js's confirmCardSetup, which has nothing to talk to without Stripe: saves a copy of a Stripe
   * test payment method (pm_card_visa, ...) on the SetupIntent's customer. Test cards Stripe declines at setup are
   * declined here too (the SetupIntent then awaits another card); pm_card_chargeCustomerFail is saved and declines
   * when charged. 3-D Secure at setup is not played: the card is saved at once, and asks for authentication when paid.
   */
  confirmSetupIntent: (id: string, testPaymentMethod: string) => Promise<SetupIntentRef>;
  /** The test payment method a saved card was made from, and its customer; undefined when no such card was saved. */
  savedTestCard: (id: string) => Promise<{ testCard: string; customerId: string | null } | undefined>;
};

const TEST_CARD_EXPIRY = { exp_month: 12, exp_year: new Date().getUTCFullYear() + 3 };
const CARD_LIST_LIMIT = 100;

const missing = (kind: string, id: string) =>
  new GatewayError('invalid_request', `No such ${kind}: '${id}'`, 'resource_missing');

const toSavedCard = (pm: StoredPaymentMethod): SavedCard => ({
  id: pm._id,
  customerId: pm.customer,
  brand: pm.card.brand,
  last4: pm.card.last4,
  expMonth: pm.card.exp_month,
  expYear: pm.card.exp_year,
});

/**
 * The simulated gateway's Customers, SetupIntents and saved cards, in MongoDB like its intents (simulated.store.ts),
 * following Stripe's rules where the shop depends on them: one Customer per idempotency key, a SetupIntent's card
 * attached to its customer when it is confirmed, a detached card on no customer.
 */
export function createSimulatedCustomers(ids: {
  stripeId: (prefix: string) => string;
  secret: () => string;
  now: () => number;
}): SimulatedCustomers {
  const findSetup = async (id: string) => {
    const setup = await SimulatedSetupIntentModel.findById(id).lean<StoredSetupIntent>();
    if (!setup) throw missing('setup_intent', id);
    return setup;
  };
  const findCard = async (id: string) => {
    const card = await SimulatedPaymentMethodModel.findById(id).lean<StoredPaymentMethod>();
    if (!card) throw missing('payment_method', id);
    return card;
  };
  const setupRef = (setup: StoredSetupIntent): SetupIntentRef => ({
    id: setup._id,
    clientSecret: setup.client_secret,
    status: setup.status,
  });

  return {
    async createCustomer({ email, name, metadata, idempotencyKey }) {
      const keyId = `customer:${idempotencyKey}`;
      const fingerprint = JSON.stringify([email, name, Object.entries(metadata).sort()]);
      const replay = (record: { fingerprint: string; response: { id: string } }) => {
        if (record.fingerprint !== fingerprint) {
          throw new GatewayError(
            'invalid_request',
            `Keys for idempotent requests can only be used with the same parameters (key '${idempotencyKey}').`,
            'idempotency_error',
          );
        }
        return { id: record.response.id };
      };
      const earlier = await SimulatedIdempotencyKeyModel.findById(keyId).lean<{
        fingerprint: string;
        response: { id: string };
      }>();
      if (earlier) return replay(earlier);
      const customer: StoredCustomer = {
        _id: ids.stripeId('cus'),
        object: 'customer',
        email,
        name,
        metadata: { ...metadata },
        created: ids.now(),
        livemode: false,
      };
      await SimulatedCustomerModel.create(customer);
      try {
        await SimulatedIdempotencyKeyModel.create({
          _id: keyId,
          fingerprint,
          response: { id: customer._id },
          state: 'done',
        });
        return { id: customer._id };
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        // A concurrent request with this key made its Customer first: only that one exists for the key.
        await SimulatedCustomerModel.deleteOne({ _id: customer._id });
        return replay(
          await SimulatedIdempotencyKeyModel.findById(keyId)
            .lean<{ fingerprint: string; response: { id: string } }>()
            .orFail(),
        );
      }
    },

    async createSetupIntent({ customerId, metadata }) {
      if (!(await SimulatedCustomerModel.exists({ _id: customerId }))) throw missing('customer', customerId);
      const id = ids.stripeId('seti');
      const setup: StoredSetupIntent = {
        _id: id,
        object: 'setup_intent',
        customer: customerId,
        status: 'requires_payment_method',
        client_secret: `${id}_secret_${ids.secret()}`,
        payment_method: null,
        payment_method_types: ['card'],
        metadata: { ...metadata },
        created: ids.now(),
        livemode: false,
      };
      await SimulatedSetupIntentModel.create(setup);
      return setupRef(setup);
    },

    async confirmSetupIntent(id, testPaymentMethod) {
      const setup = await findSetup(id);
      if (setup.status === 'succeeded' || setup.status === 'canceled') {
        throw new GatewayError(
          'invalid_request',
          `This SetupIntent has a status of ${setup.status} and cannot be confirmed.`,
          'setup_intent_unexpected_state',
        );
      }
      if (testCardOutcome(testPaymentMethod).kind === 'unknown') throw missing('payment_method', testPaymentMethod);
      const decline = declinedOnSetup(testPaymentMethod);
      if (decline) throw new GatewayError('declined', decline.message, decline.code, decline.declineCode);
      const card: StoredPaymentMethod = {
        _id: ids.stripeId('pm'),
        object: 'payment_method',
        type: 'card',
        customer: setup.customer,
        card: { ...testCardDetails(testPaymentMethod), ...TEST_CARD_EXPIRY },
        created: ids.now(),
        livemode: false,
        test_card: testPaymentMethod,
        saved_at_ms: Date.now(),
      };
      await SimulatedPaymentMethodModel.create(card);
      const confirmed = await SimulatedSetupIntentModel.findOneAndUpdate(
        { _id: id, status: { $nin: ['succeeded', 'canceled'] } },
        { $set: { status: 'succeeded', payment_method: card._id } },
        { returnDocument: 'after' },
      ).lean<StoredSetupIntent>();
      if (!confirmed) {
        // Confirmed by a concurrent request meanwhile: this card was not saved.
        await SimulatedPaymentMethodModel.deleteOne({ _id: card._id });
        throw new GatewayError(
          'invalid_request',
          'This SetupIntent was confirmed meanwhile.',
          'setup_intent_unexpected_state',
        );
      }
      return setupRef(confirmed);
    },

    async retrieveSetup(id) {
      const setup = await findSetup(id);
      const card =
        setup.status === 'succeeded' && setup.payment_method ? toSavedCard(await findCard(setup.payment_method)) : null;
      return { id: setup._id, status: setup.status, customerId: setup.customer, card };
    },

    async retrievePaymentMethod(id) {
      // As on Stripe, a test payment method id reads as a fresh card on no customer.
      if (id.startsWith('pm_card_') && testCardOutcome(id).kind !== 'unknown') {
        return {
          id,
          customerId: null,
          ...testCardDetails(id),
          expMonth: TEST_CARD_EXPIRY.exp_month,
          expYear: TEST_CARD_EXPIRY.exp_year,
        };
      }
      return toSavedCard(await findCard(id));
    },

    async listCards(customerId) {
      const cards = await SimulatedPaymentMethodModel.find({ customer: customerId, type: 'card' })
        .sort({ saved_at_ms: -1, _id: -1 })
        .limit(CARD_LIST_LIMIT)
        .lean<StoredPaymentMethod[]>();
      return cards.map(toSavedCard);
    },

    async detachPaymentMethod(id) {
      const detached = await SimulatedPaymentMethodModel.updateOne(
        { _id: id, customer: { $ne: null } },
        { $set: { customer: null } },
      );
      if (detached.matchedCount === 1) return;
      await findCard(id);
      throw new GatewayError(
        'invalid_request',
        'The payment method you provided is not attached to a customer so detachment is impossible.',
        'payment_method_unexpected_state',
      );
    },

    async savedTestCard(id) {
      const card = await SimulatedPaymentMethodModel.findById(id).lean<StoredPaymentMethod>();
      return card ? { testCard: card.test_card, customerId: card.customer } : undefined;
    },
  };
}

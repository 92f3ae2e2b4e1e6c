import { Types } from 'mongoose';
import { Conflict, NotFound } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { UserModel } from '../models/user.model';
import { GatewayError, type PaymentGateway, type SavedCard } from '../payments/gateway';
import { isResourceMissing } from '../payments/intent-outcomes';
import type { PublicUser } from './auth.service';
import { gatewayFailure } from './order-lifecycle.service';

export interface SavedCardView {
  id: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
}

const cardNotFound = () => new NotFound('No such card is saved on this account', 'PAYMENT_METHOD_NOT_FOUND');
const setupNotFound = () => new NotFound('No such SetupIntent was made for this account', 'SETUP_INTENT_NOT_FOUND');
const view = ({ id, brand, last4, expMonth, expYear }: SavedCard): SavedCardView => ({
  id,
  brand,
  last4,
  expMonth,
  expYear,
});

/**
 * A buyer's saved cards: one Customer per account at the payment provider, made on first need, and the cards
 * kept on it. A card is saved by the browser (Stripe.js confirms a SetupIntent with the card, which never reaches
 * this server) and then named here by its SetupIntent. Every card an account uses or removes is checked to be on
 * its own Customer: another account's card is answered as one that does not exist.
 */
export function createSavedCardService(deps: { payments: PaymentGateway; logger: Logger }) {
  const { payments, logger } = deps;
  // Stripe's test and live modes have separate Customers, and the simulated gateway its own.
  const mode = payments.kind === 'simulated' ? 'simulated' : payments.liveMode ? 'live' : 'test';
  const field = `paymentCustomers.${mode}`;

  async function customerOf(userId: string): Promise<string | undefined> {
    const user = await UserModel.findById(userId)
      .select(field)
      .lean<{ paymentCustomers?: Record<string, string | undefined> }>();
    return user?.paymentCustomers?.[mode];
  }

  /**
   * The account's Customer, made on first need. Concurrent first calls agree: the provider gets one idempotency key
   * per account (Stripe makes one Customer for it), and the id is stored only where none is yet; whoever loses
   * takes the stored one. `replacing` is a Customer the provider no longer knows: it is replaced, once.
   */
  async function ensureCustomer(user: PublicUser, replacing?: string): Promise<string> {
    const existing = await customerOf(user.id);
    if (existing && existing !== replacing) return existing;
    const { id } = await payments
      .createCustomer({
        email: user.email,
        name: user.name,
        metadata: { userId: user.id },
        idempotencyKey: replacing ? `customer_${user.id}_replacing_${replacing}` : `customer_${user.id}`,
      })
      .catch((error: unknown) => {
        throw gatewayFailure(error);
      });
    const unset = replacing ? { [field]: replacing } : { [field]: { $exists: false } };
    await UserModel.updateOne({ _id: new Types.ObjectId(user.id), ...unset }, { $set: { [field]: id } });
    // Read back rather than trusting this update's own result: the stored id is the one every request uses.
    const stored = await customerOf(user.id);
    if (!stored) throw new Error(`The payment customer of user ${user.id} was not stored`);
    if (stored !== id)
      logger.info('another request made this account its payment customer first', {
        userId: user.id,
        customerId: stored,
      });
    return stored;
  }

  async function createSetupIntent(user: PublicUser) {
    let customerId = await ensureCustomer(user);
    const create = () => payments.createSetupIntent({ customerId, metadata: { userId: user.id } });
    const setup = await create().catch(async (error: unknown) => {
      if (!isResourceMissing(error)) throw gatewayFailure(error);
      // The provider lost the Customer (its data reset, or another account behind the same mode): a new one.
      logger.warn("the payment provider does not know the account's customer: making a new one", {
        userId: user.id,
        customerId,
      });
      customerId = await ensureCustomer(user, customerId);
      return create().catch((again: unknown) => {
        throw gatewayFailure(again);
      });
    });
    return { setupIntentId: setup.id, clientSecret: setup.clientSecret };
  }

  /** The card a succeeded SetupIntent of this account saved. */
  async function saveCard(user: PublicUser, setupIntentId: string): Promise<SavedCardView> {
    const customerId = await customerOf(user.id);
    if (!customerId) throw setupNotFound();
    const setup = await payments.retrieveSetup(setupIntentId).catch((error: unknown) => {
      throw isResourceMissing(error) ? setupNotFound() : gatewayFailure(error);
    });
    if (setup.customerId !== customerId) throw setupNotFound();
    if (setup.status !== 'succeeded' || !setup.card || setup.card.customerId !== customerId) {
      const message = 'The card is not set up yet: confirm the SetupIntent with Stripe.js (confirmCardSetup) first';
      throw new Conflict(message, 'SETUP_NOT_COMPLETE', [{ message, status: setup.status }]);
    }
    return view(setup.card);
  }

  async function listCards(user: PublicUser): Promise<SavedCardView[]> {
    const customerId = await customerOf(user.id);
    if (!customerId) return [];
    const cards = await payments.listCards(customerId).catch((error: unknown) => {
      if (isResourceMissing(error)) return [];
      throw gatewayFailure(error);
    });
    return cards.map(view);
  }

  /** The account's own card, with its Customer (to pay with it); anything else is PAYMENT_METHOD_NOT_FOUND. */
  async function ownedCard(
    user: PublicUser,
    paymentMethodId: string,
  ): Promise<{ customerId: string; card: SavedCard }> {
    const customerId = await customerOf(user.id);
    if (!customerId) throw cardNotFound();
    const card = await payments.retrievePaymentMethod(paymentMethodId).catch((error: unknown) => {
      throw isResourceMissing(error) ? cardNotFound() : gatewayFailure(error);
    });
    if (card.customerId !== customerId) throw cardNotFound();
    return { customerId, card };
  }

  async function removeCard(user: PublicUser, paymentMethodId: string): Promise<{ id: string }> {
    await ownedCard(user, paymentMethodId);
    await payments.detachPaymentMethod(paymentMethodId).catch(async (error: unknown) => {
      // Removed by a concurrent request meanwhile: it is not on the account any more.
      if (error instanceof GatewayError && error.kind === 'invalid_request') await ownedCard(user, paymentMethodId);
      throw gatewayFailure(error);
    });
    return { id: paymentMethodId };
  }

  return { createSetupIntent, saveCard, listCards, ownedCard, removeCard };
}

export type SavedCardService = ReturnType<typeof createSavedCardService>;

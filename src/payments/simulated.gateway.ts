import { randomInt } from 'node:crypto';
import { isDuplicateKeyError } from '../lib/db-errors';
import type { Logger } from '../lib/logger';
import { minorFromStripe, toStripeAmount } from '../lib/money';
import {
  GatewayError,
  type PaymentGateway,
  type PaymentIntentRef,
  type PaymentIntentStatus,
  type RefundRef,
} from './gateway';

/** Stripe's capture methods: `automatic_async` is the default for new intents at our API version; `manual` authorizes only. */
type CaptureMethod = 'automatic_async' | 'manual';
import { STRIPE_API_VERSION } from './stripe.api-version';
import { testCardOutcome, type CardDecline, type CardOutcome } from './simulated.cards';
import { createSimulatedCustomers, type SimulatedCustomers } from './simulated.customers';
import {
  SimulatedChargeModel,
  SimulatedIdempotencyKeyModel,
  SimulatedIntentModel,
  SimulatedRefundModel,
} from './simulated.store';
import { createWebhookSender } from './simulated.webhooks';

export interface SimulatedGatewayOptions {
  webhookSecret: string;
  webhookUrl: () => string | undefined;
  deliveryDelayMs: number;
  logger: Logger;
  fetchImpl?: typeof fetch;
  retryDelaysMs?: readonly number[];
}

export interface SimulatedGateway extends PaymentGateway {
  readonly kind: 'simulated';
  /** Waits for the webhook deliveries in flight: for tests and graceful shutdown. */
  settle(): Promise<void>;
  answerAuthentication: NonNullable<PaymentGateway['answerAuthentication']>;
  redeliverEvents: NonNullable<PaymentGateway['redeliverEvents']>;
  confirmSetupIntent: SimulatedCustomers['confirmSetupIntent'];
}

/** What the API tells a client to do with an intent this gateway holds in requires_action: answer its challenge. */
const SIMULATED_AUTHENTICATION = { type: 'simulated_authentication' } as const;

/** Stripe's words when the buyer fails (or abandons) 3-D Secure. */
const AUTHENTICATION_FAILED = {
  code: 'payment_intent_authentication_failure',
  message:
    'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.',
};

/** The PaymentIntent fields Stripe puts in its events, kept in Stripe's own shape. */
interface SimulatedIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  status: PaymentIntentStatus;
  metadata: Record<string, string>;
  client_secret: string;
  payment_method: string | null;
  payment_method_types: string[];
  customer?: string | null;
  /** requires_action: Stripe's shape for a 3-D Secure challenge handled by Stripe.js. */
  next_action?: {
    type: 'use_stripe_sdk';
    use_stripe_sdk: { type: 'three_d_secure_redirect'; stripe_js: string };
  } | null;
  /** Not Stripe's: the payment method whose authentication the buyer completed; confirming it again charges it. */
  authenticated_payment_method?: string | null;
  last_payment_error: {
    type: 'card_error' | 'invalid_request_error';
    code: string;
    decline_code?: string;
    message: string;
    payment_method: { id: string };
  } | null;
  canceled_at: number | null;
  cancellation_reason: null;
  created: number;
  livemode: false;
  latest_charge: string | null;
  /** Absent on intents stored before manual capture was simulated: those are automatic. */
  capture_method?: CaptureMethod;
  amount_capturable?: number;
}

/** The charge a succeeded intent made, as Stripe puts it in charge.* events (no `refunds` list: it is not included by default since 2022-11-15). */
interface SimulatedCharge {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  /** False while a manual-capture charge is only authorized. */
  captured: boolean;
  currency: string;
  paid: true;
  payment_intent: string;
  refunded: boolean;
  status: 'succeeded';
  metadata: Record<string, string>;
  created: number;
  livemode: false;
}

interface SimulatedRefund {
  id: string;
  object: 'refund';
  amount: number;
  charge: string;
  currency: string;
  metadata: Record<string, string>;
  payment_intent: string;
  reason: string | null;
  status: 'succeeded';
  failure_reason: null;
  created: number;
}

/** A stored document: the Stripe object with its id as `_id`, plus what only the store needs. */
type Stored<T extends { id: string }> = Omit<T, 'id'> & { _id: string };
/** The refunds a charge's amount_refunded already counts, so that each is counted once (not shown in events). */
type StoredCharge = Stored<SimulatedCharge> & { applied_refunds?: string[] };
/** What a capture answers. */
interface CaptureAnswer {
  status: PaymentIntentStatus;
  amountReceivedMinor: number | null;
}
interface StoredKey {
  _id: string;
  fingerprint: string;
  response: PaymentIntentRef | RefundRef | CaptureAnswer;
  /** Refund keys: the refund being made, and whether it has been applied to its charge and announced. */
  refund?: SimulatedRefund;
  state: 'claimed' | 'done';
}

const stored = <T extends { id: string }>({ id, ...rest }: T): Stored<T> => ({ _id: id, ...rest });
const stripeObject = <T extends { id: string }>({ _id, ...rest }: Stored<T>) => ({ id: _id, ...rest }) as unknown as T;
const chargeObject = ({ applied_refunds: _applied, ...charge }: StoredCharge) => stripeObject<SimulatedCharge>(charge);

/** Stripe accepts a state change only from these: a succeeded or canceled intent is final. */
const FINAL: readonly PaymentIntentStatus[] = ['succeeded', 'canceled'];
const notFinal = { $nin: FINAL };

const idempotencyError = (key: string) =>
  new GatewayError(
    'invalid_request',
    `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
    'idempotency_error',
  );

const unexpectedState = (status: PaymentIntentStatus) =>
  new GatewayError(
    'invalid_request',
    `You cannot confirm this PaymentIntent because it has a status of ${status}. Only a PaymentIntent with one of the following statuses may be confirmed: requires_confirmation, requires_payment_method, requires_action.`,
    'payment_intent_unexpected_state',
  );

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const randomAlphanumeric = (length: number) =>
  Array.from({ length }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');
const stripeId = (prefix: string) => `${prefix}_${randomAlphanumeric(24)}`;
const unixNow = () => Math.floor(Date.now() / 1000);

/**
 * Payments with no Stripe account, for development and tests (never production): PaymentIntents that follow
 * Stripe test mode's rules, kept in MongoDB (simulated.store.ts) so a restart loses nothing, and Stripe-signed
 * events delivered to our own webhook, so the whole payment flow runs end to end. The events waiting to be
 * delivered are recorded too (simulated.webhooks.ts): the expiry job posts those a crashed process left behind.
 */
export function createSimulatedGateway(options: SimulatedGatewayOptions): SimulatedGateway {
  const intents = SimulatedIntentModel;
  const charges = SimulatedChargeModel;
  const keys = SimulatedIdempotencyKeyModel;
  const webhooks = createWebhookSender({
    secret: options.webhookSecret,
    url: options.webhookUrl,
    delayMs: options.deliveryDelayMs,
    logger: options.logger,
    fetchImpl: options.fetchImpl,
    retryDelaysMs: options.retryDelaysMs,
  });

  const customers = createSimulatedCustomers({ stripeId, secret: () => randomAlphanumeric(24), now: unixNow });

  const emit = (type: string, object: SimulatedIntent | SimulatedCharge | SimulatedRefund) =>
    webhooks.send({
      id: stripeId('evt'),
      object: 'event',
      api_version: STRIPE_API_VERSION,
      created: unixNow(),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      // A snapshot: later changes to the object must not show in an event already queued.
      data: { object: structuredClone(object) },
    });

  const find = async (id: string): Promise<SimulatedIntent> => {
    const intent = await intents.findById(id).lean<Stored<SimulatedIntent>>();
    if (!intent) throw new GatewayError('invalid_request', `No such payment_intent: '${id}'`, 'resource_missing');
    return stripeObject<SimulatedIntent>(intent);
  };

  /** Moves an intent that is not final yet; null when it was (or became) final meanwhile. */
  const changeOpenIntent = async (id: string, set: Partial<SimulatedIntent>): Promise<SimulatedIntent | null> => {
    const changed = await intents
      .findOneAndUpdate({ _id: id, status: notFinal }, { $set: set }, { returnDocument: 'after' })
      .lean<Stored<SimulatedIntent>>();
    return changed ? stripeObject<SimulatedIntent>(changed) : null;
  };

  /** Moves an intent waiting for the buyer's authentication; null when it no longer was. */
  const changeAwaitingIntent = async (id: string, set: Partial<SimulatedIntent>): Promise<SimulatedIntent | null> => {
    const changed = await intents
      .findOneAndUpdate({ _id: id, status: 'requires_action' }, { $set: set }, { returnDocument: 'after' })
      .lean<Stored<SimulatedIntent>>();
    return changed ? stripeObject<SimulatedIntent>(changed) : null;
  };

  /**
   * How a payment method pays: a test payment method as its id says, a saved card as the test card it was saved from.
   * A saved card charges only with its customer on the intent, as Stripe requires; a detached one not at all.
   */
  const cardOutcome = async (paymentMethod: string, customerId: string | undefined): Promise<CardOutcome> => {
    if (paymentMethod.startsWith('pm_card_')) return testCardOutcome(paymentMethod);
    const saved = await customers.savedTestCard(paymentMethod);
    if (!saved) return { kind: 'unknown' };
    if (saved.customerId === null || saved.customerId !== customerId) {
      throw new GatewayError(
        'invalid_request',
        saved.customerId === null
          ? 'This PaymentMethod was detached from its Customer and may not be used again.'
          : "The provided PaymentMethod belongs to a Customer that is not the PaymentIntent's customer.",
        'payment_method_unusable',
      );
    }
    return testCardOutcome(saved.testCard);
  };

  /** As Stripe does for a 3-D Secure card: the intent waits for the buyer, with the card attached; the client is told how to answer. */
  const awaitAuthentication = async (
    intent: SimulatedIntent,
    paymentMethod: string,
    customerId: string | undefined,
  ) => {
    const next_action = {
      type: 'use_stripe_sdk' as const,
      use_stripe_sdk: { type: 'three_d_secure_redirect' as const, stripe_js: '' },
    };
    const customer = customerId ?? intent.customer ?? null;
    const waiting = await changeOpenIntent(intent.id, {
      status: 'requires_action',
      payment_method: paymentMethod,
      customer,
      next_action,
      last_payment_error: null,
    });
    if (!waiting) throw unexpectedState((await find(intent.id)).status);
    await emit('payment_intent.requires_action', waiting);
    return { status: waiting.status, nextAction: { ...SIMULATED_AUTHENTICATION } };
  };

  /** Stripe replays the first answer for a reused key, and refuses the key with other parameters. */
  const replay = <T extends PaymentIntentRef | RefundRef | CaptureAnswer>(
    key: StoredKey,
    fingerprint: string,
    idempotencyKey: string,
  ): T => {
    if (key.fingerprint !== fingerprint) throw idempotencyError(idempotencyKey);
    return { ...(key.response as T) };
  };

  /** Inserts the key's record; when another request with the same key got there first, its record. */
  const claimKey = async (record: StoredKey): Promise<StoredKey | null> => {
    try {
      await keys.create({ ...record });
      return null;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      return keys.findById(record._id).lean<StoredKey>().orFail();
    }
  };

  const decline = async (
    intent: SimulatedIntent,
    paymentMethod: string,
    { code, declineCode, message }: CardDecline,
  ): Promise<never> => {
    // As in Stripe, a declined intent goes back to requires_payment_method and may be confirmed again.
    const last_payment_error = {
      type: 'card_error' as const,
      code,
      decline_code: declineCode,
      message,
      payment_method: { id: paymentMethod },
    };
    const declined = await changeOpenIntent(intent.id, {
      status: 'requires_payment_method',
      payment_method: null,
      next_action: null,
      last_payment_error,
    });
    if (!declined) throw unexpectedState((await find(intent.id)).status);
    await emit('payment_intent.payment_failed', declined);
    throw new GatewayError('declined', message, code, declineCode);
  };

  /**
   * Applies a claimed refund to its charge once (the charge lists the refunds it counts), then records and
   * announces it once. Run again for the same key (a retry, or a crash half-way), it finishes what is missing.
   */
  const completeRefund = async (key: StoredKey): Promise<RefundRef> => {
    const refund = key.refund!;
    if (key.state === 'done') return { ...(key.response as RefundRef) };
    const charge = await charges.findById(refund.charge).lean<StoredCharge>().orFail();
    const applied = await charges.updateOne(
      {
        _id: charge._id,
        applied_refunds: { $ne: refund.id },
        amount_refunded: { $lte: capturedOf(charge) - refund.amount },
      },
      { $inc: { amount_refunded: refund.amount }, $push: { applied_refunds: refund.id } },
    );
    if (applied.modifiedCount === 0) {
      const now = await charges.findById(charge._id).lean<StoredCharge>().orFail();
      if (!(now.applied_refunds ?? []).includes(refund.id)) {
        // Another refund took what was left since this one was checked: refused, and (as for every refusal) the key is not used up.
        await keys.deleteOne({ _id: key._id, state: 'claimed' });
        throw tooLarge(now, refund.amount);
      }
    }
    await charges.updateOne(
      { _id: charge._id, refunded: false, amount_refunded: { $gte: capturedOf(charge) } },
      { $set: { refunded: true } },
    );
    const { _id, ...fields } = stored(refund);
    await SimulatedRefundModel.updateOne({ _id }, { $setOnInsert: fields }, { upsert: true });
    const announced = await keys.updateOne({ _id: key._id, state: 'claimed' }, { $set: { state: 'done' } });
    if (announced.modifiedCount === 1) {
      await emit('refund.created', refund);
      await emit('charge.refunded', chargeObject(await charges.findById(charge._id).lean<StoredCharge>().orFail()));
    }
    return { ...(key.response as RefundRef) };
  };

  const gateway: SimulatedGateway = {
    kind: 'simulated',
    liveMode: false,

    async createPaymentIntent({ amountMinor, currency, metadata, idempotencyKey, captureMethod }) {
      const amount = toStripeAmount(amountMinor, currency);
      const fingerprint = JSON.stringify([
        amount,
        currency.toLowerCase(),
        Object.entries(metadata).sort(),
        ...(captureMethod ? [captureMethod] : []),
      ]);
      const keyId = `intent:${idempotencyKey}`;
      const earlier = await keys.findById(keyId).lean<StoredKey>();
      if (earlier) return replay<PaymentIntentRef>(earlier, fingerprint, idempotencyKey);
      const id = stripeId('pi');
      const intent: SimulatedIntent = {
        id,
        object: 'payment_intent',
        amount,
        amount_received: 0,
        currency: currency.toLowerCase(),
        status: 'requires_payment_method',
        metadata: { ...metadata },
        client_secret: `${id}_secret_${randomAlphanumeric(24)}`,
        payment_method: null,
        payment_method_types: ['card'],
        customer: null,
        next_action: null,
        last_payment_error: null,
        canceled_at: null,
        cancellation_reason: null,
        created: unixNow(),
        livemode: false,
        latest_charge: null,
        capture_method: captureMethod ?? 'automatic_async',
        amount_capturable: 0,
      };
      await intents.create(stored(intent));
      const response: PaymentIntentRef = { id, clientSecret: intent.client_secret, status: intent.status };
      const first = await claimKey({ _id: keyId, fingerprint, response, state: 'done' });
      if (!first) return { ...response };
      // Another request with this key created its intent first: only that one exists for the key.
      await intents.deleteOne({ _id: id });
      return replay<PaymentIntentRef>(first, fingerprint, idempotencyKey);
    },

    async confirmPaymentIntent(id, paymentMethod, options = {}) {
      const intent = await find(id);
      if (FINAL.includes(intent.status)) throw unexpectedState(intent.status);
      const outcome = await cardOutcome(paymentMethod, options.customerId ?? intent.customer ?? undefined);
      if (outcome.kind === 'unknown') {
        throw new GatewayError('invalid_request', `No such PaymentMethod: '${paymentMethod}'`, 'resource_missing');
      }
      if (outcome.kind === 'authenticate' && intent.authenticated_payment_method !== paymentMethod) {
        return awaitAuthentication(intent, paymentMethod, options.customerId);
      }
      if (outcome.kind === 'declined') return decline(intent, paymentMethod, outcome.decline);
      if (intent.status === 'requires_capture') throw unexpectedState(intent.status);
      const manual = intent.capture_method === 'manual';
      // The charge first: an intent never points to a charge that was not stored.
      const charge: SimulatedCharge = {
        id: stripeId('ch'),
        object: 'charge',
        amount: intent.amount,
        amount_captured: manual ? 0 : intent.amount,
        amount_refunded: 0,
        captured: !manual,
        currency: intent.currency,
        paid: true,
        payment_intent: intent.id,
        refunded: false,
        status: 'succeeded',
        metadata: { ...intent.metadata },
        created: unixNow(),
        livemode: false,
      };
      await charges.create({ ...stored(charge), applied_refunds: [] });
      // Manual capture: the card is only authorized; the intent waits for a capture or a cancel.
      const settled = manual
        ? { status: 'requires_capture' as const, amount_capturable: intent.amount }
        : { status: 'succeeded' as const, amount_received: intent.amount };
      const paid = await changeOpenIntent(id, {
        ...settled,
        payment_method: paymentMethod,
        last_payment_error: null,
        latest_charge: charge.id,
      });
      if (!paid) {
        // Paid or canceled by a concurrent request meanwhile: this confirmation made nothing.
        await charges.deleteOne({ _id: charge.id });
        throw unexpectedState((await find(id)).status);
      }
      await emit(manual ? 'payment_intent.amount_capturable_updated' : 'payment_intent.succeeded', paid);
      return { status: paid.status };
    },

    /**
     * As Stripe captures an authorized card payment: all of it or less (the rest is released), once per key;
     * payment_intent.succeeded follows. An intent that is not requires_capture is refused (payment_intent_unexpected_state),
     * except one already captured, which reports what it took.
     */
    async capturePaymentIntent(id, { amountMinor, currency, idempotencyKey }) {
      const keyId = `capture:${idempotencyKey}`;
      const intent = await find(id);
      const amount =
        amountMinor === undefined ? (intent.amount_capturable ?? 0) : toStripeAmount(amountMinor, currency);
      const fingerprint = JSON.stringify([id, amountMinor === undefined ? null : amount]);
      const earlier = await keys.findById(keyId).lean<StoredKey>();
      if (earlier) return replay<CaptureAnswer>(earlier, fingerprint, idempotencyKey);
      const received = (captured: SimulatedIntent): CaptureAnswer => ({
        status: captured.status,
        amountReceivedMinor: minorFromStripe(captured.amount_received, captured.currency) ?? null,
      });
      if (intent.status === 'succeeded' && intent.capture_method === 'manual') return received(intent);
      if (intent.status !== 'requires_capture') throw uncapturable(intent.status);
      if (amount <= 0 || amount > (intent.amount_capturable ?? 0)) {
        throw new GatewayError(
          'invalid_request',
          `The amount to capture (${amount}) must be positive and at most the amount capturable (${intent.amount_capturable ?? 0}).`,
          'amount_too_large',
        );
      }
      const captured = await intents
        .findOneAndUpdate(
          { _id: id, status: 'requires_capture' },
          { $set: { status: 'succeeded', amount_received: amount, amount_capturable: 0 } },
          { returnDocument: 'after' },
        )
        .lean<Stored<SimulatedIntent>>();
      if (!captured) {
        // Captured or canceled by a concurrent request meanwhile.
        const now = await find(id);
        if (now.status === 'succeeded') return received(now);
        throw uncapturable(now.status);
      }
      const intentNow = stripeObject<SimulatedIntent>(captured);
      await charges.updateOne(
        { _id: intentNow.latest_charge, captured: false },
        { $set: { captured: true, amount_captured: amount } },
      );
      const answer = received(intentNow);
      await claimKey({ _id: keyId, fingerprint, response: answer, state: 'done' });
      await emit('payment_intent.succeeded', intentNow);
      return answer;
    },

    async cancelPaymentIntent(id) {
      // Canceling is idempotent here by itself (a canceled intent stays canceled): no key needed.
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const canceled = await changeOpenIntent(id, { status: 'canceled', canceled_at: unixNow() });
        if (canceled) {
          await emit('payment_intent.canceled', canceled);
          return { status: canceled.status };
        }
        // Stripe refuses these with payment_intent_unexpected_state; the interface reports the final state.
        const intent = await find(id);
        if (FINAL.includes(intent.status)) return { status: intent.status };
      }
      throw new GatewayError('unavailable', 'The payment provider could not be reached, please try again');
    },

    async retrievePaymentIntent(id) {
      const intent = await find(id);
      const error = intent.status === 'requires_payment_method' ? intent.last_payment_error : null;
      return {
        id,
        status: intent.status,
        ...(intent.status === 'requires_action' && { nextAction: { ...SIMULATED_AUTHENTICATION } }),
        ...(error && {
          lastPaymentError: { code: error.code, declineCode: error.decline_code ?? null, message: error.message },
        }),
        currency: intent.currency.toUpperCase(),
        amountReceivedMinor: minorFromStripe(intent.amount_received, intent.currency) ?? null,
        metadata: { ...intent.metadata },
        ...(intent.capture_method === 'manual' && {
          manualCapture: {
            amountMinor: minorFromStripe(intent.amount, intent.currency) ?? null,
            capturableMinor: minorFromStripe(intent.amount_capturable ?? 0, intent.currency) ?? null,
          },
        }),
      };
    },

    /**
     * As Stripe does for a card: the refund succeeds at once, refund.created and charge.refunded follow;
     * more than is left on the charge is refused (amount_too_large, charge_already_refunded) and nothing changes.
     */
    async createRefund({ paymentIntentId, amountMinor, currency, reason, metadata, idempotencyKey }) {
      const amount = toStripeAmount(amountMinor, currency);
      const fingerprint = JSON.stringify([paymentIntentId, amount, reason ?? null, Object.entries(metadata).sort()]);
      const keyId = `refund:${idempotencyKey}`;
      const earlier = await keys.findById(keyId).lean<StoredKey>();
      if (earlier) {
        replay<RefundRef>(earlier, fingerprint, idempotencyKey);
        return completeRefund(earlier);
      }
      const intent = await find(paymentIntentId);
      const charge = intent.latest_charge ? await charges.findById(intent.latest_charge).lean<StoredCharge>() : null;
      if (intent.status !== 'succeeded' || !charge) {
        throw new GatewayError(
          'invalid_request',
          `This PaymentIntent (${intent.id}) does not have a successful charge to refund.`,
          'charge_not_refundable',
        );
      }
      if (charge.currency !== currency.toLowerCase()) {
        throw new GatewayError(
          'invalid_request',
          `The refund must be in the charge's currency (${charge.currency}).`,
          'parameter_invalid_string',
        );
      }
      if (charge.amount_refunded >= capturedOf(charge) || amount > capturedOf(charge) - charge.amount_refunded)
        throw tooLarge(charge, amount);
      const refund: SimulatedRefund = {
        id: stripeId('re'),
        object: 'refund',
        amount,
        charge: charge._id,
        currency: charge.currency,
        metadata: { ...metadata },
        payment_intent: intent.id,
        reason: reason ?? null,
        status: 'succeeded',
        failure_reason: null,
        created: unixNow(),
      };
      const response: RefundRef = {
        id: refund.id,
        status: refund.status,
        amountMinor,
        currency: currency.toUpperCase(),
      };
      const key: StoredKey = { _id: keyId, fingerprint, response, refund, state: 'claimed' };
      const first = await claimKey(key);
      if (first) replay<RefundRef>(first, fingerprint, idempotencyKey);
      return completeRefund(first ?? key);
    },

    /**
     * `complete`: the card is authenticated, and confirming it again charges it (as confirmPaymentIntent does, so a
     * manual-capture intent is only authorized). `fail`: the intent awaits another card, as Stripe leaves it, and
     * payment_intent.payment_failed says why. Only while the intent waits for the buyer (payment_intent_unexpected_state
     * otherwise); two answers at once: one of them is applied.
     */
    async answerAuthentication(id, answer) {
      const intent = await find(id);
      const paymentMethod = intent.payment_method;
      if (intent.status !== 'requires_action' || !paymentMethod) {
        throw new GatewayError(
          'invalid_request',
          `This PaymentIntent is not awaiting authentication: it has a status of ${intent.status}.`,
          'payment_intent_unexpected_state',
        );
      }
      if (answer === 'complete') {
        const authenticated = await changeAwaitingIntent(id, {
          status: 'requires_confirmation',
          next_action: null,
          authenticated_payment_method: paymentMethod,
        });
        if (!authenticated) throw unexpectedState((await find(id)).status);
        return gateway.confirmPaymentIntent(id, paymentMethod, intent.customer ? { customerId: intent.customer } : {});
      }
      const last_payment_error = {
        type: 'invalid_request_error' as const,
        ...AUTHENTICATION_FAILED,
        payment_method: { id: paymentMethod },
      };
      const failed = await changeAwaitingIntent(id, {
        status: 'requires_payment_method',
        payment_method: null,
        next_action: null,
        last_payment_error,
      });
      if (!failed) throw unexpectedState((await find(id)).status);
      await emit('payment_intent.payment_failed', failed);
      return { status: failed.status };
    },

    createCustomer: customers.createCustomer,
    createSetupIntent: customers.createSetupIntent,
    confirmSetupIntent: customers.confirmSetupIntent,
    retrieveSetup: customers.retrieveSetup,
    retrievePaymentMethod: customers.retrievePaymentMethod,
    listCards: customers.listCards,
    detachPaymentMethod: customers.detachPaymentMethod,

    redeliverEvents: () => webhooks.redeliver(),
    settle: () => webhooks.settle(),
  };
  return gateway;
}

/** What a charge took: less than its amount after a partial capture (charges stored before captures were simulated took all of it). */
const capturedOf = (charge: Pick<SimulatedCharge, 'amount' | 'amount_captured'>) =>
  charge.amount_captured ?? charge.amount;

function tooLarge(charge: Stored<SimulatedCharge>, amount: number): GatewayError {
  if (charge.amount_refunded >= capturedOf(charge)) {
    return new GatewayError(
      'invalid_request',
      `Charge ${charge._id} has already been refunded.`,
      'charge_already_refunded',
    );
  }
  return new GatewayError(
    'invalid_request',
    `Refund amount (${amount}) is greater than unrefunded amount on charge (${capturedOf(charge) - charge.amount_refunded})`,
    'amount_too_large',
  );
}

function uncapturable(status: PaymentIntentStatus): GatewayError {
  return new GatewayError(
    'invalid_request',
    `This PaymentIntent could not be captured because it has a status of ${status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
    'payment_intent_unexpected_state',
  );
}

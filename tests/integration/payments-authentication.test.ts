import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import { silentLogger } from '../../src/lib/logger';
import { GatewayError, type CreatePaymentIntentInput } from '../../src/payments/gateway';
import { createSimulatedGateway, type SimulatedGateway } from '../../src/payments/simulated.gateway';
import { createStripeGateway } from '../../src/payments/stripe.gateway';
import { useTestDatabase } from '../helpers/db';
import { answerChallenge, confirmCardSetup } from '../helpers/localstripe';
import {
  localstripeUrl,
  startWebhookReceiver,
  stripeSettingsFor,
  type WebhookReceiver,
} from '../helpers/stripe-services';

/** 3-D Secure through each gateway: a card that needs authentication, and the buyer completing or failing it. */
useTestDatabase();

const order = (): CreatePaymentIntentInput => ({
  amountMinor: 1999,
  currency: 'EUR',
  metadata: { orderId: `order_${randomUUID()}`, userId: 'user_3ds' },
  idempotencyKey: `order-${randomUUID()}`,
});

describe('simulated gateway: 3-D Secure test cards', () => {
  let receiver: WebhookReceiver;
  let gateway: SimulatedGateway;
  const events = (intentId: string) =>
    receiver.deliveries
      .map((d) => JSON.parse(d.rawBody.toString()) as Stripe.Event)
      .filter((event) => (event.data.object as { id?: string }).id === intentId);

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    gateway = createSimulatedGateway({
      webhookSecret: 'whsec_3ds',
      webhookUrl: () => receiver.url,
      deliveryDelayMs: 0,
      logger: silentLogger,
    });
  });
  afterAll(async () => {
    await gateway.settle();
    await receiver.close();
  });

  it.each(['pm_card_authenticationRequired', 'pm_card_threeDSecure2Required'])(
    'when %s is confirmed, then the intent waits for the buyer (requires_action) and says how to answer',
    async (card) => {
      const intent = await gateway.createPaymentIntent(order());

      const confirmed = await gateway.confirmPaymentIntent(intent.id, card);
      await gateway.settle();

      expect(confirmed).toEqual({ status: 'requires_action', nextAction: { type: 'simulated_authentication' } });
      expect(await gateway.retrievePaymentIntent(intent.id)).toMatchObject({
        status: 'requires_action',
        nextAction: { type: 'simulated_authentication' },
      });
      const [event] = events(intent.id);
      expect(event?.type).toBe('payment_intent.requires_action');
      expect(event?.data.object).toMatchObject({
        status: 'requires_action',
        payment_method: card,
        next_action: { type: 'use_stripe_sdk' },
      });
    },
  );

  it('when the buyer completes the challenge, then the intent succeeds and payment_intent.succeeded follows', async () => {
    const intent = await gateway.createPaymentIntent(order());
    await gateway.confirmPaymentIntent(intent.id, 'pm_card_authenticationRequired');

    const answered = await gateway.answerAuthentication(intent.id, 'complete');
    await gateway.settle();

    expect(answered).toEqual({ status: 'succeeded' });
    expect(await gateway.retrievePaymentIntent(intent.id)).toMatchObject({
      status: 'succeeded',
      amountReceivedMinor: 1999,
    });
    expect(events(intent.id).map((e) => e.type)).toEqual([
      'payment_intent.requires_action',
      'payment_intent.succeeded',
    ]);
  });

  it("when the buyer fails it, then the intent awaits another card and payment_failed carries Stripe's authentication failure; another card then pays", async () => {
    const intent = await gateway.createPaymentIntent(order());
    await gateway.confirmPaymentIntent(intent.id, 'pm_card_threeDSecure2Required');

    const answered = await gateway.answerAuthentication(intent.id, 'fail');
    await gateway.settle();
    const after = await gateway.retrievePaymentIntent(intent.id);
    const retried = await gateway.confirmPaymentIntent(intent.id, 'pm_card_visa');

    expect(answered).toEqual({ status: 'requires_payment_method' });
    expect(after.lastPaymentError).toEqual({
      code: 'payment_intent_authentication_failure',
      declineCode: null,
      message: expect.stringMatching(/^The provided PaymentMethod has failed authentication/),
    });
    const failed = events(intent.id).find((e) => e.type === 'payment_intent.payment_failed');
    expect(failed?.data.object).toMatchObject({
      status: 'requires_payment_method',
      last_payment_error: { code: 'payment_intent_authentication_failure' },
    });
    expect(retried).toEqual({ status: 'succeeded' });
  });

  it('when the buyer abandons the challenge and pays with another card, then that card pays (as on Stripe)', async () => {
    const intent = await gateway.createPaymentIntent(order());
    await gateway.confirmPaymentIntent(intent.id, 'pm_card_authenticationRequired');

    await expect(gateway.confirmPaymentIntent(intent.id, 'pm_card_mastercard')).resolves.toEqual({
      status: 'succeeded',
    });
    await expect(gateway.answerAuthentication(intent.id, 'complete')).rejects.toMatchObject({
      code: 'payment_intent_unexpected_state',
    });
  });

  it('when nothing awaits authentication (a fresh or paid intent), then answering is refused and changes nothing', async () => {
    const fresh = await gateway.createPaymentIntent(order());

    await expect(gateway.answerAuthentication(fresh.id, 'complete')).rejects.toEqual(
      new GatewayError(
        'invalid_request',
        'This PaymentIntent is not awaiting authentication: it has a status of requires_payment_method.',
        'payment_intent_unexpected_state',
      ),
    );
    expect((await gateway.retrievePaymentIntent(fresh.id)).status).toBe('requires_payment_method');
  });

  it('when both answers race, then exactly one is applied', async () => {
    const intent = await gateway.createPaymentIntent(order());
    await gateway.confirmPaymentIntent(intent.id, 'pm_card_authenticationRequired');

    const results = await Promise.allSettled([
      gateway.answerAuthentication(intent.id, 'complete'),
      gateway.answerAuthentication(intent.id, 'fail'),
    ]);

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const { status } = await gateway.retrievePaymentIntent(intent.id);
    expect(['succeeded', 'requires_payment_method']).toContain(status);
  });
});

describe('Stripe adapter against localstripe: 3-D Secure', () => {
  const gateway = () => createStripeGateway(stripeSettingsFor(localstripeUrl()), silentLogger);

  /** A card saved with the stand-in's confirmCardSetup: localstripe knows 3-D Secure only by card number. */
  async function savedCard(number: string) {
    const payments = gateway();
    const customer = await payments.createCustomer({
      email: 'buyer@example.com',
      name: 'Buyer',
      metadata: {},
      idempotencyKey: randomUUID(),
    });
    const setup = await payments.createSetupIntent({ customerId: customer.id, metadata: {} });
    await confirmCardSetup(setup.clientSecret, number);
    const { card } = await payments.retrieveSetup(setup.id);
    return { customerId: customer.id, paymentMethod: card!.id };
  }

  it("when a 3-D Secure card is confirmed from the server, then requires_action with Stripe's use_stripe_sdk action; completing it pays", async () => {
    const payments = gateway();
    const { customerId, paymentMethod } = await savedCard('4000002760003184');
    const intent = await payments.createPaymentIntent(order());

    const confirmed = await payments.confirmPaymentIntent(intent.id, paymentMethod, { customerId });
    const waiting = await payments.retrievePaymentIntent(intent.id);
    const answer = await answerChallenge(intent.clientSecret, true);

    expect(confirmed).toEqual({ status: 'requires_action', nextAction: { type: 'use_stripe_sdk' } });
    expect(waiting).toMatchObject({ status: 'requires_action', nextAction: { type: 'use_stripe_sdk' } });
    expect(answer.status).toBe(200);
    expect((await payments.retrievePaymentIntent(intent.id)).status).toBe('succeeded');
  });

  it('when the challenge is failed, then the intent awaits another card, with the authentication failure as its last error', async () => {
    const payments = gateway();
    const { customerId, paymentMethod } = await savedCard('4000002500003155');
    const intent = await payments.createPaymentIntent(order());
    await payments.confirmPaymentIntent(intent.id, paymentMethod, { customerId });

    await answerChallenge(intent.clientSecret, false);

    expect(await payments.retrievePaymentIntent(intent.id)).toMatchObject({
      status: 'requires_payment_method',
      lastPaymentError: {
        code: 'payment_intent_authentication_failure',
        declineCode: null,
        message: expect.any(String),
      },
    });
    await expect(payments.confirmPaymentIntent(intent.id, 'pm_card_visa')).resolves.toEqual({ status: 'succeeded' });
  });
});

import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import { silentLogger } from '../../src/lib/logger';
import { GatewayError, type CreatePaymentIntentInput } from '../../src/payments/gateway';
import { createStripeGateway } from '../../src/payments/stripe.gateway';
import { createWebhookVerifier } from '../../src/payments/webhook';
import { useLocalstripeWebhookReceiver } from '../helpers/localstripe';
import {
  closedPort,
  localstripeUrl,
  startHttpServer,
  stripeSettingsFor,
  type Delivery,
} from '../helpers/stripe-services';

/**
 * The Stripe adapter against localstripe, which keeps state: declines, cancels and signed webhooks behave.
 * Other test files may use the same localstripe at the same time, so nothing here resets its data, and
 * every assertion is about intents this file created.
 */
const gateway = () => createStripeGateway(stripeSettingsFor(localstripeUrl()), silentLogger);

const order = (): CreatePaymentIntentInput => ({
  amountMinor: 4200,
  currency: 'EUR',
  metadata: { orderId: `order_${randomUUID()}`, userId: 'user_localstripe' },
  idempotencyKey: `order-${randomUUID()}`,
});

describe('Stripe gateway against localstripe', () => {
  it('when pm_card_visa is confirmed, then the intent succeeds', async () => {
    // Arrange
    const payments = gateway();
    const intent = await payments.createPaymentIntent(order());

    // Act
    const confirmed = await payments.confirmPaymentIntent(intent.id, 'pm_card_visa');

    // Assert
    expect(intent).toEqual({
      id: expect.stringMatching(/^pi_/),
      clientSecret: expect.stringMatching(/^pi_\w+_secret_\w+$/),
      status: 'requires_payment_method',
    });
    expect(confirmed).toEqual({ status: 'succeeded' });
  });

  it('when pm_card_chargeCustomerFail is confirmed, then a declined GatewayError with code card_declined is thrown', async () => {
    const payments = gateway();
    const intent = await payments.createPaymentIntent(order());

    const confirming = payments.confirmPaymentIntent(intent.id, 'pm_card_chargeCustomerFail');

    // localstripe sends no decline_code, so the code stands in for it.
    await expect(confirming).rejects.toEqual(
      new GatewayError('declined', 'Your card was declined.', 'card_declined', 'card_declined'),
    );
    await expect(confirming).rejects.toMatchObject({ kind: 'declined', code: 'card_declined' });
  });

  it('when a fresh intent is canceled, then it is canceled', async () => {
    const payments = gateway();
    const intent = await payments.createPaymentIntent(order());

    const canceled = await payments.cancelPaymentIntent(intent.id);

    expect(canceled).toEqual({ status: 'canceled' });
  });

  it('when a paid intent is canceled, then Stripe refuses and the gateway reports succeeded', async () => {
    const payments = gateway();
    const intent = await payments.createPaymentIntent(order());
    await payments.confirmPaymentIntent(intent.id, 'pm_card_visa');

    const canceled = await payments.cancelPaymentIntent(intent.id);

    expect(canceled).toEqual({ status: 'succeeded' });
  });

  it('when a canceled intent is canceled again, then it reports canceled', async () => {
    const payments = gateway();
    const intent = await payments.createPaymentIntent(order());
    await payments.cancelPaymentIntent(intent.id);

    await expect(payments.cancelPaymentIntent(intent.id)).resolves.toEqual({ status: 'canceled' });
  });

  it('when the intent does not exist, then the request is invalid', async () => {
    await expect(gateway().cancelPaymentIntent('pi_doesNotExist')).rejects.toMatchObject({ kind: 'invalid_request' });
  });

  describe('webhooks', () => {
    const webhook = useLocalstripeWebhookReceiver('payments-suite');
    const eventAbout = (intentId: string, type: string) => (delivery: Delivery) => {
      const event = JSON.parse(delivery.rawBody.toString()) as Stripe.Event;
      return event.type === type && (event.data.object as { id?: string }).id === intentId;
    };

    it('when an intent succeeds, then localstripe delivers payment_intent.succeeded that our verifier accepts', async () => {
      // Arrange
      const payments = gateway();
      const input = order();
      const intent = await payments.createPaymentIntent(input);

      // Act
      await payments.confirmPaymentIntent(intent.id, 'pm_card_visa');
      const delivery = await webhook.receiver.waitFor(eventAbout(intent.id, 'payment_intent.succeeded'), 5000);

      // Assert
      const event = createWebhookVerifier(webhook.secret)(
        delivery.rawBody,
        delivery.headers['stripe-signature'] as string,
      );
      expect(event.type).toBe('payment_intent.succeeded');
      expect(event.data.object).toMatchObject({
        id: intent.id,
        status: 'succeeded',
        amount: 4200,
        metadata: input.metadata,
      });
      expect(() =>
        createWebhookVerifier('whsec_other')(delivery.rawBody, delivery.headers['stripe-signature'] as string),
      ).toThrow();
    });

    it('when a card is declined, then payment_intent.payment_failed arrives with the error', async () => {
      const payments = gateway();
      const intent = await payments.createPaymentIntent(order());

      await expect(payments.confirmPaymentIntent(intent.id, 'pm_card_chargeCustomerFail')).rejects.toBeInstanceOf(
        GatewayError,
      );
      const delivery = await webhook.receiver.waitFor(eventAbout(intent.id, 'payment_intent.payment_failed'), 5000);

      const event = createWebhookVerifier(webhook.secret)(
        delivery.rawBody,
        delivery.headers['stripe-signature'] as string,
      );
      expect(event.data.object).toMatchObject({
        status: 'requires_payment_method',
        last_payment_error: { code: 'card_declined' },
      });
    });
  });

  describe('when Stripe cannot be reached', () => {
    it('when nothing listens on the API port, then the gateway fails fast as unavailable', async () => {
      // Arrange
      const payments = createStripeGateway(
        stripeSettingsFor(`http://127.0.0.1:${await closedPort()}`, { timeoutMs: 500 }),
        silentLogger,
      );
      const started = Date.now();

      // Act
      const creating = payments.createPaymentIntent(order());

      // Assert
      await expect(creating).rejects.toEqual(
        new GatewayError('unavailable', 'The payment provider could not be reached, please try again'),
      );
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('when the API accepts the connection but never answers, then the timeout gives unavailable', async () => {
      const silent = await startHttpServer(() => undefined);
      const payments = createStripeGateway(stripeSettingsFor(silent.url, { timeoutMs: 300 }), silentLogger);
      const started = Date.now();

      const confirming = payments.confirmPaymentIntent('pi_any', 'pm_card_visa');

      await expect(confirming).rejects.toMatchObject({ kind: 'unavailable' });
      expect(Date.now() - started).toBeLessThan(2000);
      await silent.close();
    });

    it('when localstripe refuses the key (401), then the gateway reports unavailable, not the key problem', async () => {
      const payments = createStripeGateway(stripeSettingsFor(localstripeUrl(), { secretKey: 'sk_ab' }), silentLogger);

      await expect(payments.createPaymentIntent(order())).rejects.toMatchObject({
        kind: 'unavailable',
        message: 'The payment provider could not be reached, please try again',
      });
    });
  });
});

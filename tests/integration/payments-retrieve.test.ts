import { randomUUID } from 'node:crypto';
import { silentLogger } from '../../src/lib/logger';
import { createSimulatedGateway } from '../../src/payments/simulated.gateway';
import { createStripeGateway } from '../../src/payments/stripe.gateway';
import { useTestDatabase } from '../helpers/db';
import { localstripeUrl, startRecordingProxy, stripeMockUrl, stripeSettingsFor } from '../helpers/stripe-services';

// The simulated gateway keeps its intents, charges and refunds in MongoDB.
useTestDatabase();

/** retrievePaymentIntent, which reconciliation relies on, through each PaymentGateway implementation. */
const input = () => ({
  amountMinor: 4200,
  currency: 'EUR',
  metadata: { orderId: `order_${randomUUID()}`, userId: 'user_retrieve' },
  idempotencyKey: randomUUID(),
});

describe('retrievePaymentIntent', () => {
  it('when the Stripe adapter retrieves an intent, then stripe-mock accepts the request and the snapshot has our shape', async () => {
    const proxy = await startRecordingProxy(stripeMockUrl());
    try {
      const gateway = createStripeGateway(stripeSettingsFor(proxy.url), silentLogger);

      const snapshot = await gateway.retrievePaymentIntent('pi_stripe_mock');

      expect(proxy.exchanges.map(({ method, path, status }) => `${method} ${path} ${status}`)).toEqual([
        'GET /v1/payment_intents/pi_stripe_mock 200',
      ]);
      expect(snapshot).toEqual({
        id: expect.stringMatching(/^pi_/),
        status: expect.any(String),
        currency: expect.stringMatching(/^[A-Z]{3}$/),
        amountReceivedMinor: expect.any(Number),
        metadata: expect.any(Object),
      });
    } finally {
      await proxy.close();
    }
  });

  it('when the Stripe adapter retrieves from localstripe before and after paying, then it reports the status and what was received', async () => {
    const gateway = createStripeGateway(stripeSettingsFor(localstripeUrl()), silentLogger);
    const created = input();
    const intent = await gateway.createPaymentIntent(created);

    const before = await gateway.retrievePaymentIntent(intent.id);
    await gateway.confirmPaymentIntent(intent.id, 'pm_card_visa');
    const after = await gateway.retrievePaymentIntent(intent.id);

    expect(before).toEqual({
      id: intent.id,
      status: 'requires_payment_method',
      currency: 'EUR',
      amountReceivedMinor: 0,
      metadata: created.metadata,
    });
    expect(after).toEqual({
      id: intent.id,
      status: 'succeeded',
      currency: 'EUR',
      amountReceivedMinor: 4200,
      metadata: created.metadata,
    });
  });

  it('when localstripe does not know the intent, then the request is invalid', async () => {
    const gateway = createStripeGateway(stripeSettingsFor(localstripeUrl()), silentLogger);

    await expect(gateway.retrievePaymentIntent('pi_doesNotExist')).rejects.toMatchObject({ kind: 'invalid_request' });
  });

  it('when the simulated gateway retrieves an intent before and after paying, then it reports what Stripe would', async () => {
    const gateway = createSimulatedGateway({
      webhookSecret: 'whsec_x',
      webhookUrl: () => undefined,
      deliveryDelayMs: 0,
      logger: silentLogger,
    });
    const created = { ...input(), currency: 'ISK', amountMinor: 5000 };
    const intent = await gateway.createPaymentIntent(created);

    const before = await gateway.retrievePaymentIntent(intent.id);
    await gateway.confirmPaymentIntent(intent.id, 'pm_card_visa');
    const after = await gateway.retrievePaymentIntent(intent.id);

    expect(before).toEqual({
      id: intent.id,
      status: 'requires_payment_method',
      currency: 'ISK',
      amountReceivedMinor: 0,
      metadata: created.metadata,
    });
    // ISK travels as 500000 in Stripe's units; the snapshot is in ISO minor units again.
    expect(after).toMatchObject({ status: 'succeeded', amountReceivedMinor: 5000 });
    await expect(gateway.retrievePaymentIntent('pi_unknown')).rejects.toMatchObject({
      kind: 'invalid_request',
      code: 'resource_missing',
    });
  });
});

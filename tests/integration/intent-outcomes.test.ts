import { randomUUID } from 'node:crypto';
import { silentLogger } from '../../src/lib/logger';
import type { PaymentGateway } from '../../src/payments/gateway';
import { cancelIntent, lookUpIntent } from '../../src/payments/intent-outcomes';
import { createSimulatedGateway } from '../../src/payments/simulated.gateway';
import { createStripeGateway } from '../../src/payments/stripe.gateway';
import { useTestDatabase } from '../helpers/db';
import { localstripeUrl, stripeSettingsFor } from '../helpers/stripe-services';

/**
 * What the reconciliation and the cancels read: the gateway's answers about one intent as outcomes, the same
 * for both gateways (the simulated one, and the Stripe adapter against localstripe).
 */
useTestDatabase();

const gateways: Array<[string, () => PaymentGateway]> = [
  [
    'the simulated gateway',
    () =>
      createSimulatedGateway({
        webhookSecret: 'whsec_outcomes',
        webhookUrl: () => undefined,
        deliveryDelayMs: 0,
        logger: silentLogger,
      }),
  ],
  ['the Stripe adapter (localstripe)', () => createStripeGateway(stripeSettingsFor(localstripeUrl()), silentLogger)],
];

const newIntent = (gateway: PaymentGateway) =>
  gateway.createPaymentIntent({
    amountMinor: 1250,
    currency: 'EUR',
    metadata: { orderId: 'order_outcomes' },
    idempotencyKey: randomUUID(),
  });

describe.each(gateways)('answers about an intent from %s', (_label, make) => {
  it('when the intent awaits payment, is paid, or is canceled, then the outcome says so in our terms', async () => {
    const gateway = make();
    const open = await newIntent(gateway);
    const paid = await newIntent(gateway);
    await gateway.confirmPaymentIntent(paid.id, 'pm_card_visa');
    const canceled = await newIntent(gateway);
    await gateway.cancelPaymentIntent(canceled.id);

    expect(await lookUpIntent(gateway, open.id)).toEqual({
      kind: 'payment_open',
      intentId: open.id,
      orderIdHint: 'order_outcomes',
    });
    expect(await lookUpIntent(gateway, paid.id)).toEqual({
      kind: 'payment_succeeded',
      intentId: paid.id,
      currency: 'EUR',
      amountMinor: 1250,
      orderIdHint: 'order_outcomes',
    });
    expect(await lookUpIntent(gateway, canceled.id)).toEqual({
      kind: 'payment_canceled',
      intentId: canceled.id,
      orderIdHint: 'order_outcomes',
    });
  });

  it('when the gateway does not know the intent, then looking it up or canceling it says intent_missing', async () => {
    const gateway = make();

    expect(await lookUpIntent(gateway, 'pi_neverMadeHere')).toEqual({
      kind: 'intent_missing',
      intentId: 'pi_neverMadeHere',
    });
    expect(await cancelIntent(gateway, 'pi_neverMadeHere')).toEqual({
      kind: 'intent_missing',
      intentId: 'pi_neverMadeHere',
    });
  });

  it('when an intent is canceled, or was paid before the cancel, then the cancel says where it ended', async () => {
    const gateway = make();
    const open = await newIntent(gateway);
    const paid = await newIntent(gateway);
    await gateway.confirmPaymentIntent(paid.id, 'pm_card_visa');

    expect(await cancelIntent(gateway, open.id)).toEqual({ kind: 'payment_canceled', intentId: open.id });
    expect(await cancelIntent(gateway, paid.id)).toEqual({ kind: 'already_succeeded', intentId: paid.id });
  });
});

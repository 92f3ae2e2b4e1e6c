import { randomUUID } from 'node:crypto';
import { silentLogger } from '../../src/lib/logger';
import type { PaymentGateway } from '../../src/payments/gateway';
import { createSimulatedGateway, type SimulatedGateway } from '../../src/payments/simulated.gateway';
import { STRIPE_API_VERSION } from '../../src/payments/stripe.api-version';
import { createStripeGateway } from '../../src/payments/stripe.gateway';
import { useTestDatabase } from '../helpers/db';
import { confirmCardSetup } from '../helpers/localstripe';
import {
  localstripeUrl,
  startRecordingProxy,
  stripeMockUrl,
  stripeSettingsFor,
  type RecordedExchange,
  type TestServer,
} from '../helpers/stripe-services';

/**
 * Customers, SetupIntents and saved cards through each gateway. The browser's part (Stripe.js confirmCardSetup)
 * is played by the simulated gateway's confirmSetupIntent, and on localstripe by the requests its stand-in makes.
 */
useTestDatabase();

const customerInput = () => ({
  email: 'jane@example.com',
  name: 'Jane',
  metadata: { userId: 'user_1' },
  idempotencyKey: `customer_${randomUUID()}`,
});
const intentInput = () => ({
  amountMinor: 1500,
  currency: 'USD',
  metadata: { orderId: randomUUID() },
  idempotencyKey: randomUUID(),
});

interface Harness {
  gateway: PaymentGateway;
  /** What Stripe.js's confirmCardSetup does with a card in the browser. */
  confirmSetup: (setup: { id: string; clientSecret: string }) => Promise<void>;
}

const harnesses: Array<[string, () => Harness]> = [
  [
    'simulated',
    () => {
      const gateway: SimulatedGateway = createSimulatedGateway({
        webhookSecret: 'whsec_x',
        webhookUrl: () => undefined,
        deliveryDelayMs: 0,
        logger: silentLogger,
      });
      return { gateway, confirmSetup: async ({ id }) => void (await gateway.confirmSetupIntent(id, 'pm_card_visa')) };
    },
  ],
  [
    'localstripe',
    () => ({
      gateway: createStripeGateway(stripeSettingsFor(localstripeUrl()), silentLogger),
      confirmSetup: async ({ clientSecret }) => {
        const answer = await confirmCardSetup(clientSecret, '4242424242424242');
        if (answer.body.status !== 'succeeded') throw new Error(`confirmCardSetup: ${JSON.stringify(answer.body)}`);
      },
    }),
  ],
];

describe.each(harnesses)('saved cards through the %s gateway', (_name, make) => {
  it('when a SetupIntent is made for a customer and confirmed with a card, then the card is on the customer, listed, and pays with the customer', async () => {
    const { gateway, confirmSetup } = make();
    const customer = await gateway.createCustomer(customerInput());
    const setup = await gateway.createSetupIntent({ customerId: customer.id, metadata: { userId: 'user_1' } });
    const before = await gateway.retrieveSetup(setup.id);

    await confirmSetup(setup);
    const after = await gateway.retrieveSetup(setup.id);
    const listed = await gateway.listCards(customer.id);
    const intent = await gateway.createPaymentIntent(intentInput());
    const paid = await gateway.confirmPaymentIntent(intent.id, after.card!.id, { customerId: customer.id });

    expect(setup).toEqual({
      id: expect.stringMatching(/^seti_/),
      clientSecret: expect.stringMatching(/^seti_\w+_secret_\w+$/),
      status: 'requires_payment_method',
    });
    expect(before).toEqual({ id: setup.id, status: 'requires_payment_method', customerId: customer.id, card: null });
    expect(after).toEqual({
      id: setup.id,
      status: 'succeeded',
      customerId: customer.id,
      card: {
        id: expect.stringMatching(/^pm_/),
        customerId: customer.id,
        brand: 'visa',
        last4: '4242',
        expMonth: expect.any(Number),
        expYear: expect.any(Number),
      },
    });
    expect(listed).toEqual([after.card]);
    expect(await gateway.retrievePaymentMethod(after.card!.id)).toEqual(after.card);
    expect(paid).toEqual({ status: 'succeeded' });
  });

  it('when a card is detached, then it is on no customer and no longer listed', async () => {
    const { gateway, confirmSetup } = make();
    const customer = await gateway.createCustomer(customerInput());
    const setup = await gateway.createSetupIntent({ customerId: customer.id, metadata: {} });
    await confirmSetup(setup);
    const { card } = await gateway.retrieveSetup(setup.id);

    await gateway.detachPaymentMethod(card!.id);

    expect(await gateway.listCards(customer.id)).toEqual([]);
    expect((await gateway.retrievePaymentMethod(card!.id)).customerId).toBeNull();
  });

  it('when a SetupIntent or payment method does not exist, then the gateway says resource_missing (as a 404 would)', async () => {
    const { gateway } = make();

    await expect(gateway.retrieveSetup('seti_doesNotExist')).rejects.toMatchObject({
      kind: 'invalid_request',
      code: 'resource_missing',
    });
    await expect(gateway.retrievePaymentMethod('pm_doesNotExist')).rejects.toMatchObject({
      kind: 'invalid_request',
      code: 'resource_missing',
    });
  });
});

describe('simulated gateway: what Stripe does that the shop relies on', () => {
  const make = () =>
    createSimulatedGateway({
      webhookSecret: 'whsec_x',
      webhookUrl: () => undefined,
      deliveryDelayMs: 0,
      logger: silentLogger,
    });

  it('when a SetupIntent is asked for a customer that does not exist, then resource_missing, as on Stripe (localstripe does not check)', async () => {
    await expect(make().createSetupIntent({ customerId: 'cus_doesNotExist', metadata: {} })).rejects.toMatchObject({
      kind: 'invalid_request',
      code: 'resource_missing',
    });
  });

  it('when one idempotency key creates a customer twice, even at once, then there is one customer; other parameters with it are refused', async () => {
    const gateway = make();
    const input = customerInput();

    const ids = await Promise.all([
      gateway.createCustomer(input),
      gateway.createCustomer(input),
      gateway.createCustomer(input),
    ]);

    expect(new Set(ids.map((c) => c.id)).size).toBe(1);
    await expect(gateway.createCustomer({ ...input, name: 'Someone Else' })).rejects.toMatchObject({
      code: 'idempotency_error',
    });
  });

  it("when a saved card is charged without its customer, or another customer's, or after it was detached, then the gateway refuses", async () => {
    const gateway = make();
    const owner = await gateway.createCustomer(customerInput());
    const other = await gateway.createCustomer(customerInput());
    const setup = await gateway.createSetupIntent({ customerId: owner.id, metadata: {} });
    await gateway.confirmSetupIntent(setup.id, 'pm_card_mastercard');
    const { card } = await gateway.retrieveSetup(setup.id);
    const intent = await gateway.createPaymentIntent(intentInput());

    await expect(gateway.confirmPaymentIntent(intent.id, card!.id)).rejects.toMatchObject({ kind: 'invalid_request' });
    await expect(gateway.confirmPaymentIntent(intent.id, card!.id, { customerId: other.id })).rejects.toMatchObject({
      kind: 'invalid_request',
    });
    await gateway.detachPaymentMethod(card!.id);
    await expect(gateway.confirmPaymentIntent(intent.id, card!.id, { customerId: owner.id })).rejects.toMatchObject({
      kind: 'invalid_request',
    });
    expect(card).toMatchObject({ brand: 'mastercard', last4: '4444' });
  });

  it('when a saved test card pays, then it pays as the test card it was saved from: a 3-D Secure card asks for authentication, a failing one declines', async () => {
    const gateway = make();
    const customer = await gateway.createCustomer(customerInput());
    const save = async (testCard: string) => {
      const setup = await gateway.createSetupIntent({ customerId: customer.id, metadata: {} });
      await gateway.confirmSetupIntent(setup.id, testCard);
      return (await gateway.retrieveSetup(setup.id)).card!.id;
    };
    const secure = await save('pm_card_authenticationRequired');
    const failing = await save('pm_card_chargeCustomerFail');

    const first = await gateway.confirmPaymentIntent((await gateway.createPaymentIntent(intentInput())).id, secure, {
      customerId: customer.id,
    });
    const second = gateway.confirmPaymentIntent((await gateway.createPaymentIntent(intentInput())).id, failing, {
      customerId: customer.id,
    });

    expect(first).toEqual({ status: 'requires_action', nextAction: { type: 'simulated_authentication' } });
    await expect(second).rejects.toMatchObject({ kind: 'declined', code: 'card_declined' });
  });

  it('when a card Stripe declines at setup is saved, then the SetupIntent is declined and nothing is saved', async () => {
    const gateway = make();
    const customer = await gateway.createCustomer(customerInput());
    const setup = await gateway.createSetupIntent({ customerId: customer.id, metadata: {} });

    await expect(gateway.confirmSetupIntent(setup.id, 'pm_card_chargeDeclinedInsufficientFunds')).rejects.toMatchObject(
      { kind: 'declined' },
    );

    expect(await gateway.retrieveSetup(setup.id)).toMatchObject({ status: 'requires_payment_method', card: null });
    expect(await gateway.listCards(customer.id)).toEqual([]);
  });
});

describe('Stripe adapter against stripe-mock: the saved-card requests are valid', () => {
  let proxy: TestServer & { exchanges: RecordedExchange[] };
  const form = (exchange: RecordedExchange | undefined) =>
    Object.fromEntries(new URLSearchParams(exchange?.body ?? ''));

  beforeAll(async () => {
    proxy = await startRecordingProxy(stripeMockUrl());
  });
  afterAll(async () => {
    await proxy.close();
  });

  it('when each saved-card operation and a confirm with a customer are sent, then stripe-mock accepts every request for the pinned API version', async () => {
    const gateway = createStripeGateway(stripeSettingsFor(proxy.url), silentLogger);
    proxy.exchanges.length = 0;

    await gateway.createCustomer({ ...customerInput(), idempotencyKey: 'customer_user_1' });
    await gateway.createSetupIntent({ customerId: 'cus_123', metadata: { userId: 'user_1' } });
    await gateway.retrieveSetup('seti_123');
    await gateway.retrievePaymentMethod('pm_123');
    await gateway.listCards('cus_123');
    await gateway.detachPaymentMethod('pm_123');
    await gateway.confirmPaymentIntent('pi_123', 'pm_123', { customerId: 'cus_123' });

    const sent = proxy.exchanges.map(({ method, path, status }) => `${method} ${path.split('?')[0]} ${status}`);
    expect(sent).toEqual(
      expect.arrayContaining([
        'POST /v1/customers 200',
        'POST /v1/setup_intents 200',
        'GET /v1/setup_intents/seti_123 200',
        'GET /v1/payment_methods/pm_123 200',
        'GET /v1/payment_methods 200',
        'POST /v1/payment_methods/pm_123/detach 200',
        'POST /v1/payment_intents/pi_123 200',
        'POST /v1/payment_intents/pi_123/confirm 200',
      ]),
    );
    expect(sent.every((line) => line.endsWith(' 200'))).toBe(true);
    const [customer, setup] = proxy.exchanges;
    expect(customer?.headers).toMatchObject({
      'idempotency-key': 'customer_user_1',
      'stripe-version': STRIPE_API_VERSION,
    });
    expect(form(customer)).toEqual({ email: 'jane@example.com', name: 'Jane', 'metadata[userId]': 'user_1' });
    expect(form(setup)).toEqual({
      customer: 'cus_123',
      'payment_method_types[0]': 'card',
      'metadata[userId]': 'user_1',
    });
    const update = proxy.exchanges.find((e) => e.path === '/v1/payment_intents/pi_123');
    expect(form(update)).toEqual({ payment_method: 'pm_123', customer: 'cus_123' });
    expect(proxy.exchanges.find((e) => e.method === 'GET' && e.path.startsWith('/v1/payment_methods?'))?.path).toMatch(
      /customer=cus_123.*type=card.*limit=100|limit=100/,
    );
  });
});

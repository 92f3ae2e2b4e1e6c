import request from 'supertest';
import { silentLogger } from '../../src/lib/logger';
import { OrderModel } from '../../src/models/order.model';
import { ProductModel } from '../../src/models/product.model';
import type { PaymentGateway } from '../../src/payments/gateway';
import { createSimulatedGateway } from '../../src/payments/simulated.gateway';
import { createStripeGateway } from '../../src/payments/stripe.gateway';
import { buildTestApp, testConfig } from '../helpers/app';
import { adminToken, createOrder, createProduct, getOrder, registerAndLogin } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';
import { sweeperFor } from '../helpers/sweeper';
import { localstripeUrl, stripeSettingsFor } from '../helpers/stripe-services';

useTestDatabase();

const MINUTE = 60_000;
let now = new Date('2026-11-27T10:00:00Z');
const clock = () => now;
const config = testConfig({ ORDER_PAYMENT_TIMEOUT_MINUTES: '30' });
/** The simulated gateway with no webhook target: every event it would send is dropped, as if lost. */
const simulated = () =>
  createSimulatedGateway({
    webhookSecret: config.stripe.webhookSecret,
    webhookUrl: () => undefined,
    deliveryDelayMs: 0,
    logger: silentLogger,
  });

const sweeperOn = (payments: PaymentGateway) => sweeperFor({ payments, clock, config });
const pay = (app: ReturnType<typeof buildTestApp>, token: string, orderId: string) =>
  request(app)
    .post(`/api/orders/${orderId}/pay`)
    .set('Authorization', token)
    .send({ paymentMethod: 'pm_card_visa' })
    .expect(200);

let productId: string;
let buyer: { token: string };
async function arrange(payments: PaymentGateway) {
  const app = buildTestApp({ deps: { payments, clock } });
  const admin = await adminToken(app);
  buyer = await registerAndLogin(app);
  productId = (await createProduct(app, admin, { stock: 10 })).id;
  return app;
}
const product = async () => (await ProductModel.findById(productId).lean())!;

beforeEach(() => {
  now = new Date('2026-11-27T10:00:00Z');
});

describe('reconciliation before the expiry job cancels', () => {
  it("when a payment's webhook is never delivered (simulated gateway), then after the expiry window the order is paid, not canceled", async () => {
    const payments = simulated();
    const app = await arrange(payments);
    const order = await createOrder(app, buyer.token, [{ productId, quantity: 2 }]);
    await pay(app, buyer.token, order.orderId);
    await payments.settle();
    expect((await getOrder(app, buyer.token, order.orderId)).status).toBe('pending');
    now = new Date(now.getTime() + 31 * MINUTE);

    const first = await sweeperOn(payments).sweepOnce();
    const second = await sweeperOn(payments).sweepOnce();

    expect(first).toMatchObject({ expired: 0, reconciled: 1 });
    expect(second).toMatchObject({ expired: 0, reconciled: 0 });
    const paid = await getOrder(app, buyer.token, order.orderId);
    expect(paid.status).toBe('paid');
    expect(paid.history.at(-1)).toMatchObject({
      status: 'paid',
      reason: 'reconciled',
      eventId: `reconcile:${order.data.paymentIntentId}`,
    });
    expect(await product()).toMatchObject({ stock: 8, reservedFor: [] });
    expect(await OrderModel.findById(order.orderId).lean()).toMatchObject({ stock: 'committed' });
  });

  it('when two instances reconcile the same order at once, then it is paid once', async () => {
    const payments = simulated();
    const app = await arrange(payments);
    const order = await createOrder(app, buyer.token, [{ productId, quantity: 1 }]);
    await pay(app, buyer.token, order.orderId);
    now = new Date(now.getTime() + 31 * MINUTE);

    const [a, b] = await Promise.all([sweeperOn(payments).sweepOnce(), sweeperOn(payments).sweepOnce()]);

    expect(a.reconciled + b.reconciled).toBe(1);
    expect((await getOrder(app, buyer.token, order.orderId)).history.filter((h) => h.status === 'paid')).toHaveLength(
      1,
    );
    expect((await product()).stock).toBe(9);
  });

  it('when the intent is still processing, then the expiry job leaves the order open and its intent alone', async () => {
    const inner = simulated();
    // Fake: no Stripe stand-in has a card payment that stays `processing`, so this gateway reports it.
    const processingGateway: PaymentGateway = {
      ...inner,
      retrievePaymentIntent: async (id) => ({ ...(await inner.retrievePaymentIntent(id)), status: 'processing' }),
    };
    const app = await arrange(processingGateway);
    const order = await createOrder(app, buyer.token, [{ productId, quantity: 3 }]);
    now = new Date(now.getTime() + 31 * MINUTE);

    const result = await sweeperOn(processingGateway).sweepOnce();

    expect(result).toMatchObject({ expired: 0, reconciled: 0 });
    expect((await getOrder(app, buyer.token, order.orderId)).status).toBe('pending');
    expect((await inner.retrievePaymentIntent(order.data.paymentIntentId)).status).toBe('requires_payment_method');
    expect((await product()).stock).toBe(7);
  });

  it('when the payment lands between the look and the cancel, then the refused cancel leads to the payment being applied', async () => {
    const inner = simulated();
    // Fake: reports the intent as it was, then lets the customer's payment land before the cancel.
    const racingGateway: PaymentGateway = {
      ...inner,
      retrievePaymentIntent: async (id) => {
        const seen = await inner.retrievePaymentIntent(id);
        if (seen.status === 'requires_payment_method') await inner.confirmPaymentIntent(id, 'pm_card_visa');
        return seen;
      },
    };
    const app = await arrange(racingGateway);
    const order = await createOrder(app, buyer.token, [{ productId, quantity: 2 }]);
    now = new Date(now.getTime() + 31 * MINUTE);

    const result = await sweeperOn(racingGateway).sweepOnce();

    expect(result).toMatchObject({ expired: 0, reconciled: 1 });
    expect((await getOrder(app, buyer.token, order.orderId)).status).toBe('paid');
    expect((await product()).stock).toBe(8);
  });

  it('when the intent was never paid, then the order is canceled as before and its stock comes back', async () => {
    const payments = simulated();
    const app = await arrange(payments);
    const order = await createOrder(app, buyer.token, [{ productId, quantity: 4 }]);
    now = new Date(now.getTime() + 31 * MINUTE);

    const result = await sweeperOn(payments).sweepOnce();

    expect(result).toMatchObject({ expired: 1, reconciled: 0 });
    expect((await getOrder(app, buyer.token, order.orderId)).status).toBe('canceled');
    expect((await payments.retrievePaymentIntent(order.data.paymentIntentId)).status).toBe('canceled');
    expect((await product()).stock).toBe(10);
  });

  it('when a payment through localstripe has no webhook registered for this server, then after the expiry window the order is paid', async () => {
    const payments = createStripeGateway(stripeSettingsFor(localstripeUrl()), silentLogger);
    const app = await arrange(payments);
    const order = await createOrder(app, buyer.token, [{ productId, quantity: 2 }]);
    await pay(app, buyer.token, order.orderId);
    now = new Date(now.getTime() + 31 * MINUTE);

    const result = await sweeperOn(payments).sweepOnce();

    expect(result).toMatchObject({ expired: 0, reconciled: 1 });
    const paid = await getOrder(app, buyer.token, order.orderId);
    expect(paid).toMatchObject({
      status: 'paid',
      history: expect.arrayContaining([expect.objectContaining({ status: 'paid', reason: 'reconciled' })]),
    });
    expect((await product()).stock).toBe(8);
  });
});

import request from 'supertest';
import { silentLogger } from '../../src/lib/logger';
import { UserModel } from '../../src/models/user.model';
import { SimulatedIntentModel } from '../../src/payments/simulated.store';
import { createStripeGateway } from '../../src/payments/stripe.gateway';
import { buildTestApp } from '../helpers/app';
import { adminToken, createOrder, createProduct, registerAndLogin } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';
import { closedPort, stripeSettingsFor } from '../helpers/stripe-services';

/**
 * When the payment provider cannot be reached, or no longer knows what it is asked about: the saved-card endpoints and
 * the order's payment answer the error model's 502 and 400, and change nothing.
 */
useTestDatabase();

/** The app with the Stripe adapter pointed at a port nobody listens on: every call fails to connect. */
async function unreachableStripeApp() {
  const settings = stripeSettingsFor(`http://127.0.0.1:${await closedPort()}`, { timeoutMs: 1000 });
  return buildTestApp({
    env: { STRIPE_SECRET_KEY: settings.secretKey! },
    deps: { payments: createStripeGateway(settings, silentLogger) },
  });
}

describe('the payment provider unreachable', () => {
  it('when a buyer saves, lists, removes a card or pays with one, then 502 PAYMENT_GATEWAY_ERROR, and no Customer is stored', async () => {
    const app = await unreachableStripeApp();
    const buyer = await registerAndLogin(app);
    const knownCustomer = await registerAndLogin(app);
    await UserModel.updateOne({ _id: knownCustomer.id }, { $set: { 'paymentCustomers.test': 'cus_known' } });
    const as = (token: string) => ({ Authorization: token });

    const answers = [
      await request(app).post('/api/payment-methods/setup-intent').set(as(buyer.token)),
      await request(app).post('/api/payment-methods').set(as(knownCustomer.token)).send({ setupIntentId: 'seti_123' }),
      await request(app).get('/api/payment-methods').set(as(knownCustomer.token)),
      await request(app).delete('/api/payment-methods/pm_123').set(as(knownCustomer.token)),
    ];

    expect(answers.map((res) => [res.status, res.body.code])).toEqual(
      Array.from({ length: 4 }, () => [502, 'PAYMENT_GATEWAY_ERROR']),
    );
    expect((await UserModel.findById(buyer.id).lean())?.paymentCustomers?.test).toBeUndefined();
  });

  it("when the owner reads an order's payment, then 502 PAYMENT_GATEWAY_ERROR", async () => {
    const simulated = buildTestApp();
    const buyer = await registerAndLogin(simulated);
    const product = await createProduct(simulated, await adminToken(simulated), { stock: 3 });
    const order = await createOrder(simulated, buyer.token, [{ productId: product.id, quantity: 1 }]);
    const app = await unreachableStripeApp();

    const res = await request(app).get(`/api/orders/${order.orderId}/payment`).set('Authorization', buyer.token);

    expect([res.status, res.body.code]).toEqual([502, 'PAYMENT_GATEWAY_ERROR']);
  });
});

describe('the payment provider no longer knowing the intent', () => {
  it('when the owner reads the payment of an order whose intent the provider lost, then 400 PAYMENT_REQUEST_REJECTED saying so', async () => {
    const app = buildTestApp();
    const buyer = await registerAndLogin(app);
    const product = await createProduct(app, await adminToken(app), { stock: 3 });
    const order = await createOrder(app, buyer.token, [{ productId: product.id, quantity: 1 }]);
    await SimulatedIntentModel.deleteOne({ _id: order.data.paymentIntentId });

    const res = await request(app).get(`/api/orders/${order.orderId}/payment`).set('Authorization', buyer.token);

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'PAYMENT_REQUEST_REJECTED', details: [{ code: 'resource_missing' }] });
  });
});

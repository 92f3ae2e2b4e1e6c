import request, { type Response } from 'supertest';
import type { SimulatedGateway } from '../../src/payments/simulated.gateway';
import { adminToken, createOrder, createProduct, registerAndLogin } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';
import { startSimulatedShop, waitForOrder, type LiveShop } from '../helpers/live-shop';
import { responseProblems, schemaValidator, type OpenApiDoc } from '../helpers/openapi';

/**
 * The storefront's endpoints (config, the order's payment, 3-D Secure, saved cards) answer as the OpenAPI document
 * says: every real response of their flows and refusals has a documented status, media type and body.
 */
useTestDatabase({ clean: false });

let shop: LiveShop<SimulatedGateway>;
let doc: OpenApiDoc;
let validator: ReturnType<typeof schemaValidator>;
beforeAll(async () => {
  shop = await startSimulatedShop({}, 20);
  doc = (await request(shop.app).get('/api/openapi.json').expect(200)).body as OpenApiDoc;
  validator = schemaValidator(doc);
});
afterAll(async () => {
  await shop.close();
});

it('when the storefront flows and their refusals run, then every response is one the document describes', async () => {
  const problems: string[] = [];
  const check = (res: Response) => {
    problems.push(...responseProblems(doc, validator, res));
    return res;
  };
  const app = shop.app;
  const admin = await adminToken(app);
  const buyer = await registerAndLogin(app);
  const other = await registerAndLogin(app);
  const product = await createProduct(app, admin, { stock: 10 });
  const order = await createOrder(app, buyer.token, [{ productId: product.id, quantity: 1 }]);
  const as = (token: string) => ({ Authorization: token });

  check(await request(app).get('/api/config'));
  check(await request(app).get(`/api/orders/${order.orderId}/payment`).set(as(buyer.token)));
  check(await request(app).get(`/api/orders/${order.orderId}/payment`).set(as(other.token)));
  check(await request(app).get('/api/orders/nope/payment').set(as(buyer.token)));
  check(
    await request(app)
      .post(`/api/orders/${order.orderId}/authenticate`)
      .set(as(buyer.token))
      .send({ outcome: 'complete' }),
  );
  check(
    await request(app)
      .post(`/api/orders/${order.orderId}/authenticate`)
      .set(as(buyer.token))
      .send({ outcome: 'maybe' }),
  );
  check(
    await request(app)
      .post(`/api/orders/${order.orderId}/pay`)
      .set(as(buyer.token))
      .send({ paymentMethod: 'pm_card_authenticationRequired' }),
  );
  check(await request(app).get(`/api/orders/${order.orderId}/payment`).set(as(buyer.token)));
  check(
    await request(app)
      .post(`/api/orders/${order.orderId}/pay`)
      .set(as(buyer.token))
      .send({ paymentMethod: 'pm_1NotTheBuyers' }),
  );
  check(
    await request(app)
      .post(`/api/orders/${order.orderId}/authenticate`)
      .set(as(buyer.token))
      .send({ outcome: 'complete' }),
  );
  await waitForOrder(
    app,
    buyer.token,
    order.orderId,
    (o: { status: string; history: unknown[] }) => o.status === 'paid',
  );
  check(await request(app).get(`/api/orders/${order.orderId}/payment`).set(as(buyer.token)));

  check(await request(app).get('/api/payment-methods').set(as(buyer.token)));
  const setup = check(await request(app).post('/api/payment-methods/setup-intent').set(as(buyer.token)));
  check(
    await request(app)
      .post('/api/payment-methods')
      .set(as(buyer.token))
      .send({ setupIntentId: setup.body.data.setupIntentId }),
  );
  await shop.gateway.confirmSetupIntent(setup.body.data.setupIntentId as string, 'pm_card_visa');
  const saved = check(
    await request(app)
      .post('/api/payment-methods')
      .set(as(buyer.token))
      .send({ setupIntentId: setup.body.data.setupIntentId }),
  );
  check(
    await request(app)
      .post('/api/payment-methods')
      .set(as(other.token))
      .send({ setupIntentId: setup.body.data.setupIntentId }),
  );
  check(await request(app).post('/api/payment-methods').set(as(buyer.token)).send({ setupIntentId: 'nope' }));
  check(await request(app).get('/api/payment-methods').set(as(buyer.token)));
  check(await request(app).delete(`/api/payment-methods/${saved.body.data.id}`).set(as(other.token)));
  check(await request(app).delete(`/api/payment-methods/${saved.body.data.id}`).set(as(buyer.token)));
  check(await request(app).delete('/api/payment-methods/nope').set(as(buyer.token)));
  check(await request(app).get('/api/payment-methods'));

  expect(problems).toEqual([]);
});

import request from 'supertest';
import type { PaymentGateway } from '../../src/payments/gateway';
import { buildTestApp } from '../helpers/app';
import { adminToken, createOrder, createProduct, getOrder, registerAndLogin } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';
import { startSimulatedShop, waitForOrder, type LiveShop } from '../helpers/live-shop';

/**
 * The buyer's side of a payment in progress, with simulated payments delivering their signed events to the app:
 * 3-D Secure through /pay (requires_action) and /authenticate, and the order's client secret read back.
 */
useTestDatabase({ clean: false });

let shop: LiveShop;
let admin: string;
let buyer: Awaited<ReturnType<typeof registerAndLogin>>;
let productId: string;

beforeAll(async () => {
  shop = await startSimulatedShop({}, 20);
  admin = await adminToken(shop.app);
  buyer = await registerAndLogin(shop.app);
  productId = (await createProduct(shop.app, admin, { stock: 1000, price: 12.5 })).id;
});
afterAll(async () => {
  await shop.close();
});

const placeOrder = () => createOrder(shop.app, buyer.token, [{ productId, quantity: 1 }]);
const pay = (orderId: string, paymentMethod: string, token = buyer.token) =>
  request(shop.app).post(`/api/orders/${orderId}/pay`).set('Authorization', token).send({ paymentMethod });
const authenticate = (orderId: string, outcome: unknown, token = buyer.token) =>
  request(shop.app).post(`/api/orders/${orderId}/authenticate`).set('Authorization', token).send({ outcome });
const paymentOf = (orderId: string, token = buyer.token) =>
  request(shop.app).get(`/api/orders/${orderId}/payment`).set('Authorization', token);

type Order = {
  status: string;
  history: Array<{ status: string; reason: string }>;
  lastPaymentError: { code: string | null; message: string | null } | null;
};

describe('POST /api/orders/:id/pay with a card that needs 3-D Secure', () => {
  it.each(['pm_card_authenticationRequired', 'pm_card_threeDSecure2Required'])(
    'when the buyer pays with %s, then requires_action with the action and the client secret, and the order stays pending',
    async (card) => {
      const order = await placeOrder();

      const res = await pay(order.orderId, card).expect(200);

      expect(res.body).toEqual({
        message: 'Payment submitted',
        data: {
          orderId: order.orderId,
          paymentIntentId: order.data.paymentIntentId,
          paymentStatus: 'requires_action',
          nextAction: { type: 'simulated_authentication', clientSecret: order.clientSecret },
        },
      });
      expect(res.headers['cache-control']).toBe('no-store');
      expect((await getOrder(shop.app, buyer.token, order.orderId)).status).toBe('pending');
    },
  );

  it('when the buyer completes the authentication, then the answer says succeeded and the webhook makes the order paid', async () => {
    const order = await placeOrder();
    await pay(order.orderId, 'pm_card_authenticationRequired').expect(200);

    const res = await authenticate(order.orderId, 'complete').expect(200);

    expect(res.body).toEqual({
      message: 'Authentication finished',
      data: { orderId: order.orderId, paymentIntentId: order.data.paymentIntentId, paymentStatus: 'succeeded' },
    });
    const paid = await waitForOrder<Order>(shop.app, buyer.token, order.orderId, (o) => o.status === 'paid');
    expect(paid.history.map((h) => h.status)).toEqual(['pending', 'paid']);
  });

  it('when the buyer fails the authentication, then the order becomes failed with the reason, stays payable, and another card pays it', async () => {
    const order = await placeOrder();
    await pay(order.orderId, 'pm_card_threeDSecure2Required').expect(200);

    const res = await authenticate(order.orderId, 'fail').expect(200);
    const failed = await waitForOrder<Order>(shop.app, buyer.token, order.orderId, (o) => o.status === 'failed');
    const payment = await paymentOf(order.orderId).expect(200);
    await pay(order.orderId, 'pm_card_visa').expect(200);
    const paid = await waitForOrder<Order>(shop.app, buyer.token, order.orderId, (o) => o.status === 'paid');

    expect(res.body.data.paymentStatus).toBe('requires_payment_method');
    expect(failed.lastPaymentError).toEqual({
      code: 'payment_intent_authentication_failure',
      declineCode: null,
      message: expect.stringMatching(/failed authentication/),
    });
    expect(payment.body.data).toMatchObject({
      paymentStatus: 'requires_payment_method',
      lastPaymentError: { code: 'payment_intent_authentication_failure' },
    });
    expect(paid.history.map((h) => h.status)).toEqual(['pending', 'failed', 'paid']);
  });

  it('when nothing awaits authentication (never asked, already answered, or paid), then 409 NOT_AWAITING_AUTHENTICATION or ORDER_NOT_PAYABLE, and nothing changes', async () => {
    const fresh = await placeOrder();
    const answered = await placeOrder();
    await pay(answered.orderId, 'pm_card_authenticationRequired').expect(200);
    await authenticate(answered.orderId, 'complete').expect(200);

    const never = await authenticate(fresh.orderId, 'complete').expect(409);
    const twice = await authenticate(answered.orderId, 'fail');
    await waitForOrder<Order>(shop.app, buyer.token, answered.orderId, (o) => o.status === 'paid');
    const afterPaid = await authenticate(answered.orderId, 'complete').expect(409);

    expect(never.body.code).toBe('NOT_AWAITING_AUTHENTICATION');
    expect(['NOT_AWAITING_AUTHENTICATION', 'ORDER_NOT_PAYABLE']).toContain(twice.body.code);
    expect(afterPaid.body.code).toBe('ORDER_NOT_PAYABLE');
    expect((await getOrder(shop.app, buyer.token, fresh.orderId)).status).toBe('pending');
  });

  it('when someone else answers, the outcome is not complete or fail, or there is no token, then 404, 400, 401, and nothing changes', async () => {
    const order = await placeOrder();
    await pay(order.orderId, 'pm_card_authenticationRequired').expect(200);
    const other = await registerAndLogin(shop.app);

    expect((await authenticate(order.orderId, 'complete', other.token)).status).toBe(404);
    expect((await authenticate(order.orderId, 'complete', admin)).status).toBe(404);
    expect((await authenticate(order.orderId, 'yes')).body).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: [{ path: 'outcome', message: 'Must be complete or fail' }],
    });
    expect(
      (await request(shop.app).post(`/api/orders/${order.orderId}/authenticate`).send({ outcome: 'complete' })).status,
    ).toBe(401);
    expect((await paymentOf(order.orderId).expect(200)).body.data.paymentStatus).toBe('requires_action');
  });
});

describe('GET /api/orders/:id/payment', () => {
  it("when the owner reads a pending order's payment, then the client secret of its creation, the intent's status, and no-store", async () => {
    const order = await placeOrder();

    const res = await paymentOf(order.orderId).expect(200);

    expect(res.body).toEqual({
      message: 'Order payment',
      data: {
        orderId: order.orderId,
        paymentIntentId: order.data.paymentIntentId,
        clientSecret: order.clientSecret,
        paymentStatus: 'requires_payment_method',
      },
    });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('when the payment waits for 3-D Secure, then it says what to do next (the page reloaded in the middle of paying)', async () => {
    const order = await placeOrder();
    await pay(order.orderId, 'pm_card_authenticationRequired').expect(200);

    const res = await paymentOf(order.orderId).expect(200);

    expect(res.body.data).toEqual({
      orderId: order.orderId,
      paymentIntentId: order.data.paymentIntentId,
      clientSecret: order.clientSecret,
      paymentStatus: 'requires_action',
      nextAction: { type: 'simulated_authentication', clientSecret: order.clientSecret },
    });
  });

  it('when another buyer or an admin asks, then 404 as for a missing order; without a token 401 (no-store all the same)', async () => {
    const order = await placeOrder();
    const other = await registerAndLogin(shop.app);

    const byOther = await paymentOf(order.orderId, other.token).expect(404);
    const byAdmin = await paymentOf(order.orderId, admin).expect(404);
    const anonymous = await request(shop.app).get(`/api/orders/${order.orderId}/payment`).expect(401);

    expect([byOther.body.code, byAdmin.body.code]).toEqual(['ORDER_NOT_FOUND', 'ORDER_NOT_FOUND']);
    for (const res of [byOther, byAdmin, anonymous]) {
      expect(res.headers['cache-control']).toBe('no-store');
      expect(JSON.stringify(res.body)).not.toContain('_secret_');
    }
  });

  it('when the order is paid or canceled, then 409 ORDER_NOT_PAYABLE: a settled order has no secret to give', async () => {
    const paid = await placeOrder();
    await pay(paid.orderId, 'pm_card_visa').expect(200);
    await waitForOrder<Order>(shop.app, buyer.token, paid.orderId, (o) => o.status === 'paid');
    const canceled = await placeOrder();
    await request(shop.app)
      .post(`/api/orders/${canceled.orderId}/cancel`)
      .set('Authorization', buyer.token)
      .expect(200);

    expect((await paymentOf(paid.orderId).expect(409)).body.code).toBe('ORDER_NOT_PAYABLE');
    expect((await paymentOf(canceled.orderId).expect(409)).body.code).toBe('ORDER_NOT_PAYABLE');
  });

  it('when the id is not an id, or no order has it, then 400 and 404', async () => {
    expect((await paymentOf('not-an-id').expect(400)).body.code).toBe('VALIDATION_ERROR');
    expect((await paymentOf('507f1f77bcf86cd799439011').expect(404)).body.code).toBe('ORDER_NOT_FOUND');
  });

  it('when an admin lists orders or a buyer reads one, then no client secret is in them', async () => {
    const order = await placeOrder();

    const list = await request(shop.app).get('/api/admin/orders').set('Authorization', admin).expect(200);
    const mine = await request(shop.app).get('/api/orders').set('Authorization', buyer.token).expect(200);
    const one = await request(shop.app)
      .get(`/api/orders/${order.orderId}`)
      .set('Authorization', buyer.token)
      .expect(200);

    for (const body of [list.body, mine.body, one.body]) expect(JSON.stringify(body)).not.toContain(order.clientSecret);
  });
});

describe('the order payment routes and the clock', () => {
  it('when the payment window has closed, then reading the payment and answering authentication are 409 ORDER_EXPIRED', async () => {
    let now = new Date();
    const app = buildTestApp({ deps: { clock: () => now } });
    const owner = await registerAndLogin(app);
    const product = await createProduct(app, await adminToken(app), { stock: 5 });
    const order = await createOrder(app, owner.token, [{ productId: product.id, quantity: 1 }]);
    await request(app)
      .post(`/api/orders/${order.orderId}/pay`)
      .set('Authorization', owner.token)
      .send({ paymentMethod: 'pm_card_authenticationRequired' })
      .expect(200);
    now = new Date(now.getTime() + 31 * 60_000);

    const read = await request(app)
      .get(`/api/orders/${order.orderId}/payment`)
      .set('Authorization', owner.token)
      .expect(409);
    const answer = await request(app)
      .post(`/api/orders/${order.orderId}/authenticate`)
      .set('Authorization', owner.token)
      .send({ outcome: 'complete' })
      .expect(409);

    expect([read.body.code, answer.body.code]).toEqual(['ORDER_EXPIRED', 'ORDER_EXPIRED']);
  });

  it('when the gateway cannot answer a challenge itself (Stripe), then /authenticate is not served: 404', async () => {
    const app = buildTestApp({ deps: { payments: gatewayWithoutAuthentication() } });

    const res = await request(app)
      .post('/api/orders/507f1f77bcf86cd799439011/authenticate')
      .send({ outcome: 'complete' })
      .expect(404);

    expect(res.body.code).toBe('ROUTE_NOT_FOUND');
  });
});

/** The simulated gateway as a Stripe account is: no way to answer a challenge but Stripe.js. */
function gatewayWithoutAuthentication(): PaymentGateway {
  return { ...shop.gateway, answerAuthentication: undefined };
}

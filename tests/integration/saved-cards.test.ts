import request from 'supertest';
import { UserModel } from '../../src/models/user.model';
import type { PaymentGateway } from '../../src/payments/gateway';
import type { SimulatedGateway } from '../../src/payments/simulated.gateway';
import { SimulatedCustomerModel } from '../../src/payments/simulated.store';
import { buildTestApp } from '../helpers/app';
import { adminToken, createOrder, createProduct, getOrder, registerAndLogin } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';
import { startLocalstripeShop, startSimulatedShop, waitForOrder, type LiveShop } from '../helpers/live-shop';
import { confirmCardSetup } from '../helpers/localstripe';

/**
 * Saved cards through the HTTP API. The browser's part, Stripe.js's confirmCardSetup, is played by the simulated
 * gateway's confirmSetupIntent, and against localstripe by the requests its stand-in Stripe.js makes.
 */
useTestDatabase({ clean: false });

type Buyer = Awaited<ReturnType<typeof registerAndLogin>>;
type Order = { status: string; history: Array<{ status: string; eventId?: string }> };

describe('saved cards with simulated payments', () => {
  let shop: LiveShop<SimulatedGateway>;
  let admin: string;
  let productId: string;

  beforeAll(async () => {
    shop = await startSimulatedShop({}, 20);
    admin = await adminToken(shop.app);
    productId = (await createProduct(shop.app, admin, { stock: 1000 })).id;
  });
  afterAll(async () => {
    await shop.close();
  });

  const setupIntent = (token: string) =>
    request(shop.app).post('/api/payment-methods/setup-intent').set('Authorization', token);
  const save = (token: string, setupIntentId: unknown) =>
    request(shop.app).post('/api/payment-methods').set('Authorization', token).send({ setupIntentId });
  const list = (token: string) => request(shop.app).get('/api/payment-methods').set('Authorization', token);
  const remove = (token: string, id: string) =>
    request(shop.app).delete(`/api/payment-methods/${id}`).set('Authorization', token);
  const pay = (token: string, orderId: string, paymentMethod: string) =>
    request(shop.app).post(`/api/orders/${orderId}/pay`).set('Authorization', token).send({ paymentMethod });
  const customerOf = async (buyer: Buyer) => (await UserModel.findById(buyer.id).lean())?.paymentCustomers?.simulated;

  /** What the browser does: a SetupIntent, confirmed by Stripe.js with a card, then kept. */
  async function saveCard(buyer: Buyer, testCard = 'pm_card_visa') {
    const setup = (await setupIntent(buyer.token).expect(201)).body.data as { setupIntentId: string };
    await shop.gateway.confirmSetupIntent(setup.setupIntentId, testCard);
    return (await save(buyer.token, setup.setupIntentId).expect(201)).body.data as {
      id: string;
      brand: string;
      last4: string;
    };
  }

  describe('POST /api/payment-methods/setup-intent', () => {
    it("when a buyer starts saving a card, then 201 with the SetupIntent's id and client secret, on a Customer made for the account", async () => {
      const buyer = await registerAndLogin(shop.app);

      const res = await setupIntent(buyer.token).expect(201);

      expect(res.body).toEqual({
        message: 'Setup intent created',
        data: {
          setupIntentId: expect.stringMatching(/^seti_/),
          clientSecret: expect.stringMatching(/^seti_\w+_secret_\w+$/),
        },
      });
      expect(res.headers['cache-control']).toBe('no-store');
      const customerId = await customerOf(buyer);
      expect(customerId).toMatch(/^cus_/);
      expect((await shop.gateway.retrieveSetup(res.body.data.setupIntentId)).customerId).toBe(customerId);
      expect(await SimulatedCustomerModel.findById(customerId).lean()).toMatchObject({
        email: buyer.email,
        metadata: { userId: buyer.id },
      });
    });

    it('when a buyer starts several at once for the first time, then one Customer is made and every SetupIntent is on it', async () => {
      const buyer = await registerAndLogin(shop.app);

      const answers = await Promise.all(Array.from({ length: 6 }, () => setupIntent(buyer.token)));

      expect(answers.map((res) => res.status)).toEqual([201, 201, 201, 201, 201, 201]);
      const customerId = await customerOf(buyer);
      const owners = await Promise.all(
        answers.map((res) => shop.gateway.retrieveSetup(res.body.data.setupIntentId as string)),
      );
      expect(new Set(owners.map((setup) => setup.customerId))).toEqual(new Set([customerId]));
      expect(await SimulatedCustomerModel.countDocuments({ 'metadata.userId': buyer.id })).toBe(1);
    });

    it("when the gateway no longer knows the account's Customer, then a new one replaces it", async () => {
      const buyer = await registerAndLogin(shop.app);
      await setupIntent(buyer.token).expect(201);
      const lost = await customerOf(buyer);
      await SimulatedCustomerModel.deleteOne({ _id: lost });

      await setupIntent(buyer.token).expect(201);

      expect(await customerOf(buyer)).toMatch(/^cus_/);
      expect(await customerOf(buyer)).not.toBe(lost);
    });

    it('when there is no token, then 401', async () => {
      expect((await request(shop.app).post('/api/payment-methods/setup-intent').expect(401)).body.code).toBe(
        'UNAUTHORIZED',
      );
    });
  });

  describe('POST /api/payment-methods', () => {
    it('when the SetupIntent was confirmed with a card, then 201 with the card (brand, last 4, expiry), and the same again', async () => {
      const buyer = await registerAndLogin(shop.app);
      const setup = (await setupIntent(buyer.token).expect(201)).body.data as { setupIntentId: string };
      await shop.gateway.confirmSetupIntent(setup.setupIntentId, 'pm_card_mastercard');

      const first = await save(buyer.token, setup.setupIntentId).expect(201);
      const again = await save(buyer.token, setup.setupIntentId).expect(201);

      expect(first.body).toEqual({
        message: 'Card saved',
        data: {
          id: expect.stringMatching(/^pm_/),
          brand: 'mastercard',
          last4: '4444',
          expMonth: 12,
          expYear: expect.any(Number),
        },
      });
      expect(again.body).toEqual(first.body);
      expect((await list(buyer.token).expect(200)).body.data).toEqual([first.body.data]);
    });

    it('when Stripe.js has not confirmed it yet, then 409 SETUP_NOT_COMPLETE with its status, and nothing is listed', async () => {
      const buyer = await registerAndLogin(shop.app);
      const setup = (await setupIntent(buyer.token).expect(201)).body.data as { setupIntentId: string };

      const res = await save(buyer.token, setup.setupIntentId).expect(409);

      expect(res.body).toMatchObject({ code: 'SETUP_NOT_COMPLETE', details: [{ status: 'requires_payment_method' }] });
      expect((await list(buyer.token).expect(200)).body.data).toEqual([]);
    });

    it("when the SetupIntent is another account's, unknown, or the buyer never made one, then 404 SETUP_INTENT_NOT_FOUND and nothing is saved", async () => {
      const owner = await registerAndLogin(shop.app);
      const thief = await registerAndLogin(shop.app);
      const newcomer = await registerAndLogin(shop.app);
      const setup = (await setupIntent(owner.token).expect(201)).body.data as { setupIntentId: string };
      await shop.gateway.confirmSetupIntent(setup.setupIntentId, 'pm_card_visa');
      await setupIntent(thief.token).expect(201);

      const stolen = await save(thief.token, setup.setupIntentId).expect(404);
      const unknown = await save(thief.token, 'seti_doesNotExist').expect(404);
      const never = await save(newcomer.token, setup.setupIntentId).expect(404);

      expect([stolen.body.code, unknown.body.code, never.body.code]).toEqual([
        'SETUP_INTENT_NOT_FOUND',
        'SETUP_INTENT_NOT_FOUND',
        'SETUP_INTENT_NOT_FOUND',
      ]);
      expect((await list(thief.token).expect(200)).body.data).toEqual([]);
      expect(await customerOf(newcomer)).toBeUndefined();
    });

    it('when setupIntentId is missing or not a SetupIntent id, then 400 naming the field', async () => {
      const buyer = await registerAndLogin(shop.app);

      for (const body of [{}, { setupIntentId: 'pi_123' }, { setupIntentId: 42 }]) {
        const res = await request(shop.app)
          .post('/api/payment-methods')
          .set('Authorization', buyer.token)
          .send(body)
          .expect(400);
        expect(res.body.details).toEqual([{ path: 'setupIntentId', message: expect.any(String) }]);
      }
    });
  });

  describe('GET /api/payment-methods', () => {
    it('when a buyer has saved none, then an empty list (and no Customer is made for it)', async () => {
      const buyer = await registerAndLogin(shop.app);

      const res = await list(buyer.token).expect(200);

      expect(res.body).toEqual({ message: 'Saved cards', data: [] });
      expect(res.headers['cache-control']).toBe('no-store');
      expect(await customerOf(buyer)).toBeUndefined();
    });

    it('when two buyers have saved cards, then each sees only their own, newest first', async () => {
      const jane = await registerAndLogin(shop.app);
      const john = await registerAndLogin(shop.app);
      const older = await saveCard(jane, 'pm_card_visa');
      const newer = await saveCard(jane, 'pm_card_amex');
      const johns = await saveCard(john);

      expect((await list(jane.token).expect(200)).body.data.map((c: { id: string }) => c.id)).toEqual([
        newer.id,
        older.id,
      ]);
      expect((await list(john.token).expect(200)).body.data.map((c: { id: string }) => c.id)).toEqual([johns.id]);
    });
  });

  describe('paying with a saved card', () => {
    it('when the buyer pays with a saved card, then one click pays: the webhook makes the order paid', async () => {
      const buyer = await registerAndLogin(shop.app);
      const card = await saveCard(buyer);
      const order = await createOrder(shop.app, buyer.token, [{ productId, quantity: 1 }]);

      const res = await pay(buyer.token, order.orderId, card.id).expect(200);

      expect(res.body.data).toEqual({
        orderId: order.orderId,
        paymentIntentId: order.data.paymentIntentId,
        paymentStatus: 'succeeded',
      });
      await waitForOrder<Order>(shop.app, buyer.token, order.orderId, (o) => o.status === 'paid');
    });

    it("when a buyer pays with another account's saved card, or one that does not exist, then 404 PAYMENT_METHOD_NOT_FOUND and the payment is not touched", async () => {
      const owner = await registerAndLogin(shop.app);
      const thief = await registerAndLogin(shop.app);
      const card = await saveCard(owner);
      await saveCard(thief);
      const order = await createOrder(shop.app, thief.token, [{ productId, quantity: 1 }]);

      const stolen = await pay(thief.token, order.orderId, card.id).expect(404);
      const unknown = await pay(thief.token, order.orderId, 'pm_1DoesNotExist').expect(404);

      expect([stolen.body.code, unknown.body.code]).toEqual(['PAYMENT_METHOD_NOT_FOUND', 'PAYMENT_METHOD_NOT_FOUND']);
      expect((await shop.gateway.retrievePaymentIntent(order.data.paymentIntentId)).status).toBe(
        'requires_payment_method',
      );
      expect((await getOrder(shop.app, thief.token, order.orderId)).status).toBe('pending');
    });

    it('when a saved card needs 3-D Secure, then requires_action as with the test card it was saved from', async () => {
      const buyer = await registerAndLogin(shop.app);
      const card = await saveCard(buyer, 'pm_card_threeDSecure2Required');
      const order = await createOrder(shop.app, buyer.token, [{ productId, quantity: 1 }]);

      const res = await pay(buyer.token, order.orderId, card.id).expect(200);

      expect(res.body.data).toMatchObject({
        paymentStatus: 'requires_action',
        nextAction: { type: 'simulated_authentication', clientSecret: order.clientSecret },
      });
    });

    it('when the key is live, then test payment methods are refused (403 LIVE_MODE) and a saved card still pays', async () => {
      const live: PaymentGateway = { ...shop.gateway, liveMode: true };
      const app = buildTestApp({ deps: { payments: live } });
      const buyer = await registerAndLogin(app);
      const setup = (
        await request(app).post('/api/payment-methods/setup-intent').set('Authorization', buyer.token).expect(201)
      ).body.data;
      await shop.gateway.confirmSetupIntent(setup.setupIntentId as string, 'pm_card_visa');
      const card = (
        await request(app)
          .post('/api/payment-methods')
          .set('Authorization', buyer.token)
          .send({ setupIntentId: setup.setupIntentId })
          .expect(201)
      ).body.data;
      const order = await createOrder(app, buyer.token, [{ productId, quantity: 1 }]);

      const test = await request(app)
        .post(`/api/orders/${order.orderId}/pay`)
        .set('Authorization', buyer.token)
        .send({ paymentMethod: 'pm_card_visa' });
      const saved = await request(app)
        .post(`/api/orders/${order.orderId}/pay`)
        .set('Authorization', buyer.token)
        .send({ paymentMethod: card.id });

      expect([test.status, test.body.code]).toEqual([403, 'LIVE_MODE']);
      expect([saved.status, saved.body.data?.paymentStatus]).toEqual([200, 'succeeded']);
    });
  });

  describe('DELETE /api/payment-methods/:id', () => {
    it('when the buyer removes a card, then 200, it is no longer listed, and it can no longer pay; removing it again is a 404', async () => {
      const buyer = await registerAndLogin(shop.app);
      const card = await saveCard(buyer);
      const order = await createOrder(shop.app, buyer.token, [{ productId, quantity: 1 }]);

      const res = await remove(buyer.token, card.id).expect(200);

      expect(res.body).toEqual({ message: 'Card removed', data: { id: card.id } });
      expect((await list(buyer.token).expect(200)).body.data).toEqual([]);
      expect((await pay(buyer.token, order.orderId, card.id).expect(404)).body.code).toBe('PAYMENT_METHOD_NOT_FOUND');
      expect((await remove(buyer.token, card.id).expect(404)).body.code).toBe('PAYMENT_METHOD_NOT_FOUND');
    });

    it("when a buyer removes another account's card, then 404 and the owner keeps it", async () => {
      const owner = await registerAndLogin(shop.app);
      const other = await registerAndLogin(shop.app);
      const card = await saveCard(owner);

      expect((await remove(other.token, card.id).expect(404)).body.code).toBe('PAYMENT_METHOD_NOT_FOUND');
      expect((await list(owner.token).expect(200)).body.data.map((c: { id: string }) => c.id)).toEqual([card.id]);
    });

    it('when the same card is removed twice at once, then one answer is 200 and the other 404', async () => {
      const buyer = await registerAndLogin(shop.app);
      const card = await saveCard(buyer);

      const answers = await Promise.all([remove(buyer.token, card.id), remove(buyer.token, card.id)]);

      expect(answers.map((res) => res.status).sort()).toEqual([200, 404]);
    });

    it('when the id is not a payment method id, then 400', async () => {
      const buyer = await registerAndLogin(shop.app);

      expect((await remove(buyer.token, 'card_123').expect(400)).body.details).toEqual([
        { path: 'id', message: expect.any(String) },
      ]);
    });
  });
});

describe('saved cards against localstripe (Stripe test mode)', () => {
  let shop: LiveShop;
  let buyer: Buyer;
  let productId: string;

  beforeAll(async () => {
    shop = await startLocalstripeShop();
    productId = (await createProduct(shop.app, await adminToken(shop.app), { stock: 100, price: 9.5, currency: 'EUR' }))
      .id;
    buyer = await registerAndLogin(shop.app);
  });
  afterAll(async () => {
    await shop.close();
  });

  it("when a card is saved through the stand-in's confirmCardSetup, then it is listed, pays two orders in one click each (paid by localstripe's signed webhooks), and is removed", async () => {
    const setup = (
      await request(shop.app).post('/api/payment-methods/setup-intent').set('Authorization', buyer.token).expect(201)
    ).body.data;
    expect((await confirmCardSetup(setup.clientSecret as string, '4242424242424242')).body.status).toBe('succeeded');

    const card = (
      await request(shop.app)
        .post('/api/payment-methods')
        .set('Authorization', buyer.token)
        .send({ setupIntentId: setup.setupIntentId })
        .expect(201)
    ).body.data;
    const listed = (await request(shop.app).get('/api/payment-methods').set('Authorization', buyer.token).expect(200))
      .body.data;
    const paid: Order[] = [];
    for (let i = 0; i < 2; i++) {
      const order = await createOrder(shop.app, buyer.token, [{ productId, quantity: 1 }]);
      await request(shop.app)
        .post(`/api/orders/${order.orderId}/pay`)
        .set('Authorization', buyer.token)
        .send({ paymentMethod: card.id })
        .expect(200);
      paid.push(await waitForOrder<Order>(shop.app, buyer.token, order.orderId, (o) => o.status === 'paid'));
    }
    await request(shop.app).delete(`/api/payment-methods/${card.id}`).set('Authorization', buyer.token).expect(200);

    expect(card).toEqual({
      id: expect.stringMatching(/^pm_/),
      brand: 'visa',
      last4: '4242',
      expMonth: 12,
      expYear: 2034,
    });
    expect(listed).toEqual([card]);
    expect(paid.map((o) => o.history.at(-1)?.eventId)).toEqual([
      expect.stringMatching(/^evt_/),
      expect.stringMatching(/^evt_/),
    ]);
    expect(
      (await request(shop.app).get('/api/payment-methods').set('Authorization', buyer.token).expect(200)).body.data,
    ).toEqual([]);
  });

  it("when another account's localstripe card is offered to /pay, then 404 PAYMENT_METHOD_NOT_FOUND", async () => {
    const other = await registerAndLogin(shop.app);
    const setup = (
      await request(shop.app).post('/api/payment-methods/setup-intent').set('Authorization', other.token).expect(201)
    ).body.data;
    await confirmCardSetup(setup.clientSecret as string, '4242424242424242');
    const card = (
      await request(shop.app)
        .post('/api/payment-methods')
        .set('Authorization', other.token)
        .send({ setupIntentId: setup.setupIntentId })
        .expect(201)
    ).body.data;
    const order = await createOrder(shop.app, buyer.token, [{ productId, quantity: 1 }]);

    const res = await request(shop.app)
      .post(`/api/orders/${order.orderId}/pay`)
      .set('Authorization', buyer.token)
      .send({ paymentMethod: card.id })
      .expect(404);

    expect(res.body.code).toBe('PAYMENT_METHOD_NOT_FOUND');
  });
});

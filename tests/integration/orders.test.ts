import request from 'supertest';
import { IdempotencyKeyModel } from '../../src/models/idempotency-key.model';
import { OrderModel } from '../../src/models/order.model';
import { ProductModel } from '../../src/models/product.model';
import { createStripeGateway } from '../../src/payments/stripe.gateway';
import { silentLogger } from '../../src/lib/logger';
import { buildTestApp, testConfig } from '../helpers/app';
import { adminToken, createOrder, createProduct, getOrder, registerAndLogin } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';

useTestDatabase();
const app = buildTestApp();

let admin: string;
let buyer: { token: string; id: string };
beforeEach(async () => {
  admin = await adminToken(app);
  buyer = await registerAndLogin(app);
});

const stockOf = async (id: string) => (await ProductModel.findById(id).lean())!.stock;
const post = (path: string, token: string, body?: object) =>
  request(app).post(path).set('Authorization', token).send(body);

describe('POST /api/orders/create', () => {
  it('when the assignment example is sent, then it answers 201 with orderId and a Stripe-format client secret', async () => {
    const product = await createProduct(app, admin, { price: 25.99, stock: 100 });

    const res = await post('/api/orders/create', buyer.token, { items: [{ productId: product.id, quantity: 2 }] });

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      message: 'Order created successfully',
      orderId: expect.stringMatching(/^[a-f0-9]{24}$/),
      clientSecret: expect.stringMatching(/^pi_\w+_secret_\w+$/),
    });
    expect(res.body.clientSecret.startsWith(`${res.body.data.paymentIntentId}_secret_`)).toBe(true);
    const order = await getOrder(app, buyer.token, res.body.orderId);
    expect(order).toMatchObject({
      status: 'pending',
      amount: 51.98,
      currency: 'USD',
      items: [{ productId: product.id, name: product.name, unitPrice: 25.99, quantity: 2, lineTotal: 51.98 }],
      history: [{ status: 'pending', reason: 'order_created' }],
    });
    expect(await stockOf(product.id)).toBe(98);
    expect(await OrderModel.findById(res.body.orderId).lean()).toMatchObject({
      amountMinor: 5198,
      stock: 'held',
      userId: expect.anything(),
    });
  });

  it('when the body carries prices, totals or a status, then they are ignored: prices come from the database', async () => {
    const product = await createProduct(app, admin, { price: 10 });

    const res = await post('/api/orders/create', buyer.token, {
      items: [{ productId: product.id, quantity: 3, price: 0.01, unitPrice: 0.01 }],
      amount: 0.03,
      status: 'paid',
    }).expect(201);

    expect(res.body.data).toMatchObject({ amount: 30, status: 'pending' });
  });

  it('when the same product appears on several lines, then the quantities are added into one line', async () => {
    const product = await createProduct(app, admin, { price: 1.1, stock: 10 });

    const res = await post('/api/orders/create', buyer.token, {
      items: [
        { productId: product.id, quantity: 2 },
        { productId: product.id.toUpperCase(), quantity: 3 },
      ],
    }).expect(201);

    expect(res.body.data.items).toEqual([expect.objectContaining({ quantity: 5, lineTotal: 5.5 })]);
    expect(res.body.data.amount).toBe(5.5);
    expect(await stockOf(product.id)).toBe(5);
  });

  it('when lines add up to cents that floats get wrong, then the total is exact', async () => {
    const a = await createProduct(app, admin, { price: 0.1, stock: 10 });
    const b = await createProduct(app, admin, { price: 0.2, stock: 10 });
    const c = await createProduct(app, admin, { price: 19.99, stock: 10 });

    const res = await post('/api/orders/create', buyer.token, {
      items: [
        { productId: a.id, quantity: 1 },
        { productId: b.id, quantity: 1 },
        { productId: c.id, quantity: 3 },
      ],
    }).expect(201);

    expect(res.body.data.amount).toBe(60.27);
    expect((await OrderModel.findById(res.body.orderId).lean())?.amountMinor).toBe(6027);
  });

  it.each([
    ['no items', { items: [] }],
    ['items not a list', { items: { productId: 'x' } }],
    ['51 lines', { items: Array.from({ length: 51 }, () => ({ productId: '507f1f77bcf86cd799439011', quantity: 1 })) }],
    ['quantity 0', { items: [{ productId: '507f1f77bcf86cd799439011', quantity: 0 }] }],
    ['quantity 1001', { items: [{ productId: '507f1f77bcf86cd799439011', quantity: 1001 }] }],
    ['a fractional quantity', { items: [{ productId: '507f1f77bcf86cd799439011', quantity: 1.5 }] }],
    ['a string quantity', { items: [{ productId: '507f1f77bcf86cd799439011', quantity: '2' }] }],
    ['a malformed productId', { items: [{ productId: 'abc', quantity: 1 }] }],
    ['an operator as productId', { items: [{ productId: { $ne: null }, quantity: 1 }] }],
  ])('when the body has %s, then it answers 400 and creates nothing', async (_label, body) => {
    const res = await post('/api/orders/create', buyer.token, body);

    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
    expect(await OrderModel.countDocuments()).toBe(0);
  });

  it('when merged lines exceed 1000 units of one product, then it answers 400', async () => {
    const product = await createProduct(app, admin, { stock: 5000, price: 1 });

    const res = await post('/api/orders/create', buyer.token, {
      items: [
        { productId: product.id, quantity: 600 },
        { productId: product.id, quantity: 600 },
      ],
    });

    expect(res.status).toBe(400);
    expect(await stockOf(product.id)).toBe(5000);
  });

  it('when there is no token, then 401 and nothing is reserved', async () => {
    const product = await createProduct(app, admin, { stock: 3 });

    const res = await request(app)
      .post('/api/orders/create')
      .send({ items: [{ productId: product.id, quantity: 1 }] });

    expect(res.status).toBe(401);
    expect(await stockOf(product.id)).toBe(3);
  });

  it('when a product is unknown or archived, then 404 and no stock is held anywhere', async () => {
    const kept = await createProduct(app, admin, { stock: 5 });
    const archived = await createProduct(app, admin, { stock: 5 });
    await request(app).delete(`/api/products/${archived.id}`).set('Authorization', admin).expect(200);

    const unknown = await post('/api/orders/create', buyer.token, {
      items: [
        { productId: kept.id, quantity: 1 },
        { productId: '507f1f77bcf86cd799439011', quantity: 1 },
      ],
    });
    const gone = await post('/api/orders/create', buyer.token, {
      items: [
        { productId: kept.id, quantity: 1 },
        { productId: archived.id, quantity: 1 },
      ],
    });

    expect([unknown.status, gone.status]).toEqual([404, 404]);
    expect(gone.body).toMatchObject({ code: 'PRODUCT_NOT_FOUND', message: expect.stringContaining(archived.id) });
    expect(await stockOf(kept.id)).toBe(5);
    expect(await OrderModel.countDocuments()).toBe(0);
  });

  it('when the lines are in different currencies, then 400 and nothing is reserved', async () => {
    const usd = await createProduct(app, admin, { currency: 'USD', stock: 5 });
    const eur = await createProduct(app, admin, { currency: 'EUR', stock: 5 });

    const res = await post('/api/orders/create', buyer.token, {
      items: [
        { productId: usd.id, quantity: 1 },
        { productId: eur.id, quantity: 1 },
      ],
    });

    expect(res.status).toBe(400);
    expect(res.body.code).toBe('MIXED_CURRENCY');
    expect([await stockOf(usd.id), await stockOf(eur.id)]).toEqual([5, 5]);
  });

  it.each([
    ['below the USD minimum', { price: 0.49, currency: 'USD' }, 1],
    ['below the JPY minimum', { price: 49, currency: 'JPY' }, 1],
    ["past Stripe's 8 digits", { price: 600000, currency: 'USD' }, 2],
  ])('when the total is %s, then 400 without calling the gateway or holding stock', async (_label, price, quantity) => {
    const product = await createProduct(app, admin, { ...price, stock: 10 });

    const res = await post('/api/orders/create', buyer.token, { items: [{ productId: product.id, quantity }] });

    expect(res.status).toBe(400);
    expect(res.body.code).toBe('AMOUNT_OUT_OF_RANGE');
    expect(await stockOf(product.id)).toBe(10);
    expect(await OrderModel.countDocuments()).toBe(0);
  });

  it('when one line lacks stock, then 409 with the shortage and every other line is given back', async () => {
    const plenty = await createProduct(app, admin, { stock: 10 });
    const scarce = await createProduct(app, admin, { stock: 1 });

    const res = await post('/api/orders/create', buyer.token, {
      items: [
        { productId: plenty.id, quantity: 4 },
        { productId: scarce.id, quantity: 2 },
      ],
    });

    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      message: 'Not enough stock for this order',
      code: 'OUT_OF_STOCK',
      details: [
        { message: `Product ${scarce.id}: 2 requested, 1 available`, productId: scarce.id, requested: 2, available: 1 },
      ],
      requestId: expect.any(String),
    });
    expect([await stockOf(plenty.id), await stockOf(scarce.id)]).toEqual([10, 1]);
    expect(await OrderModel.countDocuments()).toBe(0);
    expect((await ProductModel.findById(plenty.id).lean())?.reservedFor).toEqual([]);
  });

  it('when the payment provider cannot be reached, then 502, the stock is given back and no order is left', async () => {
    const config = testConfig();
    const unreachable = createStripeGateway(
      {
        ...config.stripe,
        secretKey: 'sk_test_unreachable',
        api: { host: '127.0.0.1', port: 9, protocol: 'http' },
        timeoutMs: 1000,
        maxNetworkRetries: 0,
      },
      silentLogger,
    );
    const offline = buildTestApp({ deps: { payments: unreachable } });
    const product = await createProduct(app, admin, { stock: 10 });

    const res = await request(offline)
      .post('/api/orders/create')
      .set('Authorization', buyer.token)
      .set('Idempotency-Key', 'while-offline')
      .send({ items: [{ productId: product.id, quantity: 3 }] });

    expect(res.status).toBe(502);
    expect(res.body).toEqual({
      message: 'The payment provider could not be reached, please try again',
      code: 'PAYMENT_GATEWAY_ERROR',
      requestId: expect.any(String),
    });
    expect(await stockOf(product.id)).toBe(10);
    expect((await ProductModel.findById(product.id).lean())?.reservedFor).toEqual([]);
    expect(await OrderModel.countDocuments()).toBe(0);
    // The key was not used up: the same request succeeds once the provider is back.
    await post('/api/orders/create', buyer.token, { items: [{ productId: product.id, quantity: 3 }] })
      .set('Idempotency-Key', 'while-offline')
      .expect(201);
  });

  describe('Idempotency-Key', () => {
    it('when the same user sends the same key and body again, then the same order and secret come back, once reserved', async () => {
      const product = await createProduct(app, admin, { stock: 10 });
      const body = { items: [{ productId: product.id, quantity: 2 }] };

      const first = await post('/api/orders/create', buyer.token, body).set('Idempotency-Key', 'checkout-123');
      const again = await post('/api/orders/create', buyer.token, body).set('Idempotency-Key', 'checkout-123');

      expect([first.status, again.status]).toEqual([201, 201]);
      expect(again.body.orderId).toBe(first.body.orderId);
      expect(again.body.clientSecret).toBe(first.body.clientSecret);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(await OrderModel.countDocuments()).toBe(1);
      expect(await stockOf(product.id)).toBe(8);
    });

    it('when the key is reused with a different body, then 422 and nothing new', async () => {
      const product = await createProduct(app, admin, { stock: 10 });

      await post('/api/orders/create', buyer.token, { items: [{ productId: product.id, quantity: 1 }] })
        .set('Idempotency-Key', 'k1')
        .expect(201);
      const res = await post('/api/orders/create', buyer.token, {
        items: [{ productId: product.id, quantity: 2 }],
      }).set('Idempotency-Key', 'k1');

      expect(res.status).toBe(422);
      expect(res.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(await stockOf(product.id)).toBe(9);
    });

    it('when another user sends the same key, then it is their own new order', async () => {
      const product = await createProduct(app, admin, { stock: 10 });
      const other = await registerAndLogin(app);
      const body = { items: [{ productId: product.id, quantity: 1 }] };

      const mine = await post('/api/orders/create', buyer.token, body).set('Idempotency-Key', 'shared').expect(201);
      const theirs = await post('/api/orders/create', other.token, body).set('Idempotency-Key', 'shared').expect(201);

      expect(theirs.body.orderId).not.toBe(mine.body.orderId);
      expect(await stockOf(product.id)).toBe(8);
    });

    it('when the first attempt failed (out of stock), then the key can be used again', async () => {
      const product = await createProduct(app, admin, { stock: 1 });
      const body = { items: [{ productId: product.id, quantity: 2 }] };

      await post('/api/orders/create', buyer.token, body).set('Idempotency-Key', 'retry-me').expect(409);
      await request(app)
        .patch(`/api/products/${product.id}`)
        .set('Authorization', admin)
        .send({ stock: 5 })
        .expect(200);
      const retried = await post('/api/orders/create', buyer.token, body).set('Idempotency-Key', 'retry-me');

      expect(retried.status).toBe(201);
      expect(await stockOf(product.id)).toBe(3);
    });

    it('when 10 requests with one key race, then one order is made and every success returns it', async () => {
      const product = await createProduct(app, admin, { stock: 100 });
      const body = { items: [{ productId: product.id, quantity: 1 }] };

      const responses = await Promise.all(
        Array.from({ length: 10 }, () => post('/api/orders/create', buyer.token, body).set('Idempotency-Key', 'race')),
      );

      const created = responses.filter((r) => r.status === 201);
      expect(responses.every((r) => r.status === 201 || r.status === 409)).toBe(true);
      expect(new Set(created.map((r) => r.body.orderId)).size).toBe(1);
      expect(await OrderModel.countDocuments()).toBe(1);
      expect(await stockOf(product.id)).toBe(99);
      expect(await IdempotencyKeyModel.countDocuments()).toBe(1);
    });

    it.each([
      ['a key over 255 characters', 'k'.repeat(256)],
      ['a key with spaces', 'has space'],
    ])('when the header is %s, then 400', async (_label, key) => {
      const product = await createProduct(app, admin);

      const res = await post('/api/orders/create', buyer.token, {
        items: [{ productId: product.id, quantity: 1 }],
      }).set('Idempotency-Key', key);

      expect(res.status).toBe(400);
      expect(await OrderModel.countDocuments()).toBe(0);
    });
  });
});

describe('GET /api/orders and /api/orders/:id', () => {
  it('when a user lists orders, then only their own come back, newest first, page by page', async () => {
    const product = await createProduct(app, admin, { stock: 100 });
    const other = await registerAndLogin(app);
    const mine: string[] = [];
    for (let i = 0; i < 5; i += 1)
      mine.push((await createOrder(app, buyer.token, [{ productId: product.id, quantity: 1 }])).orderId);
    await createOrder(app, other.token, [{ productId: product.id, quantity: 1 }]);

    const first = await request(app).get('/api/orders?limit=2').set('Authorization', buyer.token).expect(200);
    const seen = [...first.body.data];
    let cursor = first.body.pagination.nextCursor;
    while (cursor) {
      const page = await request(app)
        .get('/api/orders')
        .query({ limit: 2, cursor })
        .set('Authorization', buyer.token)
        .expect(200);
      seen.push(...page.body.data);
      cursor = page.body.pagination.nextCursor;
    }

    expect(first.body).toMatchObject({
      message: 'Order list',
      pagination: { limit: 2, nextCursor: expect.any(String) },
    });
    expect(seen.map((o: { id: string }) => o.id)).toEqual([...mine].reverse());
    expect(Object.keys(seen[0]).sort()).toEqual(
      [
        'amount',
        'createdAt',
        'currency',
        'expiresAt',
        'history',
        'id',
        'items',
        'lastPaymentError',
        'paymentIntentId',
        'refundedAmount',
        'refunds',
        'status',
        'updatedAt',
      ].sort(),
    );
  });

  it('when filtering by status, then only orders in that status come back', async () => {
    const product = await createProduct(app, admin, { stock: 100 });
    const kept = await createOrder(app, buyer.token, [{ productId: product.id, quantity: 1 }]);
    const canceled = await createOrder(app, buyer.token, [{ productId: product.id, quantity: 1 }]);
    await post(`/api/orders/${canceled.orderId}/cancel`, buyer.token).expect(200);

    const res = await request(app).get('/api/orders?status=pending').set('Authorization', buyer.token).expect(200);

    expect(res.body.data.map((o: { id: string }) => o.id)).toEqual([kept.orderId]);
  });

  it('when someone else asks for an order, then 404; an admin may read it', async () => {
    const product = await createProduct(app, admin);
    const order = await createOrder(app, buyer.token, [{ productId: product.id, quantity: 1 }]);
    const stranger = await registerAndLogin(app);

    const asStranger = await request(app).get(`/api/orders/${order.orderId}`).set('Authorization', stranger.token);
    const asAdmin = await request(app).get(`/api/orders/${order.orderId}`).set('Authorization', admin);

    expect(asStranger.status).toBe(404);
    expect(asStranger.body).toEqual({
      message: 'Order not found',
      code: 'ORDER_NOT_FOUND',
      requestId: expect.any(String),
    });
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body).toMatchObject({ message: 'Order details', data: { id: order.orderId } });
  });

  it.each([
    ['not-an-id', 400],
    ['507f1f77bcf86cd799439011', 404],
  ])('when the id is %s, then %i', async (id, status) => {
    expect((await request(app).get(`/api/orders/${id}`).set('Authorization', buyer.token)).status).toBe(status);
  });

  it.each([['status=shipped'], ['limit=500'], ['userId=507f1f77bcf86cd799439011']])(
    'when the list query has %s, then 400',
    async (query) => {
      expect((await request(app).get(`/api/orders?${query}`).set('Authorization', buyer.token)).status).toBe(400);
    },
  );
});

describe('POST /api/orders/:id/pay', () => {
  it('when the owner pays with pm_card_visa, then the intent succeeds and the order waits for the webhook', async () => {
    const product = await createProduct(app, admin);
    const order = await createOrder(app, buyer.token, [{ productId: product.id, quantity: 1 }]);

    const res = await post(`/api/orders/${order.orderId}/pay`, buyer.token, { paymentMethod: 'pm_card_visa' });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      message: 'Payment submitted',
      data: { orderId: order.orderId, paymentIntentId: order.data.paymentIntentId, paymentStatus: 'succeeded' },
    });
    expect((await getOrder(app, buyer.token, order.orderId)).status).toBe('pending');
  });

  it.each([
    ['pm_card_chargeCustomerFail', 'generic_decline'],
    ['pm_card_visa_chargeDeclined', 'generic_decline'],
    ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds'],
  ])('when the card %s is declined, then 402 with the decline code', async (paymentMethod, declineCode) => {
    const product = await createProduct(app, admin);
    const order = await createOrder(app, buyer.token, [{ productId: product.id, quantity: 1 }]);

    const res = await post(`/api/orders/${order.orderId}/pay`, buyer.token, { paymentMethod });

    expect(res.status).toBe(402);
    expect(res.body).toEqual({
      code: 'CARD_DECLINED',
      message: expect.any(String),
      details: [
        { message: res.body.message, declineCode, orderId: order.orderId, paymentIntentId: order.data.paymentIntentId },
      ],
      requestId: expect.any(String),
    });
  });

  it('when the payment method is unknown to the provider or malformed, then 400', async () => {
    const product = await createProduct(app, admin);
    const order = await createOrder(app, buyer.token, [{ productId: product.id, quantity: 1 }]);

    expect((await post(`/api/orders/${order.orderId}/pay`, buyer.token, { paymentMethod: 'card_4242' })).status).toBe(
      400,
    );
    expect((await post(`/api/orders/${order.orderId}/pay`, buyer.token, { paymentMethod: { $ne: 1 } })).status).toBe(
      400,
    );
  });

  it('when someone other than the owner pays, then 404 (stranger) or 403 (admin)', async () => {
    const product = await createProduct(app, admin);
    const order = await createOrder(app, buyer.token, [{ productId: product.id, quantity: 1 }]);
    const stranger = await registerAndLogin(app);

    expect(
      (await post(`/api/orders/${order.orderId}/pay`, stranger.token, { paymentMethod: 'pm_card_visa' })).status,
    ).toBe(404);
    expect((await post(`/api/orders/${order.orderId}/pay`, admin, { paymentMethod: 'pm_card_visa' })).status).toBe(403);
  });

  it('when the gateway holds a live key, then test-card payment is refused with 403 before reaching Stripe', async () => {
    const config = testConfig();
    const live = createStripeGateway(
      { ...config.stripe, secretKey: 'sk_live_refuse', api: { host: '127.0.0.1', port: 9, protocol: 'http' } },
      silentLogger,
    );
    const liveApp = buildTestApp({ deps: { payments: live } });
    const product = await createProduct(app, admin);
    const order = await createOrder(app, buyer.token, [{ productId: product.id, quantity: 1 }]);

    const res = await request(liveApp)
      .post(`/api/orders/${order.orderId}/pay`)
      .set('Authorization', buyer.token)
      .send({ paymentMethod: 'pm_card_visa' });

    expect(res.status).toBe(403);
    expect(res.body.code).toBe('LIVE_MODE');
  });
});

describe('POST /api/orders/:id/cancel', () => {
  it('when the owner cancels a pending order, then it is canceled and its stock comes back exactly once', async () => {
    const product = await createProduct(app, admin, { stock: 10 });
    const order = await createOrder(app, buyer.token, [{ productId: product.id, quantity: 4 }]);
    expect(await stockOf(product.id)).toBe(6);

    const res = await post(`/api/orders/${order.orderId}/cancel`, buyer.token);
    const again = await post(`/api/orders/${order.orderId}/cancel`, buyer.token);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      message: 'Order canceled',
      data: {
        status: 'canceled',
        history: [{ status: 'pending' }, { status: 'canceled', reason: 'canceled_by_customer' }],
      },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ORDER_NOT_CANCELABLE');
    expect(await stockOf(product.id)).toBe(10);
    expect(
      (await post(`/api/orders/${order.orderId}/pay`, buyer.token, { paymentMethod: 'pm_card_visa' })).status,
    ).toBe(409);
  });

  it('when the intent already succeeded, then 409 and the stock stays with the order', async () => {
    const product = await createProduct(app, admin, { stock: 10 });
    const order = await createOrder(app, buyer.token, [{ productId: product.id, quantity: 1 }]);
    await post(`/api/orders/${order.orderId}/pay`, buyer.token, { paymentMethod: 'pm_card_visa' }).expect(200);

    const res = await post(`/api/orders/${order.orderId}/cancel`, buyer.token);

    expect(res.status).toBe(409);
    expect(res.body.code).toBe('ALREADY_PAID');
    expect((await getOrder(app, buyer.token, order.orderId)).status).toBe('pending');
    expect(await stockOf(product.id)).toBe(9);
  });

  it('when 10 cancels of one order race, then one succeeds and the stock comes back once', async () => {
    const product = await createProduct(app, admin, { stock: 10 });
    const order = await createOrder(app, buyer.token, [{ productId: product.id, quantity: 3 }]);

    const responses = await Promise.all(
      Array.from({ length: 10 }, () => post(`/api/orders/${order.orderId}/cancel`, buyer.token)),
    );

    expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
    expect(responses.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    expect(await stockOf(product.id)).toBe(10);
  });

  it('when a stranger cancels, then 404 and nothing changes', async () => {
    const product = await createProduct(app, admin, { stock: 10 });
    const order = await createOrder(app, buyer.token, [{ productId: product.id, quantity: 1 }]);
    const stranger = await registerAndLogin(app);

    expect((await post(`/api/orders/${order.orderId}/cancel`, stranger.token)).status).toBe(404);
    expect((await getOrder(app, buyer.token, order.orderId)).status).toBe('pending');
  });
});

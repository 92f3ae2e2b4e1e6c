import request from 'supertest';
import { OrderModel } from '../../src/models/order.model';
import { ProductModel } from '../../src/models/product.model';
import { buildTestApp } from '../helpers/app';
import { adminToken, buildProduct, buildUser, createProduct, registerAndLogin } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';

useTestDatabase();
const app = buildTestApp();

let admin: string;
let buyer: string;
beforeEach(async () => {
  admin = await adminToken(app);
  buyer = (await registerAndLogin(app)).token;
});

const STOCK = 'Must be a whole number from 0 to 1000000';
const QUANTITY = 'Must be a whole number from 1 to 1000';
const LIMIT = 'Must be a whole number from 1 to 100';
const PRICE = 'Must be a number greater than 0';

describe('validation messages name the rule, once per problem', () => {
  it.each([
    ['stock -1', { stock: -1 }, 'stock', STOCK],
    ['stock 1000001', { stock: 1_000_001 }, 'stock', STOCK],
    ['stock 1.5', { stock: 1.5 }, 'stock', STOCK],
    ['stock 1000001.5 (two rules broken, one problem)', { stock: 1_000_001.5 }, 'stock', STOCK],
    ['stock "3"', { stock: '3' }, 'stock', STOCK],
    ['price 0', { price: 0 }, 'price', PRICE],
    ['price -1', { price: -1 }, 'price', PRICE],
    ['price "25.99"', { price: '25.99' }, 'price', PRICE],
    ['a name of 201 characters', { name: 'x'.repeat(201) }, 'name', 'Must be text of 1 to 200 characters'],
    ['a blank name', { name: '   ' }, 'name', 'Must be text of 1 to 200 characters'],
    ['no name', { name: undefined }, 'name', 'Is required'],
    ['a currency that is not a code', { currency: 'dollars' }, 'currency', 'Must be a three-letter ISO 4217 code'],
  ])(
    'when a product is created with %s, then 400 with one message naming the range',
    async (_label, change, path, message) => {
      const res = await request(app)
        .post('/api/products')
        .set('Authorization', admin)
        .send({ ...buildProduct(), ...change });

      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        message: 'Validation failed',
        code: 'VALIDATION_ERROR',
        details: [{ path, message }],
        requestId: expect.any(String),
      });
      expect(await ProductModel.countDocuments()).toBe(0);
    },
  );

  it.each([
    ['stock -1', { stock: -1 }, 'stock', STOCK],
    ['stock 1000001', { stock: 1_000_001 }, 'stock', STOCK],
    ['price 0', { price: 0 }, 'price', PRICE],
  ])(
    'when a product is updated with %s, then 400 with the range and nothing changes',
    async (_label, change, path, message) => {
      const product = await createProduct(app, admin, { stock: 5 });

      const res = await request(app).patch(`/api/products/${product.id}`).set('Authorization', admin).send(change);

      expect(res.status).toBe(400);
      expect(res.body.details).toEqual([{ path, message }]);
      expect((await ProductModel.findById(product.id).lean())?.stock).toBe(5);
    },
  );

  it.each([
    ['quantity 0', 0],
    ['quantity 1001', 1001],
    ['quantity 2.5', 2.5],
    ['quantity "1"', '1'],
    ['quantity 1e21', 1e21],
  ])('when an order line has %s, then 400 naming the range', async (_label, quantity) => {
    const product = await createProduct(app, admin);

    const res = await request(app)
      .post('/api/orders/create')
      .set('Authorization', buyer)
      .send({ items: [{ productId: product.id, quantity }] });

    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ path: 'items.0.quantity', message: QUANTITY }]);
    expect(await OrderModel.countDocuments()).toBe(0);
  });

  it.each([['0'], ['101'], ['abc'], ['1.5'], ['']])(
    'when a list is asked for limit=%s, then 400 naming the range',
    async (limit) => {
      const products = await request(app).get('/api/products').query({ limit });
      const orders = await request(app).get('/api/orders').set('Authorization', buyer).query({ limit });

      expect([products.status, orders.status]).toEqual([400, 400]);
      expect(products.body.details).toEqual([{ path: 'limit', message: LIMIT }]);
      expect(orders.body.details).toEqual([{ path: 'limit', message: LIMIT }]);
    },
  );

  it('when an order has no items or too many, then the message says how many are allowed', async () => {
    const none = await request(app).post('/api/orders/create').set('Authorization', buyer).send({ items: [] });
    const many = await request(app)
      .post('/api/orders/create')
      .set('Authorization', buyer)
      .send({ items: Array.from({ length: 51 }, () => ({ productId: '507f1f77bcf86cd799439011', quantity: 1 })) });

    expect(none.body.details).toEqual([
      { path: 'items', message: 'Must be a list of 1 to 50 items { productId, quantity }' },
    ]);
    expect(many.body.details).toEqual([
      { path: 'items', message: 'Must be a list of 1 to 50 items { productId, quantity }' },
    ]);
  });

  it('when a registration breaks several fields, then each field has exactly one message', async () => {
    const res = await request(app)
      .post('/api/registration')
      .send({ ...buildUser(), name: 7, email: 'x'.repeat(300), password: 'short' });

    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([
      { path: 'name', message: 'Must be text of 1 to 100 characters' },
      { path: 'email', message: 'Must be a valid email address of at most 254 characters' },
      { path: 'password', message: 'Password must be at least 8 characters' },
    ]);
  });
});

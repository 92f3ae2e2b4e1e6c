import request from 'supertest';
import { ProductModel } from '../../src/models/product.model';
import { buildTestApp } from '../helpers/app';
import { adminToken, buildProduct, createProduct, registerAndLogin } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';

useTestDatabase();
const app = buildTestApp();

let admin: string;
let user: string;
beforeEach(async () => {
  admin = await adminToken(app);
  user = (await registerAndLogin(app)).token;
});

describe('POST /api/products', () => {
  it('when an admin sends the assignment example, then it answers 201 with its shape and stores integer minor units', async () => {
    const example = {
      name: 'Wireless Mouse',
      description: 'A high-precision wireless mouse.',
      price: 25.99,
      currency: 'USD',
      stock: 100,
    };

    const res = await request(app).post('/api/products').set('Authorization', admin).send(example);

    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      message: 'Product created',
      data: {
        id: expect.stringMatching(/^[a-f0-9]{24}$/),
        ...example,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      },
    });
    expect(res.headers.location).toBe(`/api/products/${res.body.data.id}`);
    const stored = await ProductModel.findById(res.body.data.id).lean();
    expect(stored).toMatchObject({ priceMinor: 2599, currency: 'USD', stock: 100, archived: false });
  });

  it('when a plain user or nobody sends it, then it answers 403 or 401 and stores nothing', async () => {
    const asUser = await request(app).post('/api/products').set('Authorization', user).send(buildProduct());
    const anonymous = await request(app).post('/api/products').send(buildProduct());

    expect(asUser.status).toBe(403);
    expect(asUser.body.code).toBe('FORBIDDEN');
    expect(anonymous.status).toBe(401);
    expect(await ProductModel.countDocuments()).toBe(0);
  });

  it.each([
    ['usd', 'USD'],
    [' eur ', 'EUR'],
    ['JPY', 'JPY'],
  ])('when the currency is %j, then it is stored as %s', async (currency, stored) => {
    const price = stored === 'JPY' ? 500 : 10;

    const res = await request(app)
      .post('/api/products')
      .set('Authorization', admin)
      .send(buildProduct({ currency, price }));

    expect(res.status).toBe(201);
    expect(res.body.data.currency).toBe(stored);
  });

  it.each([
    ['a JPY price in yen', { price: 500, currency: 'JPY' }, 500],
    ['a KWD price with fils', { price: 1.25, currency: 'KWD' }, 1250],
    ['the largest USD price', { price: 999999.99, currency: 'USD' }, 99_999_999],
    ['a one-cent price', { price: 0.01, currency: 'USD' }, 1],
  ])('when the body has %s, then the exact minor units are stored and shown back', async (_label, change, minor) => {
    const res = await request(app)
      .post('/api/products')
      .set('Authorization', admin)
      .send(buildProduct(change))
      .expect(201);

    expect(res.body.data.price).toBe(change.price);
    expect((await ProductModel.findById(res.body.data.id).lean())?.priceMinor).toBe(minor);
  });

  it.each([
    ['no name', { name: undefined }, 'name'],
    ['a blank name', { name: '  ' }, 'name'],
    ['a 201-character name', { name: 'n'.repeat(201) }, 'name'],
    ['an operator object as name', { name: { $gt: '' } }, 'name'],
    ['a blank description', { description: ' \n ' }, 'description'],
    ['a 5001-character description', { description: 'd'.repeat(5001) }, 'description'],
    ['a zero price', { price: 0 }, 'price'],
    ['a negative price', { price: -5 }, 'price'],
    ['a price as a string', { price: '25.99' }, 'price'],
    ['three decimals in USD', { price: 25.999 }, 'price'],
    ['decimals in JPY', { price: 500.5, currency: 'JPY' }, 'price'],
    ['a KWD price Stripe cannot charge', { price: 1.255, currency: 'KWD' }, 'price'],
    ["a price past Stripe's 8 digits", { price: 1_000_000, currency: 'USD' }, 'price'],
    ['an unknown currency', { currency: 'XXX' }, 'currency'],
    ['a two-letter currency', { currency: 'US' }, 'currency'],
    ['a negative stock', { stock: -1 }, 'stock'],
    ['a fractional stock', { stock: 1.5 }, 'stock'],
    ['a stock over 1,000,000', { stock: 1_000_001 }, 'stock'],
  ])('when the body has %s, then it answers 400 naming the field and stores nothing', async (_label, change, field) => {
    const res = await request(app).post('/api/products').set('Authorization', admin).send(buildProduct(change));

    expect(res.status).toBe(400);
    expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: field })]));
    expect(await ProductModel.countDocuments()).toBe(0);
  });

  it('when the body sets server-owned fields, then they are ignored', async () => {
    const res = await request(app)
      .post('/api/products')
      .set('Authorization', admin)
      .send({
        ...buildProduct(),
        _id: '507f1f77bcf86cd799439011',
        __v: 9,
        archived: true,
        priceMinor: 1,
        createdBy: '507f1f77bcf86cd799439011',
        seedKey: 'x',
      })
      .expect(201);

    const stored = await ProductModel.findById(res.body.data.id).lean();
    expect(res.body.data.id).not.toBe('507f1f77bcf86cd799439011');
    expect(stored).toMatchObject({ archived: false, priceMinor: 2599, __v: 0 });
    expect(String(stored?.createdBy)).not.toBe('507f1f77bcf86cd799439011');
    expect(stored?.seedKey).toBeUndefined();
  });

  it('when the description has case and spacing, then it is stored exactly as sent', async () => {
    const description = '  The ORIGINAL Mouse:\n  2.4 GHz, USB-C.  ';

    const created = await createProduct(app, admin, { description });

    expect((await request(app).get(`/api/products/${created.id}`)).body.data.description).toBe(description);
  });
});

describe('GET /api/products/:id', () => {
  it('when the product exists, then it answers with its details', async () => {
    const created = await createProduct(app, admin);

    const res = await request(app).get(`/api/products/${created.id}`);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Product details', data: created });
  });

  it.each([
    ['507f1f77bcf86cd799439011', 404],
    ['not-an-id', 400],
    ['507f1f77bcf86cd79943901z', 400],
    ['%24ne', 400],
  ])('when the id is %s, then it answers %i without cast errors', async (id, status) => {
    const res = await request(app).get(`/api/products/${id}`);

    expect(res.status).toBe(status);
    expect(res.text).not.toMatch(/Cast to ObjectId|CastError/);
  });
});

describe('PATCH /api/products/:id', () => {
  it('when an admin changes some fields, then only those change', async () => {
    const created = await createProduct(app, admin, { name: 'Old', stock: 5 });

    const res = await request(app)
      .patch(`/api/products/${created.id}`)
      .set('Authorization', admin)
      .send({ price: 19.5, stock: 7 });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      message: 'Product updated',
      data: { ...created, price: 19.5, stock: 7, updatedAt: expect.any(String) },
    });
    expect(await ProductModel.findById(created.id).lean()).toMatchObject({
      name: 'Old',
      priceMinor: 1950,
      priceSortKey: 19500,
    });
  });

  it('when only the currency changes, then the shown price is kept if the new currency can hold it', async () => {
    const created = await createProduct(app, admin, { price: 25.99 });

    const toEur = await request(app)
      .patch(`/api/products/${created.id}`)
      .set('Authorization', admin)
      .send({ currency: 'eur' });
    const toJpy = await request(app)
      .patch(`/api/products/${created.id}`)
      .set('Authorization', admin)
      .send({ currency: 'JPY' });

    expect(toEur.status).toBe(200);
    expect(toEur.body.data).toMatchObject({ price: 25.99, currency: 'EUR' });
    expect(toJpy.status).toBe(400);
    expect(toJpy.body.details).toEqual([{ path: 'price', message: expect.stringMatching(/whole number for JPY/) }]);
    expect(await ProductModel.findById(created.id).lean()).toMatchObject({ currency: 'EUR', priceMinor: 2599 });
  });

  it.each([
    ['an empty body', {}, 400],
    ['a bad price', { price: 1.001 }, 400],
    ['a negative stock', { stock: -3 }, 400],
  ])('when the body is %s, then it answers %i and changes nothing', async (_label, body, status) => {
    const created = await createProduct(app, admin);

    const res = await request(app).patch(`/api/products/${created.id}`).set('Authorization', admin).send(body);

    expect(res.status).toBe(status);
    expect((await request(app).get(`/api/products/${created.id}`)).body.data).toEqual(created);
  });

  it('when a plain user or nobody patches, then 403 or 401 and nothing changes', async () => {
    const created = await createProduct(app, admin);

    expect(
      (await request(app).patch(`/api/products/${created.id}`).set('Authorization', user).send({ stock: 1 })).status,
    ).toBe(403);
    expect((await request(app).patch(`/api/products/${created.id}`).send({ stock: 1 })).status).toBe(401);
    expect((await request(app).get(`/api/products/${created.id}`)).body.data).toEqual(created);
  });

  it('when the product does not exist or is archived, then 404', async () => {
    const created = await createProduct(app, admin);
    await request(app).delete(`/api/products/${created.id}`).set('Authorization', admin).expect(200);

    const archived = await request(app)
      .patch(`/api/products/${created.id}`)
      .set('Authorization', admin)
      .send({ stock: 1 });
    const missing = await request(app)
      .patch('/api/products/507f1f77bcf86cd799439011')
      .set('Authorization', admin)
      .send({ stock: 1 });

    expect([archived.status, missing.status]).toEqual([404, 404]);
  });
});

describe('DELETE /api/products/:id', () => {
  it('when an admin archives a product, then it leaves the list and the details but stays stored', async () => {
    const kept = await createProduct(app, admin);
    const archived = await createProduct(app, admin);

    const res = await request(app).delete(`/api/products/${archived.id}`).set('Authorization', admin);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Product archived' });
    expect((await request(app).get(`/api/products/${archived.id}`)).status).toBe(404);
    const list = await request(app).get('/api/products').expect(200);
    expect(list.body.data.map((p: { id: string }) => p.id)).toEqual([kept.id]);
    expect(await ProductModel.findById(archived.id).lean()).toMatchObject({
      archived: true,
      archivedAt: expect.any(Date),
    });
    expect((await request(app).delete(`/api/products/${archived.id}`).set('Authorization', admin)).status).toBe(404);
  });

  it('when a plain user archives, then 403 and the product stays', async () => {
    const created = await createProduct(app, admin);

    expect((await request(app).delete(`/api/products/${created.id}`).set('Authorization', user)).status).toBe(403);
    expect((await request(app).get(`/api/products/${created.id}`)).status).toBe(200);
  });
});

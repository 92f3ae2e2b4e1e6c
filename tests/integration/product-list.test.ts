import mongoose from 'mongoose';
import request from 'supertest';
import { ProductModel } from '../../src/models/product.model';
import { buildTestApp } from '../helpers/app';
import { adminToken, createProduct } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';

useTestDatabase({ monitorCommands: true });
const app = buildTestApp();

interface Listed {
  id: string;
  name: string;
  price: number;
  currency: string;
  stock: number;
  createdAt: string;
}

/** Follows nextCursor from the first page to the last, collecting every row and every page size. */
async function pageThrough(query: Record<string, string | number>, between?: () => Promise<void>) {
  const rows: Listed[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 200; page += 1) {
    const res: request.Response = await request(app)
      .get('/api/products')
      .query(cursor ? { ...query, cursor } : query)
      .expect(200);
    rows.push(...(res.body.data as Listed[]));
    sizes.push(res.body.data.length);
    cursor = res.body.pagination.nextCursor;
    if (!cursor) return { rows, sizes };
    await between?.();
  }
  throw new Error('paging did not end');
}

const ids = (rows: Listed[]) => rows.map((r) => r.id);
// Prices as the list compares them: in thousandths of the major unit, whatever the currency.
const key = (row: Listed) => Math.round(row.price * 1000);

let admin: string;
let catalogue: Listed[];
beforeEach(async () => {
  admin = await adminToken(app);
  const specs = [
    { name: 'Wireless Mouse', price: 25.99, currency: 'USD', stock: 100 },
    { name: 'Wired Mouse', price: 9.99, currency: 'USD', stock: 0 },
    { name: 'Gaming MOUSE pad', price: 25.99, currency: 'USD', stock: 3 },
    { name: 'Keyboard c++ edition', price: 49.5, currency: 'EUR', stock: 10 },
    { name: 'Keyboard (classic)', price: 49.5, currency: 'EUR', stock: 0 },
    { name: 'Monitor .* 27"', price: 199, currency: 'GBP', stock: 4 },
    { name: 'Tea set', price: 3200, currency: 'JPY', stock: 8 },
    { name: 'Incense', price: 500, currency: 'JPY', stock: 50 },
    { name: 'Dates box', price: 2.5, currency: 'KWD', stock: 20 },
  ];
  catalogue = [];
  // Some created together (same millisecond ties on createdAt), some one after another.
  for (let round = 0; round < 3; round += 1) {
    catalogue.push(
      ...(await Promise.all(specs.map((s) => createProduct(app, admin, { ...s, name: `${s.name} #${round}` })))),
    );
  }
});

describe('GET /api/products', () => {
  it('when called without a token, then it answers the assignment shape plus pagination', async () => {
    const res = await request(app).get('/api/products');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      message: 'Product list',
      data: expect.any(Array),
      pagination: { limit: 20, nextCursor: expect.any(String) },
    });
    expect(res.body.data).toHaveLength(20);
    expect(Object.keys(res.body.data[0]).sort()).toEqual([
      'createdAt',
      'currency',
      'description',
      'id',
      'name',
      'price',
      'stock',
      'updatedAt',
    ]);
  });

  it.each([
    ['newest', (a: Listed, b: Listed) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id)],
    ['price_asc', (a: Listed, b: Listed) => key(a) - key(b) || a.id.localeCompare(b.id)],
    ['price_desc', (a: Listed, b: Listed) => key(b) - key(a) || b.id.localeCompare(a.id)],
  ])('when paging by %s with limit 4, then every product comes exactly once, in order', async (sort, compare) => {
    const { rows, sizes } = await pageThrough({ sort, limit: 4 });

    expect(rows).toHaveLength(catalogue.length);
    expect(new Set(ids(rows)).size).toBe(catalogue.length);
    expect(ids(rows)).toEqual(ids([...catalogue].sort(compare)));
    expect(sizes.slice(0, -1).every((n) => n === 4)).toBe(true);
  });

  it.each([['newest'], ['price_asc'], ['price_desc']])(
    'when products are added while paging by %s, then every product present at the start is still seen exactly once',
    async (sort) => {
      let added = 0;
      const { rows } = await pageThrough({ sort, limit: 3 }, async () => {
        await createProduct(app, admin, { name: `Added ${added}`, price: 1 + added * 37, currency: 'USD' });
        added += 1;
      });

      const seen = ids(rows);
      expect(new Set(seen).size).toBe(seen.length);
      for (const product of catalogue) expect(seen.filter((id) => id === product.id)).toHaveLength(1);
      expect(added).toBeGreaterThan(5);
    },
  );

  it('when the last page is exactly full, then nextCursor is null', async () => {
    const res = await request(app).get('/api/products').query({ limit: catalogue.length }).expect(200);

    expect(res.body.data).toHaveLength(catalogue.length);
    expect(res.body.pagination).toEqual({ limit: catalogue.length, nextCursor: null });
  });

  it.each([
    ['q=mouse (any case)', { q: 'mouse' }, (p: Listed) => /mouse/i.test(p.name)],
    ['q with regex characters is literal', { q: 'c++' }, (p: Listed) => p.name.includes('c++')],
    ['q=.* is literal', { q: '.*' }, (p: Listed) => p.name.includes('.*')],
    ['q=(classic)', { q: '(CLASSIC)' }, (p: Listed) => p.name.includes('(classic)')],
    ['currency=eur', { currency: 'eur' }, (p: Listed) => p.currency === 'EUR'],
    ['inStock=true', { inStock: 'true' }, (p: Listed) => p.stock > 0],
    ['inStock=false', { inStock: 'false' }, (p: Listed) => p.stock === 0],
    ['minPrice=25.99', { minPrice: '25.99' }, (p: Listed) => p.price >= 25.99],
    ['maxPrice=25.99', { maxPrice: '25.99' }, (p: Listed) => p.price <= 25.99],
    ['a price band', { minPrice: '10', maxPrice: '500' }, (p: Listed) => p.price >= 10 && p.price <= 500],
    [
      'a band in one currency, in stock',
      { minPrice: '20', maxPrice: '60', currency: 'USD', inStock: 'true' },
      (p: Listed) => p.currency === 'USD' && p.price >= 20 && p.price <= 60 && p.stock > 0,
    ],
    [
      'a name and a band',
      { q: 'keyboard', maxPrice: '49.5' },
      (p: Listed) => /keyboard/i.test(p.name) && p.price <= 49.5,
    ],
  ])(
    'when filtering by %s, then paging in every order returns exactly the matching products',
    async (_label, filters, matches) => {
      const expected = catalogue
        .filter(matches)
        .map((p) => p.id)
        .sort();
      expect(expected.length).toBeGreaterThan(0);

      for (const sort of ['newest', 'price_asc', 'price_desc']) {
        const { rows } = await pageThrough({ ...filters, sort, limit: 2 });
        expect(ids(rows).sort()).toEqual(expected);
      }
    },
  );

  it('when a product is archived, then no filter or page shows it', async () => {
    const archived = catalogue[0]!;
    await request(app).delete(`/api/products/${archived.id}`).set('Authorization', admin).expect(200);

    const { rows } = await pageThrough({ limit: 5, sort: 'price_asc' });

    expect(ids(rows)).not.toContain(archived.id);
    expect(rows).toHaveLength(catalogue.length - 1);
  });

  it.each([
    ['an operator in brackets', 'price[$gt]=0'],
    ['an operator on q', 'q[$regex]=.*'],
    ['a repeated limit', 'limit=1&limit=2'],
    ['a repeated q', 'q=a&q=b'],
    ['limit=0', 'limit=0'],
    ['limit=101', 'limit=101'],
    ['limit=abc', 'limit=abc'],
    ['limit=2.5', 'limit=2.5'],
    ['minPrice=abc', 'minPrice=abc'],
    ['minPrice=-1', 'minPrice=-1'],
    ['minPrice with 4 decimals', 'minPrice=1.0001'],
    ['minPrice over maxPrice', 'minPrice=10&maxPrice=5'],
    ['an unknown sort', 'sort=name'],
    ['an unknown currency', 'currency=ABC'],
    ['inStock=yes', 'inStock=yes'],
    ['an unknown parameter', 'color=red'],
    ['a garbage cursor', 'cursor=not-a-cursor'],
    [
      'a forged cursor',
      `cursor=${Buffer.from(JSON.stringify({ s: 'newest', f: 'x', k: [{ $gt: 1 }, 'x'] })).toString('base64url')}`,
    ],
    ['a $where as q', 'q[$where]=sleep(1000)'],
  ])('when the query has %s, then it answers 400 JSON', async (_label, query) => {
    const res = await request(app).get(`/api/products?${query}`);

    expect(res.status).toBe(400);
    expect(res.body.code).toMatch(/^(VALIDATION_ERROR|INVALID_CURSOR)$/);
  });

  it('when a cursor is reused with another sort or other filters, then it answers 400', async () => {
    const first = await request(app)
      .get('/api/products')
      .query({ limit: 2, sort: 'price_asc', currency: 'USD' })
      .expect(200);
    const cursor = first.body.pagination.nextCursor as string;

    const otherSort = await request(app)
      .get('/api/products')
      .query({ limit: 2, sort: 'price_desc', currency: 'USD', cursor });
    const otherFilter = await request(app)
      .get('/api/products')
      .query({ limit: 2, sort: 'price_asc', currency: 'EUR', cursor });
    const otherLimit = await request(app)
      .get('/api/products')
      .query({ limit: 3, sort: 'price_asc', currency: 'USD', cursor });

    expect(otherSort.status).toBe(400);
    expect(otherFilter.status).toBe(400);
    expect(otherSort.body).toMatchObject({ code: 'INVALID_CURSOR' });
    expect(otherLimit.status).toBe(200);
  });
});

describe('the list query shape', () => {
  // This test server cannot `explain`; what keeps a deep page as cheap as page 1 on MongoDB is the query
  // itself: equality filters + a keyset range on the sort key, sorted by an existing index, limited, no skip.
  const finds: Array<Record<string, unknown>> = [];
  const listener = (event: { commandName: string; command: Record<string, unknown> }) => {
    if (event.commandName === 'find' && event.command.find === 'products') finds.push(event.command);
  };
  beforeAll(() => mongoose.connection.getClient().on('commandStarted', listener));
  afterAll(() => mongoose.connection.getClient().off('commandStarted', listener));

  it.each([
    ['newest', {}, { archived: 1, createdAt: -1, _id: -1 }],
    ['price_asc', {}, { archived: 1, priceSortKey: 1, _id: 1 }],
    ['price_desc', {}, { archived: 1, priceSortKey: 1, _id: 1 }],
    ['newest', { currency: 'USD' }, { archived: 1, currency: 1, createdAt: -1, _id: -1 }],
    ['price_asc', { currency: 'JPY' }, { archived: 1, currency: 1, priceSortKey: 1, _id: 1 }],
  ])(
    'when paging deep by %s %j, then each page is a cursor range on an indexed sort with no skip',
    async (sort, filters, index) => {
      await pageThrough({ sort, limit: 2, ...filters });
      const pages = finds.splice(0);

      const indexes = (await ProductModel.collection.indexes()).map((i) => JSON.stringify(i.key));
      expect(indexes).toContain(JSON.stringify(index));
      const sortKeys = Object.keys(index).filter((k) => k !== 'archived' && k !== 'currency');
      expect(pages.length).toBeGreaterThan(1);
      for (const [n, command] of pages.entries()) {
        const sortSpec = Object.fromEntries(command.sort as Map<string, number>);
        expect(Object.keys(sortSpec)).toEqual(sortKeys);
        expect(command.skip).toBeUndefined();
        expect(command.limit).toBe(3);
        const filter = command.filter as Record<string, unknown>;
        expect(filter.archived).toBe(false);
        if (n === 0) expect(filter.$or).toBeUndefined();
        else
          expect(filter.$or).toEqual([
            { [sortKeys[0]!]: expect.any(Object) },
            expect.objectContaining({ _id: expect.any(Object) }),
          ]);
      }
    },
  );
});

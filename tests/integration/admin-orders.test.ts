import mongoose, { Types } from 'mongoose';
import request from 'supertest';
import { OrderModel } from '../../src/models/order.model';
import { buildTestApp } from '../helpers/app';
import { adminToken, createOrder, createProduct, registerAndLogin } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';

useTestDatabase({ monitorCommands: true });
const app = buildTestApp();

interface Listed {
  id: string;
  userId: string;
  status: string;
  createdAt: string;
}

interface Seeded {
  id: string;
  userId: string;
  status: string;
  createdAt: Date;
}

const DAY = 24 * 3_600_000;
const BASE = Date.parse('2026-03-10T12:00:00.000Z');

let admin: string;
let buyers: Array<{ id: string; token: string }>;
let orders: Seeded[];

/** Follows nextCursor from the first page to the last. */
async function pageThrough(query: Record<string, string | number>) {
  const rows: Listed[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page += 1) {
    const res: request.Response = await request(app)
      .get('/api/admin/orders')
      .query(cursor ? { ...query, cursor } : query)
      .set('Authorization', admin)
      .expect(200);
    rows.push(...(res.body.data as Listed[]));
    sizes.push(res.body.data.length);
    cursor = res.body.pagination.nextCursor;
    if (!cursor) return { rows, sizes };
  }
  throw new Error('paging did not end');
}

const newestFirst = (a: Seeded, b: Seeded) => b.createdAt.getTime() - a.createdAt.getTime() || b.id.localeCompare(a.id);
const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id);

beforeEach(async () => {
  admin = await adminToken(app);
  buyers = await Promise.all([registerAndLogin(app), registerAndLogin(app), registerAndLogin(app)]);
  const product = await createProduct(app, admin, { stock: 1000, price: 3 });
  orders = [];
  // Three buyers, nine placed orders over five days; two pairs share a createdAt to the millisecond.
  const plan = [
    { buyer: 0, day: 0 },
    { buyer: 1, day: 0 },
    { buyer: 2, day: 1 },
    { buyer: 0, day: 1, cancel: true },
    { buyer: 1, day: 2 },
    { buyer: 0, day: 2 },
    { buyer: 2, day: 3, cancel: true },
    { buyer: 1, day: 4 },
    { buyer: 0, day: 4 },
  ];
  for (const [n, step] of plan.entries()) {
    const buyer = buyers[step.buyer]!;
    const created = await createOrder(app, buyer.token, [{ productId: product.id, quantity: 1 }]);
    if (step.cancel)
      await request(app).post(`/api/orders/${created.orderId}/cancel`).set('Authorization', buyer.token).expect(200);
    // Same millisecond for orders 0/1 and 4/5 (ties are ordered by _id); the others an hour apart in their day.
    const createdAt = new Date(BASE + step.day * DAY + (n === 1 || n === 5 ? n - 1 : n) * 3_600_000);
    await OrderModel.collection.updateOne({ _id: new Types.ObjectId(created.orderId) }, { $set: { createdAt } });
    orders.push({ id: created.orderId, userId: buyer.id, status: step.cancel ? 'canceled' : 'pending', createdAt });
  }
  // An order still being created (never placed) is nobody's order yet.
  await OrderModel.create({
    userId: new Types.ObjectId(buyers[0]!.id),
    items: [
      { productId: new Types.ObjectId(product.id), name: 'x', unitPriceMinor: 300, quantity: 1, lineTotalMinor: 300 },
    ],
    amountMinor: 300,
    currency: 'USD',
    expiresAt: new Date(Date.now() + 60_000),
  });
});

describe('GET /api/admin/orders', () => {
  it('when called without a token, then 401; with a buyer token, then 403', async () => {
    const anonymous = await request(app).get('/api/admin/orders');
    const buyer = await request(app).get('/api/admin/orders').set('Authorization', buyers[0]!.token);

    expect(anonymous.status).toBe(401);
    expect(buyer.status).toBe(403);
    expect(buyer.body).toMatchObject({ code: 'FORBIDDEN' });
  });

  it("when an admin lists, then every buyer's placed orders come newest first with their buyer, and personal data is not cached", async () => {
    const res = await request(app).get('/api/admin/orders').set('Authorization', admin);

    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      message: 'Order list',
      data: expect.any(Array),
      pagination: { limit: 20, nextCursor: null },
    });
    expect(ids(res.body.data)).toEqual(ids([...orders].sort(newestFirst)));
    expect(res.body.data[0]).toMatchObject({
      userId: orders.at(-1)!.userId,
      status: 'pending',
      refunds: [],
      amount: 3,
      currency: 'USD',
    });
  });

  it('when paging with limit 2, then every order comes exactly once, in order, across pages (ties included)', async () => {
    const { rows, sizes } = await pageThrough({ limit: 2 });

    expect(ids(rows)).toEqual(ids([...orders].sort(newestFirst)));
    expect(sizes).toEqual([2, 2, 2, 2, 1]);
  });

  it.each([
    ['status=canceled', { status: 'canceled' }, (o: Seeded) => o.status === 'canceled'],
    ['status=pending', { status: 'pending' }, (o: Seeded) => o.status === 'pending'],
    ['userId of the first buyer', () => ({ userId: buyers[0]!.id }), (o: Seeded) => o.userId === buyers[0]!.id],
    [
      'userId in upper case',
      () => ({ userId: buyers[1]!.id.toUpperCase() }),
      (o: Seeded) => o.userId === buyers[1]!.id,
    ],
    [
      'userId and status',
      () => ({ userId: buyers[0]!.id, status: 'pending' }),
      (o: Seeded) => o.userId === buyers[0]!.id && o.status === 'pending',
    ],
    [
      'createdFrom as a date',
      { createdFrom: '2026-03-12' },
      (o: Seeded) => o.createdAt.getTime() >= Date.parse('2026-03-12T00:00:00Z'),
    ],
    [
      'createdTo as a date (the whole day)',
      { createdTo: '2026-03-11' },
      (o: Seeded) => o.createdAt.getTime() < Date.parse('2026-03-12T00:00:00Z'),
    ],
    [
      'createdFrom and createdTo the same day',
      { createdFrom: '2026-03-12', createdTo: '2026-03-12' },
      (o: Seeded) => o.createdAt.toISOString().startsWith('2026-03-12'),
    ],
    [
      'an instant range with a zone offset',
      { createdFrom: '2026-03-11T13:00:00+01:00', createdTo: '2026-03-12T17:00:00.000Z' },
      (o: Seeded) =>
        o.createdAt.getTime() >= Date.parse('2026-03-11T12:00:00Z') &&
        o.createdAt.getTime() <= Date.parse('2026-03-12T17:00:00Z'),
    ],
    [
      'status with a date range',
      { status: 'canceled', createdFrom: '2026-03-12' },
      (o: Seeded) => o.status === 'canceled' && o.createdAt.getTime() >= Date.parse('2026-03-12T00:00:00Z'),
    ],
    ['a status nobody has', { status: 'refunded' }, () => false],
  ])(
    'when filtering by %s, then paging returns exactly the matching orders, newest first',
    async (_label, filters, matches) => {
      const query = typeof filters === 'function' ? filters() : filters;

      const { rows } = await pageThrough({ ...query, limit: 2 });

      expect(ids(rows)).toEqual(ids(orders.filter(matches).sort(newestFirst)));
    },
  );

  it('when a buyer or an admin asks GET /api/orders, then it still lists only their own orders', async () => {
    const own = await createOrder(app, admin, [{ productId: (await createProduct(app, admin)).id, quantity: 1 }]);

    const adminsOwn = await request(app).get('/api/orders').set('Authorization', admin).expect(200);
    const buyersOwn = await request(app).get('/api/orders').set('Authorization', buyers[2]!.token).expect(200);

    expect(ids(adminsOwn.body.data)).toEqual([own.orderId]);
    expect(ids(buyersOwn.body.data).sort()).toEqual(
      orders
        .filter((o) => o.userId === buyers[2]!.id)
        .map((o) => o.id)
        .sort(),
    );
  });

  it.each([
    ['an unknown parameter', 'color=red'],
    ['a repeated status', 'status=pending&status=paid'],
    ['a repeated limit', 'limit=1&limit=2'],
    ['an unknown status', 'status=shipped'],
    ['a malformed userId', 'userId=123'],
    ['an operator on userId', 'userId[$ne]=x'],
    ['createdFrom that is not a date', 'createdFrom=yesterday'],
    ['a day that does not exist', 'createdFrom=2026-02-30'],
    ['a date-time without a zone', 'createdTo=2026-03-12T10:00:00'],
    ['createdFrom after createdTo', 'createdFrom=2026-03-13&createdTo=2026-03-12'],
    ['limit=0', 'limit=0'],
    ['limit=101', 'limit=101'],
    ['a garbage cursor', 'cursor=not-a-cursor'],
  ])('when the query has %s, then it answers 400 JSON', async (_label, query) => {
    const res = await request(app).get(`/api/admin/orders?${query}`).set('Authorization', admin);

    expect(res.status).toBe(400);
    expect(res.body.code).toMatch(/^(VALIDATION_ERROR|INVALID_CURSOR)$/);
  });

  it('when a cursor is reused with other filters, then it answers 400 INVALID_CURSOR', async () => {
    const first = await request(app)
      .get('/api/admin/orders')
      .query({ limit: 2, status: 'pending' })
      .set('Authorization', admin)
      .expect(200);

    const other = await request(app)
      .get('/api/admin/orders')
      .query({ limit: 2, status: 'canceled', cursor: first.body.pagination.nextCursor })
      .set('Authorization', admin);

    expect(other.status).toBe(400);
    expect(other.body).toMatchObject({ code: 'INVALID_CURSOR' });
  });
});

describe('the admin list query shape', () => {
  // The test server cannot `explain`; what keeps a deep page as cheap as the first on MongoDB is the query
  // itself: the filter's equality fields and the sort are exactly an existing index's keys, limit = page + 1, no skip.
  const finds: Array<Record<string, unknown>> = [];
  const listener = (event: { commandName: string; command: Record<string, unknown> }) => {
    if (event.commandName === 'find' && event.command.find === 'orders') finds.push(event.command);
  };
  beforeAll(() => mongoose.connection.getClient().on('commandStarted', listener));
  afterAll(() => mongoose.connection.getClient().off('commandStarted', listener));

  it.each([
    ['no filter', () => ({}), { createdAt: -1, _id: -1 }],
    ['status', () => ({ status: 'pending' }), { status: 1, createdAt: -1, _id: -1 }],
    ['userId', () => ({ userId: buyers[0]!.id }), { userId: 1, createdAt: -1, _id: -1 }],
    [
      'userId and status',
      () => ({ userId: buyers[0]!.id, status: 'pending' }),
      { userId: 1, status: 1, createdAt: -1, _id: -1 },
    ],
    ['a created range', () => ({ createdFrom: '2026-03-10', createdTo: '2026-03-14' }), { createdAt: -1, _id: -1 }],
    [
      'status and a created range',
      () => ({ status: 'pending', createdFrom: '2026-03-10' }),
      { status: 1, createdAt: -1, _id: -1 },
    ],
  ])(
    'when paging by %s, then each page is a range on an index that fits the filter, with no skip',
    async (_label, filters, index) => {
      finds.length = 0;
      await pageThrough({ ...filters(), limit: 1 });
      const pages = finds.splice(0);

      const indexes = (await OrderModel.collection.indexes()).map((i) => JSON.stringify(i.key));
      expect(indexes).toContain(JSON.stringify(index));
      const equality = Object.keys(index).filter((key) => key !== 'createdAt' && key !== '_id');
      expect(pages.length).toBeGreaterThan(1);
      for (const [n, command] of pages.entries()) {
        expect(Object.keys(Object.fromEntries(command.sort as Map<string, number>))).toEqual(['createdAt', '_id']);
        expect(command.skip).toBeUndefined();
        expect(command.limit).toBe(2);
        const filter = command.filter as Record<string, unknown>;
        // The index's equality fields, a range on its sort key (createdFrom/To), the cursor's $or on (createdAt, _id),
        // and placedAt, which only drops orders still being created after the index found the page.
        const keys = Object.keys(filter).filter((key) => key !== 'placedAt' && key !== '$or' && key !== 'createdAt');
        expect(keys).toEqual(equality);
        expect(filter.placedAt).toEqual({ $ne: null });
        if (n === 0) expect(filter.$or).toBeUndefined();
        else
          expect(filter.$or).toEqual([
            { createdAt: expect.any(Object) },
            expect.objectContaining({ _id: expect.any(Object) }),
          ]);
      }
    },
  );
});

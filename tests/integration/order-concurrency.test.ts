import request from 'supertest';
import { OrderModel } from '../../src/models/order.model';
import { ProductModel } from '../../src/models/product.model';
import { buildTestApp } from '../helpers/app';
import { adminToken, createProduct, registerAndLogin } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';

useTestDatabase();
const app = buildTestApp();

let admin: string;
let buyers: string[];
beforeEach(async () => {
  admin = await adminToken(app);
  buyers = (await Promise.all(Array.from({ length: 12 }, () => registerAndLogin(app)))).map((b) => b.token);
});

const order = (token: string, items: Array<{ productId: string; quantity: number }>) =>
  request(app).post('/api/orders/create').set('Authorization', token).send({ items });

describe('stock under concurrency', () => {
  it('when 40 buyers race for the last 7 units, then exactly 7 orders succeed, the rest get 409, and stock ends at 0', async () => {
    const product = await createProduct(app, admin, { stock: 7 });

    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => order(buyers[i % buyers.length]!, [{ productId: product.id, quantity: 1 }])),
    );

    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(7);
    expect(statuses.filter((s) => s === 409)).toHaveLength(33);
    const stored = await ProductModel.findById(product.id).lean();
    expect(stored?.stock).toBe(0);
    expect(stored?.reservedFor).toHaveLength(7);
    expect(await OrderModel.countDocuments({ 'items.productId': stored?._id })).toBe(7);
  });

  it('when buyers race for mixed quantities, then the units sold never exceed the stock and stock never goes negative', async () => {
    const product = await createProduct(app, admin, { stock: 10 });
    const quantities = [3, 4, 2, 5, 1, 3, 2, 4, 1, 2, 3, 1];

    const responses = await Promise.all(
      quantities.map((quantity, i) => order(buyers[i]!, [{ productId: product.id, quantity }])),
    );

    const sold = responses.reduce((sum, r, i) => sum + (r.status === 201 ? quantities[i]! : 0), 0);
    expect(responses.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    const stock = (await ProductModel.findById(product.id).lean())!.stock;
    expect(stock).toBeGreaterThanOrEqual(0);
    expect(sold + stock).toBe(10);
  });

  it('when multi-line orders race over two scarce products, then each order is all-or-nothing and no unit is lost', async () => {
    const a = await createProduct(app, admin, { stock: 5 });
    const b = await createProduct(app, admin, { stock: 5 });
    // Half the buyers list a then b, half b then a: partial reservations must be given back.
    const responses = await Promise.all(
      buyers.map((token, i) =>
        order(
          token,
          i % 2
            ? [
                { productId: a.id, quantity: 2 },
                { productId: b.id, quantity: 1 },
              ]
            : [
                { productId: b.id, quantity: 2 },
                { productId: a.id, quantity: 1 },
              ],
        ),
      ),
    );

    const created = responses.filter((r) => r.status === 201);
    expect(responses.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    const orders = await OrderModel.find().lean();
    expect(orders).toHaveLength(created.length);
    const heldOf = (id: string) =>
      orders
        .flatMap((o) => o.items)
        .filter((l) => l.productId.toHexString() === id)
        .reduce((s, l) => s + l.quantity, 0);
    const [storedA, storedB] = [await ProductModel.findById(a.id).lean(), await ProductModel.findById(b.id).lean()];
    expect(storedA!.stock + heldOf(a.id)).toBe(5);
    expect(storedB!.stock + heldOf(b.id)).toBe(5);
    expect(storedA!.stock).toBeGreaterThanOrEqual(0);
    expect(storedB!.stock).toBeGreaterThanOrEqual(0);
    expect(storedA!.reservedFor).toHaveLength(created.length);
  });

  it('when orders are canceled while others race for the freed units, then the books still balance', async () => {
    const product = await createProduct(app, admin, { stock: 4 });
    const first = await Promise.all(
      buyers.slice(0, 4).map((token) => order(token, [{ productId: product.id, quantity: 1 }])),
    );
    expect(first.map((r) => r.status)).toEqual([201, 201, 201, 201]);

    await Promise.all([
      ...first
        .slice(0, 2)
        .map((r, i) => request(app).post(`/api/orders/${r.body.orderId}/cancel`).set('Authorization', buyers[i]!)),
      ...buyers.slice(4).map((token) => order(token, [{ productId: product.id, quantity: 1 }])),
    ]);

    const open = await OrderModel.countDocuments({ status: 'pending' });
    const stock = (await ProductModel.findById(product.id).lean())!.stock;
    expect(stock).toBeGreaterThanOrEqual(0);
    expect(open + stock).toBe(4);
  });
});

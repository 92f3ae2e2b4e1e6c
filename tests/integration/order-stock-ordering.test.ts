import request from 'supertest';
import { silentLogger } from '../../src/lib/logger';
import { OrderModel } from '../../src/models/order.model';
import { ProductModel } from '../../src/models/product.model';
import { createStripeGateway } from '../../src/payments/stripe.gateway';
import { buildTestApp, testConfig } from '../helpers/app';
import { adminToken, createProduct, registerAndLogin } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';
import { startHttpServer, type TestServer } from '../helpers/stripe-services';

useTestDatabase();
const app = buildTestApp();

let admin: string;
beforeEach(async () => {
  admin = await adminToken(app);
});

const order = (on: typeof app, token: string, items: Array<{ productId: string; quantity: number }>) =>
  request(on).post('/api/orders/create').set('Authorization', token).send({ items });
const product = async (id: string) => (await ProductModel.findById(id).lean())!;

/** The real Stripe adapter against a server that accepts connections and never answers: creations hang, then fail with 502. */
async function hangingGateway(
  timeoutMs: number,
): Promise<{ server: TestServer; payments: ReturnType<typeof createStripeGateway> }> {
  const server = await startHttpServer(() => undefined);
  const { port } = new URL(server.url);
  const payments = createStripeGateway(
    {
      ...testConfig().stripe,
      secretKey: 'sk_test_hanging',
      api: { host: '127.0.0.1', port: Number(port), protocol: 'http' },
      timeoutMs,
      maxNetworkRetries: 0,
    },
    silentLogger,
  );
  return { server, payments };
}

describe('multi-line orders under concurrency', () => {
  it('when 40 buyers at once order [A, B] or [B, A] with 3 units of each, then exactly 3 orders succeed and stock ends at 0/0', async () => {
    const [a, b] = [await createProduct(app, admin, { stock: 3 }), await createProduct(app, admin, { stock: 3 })];
    const buyers = await Promise.all(Array.from({ length: 40 }, () => registerAndLogin(app)));

    const responses = await Promise.all(
      buyers.map((buyer, i) =>
        order(
          app,
          buyer.token,
          i % 2
            ? [
                { productId: a.id, quantity: 1 },
                { productId: b.id, quantity: 1 },
              ]
            : [
                { productId: b.id, quantity: 1 },
                { productId: a.id, quantity: 1 },
              ],
        ),
      ),
    );

    const created = responses.filter((r) => r.status === 201);
    const refused = responses.filter((r) => r.status === 409);
    expect(created).toHaveLength(3);
    expect(refused).toHaveLength(37);
    // A refusal means there truly was not enough: the figures it reports show it.
    for (const res of refused) {
      expect(res.body.code).toBe('OUT_OF_STOCK');
      for (const line of res.body.details as Array<{ requested: number; available: number }>)
        expect(line.available).toBeLessThan(line.requested);
    }
    expect([(await product(a.id)).stock, (await product(b.id)).stock]).toEqual([0, 0]);
    expect((await product(a.id)).reservedFor).toHaveLength(3);
    expect((await product(b.id)).reservedFor).toHaveLength(3);
    expect(await OrderModel.countDocuments()).toBe(3);
  });

  it('when the last units are held by an order still being created that then fails, then a concurrent order waits for them and succeeds', async () => {
    const scarce = await createProduct(app, admin, { stock: 3 });
    const other = await createProduct(app, admin, { stock: 10 });
    const [first, second] = [await registerAndLogin(app), await registerAndLogin(app)];
    const hanging = await hangingGateway(1000);
    try {
      const slowApp = buildTestApp({ deps: { payments: hanging.payments } });

      // The first order takes all 3 units, then hangs on the gateway for a second and fails (502).
      const failing = order(slowApp, first.token, [{ productId: scarce.id, quantity: 3 }]).then((r) => r);
      while ((await product(scarce.id)).stock !== 0) await new Promise((resolve) => setTimeout(resolve, 10));
      const waiting = await order(app, second.token, [
        { productId: other.id, quantity: 1 },
        { productId: scarce.id, quantity: 1 },
      ]);

      expect((await failing).status).toBe(502);
      expect(waiting.status).toBe(201);
    } finally {
      await hanging.server.close();
    }
    expect(await product(scarce.id)).toMatchObject({ stock: 2, reservedFor: [expect.anything()] });
    expect((await product(other.id)).stock).toBe(9);
  });

  it('when units stay held by an order being created for longer than ORDER_STOCK_WAIT_MS, then 409 STOCK_BUSY with true figures and nothing held', async () => {
    const scarce = await createProduct(app, admin, { stock: 3 });
    const other = await createProduct(app, admin, { stock: 10 });
    const [first, second] = [await registerAndLogin(app), await registerAndLogin(app)];
    const hanging = await hangingGateway(2000);
    const impatient = buildTestApp({ env: { ORDER_STOCK_WAIT_MS: '200' } });
    try {
      const slowApp = buildTestApp({ deps: { payments: hanging.payments } });
      const failing = order(slowApp, first.token, [{ productId: scarce.id, quantity: 3 }]).then((r) => r);
      while ((await product(scarce.id)).stock !== 0) await new Promise((resolve) => setTimeout(resolve, 10));

      const busy = await order(impatient, second.token, [
        { productId: other.id, quantity: 2 },
        { productId: scarce.id, quantity: 1 },
      ]);

      expect(busy.status).toBe(409);
      expect(busy.body).toEqual({
        message: 'Units of this order are held by orders still being placed; retry shortly',
        code: 'STOCK_BUSY',
        details: [
          {
            message: `Product ${scarce.id}: 1 requested, 0 available, 3 held by orders still being placed`,
            productId: scarce.id,
            requested: 1,
            available: 0,
            heldByOrdersInProgress: 3,
          },
        ],
        requestId: expect.any(String),
      });
      expect((await product(other.id)).stock).toBe(10);
      expect((await failing).status).toBe(502);
    } finally {
      await hanging.server.close();
    }
    expect(await product(scarce.id)).toMatchObject({ stock: 3, reservedFor: [] });
  });
});

import { Types } from 'mongoose';
import request from 'supertest';
import { OrderModel } from '../../src/models/order.model';
import { ProductModel } from '../../src/models/product.model';
import { createOrder, createProduct, getOrder } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';
import { paidOrder, shopPeople, startRefundShop, type RefundShop } from '../helpers/refund-shop';

/**
 * POST /api/orders/:id/fulfil in both capture modes: a paid order becomes `fulfilled` with its carrier and
 * tracking number for the buyer to see; an authorized one is captured first; refunds of fulfilled orders work.
 */
useTestDatabase();

let shop: RefundShop;
let manual: RefundShop;
let people: Awaited<ReturnType<typeof shopPeople>>;

beforeAll(async () => {
  shop = await startRefundShop({ deliverEvents: true });
  manual = await startRefundShop({ deliverEvents: true, env: { PAYMENT_CAPTURE: 'manual' } });
});
beforeEach(async () => {
  people = await shopPeople(shop.app);
});
afterAll(async () => {
  await shop.close();
  await manual.close();
});

const fulfil = (on: RefundShop, id: string, body: object = {}, token = people.admin) =>
  request(on.app).post(`/api/orders/${id}/fulfil`).set('Authorization', token).send(body);

describe('POST /api/orders/:id/fulfil', () => {
  it('when the admin fulfils a paid order, then the buyer sees it fulfilled with the carrier and tracking number', async () => {
    const order = await paidOrder(shop, people);

    const res = await fulfil(shop, order.orderId, { carrier: 'DHL', trackingNumber: 'JD014600003SE' });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ message: 'Order fulfilled', data: { status: 'fulfilled' } });
    const buyer = await request(shop.app)
      .get(`/api/orders/${order.orderId}`)
      .set('Authorization', people.buyer)
      .expect(200);
    expect(buyer.body.data).toMatchObject({
      status: 'fulfilled',
      fulfilment: { carrier: 'DHL', trackingNumber: 'JD014600003SE', fulfilledAt: expect.any(String) },
    });
    expect(buyer.body.data.history.at(-1)).toMatchObject({ status: 'fulfilled', reason: 'fulfilled' });
  });

  it('when it is fulfilled again, then only the tracking given now changes; ten at once make one move', async () => {
    const order = await paidOrder(shop, people);

    const results = await Promise.all(Array.from({ length: 10 }, () => fulfil(shop, order.orderId)));
    const later = await fulfil(shop, order.orderId, { trackingNumber: 'TRACK-2' });

    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(later.body.data.fulfilment).toMatchObject({ carrier: null, trackingNumber: 'TRACK-2' });
    expect(
      (await getOrder(shop.app, people.buyer, order.orderId)).history.filter((h) => h.status === 'fulfilled'),
    ).toHaveLength(1);
  });

  it('when a fulfilled order is refunded in full, then it is refunded like a paid one, and restocked when asked', async () => {
    const order = await paidOrder(shop, people, { quantity: 2, stock: 5 });
    await fulfil(shop, order.orderId).expect(200);

    await request(shop.app)
      .post(`/api/orders/${order.orderId}/refund`)
      .set('Authorization', people.admin)
      .send({ restock: true })
      .expect(202);
    await shop.settle();

    expect(await getOrder(shop.app, people.buyer, order.orderId)).toMatchObject({
      status: 'refunded',
      refundedAmount: 50,
    });
    expect((await ProductModel.findById(order.productId).lean())!.stock).toBe(5);
  });

  it('when the order is only authorized (manual capture), then fulfilling captures it in full first', async () => {
    const product = await createProduct(manual.app, people.admin, { price: 10, stock: 5 });
    const created = await createOrder(manual.app, people.buyer, [{ productId: product.id, quantity: 2 }]);
    await request(manual.app)
      .post(`/api/orders/${created.orderId}/pay`)
      .set('Authorization', people.buyer)
      .send({ paymentMethod: 'pm_card_visa' });
    await manual.settle();

    const res = await fulfil(manual, created.orderId, { carrier: 'UPS' });
    await manual.settle();

    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      status: 'fulfilled',
      capture: { status: 'succeeded', amount: 20 },
      fulfilment: { carrier: 'UPS' },
    });
    expect(res.body.data.history.map((h: { status: string }) => h.status)).toEqual([
      'pending',
      'authorized',
      'paid',
      'fulfilled',
    ]);
    expect(await manual.inner.retrievePaymentIntent(created.data.paymentIntentId)).toMatchObject({
      status: 'succeeded',
      amountReceivedMinor: 2000,
    });
    expect((await ProductModel.findById(product.id).lean())!).toMatchObject({ stock: 3, reservedFor: [] });
  });

  it.each([
    [
      'pending',
      async () =>
        (
          await createOrder(shop.app, people.buyer, [
            { productId: (await createProduct(shop.app, people.admin)).id, quantity: 1 },
          ])
        ).orderId,
    ],
    [
      'canceled',
      async () => {
        const { orderId } = await createOrder(shop.app, people.buyer, [
          { productId: (await createProduct(shop.app, people.admin)).id, quantity: 1 },
        ]);
        await request(shop.app).post(`/api/orders/${orderId}/cancel`).set('Authorization', people.buyer).expect(200);
        return orderId;
      },
    ],
  ])('when the order is %s, then 409 ORDER_NOT_FULFILLABLE and nothing changes', async (status, make) => {
    const id = await make();

    const res = await fulfil(shop, id);

    expect(res.status).toBe(409);
    expect(res.body.code).toBe('ORDER_NOT_FULFILLABLE');
    const stored = (await OrderModel.findById(id).lean())!;
    expect([stored.status, stored.fulfilment]).toEqual([status, undefined]);
  });

  it('when the buyer, an unknown order or a bad body is sent, then 403, 404 or 400 and nothing changes', async () => {
    const order = await paidOrder(shop, people);

    expect((await fulfil(shop, order.orderId, {}, people.buyer)).status).toBe(403);
    expect((await fulfil(shop, new Types.ObjectId().toHexString())).status).toBe(404);
    for (const body of [{ carrier: '' }, { trackingNumber: 'x'.repeat(101) }, { tracking: 'X' }, { carrier: 7 }]) {
      const res = await fulfil(shop, order.orderId, body);
      expect([res.status, res.body.code]).toEqual([400, 'VALIDATION_ERROR']);
    }
    const stored = (await OrderModel.findById(order.orderId).lean())!;
    expect([stored.status, stored.fulfilment]).toEqual(['paid', undefined]);
  });
});

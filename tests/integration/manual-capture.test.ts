import { Types } from 'mongoose';
import request from 'supertest';
import { GatewayError } from '../../src/payments/gateway';
import { OrderModel } from '../../src/models/order.model';
import { OpenOrderTallyModel } from '../../src/models/open-order-tally.model';
import { ProductModel } from '../../src/models/product.model';
import { SimulatedIdempotencyKeyModel } from '../../src/payments/simulated.store';
import { testConfig } from '../helpers/app';
import { createOrder, createProduct, getOrder } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';
import { shopPeople, startRefundShop, type RefundShop } from '../helpers/refund-shop';
import { sweeperFor } from '../helpers/sweeper';
import { deliver, intentFor, stripeEvent, type OrderRef } from '../helpers/webhooks';

/**
 * PAYMENT_CAPTURE=manual through the API, with the simulated gateway authorizing, capturing and canceling as
 * Stripe does and posting its signed events to the app: authorized orders keep their units, a capture (all
 * or less) pays them once however it is raced, a void or a cancel at Stripe frees the units, and the expiry
 * job settles authorizations before they lapse.
 */
useTestDatabase();

const MANUAL = { PAYMENT_CAPTURE: 'manual' };
const HOUR = 3_600_000;

let shop: RefundShop;
let people: Awaited<ReturnType<typeof shopPeople>>;

beforeAll(async () => {
  shop = await startRefundShop({ deliverEvents: true, env: MANUAL });
});
beforeEach(async () => {
  people = await shopPeople(shop.app);
});
afterAll(async () => {
  await shop.close();
});

const product = async (id: string) => (await ProductModel.findById(id).lean())!;
const stored = async (id: string) => (await OrderModel.findById(id).lean())!;
const adminView = async (app: RefundShop['app'], id: string) =>
  (await request(app).get(`/api/orders/${id}`).set('Authorization', people.admin).expect(200)).body.data;

/** A buyer's order paid with pm_card_visa: with manual capture the payment is only authorized. */
async function authorizedOrder(
  on: RefundShop,
  lines: Array<{ price?: number; quantity: number; stock?: number }> = [{ quantity: 2 }],
  options: { waitForAuthorization?: boolean } = {},
) {
  const products = [];
  for (const line of lines)
    products.push(await createProduct(on.app, people.admin, { price: line.price ?? 25, stock: line.stock ?? 10 }));
  const created = await createOrder(
    on.app,
    people.buyer,
    products.map((p, i) => ({ productId: p.id, quantity: lines[i]!.quantity })),
  );
  const paid = await request(on.app)
    .post(`/api/orders/${created.orderId}/pay`)
    .set('Authorization', people.buyer)
    .send({ paymentMethod: 'pm_card_visa' })
    .expect(200);
  expect(paid.body.data.paymentStatus).toBe('requires_capture');
  if (options.waitForAuthorization !== false) {
    await on.settle();
    expect((await getOrder(on.app, people.buyer, created.orderId)).status).toBe('authorized');
  }
  const ref: OrderRef = {
    id: created.orderId,
    paymentIntentId: created.data.paymentIntentId,
    amount: created.data.amount,
    currency: 'USD',
  };
  return { ...ref, orderId: created.orderId, products: products.map((p) => p.id) };
}

const capture = (app: RefundShop['app'], id: string, body?: object, key?: string) => {
  const req = request(app).post(`/api/orders/${id}/capture`).set('Authorization', people.admin);
  if (key) req.set('Idempotency-Key', key);
  return body === undefined ? req : req.send(body);
};

describe('manual capture: authorization', () => {
  it('when the buyer pays, then the order is authorized (amount_capturable_updated), its units stay reserved and it stops counting as unpaid', async () => {
    const order = await authorizedOrder(shop, [{ quantity: 2, stock: 5 }]);

    const view = await getOrder(shop.app, people.buyer, order.orderId);
    expect(view.history.map((h) => [h.status, h.reason])).toEqual([
      ['pending', 'order_created'],
      ['authorized', 'payment_authorized'],
    ]);
    const doc = await stored(order.orderId);
    expect(doc).toMatchObject({
      stock: 'held',
      authorizedAt: expect.any(Date),
      chargeId: expect.stringMatching(/^ch_/),
    });
    expect(await product(order.products[0]!)).toMatchObject({
      stock: 3,
      reservedFor: [new Types.ObjectId(order.orderId)],
    });
    const tally = await OpenOrderTallyModel.findById(people.buyerId).lean();
    expect(tally?.orders.map(String)).not.toContain(order.orderId);
    expect((await shop.inner.retrievePaymentIntent(order.paymentIntentId!)).status).toBe('requires_capture');
  });

  it('when the authorization event is delivered again, or late after the capture, then it changes nothing', async () => {
    const order = await authorizedOrder(shop);
    const event = stripeEvent(
      'payment_intent.amount_capturable_updated',
      intentFor(order, { status: 'requires_capture', amount_capturable: 5000 }),
    );

    expect((await deliver(shop.app, event)).status).toBe(200);
    await capture(shop.app, order.orderId).expect(200);
    await shop.settle();
    expect(
      (await deliver(shop.app, stripeEvent('payment_intent.amount_capturable_updated', event.data.object))).status,
    ).toBe(200);

    const history = (await getOrder(shop.app, people.buyer, order.orderId)).history.map((h) => h.status);
    expect(history).toEqual(['pending', 'authorized', 'paid']);
  });
});

describe('manual capture: POST /api/orders/:id/capture', () => {
  it('when the admin captures everything, then the order is paid at once, once, and its units are sold', async () => {
    const order = await authorizedOrder(shop, [{ quantity: 2, stock: 5 }]);

    const res = await capture(shop.app, order.orderId).expect(200);
    await shop.settle(); // Stripe's payment_intent.succeeded for the capture arrives after the answer

    expect(res.body).toMatchObject({
      message: 'Payment captured',
      data: { status: 'paid', capture: { status: 'succeeded', amount: 50 } },
    });
    const view = await getOrder(shop.app, people.buyer, order.orderId);
    expect(view.history.filter((h) => h.status === 'paid')).toEqual([expect.objectContaining({ reason: 'captured' })]);
    expect(view).not.toHaveProperty('paidAmount');
    expect(await product(order.products[0]!)).toMatchObject({ stock: 3, reservedFor: [] });
    const doc = await stored(order.orderId);
    expect([doc.stock, doc.capturedMinor]).toEqual(['committed', undefined]);
    expect(await shop.inner.retrievePaymentIntent(order.paymentIntentId!)).toMatchObject({
      status: 'succeeded',
      amountReceivedMinor: 5000,
    });
  });

  it('when the admin captures the lines shipped, then their total is captured and the units not shipped go back on sale', async () => {
    const order = await authorizedOrder(shop, [
      { price: 20, quantity: 3, stock: 10 },
      { price: 5, quantity: 1, stock: 10 },
    ]);
    const [shipped, notShipped] = order.products as [string, string];

    const res = await capture(shop.app, order.orderId, { lines: [{ productId: shipped, quantity: 2 }] }).expect(200);
    await shop.settle();

    expect(res.body.data).toMatchObject({ status: 'paid', paidAmount: 40, money: { paid: 40, kept: 40 } });
    expect(await product(shipped)).toMatchObject({ stock: 8, reservedFor: [] }); // 10 - 3 reserved + 1 not shipped
    expect(await product(notShipped)).toMatchObject({ stock: 10, reservedFor: [] });
    expect(await shop.inner.retrievePaymentIntent(order.paymentIntentId!)).toMatchObject({ amountReceivedMinor: 4000 });
    // What can be refunded is what was captured.
    const refund = await request(shop.app)
      .post(`/api/orders/${order.orderId}/refund`)
      .set('Authorization', people.admin)
      .send({ amount: 40.01 });
    expect(refund.status).toBe(409);
    expect(refund.body).toMatchObject({ code: 'REFUND_EXCEEDS_REMAINDER', details: [{ remaining: 40 }] });
  });

  it('when the admin captures a smaller amount, then that is what is paid, every unit is sold, and a full refund completes at that amount', async () => {
    const order = await authorizedOrder(shop, [{ price: 30, quantity: 1, stock: 4 }]);

    await capture(shop.app, order.orderId, { amount: 12.5 }).expect(200);
    await shop.settle();
    await request(shop.app).post(`/api/orders/${order.orderId}/refund`).set('Authorization', people.admin).expect(202);
    await shop.settle();

    const view = await getOrder(shop.app, people.buyer, order.orderId);
    expect(view).toMatchObject({ status: 'refunded', refundedAmount: 12.5, paidAmount: 12.5 });
    expect(await product(order.products[0]!)).toMatchObject({ stock: 3 });
  });

  it('when the lines shipped are captured with restockUnshipped false, then the units not shipped stay off sale', async () => {
    const order = await authorizedOrder(shop, [{ price: 10, quantity: 3, stock: 5 }]);

    await capture(shop.app, order.orderId, {
      lines: [{ productId: order.products[0], quantity: 1 }],
      restockUnshipped: false,
    }).expect(200);

    expect(await product(order.products[0]!)).toMatchObject({ stock: 2, reservedFor: [] });
  });

  it('when a capture is sent twice, then it is made once: the same key and body answer again, another capture is a 409', async () => {
    const order = await authorizedOrder(shop);

    const first = await capture(shop.app, order.orderId, {}, 'capture-once').expect(200);
    const again = await capture(shop.app, order.orderId, {}, 'capture-once').expect(200);
    const otherBody = await capture(shop.app, order.orderId, { amount: 10 }, 'capture-once');
    const noKey = await capture(shop.app, order.orderId);

    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.data.status).toBe(first.body.data.status);
    expect(otherBody.status).toBe(422);
    expect(noKey.status).toBe(409);
    expect(noKey.body.code).toBe('ORDER_NOT_CAPTURABLE');
    expect(
      await SimulatedIdempotencyKeyModel.countDocuments({
        _id: new RegExp(`^capture:order_${order.orderId}_capture_`),
      }),
    ).toBe(1);
  });

  it('when ten captures race, then one captures, the others are refused, and the units are sold once', async () => {
    const order = await authorizedOrder(shop, [{ price: 10, quantity: 2, stock: 6 }]);

    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        capture(shop.app, order.orderId, i % 2 ? { amount: 15 } : {}, i < 4 ? `race-${i}` : undefined),
      ),
    );
    await shop.settle();

    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const refused of results.filter((r) => r.status !== 200)) {
      expect([refused.status, ['CAPTURE_IN_PROGRESS', 'ORDER_NOT_CAPTURABLE'].includes(refused.body.code)]).toEqual([
        409,
        true,
      ]);
    }
    expect(
      (await getOrder(shop.app, people.buyer, order.orderId)).history.filter((h) => h.status === 'paid'),
    ).toHaveLength(1);
    expect(await product(order.products[0]!)).toMatchObject({ stock: 4, reservedFor: [] });
  });

  it('when the capture races its own payment_intent.succeeded, then the order is paid once whichever comes first', async () => {
    const quiet = await startRefundShop({ deliverEvents: false, env: MANUAL });
    try {
      const order = await authorizedOrder(quiet, [{ price: 10, quantity: 2, stock: 6 }], {
        waitForAuthorization: false,
      });
      await deliver(
        quiet.app,
        stripeEvent(
          'payment_intent.amount_capturable_updated',
          intentFor(order, { status: 'requires_capture', amount_capturable: 2000 }),
        ),
      );
      const succeeded = stripeEvent('payment_intent.succeeded', intentFor(order, { capture_method: 'manual' }));

      const [captured, delivered, redelivered] = await Promise.all([
        capture(quiet.app, order.orderId),
        deliver(quiet.app, succeeded),
        deliver(quiet.app, succeeded),
      ]);

      expect([captured.status, delivered.status, redelivered.status]).toEqual([200, 200, 200]);
      const history = (await getOrder(quiet.app, people.buyer, order.orderId)).history;
      expect(history.filter((h) => h.status === 'paid')).toHaveLength(1);
      expect(await product(order.products[0]!)).toMatchObject({ stock: 4, reservedFor: [] });
      expect(await stored(order.orderId)).toMatchObject({ status: 'paid', stock: 'committed' });
    } finally {
      await quiet.close();
    }
  });

  it.each([
    ['an unknown field', { amout: 10 }],
    ['an amount over what was authorized', { amount: 50.01 }],
    ['more decimals than the currency has', { amount: 10.001 }],
    ['an amount under Stripe’s minimum', { amount: 0.4 }],
    ['a line not in the order', { lines: [{ productId: new Types.ObjectId().toHexString(), quantity: 1 }] }],
    ['more units than ordered', 'too-many'],
    ['no unit shipped', 'none-shipped'],
    ['a product twice', 'twice'],
  ])('when the capture has %s, then 400 and nothing is captured', async (_label, body) => {
    const order = await authorizedOrder(shop);
    const id = order.products[0]!;
    const sent =
      body === 'too-many'
        ? { lines: [{ productId: id, quantity: 3 }] }
        : body === 'none-shipped'
          ? { lines: [{ productId: id, quantity: 0 }] }
          : body === 'twice'
            ? {
                lines: [
                  { productId: id, quantity: 1 },
                  { productId: id, quantity: 1 },
                ],
              }
            : body;

    const res = await capture(shop.app, order.orderId, sent as object);

    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
    const doc = await stored(order.orderId);
    expect([doc.status, doc.capture]).toEqual(['authorized', undefined]);
    expect((await shop.inner.retrievePaymentIntent(order.paymentIntentId!)).status).toBe('requires_capture');
  });

  it('when the order is not authorized, the caller is not an admin or the order is unknown, then 409, 403 or 404', async () => {
    const created = await createOrder(shop.app, people.buyer, [
      { productId: (await createProduct(shop.app, people.admin)).id, quantity: 1 },
    ]);

    expect((await capture(shop.app, created.orderId)).body.code).toBe('ORDER_NOT_CAPTURABLE');
    expect(
      (await request(shop.app).post(`/api/orders/${created.orderId}/capture`).set('Authorization', people.buyer))
        .status,
    ).toBe(403);
    expect((await capture(shop.app, new Types.ObjectId().toHexString())).status).toBe(404);
  });

  it('when the authorization was canceled at Stripe before the capture, then 409 CAPTURE_REFUSED and the order follows Stripe: canceled, units back', async () => {
    const quiet = await startRefundShop({ deliverEvents: false, env: MANUAL });
    try {
      const order = await authorizedOrder(quiet, [{ quantity: 2, stock: 5 }], { waitForAuthorization: false });
      await deliver(
        quiet.app,
        stripeEvent(
          'payment_intent.amount_capturable_updated',
          intentFor(order, { status: 'requires_capture', amount_capturable: 5000 }),
        ),
      );
      await quiet.inner.cancelPaymentIntent(order.paymentIntentId!); // its event is never delivered here

      const res = await capture(quiet.app, order.orderId);

      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({
        code: 'CAPTURE_REFUSED',
        details: [{ code: 'payment_intent_unexpected_state' }],
      });
      expect(await stored(order.orderId)).toMatchObject({
        status: 'canceled',
        stock: 'released',
        capture: { status: 'refused' },
      });
      expect(await product(order.products[0]!)).toMatchObject({ stock: 5, reservedFor: [] });
    } finally {
      await quiet.close();
    }
  });

  it('when the gateway cannot be reached, then 502 and the capture is kept; the same key sends it again and pays the order', async () => {
    let failures = 1;
    const flaky = await startRefundShop({ deliverEvents: true, env: MANUAL });
    flaky.gateway.capturePaymentIntent = async (id, input) => {
      if (failures-- > 0)
        throw new GatewayError('unavailable', 'The payment provider could not be reached, please try again');
      return flaky.inner.capturePaymentIntent(id, input);
    };
    try {
      const order = await authorizedOrder(flaky);

      const first = await capture(flaky.app, order.orderId, {}, 'flaky-capture');
      const retry = await capture(flaky.app, order.orderId, {}, 'flaky-capture');

      expect(first.status).toBe(502);
      expect(retry.status).toBe(200);
      expect(retry.body.data.status).toBe('paid');
    } finally {
      await flaky.close();
    }
  });
});

describe('manual capture: POST /api/orders/:id/void', () => {
  it('when the admin voids an authorization, then the intent is canceled, the order canceled once and its units back on sale', async () => {
    const order = await authorizedOrder(shop, [{ quantity: 2, stock: 5 }]);

    const res = await request(shop.app)
      .post(`/api/orders/${order.orderId}/void`)
      .set('Authorization', people.admin)
      .expect(200);
    await shop.settle(); // Stripe's payment_intent.canceled arrives too
    const again = await request(shop.app)
      .post(`/api/orders/${order.orderId}/void`)
      .set('Authorization', people.admin)
      .expect(200);

    expect(res.body).toMatchObject({ message: 'Authorization voided', data: { status: 'canceled' } });
    expect(again.body.data.status).toBe('canceled');
    const history = (await getOrder(shop.app, people.buyer, order.orderId)).history;
    expect(history.filter((h) => h.status === 'canceled')).toEqual([expect.objectContaining({ reason: 'voided' })]);
    expect(await product(order.products[0]!)).toMatchObject({ stock: 5, reservedFor: [] });
    expect((await shop.inner.retrievePaymentIntent(order.paymentIntentId!)).status).toBe('canceled');
  });

  it('when the order is paid or pending, then there is nothing to void: 409', async () => {
    const order = await authorizedOrder(shop);
    await capture(shop.app, order.orderId).expect(200);

    const res = await request(shop.app).post(`/api/orders/${order.orderId}/void`).set('Authorization', people.admin);

    expect(res.status).toBe(409);
    expect(res.body.code).toBe('ORDER_NOT_VOIDABLE');
  });

  it('when the authorization was captured in the Dashboard before the void, then 409 ALREADY_CAPTURED and the order is paid', async () => {
    const quiet = await startRefundShop({ deliverEvents: false, env: MANUAL });
    try {
      const order = await authorizedOrder(quiet, [{ quantity: 1, stock: 3 }], { waitForAuthorization: false });
      await deliver(
        quiet.app,
        stripeEvent(
          'payment_intent.amount_capturable_updated',
          intentFor(order, { status: 'requires_capture', amount_capturable: 2500 }),
        ),
      );
      await quiet.inner.capturePaymentIntent(order.paymentIntentId!, {
        currency: 'USD',
        idempotencyKey: 'dashboard-capture',
      });

      const res = await request(quiet.app).post(`/api/orders/${order.orderId}/void`).set('Authorization', people.admin);

      expect(res.status).toBe(409);
      expect(res.body.code).toBe('ALREADY_CAPTURED');
      expect(await stored(order.orderId)).toMatchObject({ status: 'paid', stock: 'committed' });
    } finally {
      await quiet.close();
    }
  });
});

describe('manual capture: what Stripe and the Dashboard do', () => {
  let quiet: RefundShop;
  beforeAll(async () => {
    quiet = await startRefundShop({ deliverEvents: false, env: MANUAL });
  });
  afterAll(async () => {
    await quiet.close();
  });

  async function authorizedQuietly(quantity = 2) {
    const order = await authorizedOrder(quiet, [{ price: 10, quantity, stock: 5 }], { waitForAuthorization: false });
    const amount = quantity * 1000;
    await deliver(
      quiet.app,
      stripeEvent(
        'payment_intent.amount_capturable_updated',
        intentFor(order, { status: 'requires_capture', amount_capturable: amount }),
      ),
    );
    return order;
  }

  it('when a smaller capture made in the Dashboard is reported, then the order is paid with what it took, like one of ours', async () => {
    const order = await authorizedQuietly();
    const event = stripeEvent(
      'payment_intent.succeeded',
      intentFor(order, { capture_method: 'manual', amount_received: 1500, latest_charge: 'ch_dash' }),
    );

    await deliver(quiet.app, event).expect(200);
    await deliver(quiet.app, event).expect(200);

    const view = await adminView(quiet.app, order.orderId);
    expect(view).toMatchObject({ status: 'paid', paidAmount: 15, chargeId: 'ch_dash', money: { paid: 15, kept: 15 } });
    expect(view.history.filter((h: { status: string }) => h.status === 'paid')).toHaveLength(1);
    expect(await product(order.products[0]!)).toMatchObject({ stock: 3, reservedFor: [] });
  });

  it('when a capture reports more than was authorized, then nothing is paid and the mismatch is noted', async () => {
    const order = await authorizedQuietly();

    await deliver(
      quiet.app,
      stripeEvent('payment_intent.succeeded', intentFor(order, { capture_method: 'manual', amount_received: 2001 })),
    ).expect(200);

    expect(await stored(order.orderId)).toMatchObject({
      status: 'authorized',
      notes: [expect.objectContaining({ kind: 'payment_mismatch' })],
    });
  });

  it('when an authorization is canceled in the Dashboard (or lapses at Stripe), then the order is canceled and its units come back', async () => {
    const order = await authorizedQuietly();
    const canceled = stripeEvent(
      'payment_intent.canceled',
      intentFor(order, { status: 'canceled', amount_received: 0, cancellation_reason: 'automatic' }),
    );

    await Promise.all([deliver(quiet.app, canceled), deliver(quiet.app, canceled)]);

    expect(await stored(order.orderId)).toMatchObject({ status: 'canceled', stock: 'released' });
    expect(await product(order.products[0]!)).toMatchObject({ stock: 5, reservedFor: [] });
  });
});

describe('manual capture: the expiry job', () => {
  let quiet: RefundShop;
  beforeAll(async () => {
    quiet = await startRefundShop({ deliverEvents: false, env: MANUAL });
  });
  afterAll(async () => {
    await quiet.close();
  });
  const config = testConfig(MANUAL);
  const later = (hours: number) => () => new Date(Date.now() + hours * HOUR);

  async function authorizedQuietly() {
    const order = await authorizedOrder(quiet, [{ price: 10, quantity: 2, stock: 5 }], { waitForAuthorization: false });
    await deliver(
      quiet.app,
      stripeEvent(
        'payment_intent.amount_capturable_updated',
        intentFor(order, { status: 'requires_capture', amount_capturable: 2000 }),
      ),
    );
    return order;
  }

  it('when an authorization is about to lapse uncaptured, then the job voids it before Stripe would and the units come back; earlier it is left', async () => {
    const order = await authorizedQuietly();

    await sweeperFor({ payments: quiet.gateway, clock: later(100), config }).sweepOnce();
    expect((await stored(order.orderId)).status).toBe('authorized');
    const result = await sweeperFor({ payments: quiet.gateway, clock: later(145), config }).sweepOnce();

    expect(result.authorizationsSettled).toBe(1);
    const doc = await stored(order.orderId);
    expect(doc).toMatchObject({ status: 'canceled', stock: 'released' });
    expect(doc.history.at(-1)).toMatchObject({ status: 'canceled', reason: 'authorization_expired' });
    expect(await product(order.products[0]!)).toMatchObject({ stock: 5, reservedFor: [] });
    expect((await quiet.inner.retrievePaymentIntent(order.paymentIntentId!)).status).toBe('canceled');
  });

  it('when the authorization was captured in the Dashboard and its event lost, then the job finds it paid instead of voiding it', async () => {
    const order = await authorizedQuietly();
    await quiet.inner.capturePaymentIntent(order.paymentIntentId!, {
      currency: 'USD',
      idempotencyKey: `dash-${order.orderId}`,
    });

    await sweeperFor({ payments: quiet.gateway, clock: later(145), config }).sweepOnce();

    expect(await stored(order.orderId)).toMatchObject({ status: 'paid', stock: 'committed' });
  });

  it('when a capture was asked for and interrupted, then the job sends it again rather than voiding', async () => {
    const order = await authorizedQuietly();
    const now = new Date();
    await OrderModel.updateOne(
      { _id: order.orderId },
      {
        $set: {
          capture: {
            requestId: new Types.ObjectId().toHexString(),
            amountMinor: 2000,
            restockUnshipped: true,
            status: 'requested',
            failure: null,
            requestedBy: { userId: new Types.ObjectId(), email: 'admin@example.com' },
            requestedAt: now,
            attemptUntil: now,
            idempotencyKey: null,
            requestHash: 'x',
          },
        },
      },
    );

    const result = await sweeperFor({ payments: quiet.gateway, clock: later(1), config }).sweepOnce();

    expect(result.capturesResumed).toBe(1);
    expect(await stored(order.orderId)).toMatchObject({ status: 'paid', capture: { status: 'succeeded' } });
  });

  it('when an unpaid order expires but its intent is authorized (the event was lost), then it becomes authorized, never canceled as unpaid', async () => {
    const order = await authorizedOrder(quiet, [{ price: 10, quantity: 1, stock: 5 }], { waitForAuthorization: false });

    const result = await sweeperFor({ payments: quiet.gateway, clock: later(1), config }).sweepOnce();

    expect(result.reconciled).toBe(1);
    const doc = await stored(order.orderId);
    expect(doc).toMatchObject({ status: 'authorized', stock: 'held' });
    expect(doc.history.at(-1)).toMatchObject({
      reason: 'reconciled',
      eventId: `reconcile:${order.paymentIntentId}:authorized`,
    });
    expect((await quiet.inner.retrievePaymentIntent(order.paymentIntentId!)).status).toBe('requires_capture');
  });
});

import { OrderModel } from '../../src/models/order.model';
import { ProductModel } from '../../src/models/product.model';
import { WebhookEventModel } from '../../src/models/webhook-event.model';
import { buildTestApp } from '../helpers/app';
import { adminToken, createOrder, createProduct, getOrder, registerAndLogin } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';
import { deliver, intentFor, stripeEvent, type OrderRef } from '../helpers/webhooks';

useTestDatabase();
const app = buildTestApp();

let buyer: { token: string };
let productId: string;
let holder: OrderRef;
let other: OrderRef;
beforeEach(async () => {
  const admin = await adminToken(app);
  buyer = await registerAndLogin(app);
  productId = (await createProduct(app, admin, { price: 12.5, stock: 10 })).id;
  const ref = (created: Awaited<ReturnType<typeof createOrder>>) => ({
    id: created.orderId,
    paymentIntentId: created.data.paymentIntentId,
    amount: created.data.amount,
    currency: created.data.currency,
  });
  holder = ref(await createOrder(app, buyer.token, [{ productId, quantity: 2 }]));
  other = ref(await createOrder(app, (await registerAndLogin(app)).token, [{ productId, quantity: 2 }]));
});

const stored = async (id: string) => (await OrderModel.findById(id).lean())!;
/** The holder's intent, with metadata naming the other order. */
const misaddressed = (type: string, overrides: Record<string, unknown> = {}) =>
  stripeEvent(type, intentFor(holder, { metadata: { orderId: other.id }, ...overrides }));

describe('the payment intent id decides which order an event concerns', () => {
  it("when a succeeded intent's metadata names another order, then the order holding the intent is paid, the mismatch is noted on it, and the other order is untouched", async () => {
    const event = misaddressed('payment_intent.succeeded');

    await deliver(app, event).expect(200);

    expect(await stored(holder.id)).toMatchObject({
      status: 'paid',
      stock: 'committed',
      notes: [
        expect.objectContaining({
          kind: 'payment_mismatch',
          eventId: event.id,
          detail: expect.objectContaining({ paymentIntentId: holder.paymentIntentId, problems: ['metadata order id'] }),
        }),
      ],
    });
    expect(await stored(other.id)).toMatchObject({ status: 'pending', notes: [], stock: 'held' });
    expect((await getOrder(app, buyer.token, holder.id)).history.at(-1)).toMatchObject({
      status: 'paid',
      eventId: event.id,
    });
    expect((await ProductModel.findById(productId).lean())?.stock).toBe(6);
    expect(await WebhookEventModel.findById(event.id).lean()).toMatchObject({ outcome: 'applied' });
  });

  it('when such an event is delivered again, then nothing is paid or noted twice', async () => {
    const event = misaddressed('payment_intent.succeeded');

    await deliver(app, event).expect(200);
    await deliver(app, event).expect(200);

    const order = await stored(holder.id);
    expect(order.notes).toHaveLength(1);
    expect(order.history.filter((h) => h.status === 'paid')).toHaveLength(1);
  });

  it.each([
    ['payment_intent.payment_failed', { status: 'requires_payment_method', amount_received: 0 }, 'failed'],
    ['payment_intent.canceled', { status: 'canceled', amount_received: 0 }, 'canceled'],
  ])(
    'when %s names another order in its metadata, then it applies to the holder only',
    async (type, overrides, status) => {
      await deliver(app, misaddressed(type, overrides)).expect(200);

      expect(await stored(holder.id)).toMatchObject({
        status,
        notes: [expect.objectContaining({ kind: 'payment_mismatch' })],
      });
      expect(await stored(other.id)).toMatchObject({ status: 'pending', notes: [] });
    },
  );

  it('when the amount does not match as well, then even the holder is not paid, and the other order is still untouched', async () => {
    await deliver(app, misaddressed('payment_intent.succeeded', { amount: 1, amount_received: 1 })).expect(200);

    expect(await stored(holder.id)).toMatchObject({
      status: 'pending',
      notes: [
        expect.objectContaining({ detail: expect.objectContaining({ problems: ['metadata order id', 'amount'] }) }),
      ],
    });
    expect(await stored(other.id)).toMatchObject({ status: 'pending', notes: [] });
  });

  it('when a second order would hold the same intent, then the unique index refuses it', async () => {
    await expect(
      OrderModel.updateOne({ _id: other.id }, { $set: { paymentIntentId: holder.paymentIntentId } }),
    ).rejects.toMatchObject({
      code: 11000,
    });
  });
});

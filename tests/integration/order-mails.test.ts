import request from 'supertest';
import { MailModel } from '../../src/models/mail.model';
import { OrderModel } from '../../src/models/order.model';
import { adminToken, createOrder, createProduct, registerAndLogin } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';
import { useAppWithMail } from '../helpers/mail';
import { chargeFor, deliver, intentFor, stripeEvent } from '../helpers/webhooks';

/**
 * The payment mails through the payment core, over a real SMTP server: each recorded by the step that causes it
 * (the stock settlement for paid and canceled or expired, the refunded total for refunds), once per cause key
 * however often that step runs.
 */
let offsetMs = 0;
const clock = () => new Date(Date.now() + offsetMs);
const shop = useAppWithMail({ deps: { clock }, env: { ORDER_PAYMENT_TIMEOUT_MINUTES: '30' } });
// PAYMENT_CAPTURE is read where the services are built: a shop of its own (before the database's hooks, see useAppWithMail).
// Its worker and `shop`'s share the outbox like two instances, so either may send any mail: both SMTP servers are read.
const manualShop = useAppWithMail({ env: { PAYMENT_CAPTURE: 'manual' } });
const received = () => [...shop.smtp.received, ...manualShop.smtp.received];
useTestDatabase();

beforeEach(() => {
  offsetMs = 0;
});

async function buyerWithOrder(on = shop, quantity = 2) {
  const admin = await adminToken(on.app);
  const buyer = await registerAndLogin(on.app);
  const product = await createProduct(on.app, admin, { price: 25, currency: 'USD', stock: 10 });
  const created = await createOrder(on.app, buyer.token, [{ productId: product.id, quantity }]);
  const order = { id: created.orderId, paymentIntentId: created.data.paymentIntentId, amount: 50, currency: 'USD' };
  return { admin, buyer, order };
}

/** The mails to `email` whose subject matches, once `count` have arrived (and a moment more, to catch any extra). */
async function mailsTo(email: string, subject: RegExp, count: number) {
  const matching = () => received().filter((mail) => mail.to === email && subject.test(mail.subject));
  for (let waited = 0; matching().length < count; waited += 50) {
    if (waited > 10_000)
      throw new Error(`expected ${count} mails to ${email} matching ${subject}, got ${matching().length}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await new Promise((resolve) => setTimeout(resolve, 1500)); // more worker passes: nothing may come twice
  return matching();
}

const paidEvent = (order: { id: string; paymentIntentId: string; amount: number; currency: string }) =>
  stripeEvent('payment_intent.succeeded', intentFor(order));

describe('the paid mail', () => {
  it('when the success event is delivered three times, two of them at once, then one paid mail arrives', async () => {
    const { buyer, order } = await buyerWithOrder();
    const event = paidEvent(order);

    const answers = await Promise.all([deliver(shop.app, event), deliver(shop.app, event)]);
    answers.push(await deliver(shop.app, event));

    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    const mails = await mailsTo(buyer.email, /is paid/, 1);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain('2 x ');
    expect(await MailModel.findById(`order-paid:${order.id}`).lean()).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('when the success arrives as two events with different ids (Stripe resends it under a new id), then still one paid mail', async () => {
    const { buyer, order } = await buyerWithOrder();

    await deliver(shop.app, paidEvent(order)).expect(200);
    await deliver(shop.app, paidEvent(order)).expect(200);

    expect(await mailsTo(buyer.email, /is paid/, 1)).toHaveLength(1);
  });
});

describe('the canceled and expired mails', () => {
  it('when the buyer cancels, then one "canceled" mail arrives and no paid mail', async () => {
    const { buyer, order } = await buyerWithOrder();

    await request(shop.app).post(`/api/orders/${order.id}/cancel`).set('Authorization', buyer.token).expect(200);
    await deliver(shop.app, stripeEvent('payment_intent.canceled', intentFor(order, { status: 'canceled' }))).expect(
      200,
    );

    const mails = await mailsTo(buyer.email, /^Test Shop: order /, 1);
    expect(mails.map((mail) => mail.subject)).toEqual([`Test Shop: order ${order.id} canceled`]);
    expect(received().filter((mail) => mail.to === buyer.email && /is paid/.test(mail.subject))).toEqual([]);
  });

  it('when the order is left unpaid past the payment timeout, then the expiry job cancels it and one "expired" mail arrives', async () => {
    const { buyer, order } = await buyerWithOrder();
    offsetMs = 31 * 60_000;

    await shop.services.sweeper.sweepOnce();
    await shop.services.sweeper.sweepOnce();

    expect((await OrderModel.findById(order.id).lean())?.status).toBe('canceled');
    const mails = await mailsTo(buyer.email, /^Test Shop: order /, 1);
    expect(mails.map((mail) => mail.subject)).toEqual([`Test Shop: order ${order.id} expired`]);
    expect(mails[0]!.text).toContain('not paid in time');
  });
});

describe('the refunded mails', () => {
  it('when a partial refund and then the rest are reported, each twice, then one mail per refunded total and the paid mail once', async () => {
    const { buyer, order } = await buyerWithOrder();
    await deliver(shop.app, paidEvent(order)).expect(200);
    const charge = chargeFor(order, 0);
    const partial = stripeEvent('charge.refunded', { ...charge, amount_refunded: 1000, refunded: false });
    const whole = stripeEvent('charge.refunded', { ...charge, amount_refunded: 5000, refunded: true });

    for (const event of [partial, partial, whole, whole]) await deliver(shop.app, event).expect(200);

    const refunds = await mailsTo(buyer.email, /refund of order/, 2);
    expect(refunds).toHaveLength(2);
    // Either worker may send either mail: they can arrive in any order.
    expect(refunds.filter((mail) => /10\.00.* has been refunded so far/.test(mail.text))).toHaveLength(1);
    expect(refunds.filter((mail) => /has been refunded in full \(.*50\.00.*\)/.test(mail.text))).toHaveLength(1);
    expect(await MailModel.find({ template: 'order-refunded' }).distinct('_id')).toEqual(
      expect.arrayContaining([`order-refunded:${order.id}:1000`, `order-refunded:${order.id}:5000`]),
    );
    expect((await OrderModel.findById(order.id).lean())?.status).toBe('refunded');
    expect(received().filter((mail) => mail.to === buyer.email && /is paid/.test(mail.subject))).toHaveLength(1);
  });
});

describe('the paid mail with manual capture (PAYMENT_CAPTURE=manual)', () => {
  it('when the payment is only authorized, then no paid mail; when an admin captures part of it, then one paid mail saying what was charged', async () => {
    const { admin, buyer, order } = await buyerWithOrder(manualShop);
    const app = manualShop.app;
    await request(app)
      .post(`/api/orders/${order.id}/pay`)
      .set('Authorization', buyer.token)
      .send({ paymentMethod: 'pm_card_visa' })
      .expect(200);
    const authorized = stripeEvent(
      'payment_intent.amount_capturable_updated',
      intentFor(order, {
        status: 'requires_capture',
        amount_received: 0,
        amount_capturable: 5000,
        capture_method: 'manual',
      }),
    );
    await deliver(app, authorized).expect(200);
    await deliver(app, authorized).expect(200);
    expect((await OrderModel.findById(order.id).lean())?.status).toBe('authorized');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await MailModel.findById(`order-paid:${order.id}`).lean()).toBeNull();

    await request(app)
      .post(`/api/orders/${order.id}/capture`)
      .set('Authorization', admin)
      .send({ amount: 30 })
      .expect(200);
    // Stripe's own success event for the capture, which may arrive on any instance, afterwards.
    await deliver(
      app,
      stripeEvent('payment_intent.succeeded', intentFor(order, { amount_received: 3000, capture_method: 'manual' })),
    ).expect(200);

    const mails = await mailsTo(buyer.email, /is paid/, 1);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toMatch(/Total: .*50\.00.*\n {2}Charged: .*30\.00/);
    expect(await OrderModel.findById(order.id).lean()).toMatchObject({ status: 'paid', capturedMinor: 3000 });
  });
});

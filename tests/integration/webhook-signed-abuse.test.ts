import { OrderModel } from '../../src/models/order.model';
import { WebhookEventModel } from '../../src/models/webhook-event.model';
import { buildTestApp } from '../helpers/app';
import { adminToken, createOrder, createProduct, registerAndLogin } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';
import { deliver, intentFor, stripeEvent, type OrderRef } from '../helpers/webhooks';

/**
 * Correctly signed events that try what a careless handler lets through: types named like the members of
 * Object.prototype, and refund reports that contradict the order (more refunded than paid, a "fully refunded"
 * flag with nothing refunded, refunds of unknown ids adding up past the amount).
 */
useTestDatabase();
const app = buildTestApp();

let buyer: { token: string };
let productId: string;
let order: OrderRef;
beforeEach(async () => {
  const admin = await adminToken(app);
  buyer = await registerAndLogin(app);
  // 2 x 15.00: a 30.00 order.
  productId = (await createProduct(app, admin, { price: 15, stock: 10 })).id;
  const created = await createOrder(app, buyer.token, [{ productId, quantity: 2 }]);
  order = { id: created.orderId, paymentIntentId: created.data.paymentIntentId, amount: created.data.amount, currency: created.data.currency };
});

const stored = async () => (await OrderModel.findById(order.id).lean())!;

describe('signed events whose type is named like an Object.prototype member', () => {
  it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', 'toLocaleString', '__defineGetter__'])(
    'when the type is %s, then 200 { received: true }, recorded as ignored, and nothing changes',
    async (type) => {
      const event = stripeEvent(type, { ...intentFor(order), object: 'payment_intent' });

      const res = await deliver(app, event);

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ received: true });
      expect(await WebhookEventModel.findById(event.id).lean()).toMatchObject({ type, outcome: 'ignored', processedAt: expect.any(Date) });
      expect(await stored()).toMatchObject({ status: 'pending', notes: [], refundedMinor: 0 });
    },
  );
});

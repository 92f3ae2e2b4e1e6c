import { Types } from 'mongoose';
import { Conflict, NotFound } from '../lib/errors';
import { OPEN_STATUSES } from '../lib/order-state';
import { OrderModel, type OrderRow } from '../models/order.model';
import type { PaymentGateway } from '../payments/gateway';
import { isUnexpectedIntentState } from '../payments/intent-outcomes';
import type { PublicUser } from './auth.service';
import { gatewayFailure, notOpen } from './order-lifecycle.service';

/**
 * The buyer's side of a payment in progress: reading the order's client secret and where its PaymentIntent is
 * (for Stripe.js in the browser, or after a reload), and, with the simulated gateway, answering the 3-D Secure
 * challenge that Stripe.js would show. Only the order's owner, only while the order can be paid: anyone else
 * (admins included) gets the 404 of an order that does not exist.
 */
export function createOrderPaymentService(deps: { payments: PaymentGateway; clock: () => Date }) {
  const { payments, clock } = deps;

  async function payableOrder(user: PublicUser, id: string) {
    const order = (await OrderModel.findOne({ _id: new Types.ObjectId(id), placedAt: { $ne: null } })
      .select('+clientSecret')
      .lean()) as (OrderRow & { clientSecret: string | null }) | null;
    if (!order || order.userId.toHexString() !== user.id) throw new NotFound('Order not found', 'ORDER_NOT_FOUND');
    if (!OPEN_STATUSES.includes(order.status)) throw notOpen(order.status, 'paid');
    if (order.expiresAt <= clock()) throw new Conflict('The payment window for this order has closed', 'ORDER_EXPIRED');
    return { ...order, paymentIntentId: order.paymentIntentId!, clientSecret: order.clientSecret ?? '' };
  }

  /** The client secret, and the intent's status as the provider has it now (and what the buyer must do next, if anything). */
  async function paymentOf(user: PublicUser, id: string) {
    const order = await payableOrder(user, id);
    const intent = await payments.retrievePaymentIntent(order.paymentIntentId).catch((error: unknown) => {
      throw gatewayFailure(error, { orderId: id, paymentIntentId: order.paymentIntentId });
    });
    return {
      orderId: id,
      paymentIntentId: order.paymentIntentId,
      clientSecret: order.clientSecret,
      paymentStatus: intent.status,
      ...(intent.nextAction && { nextAction: { type: intent.nextAction.type, clientSecret: order.clientSecret } }),
      ...(intent.lastPaymentError && { lastPaymentError: intent.lastPaymentError }),
    };
  }

  /** Simulated gateway only: the buyer completes or fails the challenge; the order follows the event it sends. */
  async function answerAuthentication(user: PublicUser, id: string, outcome: 'complete' | 'fail') {
    if (!payments.answerAuthentication)
      throw new NotFound('Authentication is answered through Stripe.js with this payment provider', 'ROUTE_NOT_FOUND');
    const order = await payableOrder(user, id);
    const { status } = await payments.answerAuthentication(order.paymentIntentId, outcome).catch((error: unknown) => {
      if (isUnexpectedIntentState(error)) {
        throw new Conflict("This order's payment is not waiting for authentication", 'NOT_AWAITING_AUTHENTICATION');
      }
      throw gatewayFailure(error, { orderId: id, paymentIntentId: order.paymentIntentId });
    });
    return { orderId: id, paymentIntentId: order.paymentIntentId, paymentStatus: status };
  }

  return { paymentOf, answerAuthentication };
}

export type OrderPaymentService = ReturnType<typeof createOrderPaymentService>;

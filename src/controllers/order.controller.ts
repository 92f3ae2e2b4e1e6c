import type { Request, Response } from 'express';
import type { z } from 'zod';
import { currentUser } from '../middleware/authenticate';
import { parsedRequest } from '../middleware/validate';
import {
  answerAuthenticationRequest,
  authenticationAnsweredResponse,
  createOrderRequest,
  listOrdersRequest,
  orderCanceledResponse,
  orderCreatedResponse,
  orderDetailsResponse,
  orderIdRequest,
  orderListResponse,
  orderPaymentResponse,
  payOrderRequest,
  paymentSubmittedResponse,
  webhookReceivedResponse,
} from '../schemas/order.schemas';
import type { OrderPaymentService } from '../services/order-payment.service';
import type { OrderService } from '../services/order.service';
import type { WebhookIntake } from '../services/webhook-intake.service';

export function createOrderController(orders: OrderService, payments: OrderPaymentService) {
  return {
    create: async (_req: Request, res: Response) => {
      const { body, headers } = parsedRequest(res, createOrderRequest);
      const result = await orders.createOrder(currentUser(res), body, headers['idempotency-key']);
      if (result.replayed) res.set('Idempotent-Replayed', 'true');
      res
        .status(201)
        .location(`/api/orders/${result.orderId}`)
        .json({
          message: 'Order created successfully',
          orderId: result.orderId,
          clientSecret: result.clientSecret,
          data: result.order,
        } satisfies z.infer<typeof orderCreatedResponse>);
    },

    list: async (_req: Request, res: Response) => {
      const { query } = parsedRequest(res, listOrdersRequest);
      const page = await orders.listOrders(currentUser(res), query);
      res.json({
        message: 'Order list',
        data: page.orders,
        pagination: { limit: query.limit, nextCursor: page.nextCursor },
      } satisfies z.infer<typeof orderListResponse>);
    },

    get: async (_req: Request, res: Response) => {
      const { params } = parsedRequest(res, orderIdRequest);
      res.json({ message: 'Order details', data: await orders.getOrder(currentUser(res), params.id) } satisfies z.infer<
        typeof orderDetailsResponse
      >);
    },

    pay: async (_req: Request, res: Response) => {
      const { params, body } = parsedRequest(res, payOrderRequest);
      const result = await orders.payOrder(currentUser(res), params.id, body.paymentMethod);
      res.json({ message: 'Payment submitted', data: result } satisfies z.infer<typeof paymentSubmittedResponse>);
    },

    payment: async (_req: Request, res: Response) => {
      const { params } = parsedRequest(res, orderIdRequest);
      res.json({
        message: 'Order payment',
        data: await payments.paymentOf(currentUser(res), params.id),
      } satisfies z.infer<typeof orderPaymentResponse>);
    },

    answerAuthentication: async (_req: Request, res: Response) => {
      const { params, body } = parsedRequest(res, answerAuthenticationRequest);
      const data = await payments.answerAuthentication(currentUser(res), params.id, body.outcome);
      res.json({ message: 'Authentication finished', data } satisfies z.infer<typeof authenticationAnsweredResponse>);
    },

    cancel: async (_req: Request, res: Response) => {
      const { params } = parsedRequest(res, orderIdRequest);
      res.json({
        message: 'Order canceled',
        data: await orders.cancelOrder(currentUser(res), params.id),
      } satisfies z.infer<typeof orderCanceledResponse>);
    },
  };
}

export function createWebhookController(events: WebhookIntake) {
  return {
    /** Stripe's delivery: the raw body (express.raw) and its signature; the answer is the assignment's. */
    receive: async (req: Request, res: Response) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      await events.receive(body, req.get('stripe-signature'));
      res.json({ received: true } satisfies z.infer<typeof webhookReceivedResponse>);
    },
  };
}

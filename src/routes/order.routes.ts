import express, { Router, type RequestHandler } from 'express';
import { createOrderController, createWebhookController } from '../controllers/order.controller';
import { createRefundController } from '../controllers/refund.controller';
import { requireRole } from '../middleware/authenticate';
import { validate } from '../middleware/validate';
import { createOrderRequest, listOrdersRequest, orderIdRequest, payOrderRequest } from '../schemas/order.schemas';
import { refundOrderRequest } from '../schemas/refund.schemas';
import type { OrderService } from '../services/order.service';
import type { RefundService } from '../services/refund.service';
import type { WebhookIntake } from '../services/webhook-intake.service';

/**
 * The webhook is its own router, mounted before any JSON parsing and outside the API rate limit:
 * its signature is computed over the exact bytes Stripe sent.
 */
export function webhookRoutes(events: WebhookIntake, bodyLimit: string) {
  const controller = createWebhookController(events);
  const router = Router();
  router.post('/api/orders/webhook', express.raw({ type: () => true, limit: bodyLimit }), controller.receive);
  return router;
}

export function orderRoutes(orders: OrderService, refunds: RefundService, authenticate: RequestHandler) {
  const controller = createOrderController(orders);
  const refundController = createRefundController(refunds);
  const router = Router();
  // Entered at the root only for paths under /api/orders (see onlyUnder): every one of them needs a token.
  router.use(authenticate);
  router.post('/api/orders/create', validate(createOrderRequest), controller.create);
  router.get('/api/orders', validate(listOrdersRequest), controller.list);
  router.get('/api/orders/:id', validate(orderIdRequest), controller.get);
  router.post('/api/orders/:id/pay', validate(payOrderRequest), controller.pay);
  router.post('/api/orders/:id/cancel', validate(orderIdRequest), controller.cancel);
  // The role is checked before the body is read: a buyer gets 403 whatever it sends.
  router.post('/api/orders/:id/refund', requireRole('admin'), validate(refundOrderRequest), refundController.create);
  return router;
}

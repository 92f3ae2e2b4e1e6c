import type { Request, Response } from 'express';
import type { z } from 'zod';
import { currentUser } from '../middleware/authenticate';
import { parsedRequest } from '../middleware/validate';
import {
  captureOrderRequest,
  fulfilOrderRequest,
  voidOrderRequest,
  type orderCapturedResponse,
  type orderFulfilledResponse,
  type orderVoidedResponse,
} from '../schemas/fulfilment.schemas';
import type { FulfilmentService } from '../services/fulfilment.service';

export function createFulfilmentController(fulfilment: FulfilmentService) {
  return {
    /** 200: the capture is made and the order is `paid` (its webhook, whenever it comes, changes nothing more). */
    capture: async (_req: Request, res: Response) => {
      const { params, body, headers } = parsedRequest(res, captureOrderRequest);
      const { order, replayed } = await fulfilment.captureOrder(
        currentUser(res),
        params.id,
        body,
        headers['idempotency-key'],
      );
      if (replayed) res.set('Idempotent-Replayed', 'true');
      res.json({ message: 'Payment captured', data: order } satisfies z.infer<typeof orderCapturedResponse>);
    },

    void: async (_req: Request, res: Response) => {
      const { params } = parsedRequest(res, voidOrderRequest);
      res.json({
        message: 'Authorization voided',
        data: await fulfilment.voidOrder(currentUser(res), params.id),
      } satisfies z.infer<typeof orderVoidedResponse>);
    },

    fulfil: async (_req: Request, res: Response) => {
      const { params, body } = parsedRequest(res, fulfilOrderRequest);
      res.json({
        message: 'Order fulfilled',
        data: await fulfilment.fulfilOrder(currentUser(res), params.id, body),
      } satisfies z.infer<typeof orderFulfilledResponse>);
    },
  };
}

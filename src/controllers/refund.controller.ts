import type { Request, Response } from 'express';
import type { z } from 'zod';
import { currentUser } from '../middleware/authenticate';
import { parsedRequest } from '../middleware/validate';
import { refundOrderRequest, type refundRequestedResponse } from '../schemas/refund.schemas';
import type { RefundService } from '../services/refund.service';

export function createRefundController(refunds: RefundService) {
  return {
    /** 202: the gateway has the refund; the order changes when its events confirm it. */
    create: async (_req: Request, res: Response) => {
      const { params, body, headers } = parsedRequest(res, refundOrderRequest);
      const { replayed, ...data } = await refunds.requestRefund(
        currentUser(res),
        params.id,
        body,
        headers['idempotency-key'],
      );
      if (replayed) res.set('Idempotent-Replayed', 'true');
      res.status(202).json({ message: 'Refund requested', data } satisfies z.infer<typeof refundRequestedResponse>);
    },
  };
}

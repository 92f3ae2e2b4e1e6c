import type { Request, Response } from 'express';
import type { z } from 'zod';
import { currentUser } from '../middleware/authenticate';
import { parsedRequest } from '../middleware/validate';
import {
  cardListResponse,
  cardRemovedResponse,
  cardSavedResponse,
  paymentMethodIdRequest,
  saveCardRequest,
  type setupIntentCreatedResponse,
} from '../schemas/payment-method.schemas';
import type { SavedCardService } from '../services/saved-cards.service';

export function createSavedCardController(cards: SavedCardService) {
  return {
    createSetupIntent: async (_req: Request, res: Response) => {
      const data = await cards.createSetupIntent(currentUser(res));
      res
        .status(201)
        .json({ message: 'Setup intent created', data } satisfies z.infer<typeof setupIntentCreatedResponse>);
    },

    save: async (_req: Request, res: Response) => {
      const { body } = parsedRequest(res, saveCardRequest);
      const data = await cards.saveCard(currentUser(res), body.setupIntentId);
      res.status(201).json({ message: 'Card saved', data } satisfies z.infer<typeof cardSavedResponse>);
    },

    list: async (_req: Request, res: Response) => {
      res.json({ message: 'Saved cards', data: await cards.listCards(currentUser(res)) } satisfies z.infer<
        typeof cardListResponse
      >);
    },

    remove: async (_req: Request, res: Response) => {
      const { params } = parsedRequest(res, paymentMethodIdRequest);
      res.json({ message: 'Card removed', data: await cards.removeCard(currentUser(res), params.id) } satisfies z.infer<
        typeof cardRemovedResponse
      >);
    },
  };
}

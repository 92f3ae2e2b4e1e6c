import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { shopConfigResponse } from '../schemas/shop-config.schemas';
import type { ShopConfig } from '../services/shop-config.service';

export function createShopConfigController(shopConfig: ShopConfig) {
  const body = { message: 'Shop config', data: shopConfig } satisfies z.infer<typeof shopConfigResponse>;
  return {
    /** The same answer until a restart with other settings: caches may keep it, but must ask again before using it. */
    get: (_req: Request, res: Response) => {
      res.set('Cache-Control', 'no-cache').json(body);
    },
  };
}

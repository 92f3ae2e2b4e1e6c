import { Router } from 'express';
import type { z } from 'zod';
import { ServiceUnavailable } from '../lib/errors';
import type { healthResponse, readyResponse } from '../schemas/common.schemas';

/** Liveness says the process answers; readiness says it can do its job (the database answers). */
export function healthRoutes(isDatabaseReady: () => Promise<boolean>) {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' } satisfies z.infer<typeof healthResponse>);
  });
  router.get('/ready', async (_req, res) => {
    if (!(await isDatabaseReady())) throw new ServiceUnavailable('Database is not reachable', 'NOT_READY');
    res.json({ status: 'ready' } satisfies z.infer<typeof readyResponse>);
  });
  return router;
}

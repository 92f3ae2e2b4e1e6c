import { Router } from 'express';
import { ServiceUnavailable } from '../lib/errors';

/** Liveness says the process answers; readiness says it can do its job (the database answers). */
export function healthRoutes(isDatabaseReady: () => Promise<boolean>) {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    if (!(await isDatabaseReady())) throw new ServiceUnavailable('Database is not reachable', 'NOT_READY');
    res.json({ status: 'ready' });
  });
  return router;
}

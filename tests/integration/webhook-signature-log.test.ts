import Stripe from 'stripe';
import request from 'supertest';
import { buildTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { captureLogs } from '../helpers/logs';

/**
 * A webhook refused for its signature is the first thing to debug when real Stripe is connected (a dashboard
 * secret where the `stripe listen` one belongs, a proxy re-serialising the body, a slow clock): the operator's
 * log says why, under the request's id, and never echoes the signature.
 */
useTestDatabase();

it('when a delivery is signed with another secret, then the log has one warning with the reason and the request id, and no signature', async () => {
  const logs = captureLogs('info');
  const app = buildTestApp({ deps: { logger: logs.logger } });
  const payload = JSON.stringify({
    id: 'evt_log_check',
    type: 'payment_intent.succeeded',
    data: { object: { id: 'pi_x' } },
  });
  const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_from_the_dashboard' });

  const res = await request(app)
    .post('/api/orders/webhook')
    .set('Content-Type', 'application/json')
    .set('Stripe-Signature', header)
    .send(payload);

  expect(res.status).toBe(400);
  const refused = logs.entries().filter((entry) => entry.message === 'stripe webhook refused: bad signature');
  expect(refused).toEqual([
    expect.objectContaining({
      level: 'warn',
      reason: 'No signatures found matching the expected signature for payload.',
      requestId: res.body.requestId,
    }),
  ]);
  expect(logs.text()).not.toContain(header.split(',v1=')[1]);
});

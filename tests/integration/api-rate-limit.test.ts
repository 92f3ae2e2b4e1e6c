import request from 'supertest';
import { buildTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';

/** The flood guard on every /api request: per client address, in this process's memory. */
useTestDatabase();

const limitedApp = () =>
  buildTestApp({ env: { API_RATE_LIMIT_MAX: '2', API_RATE_LIMIT_WINDOW_SECONDS: '60', TRUST_PROXY: '1' } });
const list = (app: ReturnType<typeof limitedApp>, from: string) =>
  request(app).get('/api/products').set('X-Forwarded-For', from);

describe('the /api request limit', () => {
  it('when a client is within its limit, then each answer says the policy and what remains of the window', async () => {
    const app = limitedApp();

    const first = await list(app, '203.0.113.1').expect(200);
    const second = await list(app, '203.0.113.1').expect(200);

    expect(first.headers['ratelimit-policy']).toBe('2;w=60');
    expect(first.headers.ratelimit).toBe('limit=2, remaining=1, reset=60');
    expect(second.headers.ratelimit).toMatch(/^limit=2, remaining=0, reset=(59|60)$/);
    expect(first.headers['retry-after']).toBeUndefined();
  });

  it('when a client goes over its limit, then it gets 429 RATE_LIMITED with Retry-After, and another client is still served', async () => {
    const app = limitedApp();
    await list(app, '203.0.113.2').expect(200);
    await list(app, '203.0.113.2').expect(200);

    const refused = await list(app, '203.0.113.2');
    const other = await list(app, '203.0.113.3');

    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      message: 'Too many requests, please try again later',
      code: 'RATE_LIMITED',
      requestId: expect.any(String),
    });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.headers.ratelimit).toMatch(/^limit=2, remaining=0, reset=\d+$/);
    expect(other.status).toBe(200);
  });

  it('when the same client comes as IPv4 and as IPv4-mapped IPv6, or from two IPv6 addresses of one /56, then it is counted once', async () => {
    const app = limitedApp();

    await list(app, '203.0.113.4').expect(200);
    await list(app, '::ffff:203.0.113.4').expect(200);
    await list(app, '203.0.113.4').expect(429);
    await list(app, '2001:db8:0:1::1').expect(200);
    await list(app, '2001:db8:0:2::2').expect(200);
    await list(app, '2001:db8:0:3::3').expect(429);
    await list(app, '2001:db8:1::1').expect(200);
  });

  it('when a path outside /api is requested, then it is not counted', async () => {
    const app = limitedApp();

    for (let i = 0; i < 3; i += 1) await request(app).get('/health').set('X-Forwarded-For', '203.0.113.5').expect(200);

    await list(app, '203.0.113.5').expect(200);
  });
});

import request from 'supertest';
import { buildTestApp } from '../helpers/app';

describe('CORS for a front end on another origin', () => {
  const app = buildTestApp({ env: { CORS_ORIGINS: 'https://shop.example.com' } });

  it('when it preflights an order creation, then Authorization, Content-Type, Idempotency-Key and X-Request-Id may be sent', async () => {
    const res = await request(app)
      .options('/api/orders/create')
      .set('Origin', 'https://shop.example.com')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization, content-type, idempotency-key')
      .expect(204);

    expect(res.headers['access-control-allow-origin']).toBe('https://shop.example.com');
    expect(res.headers['access-control-allow-headers']).toBe('Authorization,Content-Type,Idempotency-Key,X-Request-Id');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('when it reads an answer, then the headers it needs are exposed: request id, Retry-After, RateLimit, Location, Idempotent-Replayed, Allow', async () => {
    const res = await request(app).get('/api/config').set('Origin', 'https://shop.example.com').expect(200);

    expect(res.headers['access-control-expose-headers']?.split(',')).toEqual([
      'X-Request-Id',
      'Retry-After',
      'RateLimit',
      'RateLimit-Policy',
      'Location',
      'Idempotent-Replayed',
      'Allow',
    ]);
    expect(res.headers['x-request-id']).toBeDefined();
  });

  it('when CORS_ORIGINS is *, then the same headers are exposed to any origin; an origin not listed gets none', async () => {
    const any = await request(buildTestApp({ env: { CORS_ORIGINS: '*' } }))
      .get('/api/config')
      .set('Origin', 'https://elsewhere.example')
      .expect(200);
    const refused = await request(app).get('/api/config').set('Origin', 'https://elsewhere.example').expect(200);

    expect(any.headers['access-control-expose-headers']).toContain('Idempotent-Replayed');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    expect(refused.headers['access-control-expose-headers']).toBeUndefined();
  });
});

import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { buildTestApp } from '../helpers/app';
import { adminToken, registerAndLogin } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';
import { capturingLogger } from '../helpers/logs';

useTestDatabase();
const logger = capturingLogger();
const app = buildTestApp({ deps: { logger } });

type Hostile = [label: string, send: (auth: { buyer: string; admin: string }) => request.Test];
const raw = (method: 'get' | 'post' | 'patch' | 'delete', path: string) => request(app)[method](path);

/** What an outside client can throw at the API; none of it may be a 5xx or log at error level. */
const hostile: Hostile[] = [
  ['GET /api/products/%', () => raw('get', '/api/products/%')],
  ['GET /api/products/%zz', () => raw('get', '/api/products/%zz')],
  ['GET /api/products/%E0%A4%A', () => raw('get', '/api/products/%E0%A4%A')],
  ['PATCH /api/products/% without auth', () => raw('patch', '/api/products/%').send({ stock: 1 })],
  [
    'PATCH /api/products/% as admin',
    ({ admin }) => raw('patch', '/api/products/%').set('Authorization', admin).send({ stock: 1 }),
  ],
  [
    'DELETE /api/products/%C0%AF as admin',
    ({ admin }) => raw('delete', '/api/products/%C0%AF').set('Authorization', admin),
  ],
  ['GET /api/orders/%zz without auth', () => raw('get', '/api/orders/%zz')],
  ['GET /api/orders/%zz as a buyer', ({ buyer }) => raw('get', '/api/orders/%zz').set('Authorization', buyer)],
  [
    'POST /api/orders/%/pay as a buyer',
    ({ buyer }) => raw('post', '/api/orders/%/pay').set('Authorization', buyer).send({ paymentMethod: 'pm_card_visa' }),
  ],
  [
    'POST /api/orders/%ff%fe/cancel as a buyer',
    ({ buyer }) => raw('post', '/api/orders/%ff%fe/cancel').set('Authorization', buyer),
  ],
  ['a NUL in the path', () => raw('get', '/api/products/%00')],
  ['a NUL in the query', () => raw('get', '/api/products?q=%00')],
  ['a broken encoding in the query', () => raw('get', '/api/products?q=%&limit=%zz')],
  ['operator keys in the query', () => raw('get', '/api/products?price[$gt]=0&__proto__[admin]=1')],
  ['a prototype key in the query', () => raw('get', '/api/products?constructor[prototype][x]=1')],
  ['malformed JSON', () => raw('post', '/api/login').set('Content-Type', 'application/json').send('{"email":')],
  [
    'a prototype-polluting body',
    () =>
      raw('post', '/api/registration')
        .set('Content-Type', 'application/json')
        .send('{"__proto__":{"role":"admin"},"constructor":{"prototype":{"x":1}}}'),
  ],
  [
    'deep nesting',
    () =>
      raw('post', '/api/login')
        .set('Content-Type', 'application/json')
        .send(`${'['.repeat(20_000)}${']'.repeat(20_000)}`),
  ],
  [
    'a gzip header on a plain body',
    () =>
      raw('post', '/api/login')
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'gzip')
        .send('{"email":"a@b.co"}'),
  ],
  [
    'a gzip bomb-ish body',
    () =>
      raw('post', '/api/login')
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'gzip')
        .send(gzipSync(' '.repeat(5_000_000))),
  ],
  [
    'an unknown content encoding',
    () =>
      raw('post', '/api/login').set('Content-Type', 'application/json').set('Content-Encoding', 'zstd-x').send('{}'),
  ],
  [
    'a wrong charset',
    () => raw('post', '/api/login').set('Content-Type', 'application/json; charset=utf-7').send('{}'),
  ],
  ['a garbage bearer token', () => raw('get', '/api/profile').set('Authorization', 'Bearer not.a.jwt')],
  [
    'an alg:none token',
    () =>
      raw('get', '/api/profile').set('Authorization', 'Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxIn0.'),
  ],
  [
    'a token with a non-id subject',
    () => raw('get', '/api/profile').set('Authorization', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOnsiJG5lIjpudWxsfX0.x'),
  ],
  ['a huge Authorization header', () => raw('get', '/api/profile').set('Authorization', `Bearer ${'a'.repeat(8000)}`)],
  [
    'a webhook without signature',
    () =>
      raw('post', '/api/orders/webhook')
        .set('Content-Type', 'application/json')
        .send('{"id":"evt_1","type":"payment_intent.succeeded"}'),
  ],
  [
    'a webhook with a forged signature',
    () => raw('post', '/api/orders/webhook').set('Stripe-Signature', 't=1,v1=abc').send('x'),
  ],
  ['a hostile request id', () => raw('get', '/health').set('X-Request-Id', '../../etc/passwd;\tDROP')],
  ['an unknown method', () => request(app).options('/api/products/%')],
];

describe('hostile requests from outside', () => {
  it('when an outside client sends malformed or hostile requests, then each gets a JSON 4xx (or a 2xx) and nothing is logged at error level', async () => {
    const auth = { buyer: (await registerAndLogin(app)).token, admin: await adminToken(app) };
    logger.entries.length = 0;

    const answers = [];
    for (const [label, send] of hostile) {
      const res = await send(auth);
      answers.push({
        label,
        status: res.status,
        body: res.body as unknown,
        type: String(res.headers['content-type'] ?? ''),
      });
    }

    const failures = answers.filter(({ status, body, type }) => {
      if (status >= 500) return true;
      if (status < 400) return false;
      const { message, code } = body as { message?: unknown; code?: unknown };
      return !type.startsWith('application/json') || typeof message !== 'string' || typeof code !== 'string';
    });
    expect(failures).toEqual([]);
    expect(logger.at('error')).toEqual([]);
  });

  it('when a path parameter has a broken percent-encoding, then 400 MALFORMED_URL, with and without a token', async () => {
    const buyer = (await registerAndLogin(app)).token;

    const anonymous = await raw('get', '/api/products/%');
    const authenticated = await raw('get', '/api/orders/%zz').set('Authorization', buyer);

    expect([anonymous.status, authenticated.status]).toEqual([400, 400]);
    expect(anonymous.body).toEqual({
      message: 'Malformed percent-encoding in the URL',
      code: 'MALFORMED_URL',
      requestId: expect.any(String),
    });
    expect(authenticated.body).toEqual({
      message: 'Malformed percent-encoding in the URL',
      code: 'MALFORMED_URL',
      requestId: expect.any(String),
    });
  });
});

import request from 'supertest';
import { buildTestApp } from '../helpers/app';
import { adminToken, registerAndLogin } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';

/**
 * What the router answers for paths it does not serve as asked, whoever asks: an unknown path under a
 * resource is a 404 (not the 401 or 403 of an access rule it never reaches), a known path with another method
 * a 405, and a path parameter with broken percent-encoding the documented 400 MALFORMED_URL.
 */
useTestDatabase({ clean: false });

const app = buildTestApp();
let user: string;
let admin: string;
beforeAll(async () => {
  user = (await registerAndLogin(app)).token;
  admin = await adminToken(app);
});

const as = (token: string | undefined, method: 'get' | 'post', path: string) => {
  const req = request(app)[method](path);
  return token ? req.set('Authorization', token) : req;
};
const callers = () =>
  [
    ['no token', undefined],
    ['a user token', user],
    ['an admin token', admin],
  ] as const;

describe('unknown paths under a resource', () => {
  it.each([
    ['get', '/api/orders/x/y'],
    ['post', '/api/orders/0123456789abcdef01234567/nope'],
    ['get', '/api/admin/nope'],
    ['get', '/api/admin/orders/x'],
    ['get', '/api/profile/x'],
    ['get', '/api/products/x/y'],
  ] as const)(
    'when %s %s is requested, then it is a 404 ROUTE_NOT_FOUND with or without a token',
    async (method, path) => {
      for (const [who, token] of callers()) {
        const res = await as(token, method, path);

        expect({ who, status: res.status, code: res.body.code }).toEqual({ who, status: 404, code: 'ROUTE_NOT_FOUND' });
      }
    },
  );

  it('when a known path is called with a method it does not take, then it is still a 405 with Allow, with or without a token', async () => {
    for (const [who, token] of callers()) {
      // `/api/orders/nope` is the path of GET /api/orders/{id}.
      const res = await as(token, 'post', '/api/orders/nope');

      expect({ who, status: res.status, code: res.body.code, allow: res.headers.allow }).toEqual({
        who,
        status: 405,
        code: 'METHOD_NOT_ALLOWED',
        allow: 'GET, HEAD',
      });
    }
  });
});

describe('broken percent-encoding in a path parameter', () => {
  it.each([
    ['get', '/api/orders/%E0%A4%A'],
    ['post', '/api/orders/%E0%A4%A/cancel'],
    ['post', '/api/orders/%E0%A4%A/pay'],
    ['post', '/api/orders/%/refund'],
    ['get', '/api/products/%E0%A4%A'],
  ] as const)(
    'when %s %s is requested, then it is a 400 MALFORMED_URL with or without a token',
    async (method, path) => {
      for (const [who, token] of callers()) {
        const res = await as(token, method, path);

        expect({ who, status: res.status, code: res.body.code }).toEqual({ who, status: 400, code: 'MALFORMED_URL' });
      }
    },
  );
});

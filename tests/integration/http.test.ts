import express from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { UserModel } from '../../src/models/user.model';
import { buildTestApp } from '../helpers/app';
import { buildUser } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';

useTestDatabase();
const app = buildTestApp({ env: { CORS_ORIGINS: 'https://shop.example.com, https://admin.example.com' } });

describe('HTTP basics', () => {
  it('when the body is malformed JSON, then it answers 400 JSON without a stack trace', async () => {
    const res = await request(app)
      .post('/api/registration')
      .set('Content-Type', 'application/json')
      .send('{"name": "x",');

    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body).toEqual({
      message: 'Malformed JSON in request body',
      code: 'MALFORMED_JSON',
      requestId: expect.any(String),
    });
    expect(res.text).not.toMatch(/at .*\.js|SyntaxError|node_modules/);
  });

  it('when the body is over the limit, then it answers 413 and stores nothing', async () => {
    const user = { ...buildUser(), name: 'x'.repeat(110 * 1024) };

    const res = await request(app).post('/api/registration').send(user);

    expect(res.status).toBe(413);
    expect(res.body).toEqual({
      message: 'Request body is too large',
      code: 'PAYLOAD_TOO_LARGE',
      requestId: expect.any(String),
    });
    expect(await UserModel.countDocuments()).toBe(0);
  });

  it.each([
    ['text/plain', 'name=x'],
    ['application/x-www-form-urlencoded', 'name=x&email=a%40example.com&password=password123'],
  ])('when a JSON endpoint gets %s, then it answers 415', async (type, body) => {
    const res = await request(app).post('/api/registration').set('Content-Type', type).send(body);

    expect(res.status).toBe(415);
    expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(await UserModel.countDocuments()).toBe(0);
  });

  it('when the JSON has an unsupported charset, then it answers 415', async () => {
    const res = await request(app)
      .post('/api/login')
      .set('Content-Type', 'application/json; charset=latin9')
      .send('{"email":"a@example.com","password":"x"}');

    expect(res.status).toBe(415);
  });

  it('when the route does not exist, then it answers 404 JSON', async () => {
    const res = await request(app).get('/api/nothing-here');

    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      message: 'Route GET /api/nothing-here not found',
      code: 'ROUTE_NOT_FOUND',
      requestId: expect.any(String),
    });
  });

  it('when the path has a broken percent-encoding, then it answers 4xx JSON, not 500', async () => {
    const res = await request(app).get('/api/%E0%A4%A');

    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body.code).toEqual(expect.any(String));
  });

  it('answers with security headers, a request id and no X-Powered-By', async () => {
    const res = await request(app).get('/health').expect(200);

    expect(res.body).toEqual({ status: 'ok' });
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['x-request-id']).toMatch(/^[\w-]+$/);
  });

  it("answers every route with helmet's headers, exactly as helmet() itself sets them (worked out once at start-up)", async () => {
    const reference = express();
    reference.use(helmet());
    reference.get('/', (_req, res) => {
      res.end();
    });
    const expected = (await request(reference).get('/')).headers;
    const helmetNames = Object.keys(expected).filter(
      (name) => !['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(name),
    );
    expect(helmetNames.length).toBeGreaterThan(10);

    for (const res of [
      await request(app).get('/health'),
      await request(app).get('/api/products'),
      await request(app).get('/api/nothing-here'),
    ]) {
      for (const name of helmetNames) expect([name, res.headers[name]]).toEqual([name, expected[name]]);
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('when the database answers, then /ready says ready; when it does not, 503', async () => {
    await request(app).get('/ready').expect(200, { status: 'ready' });

    const unready = buildTestApp({ deps: { isDatabaseReady: () => Promise.resolve(false) } });
    const res = await request(unready).get('/ready');

    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      message: 'Database is not reachable',
      code: 'NOT_READY',
      requestId: expect.any(String),
    });
  });
});

describe('CORS', () => {
  it('when the origin is on the allow-list, then it is allowed without credentials', async () => {
    const res = await request(app)
      .options('/api/login')
      .set('Origin', 'https://shop.example.com')
      .set('Access-Control-Request-Method', 'POST');

    expect(res.headers['access-control-allow-origin']).toBe('https://shop.example.com');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('when the origin is not on the list, then no CORS header is sent', async () => {
    const res = await request(app).get('/health').set('Origin', 'https://evil.example.com');

    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('rate limits', () => {
  it('when a client goes over the failed-login limit of an account, then it gets 429 JSON', async () => {
    const limited = buildTestApp({ env: { LOGIN_ACCOUNT_RATE_LIMIT_MAX: '3' } });
    const attempt = () =>
      request(limited).post('/api/login').send({ email: 'a@example.com', password: 'wrong-password' });

    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await attempt()).status);
    const last = await attempt();

    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(last.body).toEqual({
      message: 'Too many attempts, please try again later',
      code: 'RATE_LIMITED',
      requestId: expect.any(String),
    });
    expect(last.headers['retry-after']).toBeDefined();
  });
});

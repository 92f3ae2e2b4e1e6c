import request from 'supertest';
import { buildTestApp } from '../helpers/app';
import { adminToken, buildUser, createOrder, createProduct } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';

useTestDatabase();
const app = buildTestApp({ env: { CORS_ORIGINS: 'https://shop.example.com' } });

const varies = (res: request.Response) =>
  String(res.headers.vary ?? '')
    .split(/\s*,\s*/)
    .map((v) => v.toLowerCase());

describe('Vary: Origin', () => {
  it.each([
    ['an allowed origin', 'https://shop.example.com', 'https://shop.example.com'],
    ['a refused origin', 'https://evil.example.com', undefined],
    ['no origin', undefined, undefined],
  ])(
    'when a request comes with %s under an allow-list, then the response varies on Origin',
    async (_label, origin, allowed) => {
      const req = request(app).get('/api/products');

      const res = await (origin ? req.set('Origin', origin) : req);

      expect(res.status).toBe(200);
      expect(varies(res)).toContain('origin');
      expect(res.headers['access-control-allow-origin']).toBe(allowed);
    },
  );

  it('when a preflight comes from an allowed origin, then it varies on Origin too', async () => {
    const res = await request(app)
      .options('/api/orders/create')
      .set('Origin', 'https://shop.example.com')
      .set('Access-Control-Request-Method', 'POST');

    expect(res.status).toBe(204);
    expect(varies(res)).toContain('origin');
  });

  it('when every origin is allowed (*) or none is, then the response does not depend on Origin', async () => {
    const any = await request(buildTestApp({ env: { CORS_ORIGINS: '*' } }))
      .get('/health')
      .set('Origin', 'https://a.example.com');
    const none = await request(buildTestApp()).get('/health').set('Origin', 'https://a.example.com');

    expect(any.headers['access-control-allow-origin']).toBe('*');
    expect(none.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('Cache-Control: no-store on tokens, client secrets and personal data', () => {
  it('when tokens, client secrets or personal data are answered, then no cache may keep them', async () => {
    const admin = await adminToken(app);
    const product = await createProduct(app, admin, { stock: 10 });
    const user = buildUser();
    const registered = await request(app).post('/api/registration').send(user);
    const login = await request(app).post('/api/login').send({ email: user.email, password: user.password });
    const failedLogin = await request(app).post('/api/login').send({ email: user.email, password: 'wrong-password' });
    const token = login.body.token as string;
    const profile = await request(app).get('/api/profile').set('Authorization', token);
    const created = await request(app)
      .post('/api/orders/create')
      .set('Authorization', token)
      .send({ items: [{ productId: product.id, quantity: 1 }] });
    const list = await request(app).get('/api/orders').set('Authorization', token);
    const details = await request(app).get(`/api/orders/${created.body.orderId}`).set('Authorization', token);
    const pay = await request(app)
      .post(`/api/orders/${created.body.orderId}/pay`)
      .set('Authorization', token)
      .send({ paymentMethod: 'pm_card_visa' });
    const second = await createOrder(app, token, [{ productId: product.id, quantity: 1 }]);
    const cancel = await request(app).post(`/api/orders/${second.orderId}/cancel`).set('Authorization', token);
    const unauthenticated = await request(app).get('/api/orders');

    const answers = { registered, login, failedLogin, profile, created, list, details, pay, cancel, unauthenticated };
    expect(Object.fromEntries(Object.entries(answers).map(([name, res]) => [name, res.status]))).toEqual({
      registered: 201,
      login: 200,
      failedLogin: 401,
      profile: 200,
      created: 201,
      list: 200,
      details: 200,
      pay: 200,
      cancel: 200,
      unauthenticated: 401,
    });
    for (const [name, res] of Object.entries(answers))
      expect([name, res.headers['cache-control']]).toEqual([name, 'no-store']);
  });

  it('when the public catalogue is read, then it stays cacheable (no no-store)', async () => {
    const res = await request(app).get('/api/products');

    expect(res.headers['cache-control']).toBeUndefined();
  });
});

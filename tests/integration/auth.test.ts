import jwt from 'jsonwebtoken';
import request from 'supertest';
import { UserModel } from '../../src/models/user.model';
import { buildTestApp, TEST_JWT_SECRET } from '../helpers/app';
import { buildUser, registerAndLogin } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';

useTestDatabase();
const app = buildTestApp();

describe('POST /api/registration', () => {
  it('when the body is valid, then it answers 201 with the assignment shape and stores a hashed password', async () => {
    const user = buildUser();

    const res = await request(app).post('/api/registration').send(user);

    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      message: 'Registration was successfully',
      data: { name: user.name, email: user.email, role: 'user', id: expect.stringMatching(/^[a-f0-9]{24}$/) },
    });
    const stored = await UserModel.findOne({ email: user.email }).select('+passwordHash').lean();
    expect(stored?.passwordHash).toMatch(/^\$2[aby]\$04\$/);
    expect(stored?.passwordHash).not.toContain(user.password);
  });

  it('when the email has capitals and spaces, then it is stored trimmed and lower-cased', async () => {
    const res = await request(app)
      .post('/api/registration')
      .send(buildUser({ email: '  Mixed.Case@Example.COM ' }))
      .expect(201);

    expect(res.body.data.email).toBe('mixed.case@example.com');
    expect(await UserModel.countDocuments({ email: 'mixed.case@example.com' })).toBe(1);
  });

  it.each([['same@example.com'], ['SAME@example.com'], ['  same@Example.com  ']])(
    'when %j is registered after same@example.com, then it answers 409 and stores nothing',
    async (duplicate) => {
      await request(app)
        .post('/api/registration')
        .send(buildUser({ email: 'same@example.com' }))
        .expect(201);

      const res = await request(app)
        .post('/api/registration')
        .send(buildUser({ email: duplicate }));

      expect(res.status).toBe(409);
      expect(res.body).toEqual({
        message: 'Email is already registered',
        code: 'EMAIL_TAKEN',
        requestId: expect.any(String),
      });
      expect(await UserModel.countDocuments({ email: 'same@example.com' })).toBe(1);
    },
  );

  it('when 25 clients register one email at once, then exactly one gets 201 and the rest 409', async () => {
    const email = 'race@example.com';

    const responses = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        request(app)
          .post('/api/registration')
          .send(buildUser({ email: i % 2 ? email.toUpperCase() : email })),
      ),
    );

    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(24);
    expect(await UserModel.countDocuments({ email })).toBe(1);
  });

  it('when the body asks for the admin role or sets server-owned fields, then they are ignored', async () => {
    const user = {
      ...buildUser(),
      role: 'admin',
      _id: '507f1f77bcf86cd799439011',
      passwordHash: 'x',
      createdAt: '2000-01-01',
    };

    const res = await request(app).post('/api/registration').send(user).expect(201);

    expect(res.body.data.role).toBe('user');
    expect(res.body.data.id).not.toBe('507f1f77bcf86cd799439011');
    const stored = await UserModel.findOne({ email: user.email }).select('+passwordHash').lean();
    expect(stored?.role).toBe('user');
    expect(stored?.passwordHash).not.toBe('x');
    expect(stored?.createdAt.getFullYear()).toBeGreaterThan(2000);
  });

  it.each([
    ['7 characters', 'abcdefg'],
    ['7 emoji (14 UTF-16 units, 7 characters as the API document counts them)', '🔑'.repeat(7)],
    ['73 bytes of ASCII', 'a'.repeat(73)],
    ['37 two-byte characters (74 bytes)', 'é'.repeat(37)],
    ['19 four-byte emoji (76 bytes)', '😀'.repeat(19)],
  ])('when the password is %s, then it answers 400 and stores nothing', async (_label, password) => {
    const user = buildUser({ password });

    const res = await request(app).post('/api/registration').send(user);

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: [expect.objectContaining({ path: 'password' })],
    });
    expect(await UserModel.countDocuments({ email: user.email })).toBe(0);
  });

  it('when the password is exactly 72 bytes, then it is accepted and logs in', async () => {
    const password = `${'é'.repeat(30)}${'a'.repeat(12)}`;
    expect(Buffer.byteLength(password)).toBe(72);

    await registerAndLogin(app, { password });
  });

  it.each([
    ['a missing name', { name: undefined }],
    ['a blank name', { name: '   ' }],
    ['an invalid email', { email: 'not-an-email' }],
    ['an operator object as email', { email: { $ne: null } }],
    ['an array as email', { email: ['a@example.com'] }],
    ['a number as password', { password: 12345678 }],
    ['an operator object as password', { password: { $gt: '' } }],
  ])('when the body has %s, then it answers 400 with field details', async (_label, change) => {
    const res = await request(app)
      .post('/api/registration')
      .send({ ...buildUser(), ...change });

    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
    expect(res.body.details.length).toBeGreaterThan(0);
    expect(await UserModel.countDocuments()).toBe(0);
  });
});

describe('POST /api/login', () => {
  it('when the credentials are right, then it answers with "Bearer <jwt>" signed HS256 for the user', async () => {
    const user = buildUser();
    const registered = await request(app).post('/api/registration').send(user).expect(201);

    const res = await request(app)
      .post('/api/login')
      .send({ email: user.email.toUpperCase(), password: user.password });

    expect(res.status).toBe(200);
    // The assignment's two fields exactly as before; sessions add the access token's lifetime and a refresh token.
    expect(res.body).toEqual({
      message: 'Login jwt generated',
      token: expect.stringMatching(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/),
      expiresIn: 86_400,
      refreshToken: expect.stringMatching(/^[\w-]{43}$/),
      refreshTokenExpiresIn: 30 * 86_400,
    });
    expect(Object.keys(res.body).slice(0, 2)).toEqual(['message', 'token']);
    const token = (res.body.token as string).slice('Bearer '.length);
    const decoded = jwt.verify(token, TEST_JWT_SECRET, { algorithms: ['HS256'], complete: true });
    expect(decoded.header.alg).toBe('HS256');
    expect(decoded.payload).toMatchObject({ sub: registered.body.data.id, exp: expect.any(Number) });
  });

  it('when the email is unknown or the password wrong, then both answer the same 401', async () => {
    const user = await registerAndLogin(app);

    // One request id for both, so the bodies can be compared whole.
    const wrongPassword = await request(app)
      .post('/api/login')
      .set('X-Request-Id', 'login-probe')
      .send({ email: user.email, password: 'wrong-password' });
    const unknownEmail = await request(app)
      .post('/api/login')
      .set('X-Request-Id', 'login-probe')
      .send({ email: 'nobody@example.com', password: user.password });

    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(wrongPassword.body).toEqual(unknownEmail.body);
    expect(wrongPassword.body).toEqual({
      message: 'Invalid email or password',
      code: 'INVALID_CREDENTIALS',
      requestId: 'login-probe',
    });
  });

  it.each([
    ['an operator object as email', { email: { $ne: null }, password: 'password123' }],
    ['an operator object as password', { email: 'a@example.com', password: { $ne: null } }],
    ['an array as email', { email: ['a@example.com'], password: 'password123' }],
    ['no password', { email: 'a@example.com' }],
    ['a JSON array body', [{ email: 'a@example.com', password: 'password123' }]],
  ])('when the body has %s, then it answers 400', async (_label, body) => {
    await registerAndLogin(app, { email: 'a@example.com' });

    const res = await request(app).post('/api/login').send(body);

    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
    expect(res.body.token).toBeUndefined();
  });
});

describe('GET /api/profile', () => {
  it('when the token is valid, then it answers with the assignment shape', async () => {
    const user = await registerAndLogin(app);

    const res = await request(app).get('/api/profile').set('Authorization', user.token);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      message: 'user Profile',
      details: { id: user.id, name: user.name, email: user.email, role: 'user' },
    });
  });

  it('when the role changes in the database, then the next request sees it', async () => {
    const user = await registerAndLogin(app);
    await UserModel.updateOne({ _id: user.id }, { role: 'admin' });

    const res = await request(app).get('/api/profile').set('Authorization', user.token).expect(200);

    expect(res.body.details.role).toBe('admin');
  });

  it('when the user was deleted, then the token gives 401', async () => {
    const user = await registerAndLogin(app);
    await UserModel.deleteOne({ _id: user.id });

    const res = await request(app).get('/api/profile').set('Authorization', user.token);

    expect(res.status).toBe(401);
    expect(res.body.code).toBe('INVALID_TOKEN');
  });

  const now = () => Math.floor(Date.now() / 1000);
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const badTokens: Array<[string, (userId: string, good: string) => string]> = [
    ['no header', () => ''],
    ['a non-Bearer scheme', (_id, good) => good.replace('Bearer', 'Token')],
    ['"Bearer" with no token', () => 'Bearer '],
    ['garbage', () => 'Bearer not.a.jwt'],
    ['an expired token', (id) => `Bearer ${jwt.sign({ sub: id, exp: now() - 10 }, TEST_JWT_SECRET)}`],
    ['a token without exp', (id) => `Bearer ${jwt.sign({ sub: id }, TEST_JWT_SECRET)}`],
    ['another secret', (id) => `Bearer ${jwt.sign({ sub: id }, 'some-other-secret', { expiresIn: 60 })}`],
    [
      'HS512 with our secret',
      (id) => `Bearer ${jwt.sign({ sub: id }, TEST_JWT_SECRET, { algorithm: 'HS512', expiresIn: 60 })}`,
    ],
    ['alg none', (id) => `Bearer ${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: id, exp: now() + 60 })}.`],
    [
      'a tampered payload',
      (_id, good) => {
        const [header, , signature] = good.slice(7).split('.');
        return `Bearer ${header}.${encode({ sub: '507f1f77bcf86cd799439011', exp: now() + 600 })}.${signature}`;
      },
    ],
    ['a subject that is not an id', () => `Bearer ${jwt.sign({ sub: '$ne' }, TEST_JWT_SECRET, { expiresIn: 60 })}`],
    ['no subject', () => `Bearer ${jwt.sign({ foo: 1 }, TEST_JWT_SECRET, { expiresIn: 60 })}`],
  ];

  it.each(badTokens)('when the request has %s, then it answers 401 JSON', async (_label, makeHeader) => {
    const user = await registerAndLogin(app);
    const header = makeHeader(user.id, user.token);

    const req = request(app).get('/api/profile');
    const res = header ? await req.set('Authorization', header) : await req;

    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      message: expect.any(String),
      code: expect.stringMatching(/^(UNAUTHORIZED|INVALID_TOKEN)$/),
      requestId: expect.any(String),
    });
  });

  it('when the token is only in the query string or a cookie, then it is not read', async () => {
    const user = await registerAndLogin(app);
    const raw = user.token.slice('Bearer '.length);

    const res = await request(app).get(`/api/profile?token=${raw}`).set('Cookie', `token=${raw}`);

    expect(res.status).toBe(401);
  });
});

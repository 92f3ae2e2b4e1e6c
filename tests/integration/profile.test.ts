import request from 'supertest';
import type { Express } from 'express';
import { digestOf } from '../../src/lib/opaque-token';
import { AccountTokenModel } from '../../src/models/account-token.model';
import { RefreshTokenModel } from '../../src/models/refresh-token.model';
import { UserModel } from '../../src/models/user.model';
import { buildTestApp } from '../helpers/app';
import { buildUser } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';

useTestDatabase();
const app = buildTestApp();

async function register(target: Express = app) {
  const user = buildUser();
  const res = await request(target).post('/api/registration').send(user).expect(201);
  return { ...user, id: res.body.data.id as string };
}

async function login(target: Express, user: { email: string; password: string }) {
  const res = await request(target).post('/api/login').send({ email: user.email, password: user.password }).expect(200);
  return res.body as { token: string; refreshToken: string };
}

const profile = (token: string, target: Express = app) =>
  request(target).get('/api/profile').set('Authorization', token);
const changePassword = (token: string, body: unknown, target: Express = app) =>
  request(target)
    .post('/api/profile/password')
    .set('Authorization', token)
    .send(body as object);

describe('PATCH /api/profile', () => {
  it('when a new name is sent, then it is stored and the profile shows it (the assignment shape)', async () => {
    const user = await register();
    const { token } = await login(app, user);

    const res = await request(app)
      .patch('/api/profile')
      .set('Authorization', token)
      .send({ name: '  Jane Doe  ', role: 'admin', email: 'x@y.z' });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      message: 'Profile updated',
      details: { id: user.id, name: 'Jane Doe', email: user.email, role: 'user' },
    });
    expect(res.headers['cache-control']).toBe('no-store');
    expect((await profile(token).expect(200)).body.details).toEqual({
      id: user.id,
      name: 'Jane Doe',
      email: user.email,
      role: 'user',
    });
    expect(await UserModel.findById(user.id).lean()).toMatchObject({
      name: 'Jane Doe',
      role: 'user',
      email: user.email,
    });
  });

  it.each([
    ['no name', {}],
    ['a blank name', { name: '   ' }],
    ['a name of 101 characters', { name: 'x'.repeat(101) }],
    ['a number', { name: 42 }],
  ])('when the body has %s, then it answers 400 and changes nothing', async (_label, body) => {
    const user = await register();
    const { token } = await login(app, user);

    const res = await request(app).patch('/api/profile').set('Authorization', token).send(body);

    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
    expect((await UserModel.findById(user.id).lean())?.name).toBe(user.name);
  });

  it('when there is no token, then it answers 401', async () => {
    expect((await request(app).patch('/api/profile').send({ name: 'X' })).status).toBe(401);
  });
});

describe('POST /api/profile/password', () => {
  it('when the current password is right, then the new one is set, this session goes on and every other one ends', async () => {
    const user = await register();
    const here = await login(app, user);
    const elsewhere = await login(app, user);
    await AccountTokenModel.create({
      _id: digestOf('outstanding-reset-token'),
      purpose: 'password_reset',
      userId: user.id,
      email: user.email,
      mailKey: 'password-reset:test',
      expiresAt: new Date(Date.now() + 60_000),
    });

    const res = await changePassword(here.token, { currentPassword: user.password, newPassword: 'a-new-password-456' });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Password changed' });
    await profile(here.token).expect(200);
    await profile(elsewhere.token).expect(401);
    expect(
      (await request(app).post('/api/token/refresh').send({ refreshToken: elsewhere.refreshToken })).body.code,
    ).toBe('INVALID_REFRESH_TOKEN');
    await request(app).post('/api/token/refresh').send({ refreshToken: here.refreshToken }).expect(200);
    await request(app).post('/api/login').send({ email: user.email, password: user.password }).expect(401);
    await login(app, { email: user.email, password: 'a-new-password-456' });
    expect(await AccountTokenModel.countDocuments({ userId: user.id, purpose: 'password_reset' })).toBe(0);
    expect((await UserModel.findById(user.id).lean())?.passwordChangedAt).toBeInstanceOf(Date);
    expect(await RefreshTokenModel.countDocuments({ userId: user.id, usedAt: null })).toBe(2); // this session's, and the new login's
  });

  it('when the current password is wrong, then it answers 403 WRONG_PASSWORD and nothing changes', async () => {
    const user = await register();
    const here = await login(app, user);
    const elsewhere = await login(app, user);

    const res = await changePassword(here.token, {
      currentPassword: 'not-my-password',
      newPassword: 'a-new-password-456',
    });

    expect(res.status).toBe(403);
    expect(res.body.code).toBe('WRONG_PASSWORD');
    await profile(elsewhere.token).expect(200);
    await login(app, user);
  });

  it.each([
    ['a new password of 7 characters', { currentPassword: 'password123', newPassword: 'short12' }],
    ['a new password of 73 bytes', { currentPassword: 'password123', newPassword: 'a'.repeat(73) }],
    ['no current password', { newPassword: 'a-new-password-456' }],
    ['an operator object', { currentPassword: { $ne: null }, newPassword: 'a-new-password-456' }],
  ])('when the body has %s, then it answers 400 and the password stays', async (_label, body) => {
    const user = await register();
    const { token } = await login(app, user);

    const res = await changePassword(token, body);

    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
    await login(app, user);
  });

  it('when wrong current passwords pass LOGIN_ACCOUNT_RATE_LIMIT_MAX, then it answers 429, sharing the budget of failed logins', async () => {
    const limited = buildTestApp({ env: { LOGIN_ACCOUNT_RATE_LIMIT_MAX: '3' } });
    const user = await register(limited);
    const { token } = await login(limited, user);
    await request(limited).post('/api/login').send({ email: user.email, password: 'wrong-password' }).expect(401);

    const statuses = [];
    for (let i = 0; i < 3; i += 1)
      statuses.push(
        (await changePassword(token, { currentPassword: 'wrong-one', newPassword: 'a-new-password-456' }, limited))
          .status,
      );

    expect(statuses).toEqual([403, 403, 429]);
    expect(
      (await request(limited).post('/api/login').send({ email: user.email, password: user.password })).status,
    ).toBe(429);
  });

  it('when the session has ended, then it answers 401 and the password stays', async () => {
    const user = await register();
    const { token } = await login(app, user);
    await request(app).post('/api/logout').set('Authorization', token).expect(200);

    expect(
      (await changePassword(token, { currentPassword: user.password, newPassword: 'a-new-password-456' })).status,
    ).toBe(401);
    await login(app, user);
  });
});

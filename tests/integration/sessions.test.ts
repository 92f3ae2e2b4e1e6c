import jwt from 'jsonwebtoken';
import request from 'supertest';
import type { Express } from 'express';
import { digestOf } from '../../src/lib/opaque-token';
import { RefreshTokenModel } from '../../src/models/refresh-token.model';
import { UserModel } from '../../src/models/user.model';
import { buildTestApp, TEST_JWT_SECRET } from '../helpers/app';
import { buildUser } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';

useTestDatabase();

/** A clock the test moves: refresh tokens expire by it. */
function movableClock() {
  let offsetMs = 0;
  return { now: () => new Date(Date.now() + offsetMs), advance: (ms: number) => (offsetMs += ms) };
}

const clock = movableClock();
const app = buildTestApp({ deps: { clock: clock.now }, env: { METRICS_TOKEN: 'sessions-test-metrics-token' } });

interface Session {
  token: string;
  refreshToken: string;
  expiresIn: number;
  refreshTokenExpiresIn: number;
}

async function register(target: Express = app, overrides: Parameters<typeof buildUser>[0] = {}) {
  const user = buildUser(overrides);
  const res = await request(target).post('/api/registration').send(user).expect(201);
  return { ...user, id: res.body.data.id as string };
}

async function login(target: Express, user: { email: string; password: string }): Promise<Session> {
  const res = await request(target).post('/api/login').send({ email: user.email, password: user.password }).expect(200);
  return res.body as Session;
}

const profile = (target: Express, token: string) => request(target).get('/api/profile').set('Authorization', token);
const refresh = (target: Express, refreshToken: unknown) =>
  request(target).post('/api/token/refresh').send({ refreshToken });

describe('POST /api/login (sessions)', () => {
  it('when it succeeds, then it adds a refresh token stored only as its digest, and the access lifetime', async () => {
    const user = await register();

    const session = await login(app, user);

    expect(session).toMatchObject({ expiresIn: 86_400, refreshTokenExpiresIn: 30 * 86_400 });
    expect(await RefreshTokenModel.findById(session.refreshToken)).toBeNull();
    const stored = await RefreshTokenModel.findById(digestOf(session.refreshToken)).lean();
    expect(stored).toMatchObject({ userId: expect.anything(), usedAt: null });
    expect(JSON.stringify(stored)).not.toContain(session.refreshToken);
    const claims = jwt.verify(session.token.slice(7), TEST_JWT_SECRET) as jwt.JwtPayload;
    expect(claims).toMatchObject({ sub: user.id, sid: stored!.sessionId });
  });

  it('when ACCESS_TOKEN_EXPIRY is set, then access tokens last that long and JWT_EXPIRY no longer decides', async () => {
    const short = buildTestApp({ env: { ACCESS_TOKEN_EXPIRY: '15m', JWT_EXPIRY: '2d' } });
    const user = await register(short);

    const session = await login(short, user);

    expect(session.expiresIn).toBe(900);
    const claims = jwt.decode(session.token.slice(7)) as jwt.JwtPayload;
    expect(claims.exp! - claims.iat!).toBe(900);
  });

  it('when the account is disabled, then the right password gets 403 ACCOUNT_DISABLED and a wrong one the usual 401', async () => {
    const user = await register();
    await UserModel.updateOne({ _id: user.id }, { disabled: true });

    const right = await request(app).post('/api/login').send({ email: user.email, password: user.password });
    const wrong = await request(app).post('/api/login').send({ email: user.email, password: 'not-the-password' });

    expect(right.status).toBe(403);
    expect(right.body.code).toBe('ACCOUNT_DISABLED');
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    expect((await UserModel.findById(user.id).select('+sessions').lean())?.sessions).toEqual([]);
  });

  it('when SESSIONS_MAX_PER_USER sessions are live, then one more login ends the oldest', async () => {
    const capped = buildTestApp({ env: { SESSIONS_MAX_PER_USER: '2' } });
    const user = await register(capped);

    const first = await login(capped, user);
    const second = await login(capped, user);
    const third = await login(capped, user);

    await profile(capped, first.token).expect(401);
    await profile(capped, second.token).expect(200);
    await profile(capped, third.token).expect(200);
    expect((await refresh(capped, first.refreshToken)).body.code).toBe('INVALID_REFRESH_TOKEN');
  });
});

describe('GET /api/profile (revocation on every request)', () => {
  it('when the token has no session id (issued before sessions), then it is refused', async () => {
    const user = await register();
    const legacy = `Bearer ${jwt.sign({}, TEST_JWT_SECRET, { subject: user.id, expiresIn: 60 })}`;

    const res = await profile(app, legacy);

    expect(res.status).toBe(401);
    expect(res.body.code).toBe('INVALID_TOKEN');
  });

  it('when the token names a session the account does not have (forged with the secret), then it is refused', async () => {
    const user = await register();
    await login(app, user);
    const forged = `Bearer ${jwt.sign({ sid: 'not-a-live-session' }, TEST_JWT_SECRET, { subject: user.id, expiresIn: 60 })}`;

    expect((await profile(app, forged)).status).toBe(401);
  });
});

describe('POST /api/token/refresh', () => {
  it('when a live refresh token is sent, then it is spent and new tokens of the same session come back', async () => {
    const user = await register();
    const session = await login(app, user);

    const res = await refresh(app, session.refreshToken);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      message: 'Token refreshed',
      token: expect.stringMatching(/^Bearer /),
      expiresIn: 86_400,
      refreshToken: expect.stringMatching(/^[\w-]{43}$/),
      refreshTokenExpiresIn: 30 * 86_400,
    });
    expect(res.body.refreshToken).not.toBe(session.refreshToken);
    await profile(app, res.body.token).expect(200);
    await profile(app, session.token).expect(200); // the same session: its older access token lives on until it expires
    expect((await RefreshTokenModel.findById(digestOf(session.refreshToken)).lean())?.usedAt).toBeInstanceOf(Date);
    const sid = (token: string) => (jwt.decode(token.slice(7)) as jwt.JwtPayload).sid as string;
    expect(sid(res.body.token)).toBe(sid(session.token));
  });

  it('when a spent refresh token is used again, then its whole session ends (every token of it), it is counted, and other sessions go on', async () => {
    const user = await register();
    const stolen = await login(app, user);
    const otherDevice = await login(app, user);
    const rotated = (await refresh(app, stolen.refreshToken).expect(200)).body as Session;

    const replay = await refresh(app, stolen.refreshToken);

    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('REFRESH_TOKEN_REUSED');
    await profile(app, stolen.token).expect(401);
    await profile(app, rotated.token).expect(401);
    expect((await refresh(app, rotated.refreshToken)).body.code).toBe('INVALID_REFRESH_TOKEN');
    await profile(app, otherDevice.token).expect(200);
    await refresh(app, otherDevice.refreshToken).expect(200);
    const metrics = await request(app)
      .get('/metrics')
      .set('Authorization', 'Bearer sessions-test-metrics-token')
      .expect(200);
    expect(metrics.text).toMatch(/^shop_refresh_token_reuse_total [1-9]/m);
  });

  it('when one refresh token is sent twice at the same moment, then one use wins and the other ends the session', async () => {
    const user = await register();
    const session = await login(app, user);

    const answers = await Promise.all([refresh(app, session.refreshToken), refresh(app, session.refreshToken)]);

    expect(answers.map((res) => res.status).sort()).toEqual([200, 401]);
    expect(answers.find((res) => res.status === 401)!.body.code).toBe('REFRESH_TOKEN_REUSED');
    await profile(app, session.token).expect(401);
  });

  it('when the refresh token has expired, then it is refused and changes nothing', async () => {
    const user = await register();
    const session = await login(app, user);

    clock.advance(30 * 86_400_000 + 1000);
    const res = await refresh(app, session.refreshToken);
    clock.advance(-(30 * 86_400_000 + 1000));

    expect(res.status).toBe(401);
    expect(res.body.code).toBe('INVALID_REFRESH_TOKEN');
    expect((await RefreshTokenModel.findById(digestOf(session.refreshToken)).lean())?.usedAt).toBeNull();
  });

  it.each([
    ['an unknown token of the right shape', 'A'.repeat(43)],
    ['a token of the wrong shape', 'not a token'],
    ['an access token', 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln'],
  ])('when it gets %s, then it answers 401 INVALID_REFRESH_TOKEN', async (_label, token) => {
    const res = await refresh(app, token);

    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      message: expect.any(String),
      code: 'INVALID_REFRESH_TOKEN',
      requestId: expect.any(String),
    });
  });

  it.each([
    ['no body', undefined],
    ['a number', 12345],
    ['an operator object', { $ne: null }],
  ])('when the refresh token is %s, then it answers 400', async (_label, token) => {
    const res = await request(app)
      .post('/api/token/refresh')
      .send(token === undefined ? {} : { refreshToken: token });

    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
  });
});

describe('POST /api/logout and /api/logout/all', () => {
  it("when a session logs out, then its token fails on the very next request, its refresh token is refused, and the account's other sessions go on", async () => {
    const user = await register();
    const phone = await login(app, user);
    const laptop = await login(app, user);

    const res = await request(app).post('/api/logout').set('Authorization', phone.token);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Logged out' });
    expect(res.headers['cache-control']).toBe('no-store');
    await profile(app, phone.token).expect(401);
    expect((await refresh(app, phone.refreshToken)).body.code).toBe('INVALID_REFRESH_TOKEN');
    await profile(app, laptop.token).expect(200);
    await request(app).post('/api/logout').set('Authorization', phone.token).expect(401);
  });

  it("when another user's token logs out, then only that user's session ends", async () => {
    const alice = await register();
    const bob = await register();
    const aliceSession = await login(app, alice);
    const bobSession = await login(app, bob);

    await request(app).post('/api/logout').set('Authorization', bobSession.token).expect(200);

    await profile(app, aliceSession.token).expect(200);
    await profile(app, bobSession.token).expect(401);
  });

  it('when logout/all is called, then every session of the account ends and its refresh tokens are gone', async () => {
    const user = await register();
    const sessions = [await login(app, user), await login(app, user), await login(app, user)];

    await request(app)
      .post('/api/logout/all')
      .set('Authorization', sessions[1]!.token)
      .expect(200, { message: 'Logged out everywhere' });

    for (const session of sessions) await profile(app, session.token).expect(401);
    expect(await RefreshTokenModel.countDocuments({ userId: user.id })).toBe(0);
    await login(app, user); // a new login starts a new session
  });

  it.each([['/api/logout'], ['/api/logout/all']])(
    'when %s is called without a token, then it answers 401',
    async (path) => {
      const res = await request(app).post(path);

      expect(res.status).toBe(401);
      expect(res.body.code).toBe('UNAUTHORIZED');
    },
  );
});

describe('two app instances on one database', () => {
  const other = buildTestApp();

  it('when one instance ends a session, then the other refuses its token on the next request, and a refresh spent on one is spent on both', async () => {
    const user = await register();
    const first = await login(app, user);
    const second = await login(other, user);
    await profile(other, first.token).expect(200);
    await profile(app, second.token).expect(200);

    await request(app).post('/api/logout').set('Authorization', first.token).expect(200);
    const rotated = (await refresh(other, second.refreshToken).expect(200)).body as Session;

    await profile(other, first.token).expect(401);
    await profile(app, rotated.token).expect(200);
    expect((await refresh(app, second.refreshToken)).body.code).toBe('REFRESH_TOKEN_REUSED');
    await profile(other, rotated.token).expect(401);
  });
});

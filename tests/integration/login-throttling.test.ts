import request from 'supertest';
import { RateLimitCounterModel } from '../../src/models/rate-limit-counter.model';
import { buildTestApp } from '../helpers/app';
import { buildUser } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';

/**
 * Login and registration limits, counted in MongoDB (one app here; tests/integration/two-instances.test.ts
 * shares them between two server processes). Client addresses come from X-Forwarded-For with TRUST_PROXY=1.
 */
useTestDatabase();

const RATE_LIMITED = {
  message: 'Too many attempts, please try again later',
  code: 'RATE_LIMITED',
  requestId: expect.any(String),
};

function appWith(env: Record<string, string>) {
  return buildTestApp({ env: { TRUST_PROXY: '1', ...env } });
}

async function register(app: ReturnType<typeof appWith>, from = '203.0.113.1') {
  const user = buildUser();
  await request(app).post('/api/registration').set('X-Forwarded-For', from).send(user).expect(201);
  return user;
}

const login = (app: ReturnType<typeof appWith>, email: string, password: string, from = '203.0.113.1') =>
  request(app).post('/api/login').set('X-Forwarded-For', from).send({ email, password });

describe('failed logins per account', () => {
  it('when an account has had its failed logins, then even the right password gets 429, and the same client can still log in to another account', async () => {
    const app = appWith({ LOGIN_ACCOUNT_RATE_LIMIT_MAX: '3' });
    const victim = await register(app);
    const other = await register(app);

    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await login(app, victim.email, 'wrong-password')).status);
    const rightPassword = await login(app, victim.email, victim.password);
    const otherAccount = await login(app, other.email, other.password);

    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(rightPassword.status).toBe(429);
    expect(rightPassword.body).toEqual(RATE_LIMITED);
    expect(Number(rightPassword.headers['retry-after'])).toBeGreaterThan(0);
    expect(rightPassword.headers['ratelimit-policy']).toBe('3;w=900');
    expect(otherAccount.status).toBe(200);
  });

  it('when attempts come in any case and spacing of the email, then they count for the one account', async () => {
    const app = appWith({ LOGIN_ACCOUNT_RATE_LIMIT_MAX: '2' });
    const user = await register(app);

    await login(app, user.email.toUpperCase(), 'wrong-password').expect(401);
    await login(app, ` ${user.email} `, 'wrong-password').expect(401);

    await login(app, user.email, user.password).expect(429);
  });

  it('when an unknown email and an existing account are locked, then their 429s are the same: the limit says nothing about which accounts exist', async () => {
    const app = appWith({ LOGIN_ACCOUNT_RATE_LIMIT_MAX: '2' });
    const user = await register(app);
    const ghost = buildUser().email;

    for (let i = 0; i < 2; i += 1) {
      await login(app, user.email, 'wrong-password').expect(401);
      await login(app, ghost, 'wrong-password').expect(401);
    }
    const existing = await login(app, user.email, 'wrong-password');
    const unknown = await login(app, ghost, 'wrong-password');

    // Everything but the request's own id must be the same.
    const shape = (res: request.Response) => ({
      status: res.status,
      body: { ...res.body, requestId: undefined },
      headers: Object.keys(res.headers)
        .filter((h) => /^(ratelimit|retry-after)/.test(h))
        .sort(),
    });
    expect(shape(existing)).toEqual(shape(unknown));
    expect(existing.status).toBe(429);
    expect(existing.headers.ratelimit).toBe(unknown.headers.ratelimit);
  });

  it('when a login succeeds, then its attempt is given back', async () => {
    const app = appWith({ LOGIN_ACCOUNT_RATE_LIMIT_MAX: '3' });
    const user = await register(app);

    // The attempt is given back once the response has been sent: leave that a moment before the next one.
    const givenBack = () => new Promise((resolve) => setTimeout(resolve, 100));
    await login(app, user.email, 'wrong-password').expect(401);
    await login(app, user.email, 'wrong-password').expect(401);
    await login(app, user.email, user.password).expect(200);
    await givenBack();
    await login(app, user.email, user.password).expect(200);
    await givenBack();
    await login(app, user.email, 'wrong-password').expect(401);

    await login(app, user.email, 'wrong-password').expect(429);
  });

  it('when 20 wrong passwords arrive at once, then exactly the limit is checked and the rest get 429', async () => {
    const app = appWith({ LOGIN_ACCOUNT_RATE_LIMIT_MAX: '5' });
    const user = await register(app);

    const results = await Promise.all(Array.from({ length: 20 }, () => login(app, user.email, 'wrong-password')));

    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
  });

  it("when someone spends an account's budget from another address, then a correct login to a different account is not delayed or refused", async () => {
    const app = appWith({ LOGIN_ACCOUNT_RATE_LIMIT_MAX: '3', LOGIN_ADDRESS_RATE_LIMIT_MAX: '5' });
    const target = await register(app);
    const bystander = await register(app, '198.51.100.7');

    for (let i = 0; i < 8; i += 1) await login(app, target.email, 'wrong-password', '203.0.113.66');

    await login(app, bystander.email, bystander.password, '198.51.100.7').expect(200);
    await login(app, bystander.email, bystander.password, '203.0.113.1').expect(200);
  });

  it('when the window has passed, then the account may try again (expiry by query: no TTL deletion needed)', async () => {
    const app = appWith({ LOGIN_ACCOUNT_RATE_LIMIT_MAX: '1', LOGIN_ACCOUNT_RATE_LIMIT_WINDOW_SECONDS: '1' });
    const user = await register(app);
    await login(app, user.email, 'wrong-password').expect(401);
    await login(app, user.email, user.password).expect(429);

    await new Promise((resolve) => setTimeout(resolve, 1100));

    await login(app, user.email, user.password).expect(200);
  });

  it('when counters are stored, then they hold no email or address, only digests', async () => {
    const app = appWith({});
    const user = await register(app);
    await login(app, user.email, 'wrong-password').expect(401);

    const stored = JSON.stringify(await RateLimitCounterModel.find().lean());
    expect(stored).not.toContain(user.email);
    expect(stored).not.toContain('203.0.113.1');
  });
});

describe('failed logins per client address', () => {
  it('when one address fails on many accounts, then it is refused on every account; another address is not', async () => {
    const app = appWith({ LOGIN_ADDRESS_RATE_LIMIT_MAX: '4' });
    const user = await register(app);

    for (let i = 0; i < 4; i += 1) await login(app, buildUser().email, 'wrong-password', '203.0.113.9').expect(401);

    const refused = await login(app, user.email, user.password, '203.0.113.9');
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual(RATE_LIMITED);
    await login(app, user.email, user.password, '203.0.113.10').expect(200);
  });

  it('when TRUST_PROXY is false, then X-Forwarded-For is ignored and the socket address is counted', async () => {
    const app = buildTestApp({ env: { TRUST_PROXY: 'false', LOGIN_ADDRESS_RATE_LIMIT_MAX: '2' } });

    for (let i = 0; i < 2; i += 1)
      await login(app, buildUser().email, 'wrong-password', `203.0.113.${i + 20}`).expect(401);

    await login(app, buildUser().email, 'wrong-password', '203.0.113.99').expect(429);
  });
});

describe('registrations per client address', () => {
  it('when an address has registered its limit, then the next registration is 429 and nothing is stored; another address may register', async () => {
    const app = appWith({ REGISTRATION_RATE_LIMIT_MAX: '2' });
    await register(app, '203.0.113.30');
    await register(app, '203.0.113.30');
    const extra = buildUser();

    const refused = await request(app).post('/api/registration').set('X-Forwarded-For', '203.0.113.30').send(extra);

    expect(refused.status).toBe(429);
    expect(refused.body).toEqual(RATE_LIMITED);
    await request(app).post('/api/login').send({ email: extra.email, password: extra.password }).expect(401);
    await register(app, '203.0.113.31');
  });
});

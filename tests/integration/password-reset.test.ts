import request from 'supertest';
import type { Express } from 'express';
import { digestOf } from '../../src/lib/opaque-token';
import { AccountTokenModel } from '../../src/models/account-token.model';
import { MailModel } from '../../src/models/mail.model';
import { UserModel } from '../../src/models/user.model';
import { buildTestApp } from '../helpers/app';
import { buildUser } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';
import { useAppWithMail } from '../helpers/mail';
import { tokenFromMail } from '../helpers/smtp';

let offsetMs = 0;
const clock = () => new Date(Date.now() + offsetMs);
const shop = useAppWithMail({ deps: { clock } });
useTestDatabase();
let app: Express;
beforeAll(() => {
  app = shop.app;
});
beforeEach(() => {
  shop.smtp.received.length = 0;
  offsetMs = 0;
});

async function register(overrides: Parameters<typeof buildUser>[0] = {}) {
  const user = buildUser(overrides);
  const res = await request(app).post('/api/registration').send(user).expect(201);
  return { ...user, id: res.body.data.id as string };
}

const login = (user: { email: string; password: string }) =>
  request(app).post('/api/login').send({ email: user.email, password: user.password });
const forgot = (email: string) => request(app).post('/api/password/forgot').send({ email });
const reset = (token: string, password: string) => request(app).post('/api/password/reset').send({ token, password });

/** The reset mail to `email` (the registration's verification mail goes to the same address). */
async function resetMailTo(email: string) {
  for (let waited = 0; waited < 10_000; waited += 50) {
    const mail = shop.smtp.received.find((m) => m.to === email && m.subject.includes('reset your password'));
    if (mail) return mail;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no reset mail to ${email}`);
}

async function mailRowsSettled(template: string) {
  for (let waited = 0; waited < 10_000; waited += 50) {
    const rows = await MailModel.find({ template }).lean();
    if (rows.length > 0 && rows.every((row) => row.status !== 'pending' && row.status !== 'sending')) return rows;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${template} mails did not settle`);
}

describe('POST /api/password/forgot', () => {
  it('when the address has an account, then it answers 202 and a reset mail with a single-use link arrives over SMTP', async () => {
    const user = await register({ name: 'Ada <script>alert(1)</script>' });

    const res = await forgot(user.email);

    expect(res.status).toBe(202);
    expect(res.body).toEqual({ message: 'If an account has this address, a mail with a reset link is on its way' });
    expect(res.headers['cache-control']).toBe('no-store');
    const mail = await resetMailTo(user.email);
    expect(mail.subject).toBe('Test Shop: reset your password');
    expect(mail.text).toContain('Hello Ada <script>alert(1)</script>,');
    expect(mail.text).toMatch(/https:\/\/shop\.example\.com\/#\/reset-password\?token=[\w-]{43}/);
    expect(mail.text).toContain('for 30 minutes');
    expect(mail.html).toContain('Ada &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).not.toContain('<script>');
    const token = tokenFromMail(mail);
    const stored = await AccountTokenModel.findById(digestOf(token)).lean();
    expect(stored).toMatchObject({ purpose: 'password_reset', email: user.email, usedAt: null });
    expect(stored!.expiresAt.getTime() - Date.now()).toBeGreaterThan(29 * 60_000);
    expect(stored!.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(30 * 60_000);
    expect(await AccountTokenModel.findById(token)).toBeNull();
  });

  it('when the address has no account, then the answer is the same 202 and no mail is sent', async () => {
    const user = await register();
    const known = await forgot(user.email);

    const unknown = await forgot('nobody.here@example.com');

    expect(unknown.status).toBe(known.status);
    expect(unknown.body).toEqual(known.body);
    const strip = (headers: Record<string, string>) => {
      const { date: _date, 'x-request-id': _id, ratelimit: _limit, ...rest } = headers;
      return rest;
    };
    expect(strip(unknown.headers)).toEqual(strip(known.headers));
    const rows = await mailRowsSettled('password-reset');
    expect(rows.map((row) => [row.to, row.status, row.skippedReason])).toEqual(
      expect.arrayContaining([
        ['nobody.here@example.com', 'skipped', 'no_account'],
        [user.email, 'sent', null],
      ]),
    );
    expect(rows).toHaveLength(2);
    expect(shop.smtp.received.filter((mail) => mail.to === 'nobody.here@example.com')).toEqual([]);
  });

  it('when the account is disabled, then no reset mail is sent', async () => {
    const user = await register();
    await UserModel.updateOne({ _id: user.id }, { disabled: true });

    await forgot(user.email).expect(202);

    const [row] = await mailRowsSettled('password-reset');
    expect(row).toMatchObject({ status: 'skipped', skippedReason: 'account_disabled' });
  });

  it.each([['not-an-email'], [''], [{ $ne: null }]])(
    'when the email is %j, then it answers 400 and records nothing',
    async (email) => {
      const res = await request(app).post('/api/password/forgot').send({ email });

      expect(res.status).toBe(400);
      expect(await MailModel.countDocuments({ template: 'password-reset' })).toBe(0);
    },
  );
});

describe('POST /api/password/reset', () => {
  it('when the token is live, then the password is set, every session ends, and the token works once', async () => {
    const user = await register();
    const sessions = [
      (await login(user).expect(200)).body.token as string,
      (await login(user).expect(200)).body.token as string,
    ];
    await forgot(user.email).expect(202);
    const token = tokenFromMail(await resetMailTo(user.email));

    const res = await reset(token, 'brand-new-password');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Password reset: log in with the new password' });
    for (const session of sessions) await request(app).get('/api/profile').set('Authorization', session).expect(401);
    await login(user).expect(401);
    await login({ email: user.email, password: 'brand-new-password' }).expect(200);
    const again = await reset(token, 'another-password-1');
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('INVALID_RESET_TOKEN');
    await login({ email: user.email, password: 'brand-new-password' }).expect(200);
  });

  it('when two reset mails were asked for, then using one makes the other unusable', async () => {
    const user = await register();
    await forgot(user.email).expect(202);
    await forgot(user.email).expect(202);
    await shop.smtp.waitFor(3); // the verification mail and two reset mails
    const [first, second] = shop.smtp.received.filter((mail) => mail.subject.includes('reset')).map(tokenFromMail);

    await reset(second!, 'brand-new-password').expect(200);

    expect((await reset(first!, 'other-new-password')).body.code).toBe('INVALID_RESET_TOKEN');
  });

  it('when the token has expired (PASSWORD_RESET_TOKEN_EXPIRY, 30 minutes), then it is refused and the password stays', async () => {
    const user = await register();
    await forgot(user.email).expect(202);
    const token = tokenFromMail(await resetMailTo(user.email));

    offsetMs = 30 * 60_000 + 1000;
    const res = await reset(token, 'brand-new-password');

    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_RESET_TOKEN');
    await login(user).expect(200);
  });

  it('when a verification token or an unknown token is given, then it is refused', async () => {
    const user = await register();
    const verification = tokenFromMail((await shop.smtp.waitFor(1))[0]!);

    expect((await reset(verification, 'brand-new-password')).body.code).toBe('INVALID_RESET_TOKEN');
    expect((await reset('A'.repeat(43), 'brand-new-password')).body.code).toBe('INVALID_RESET_TOKEN');
    await login(user).expect(200);
  });

  it('when the new password breaks the registration rules, then it answers 400 and the token stays usable', async () => {
    const user = await register();
    await forgot(user.email).expect(202);
    const token = tokenFromMail(await resetMailTo(user.email));

    const short = await reset(token, 'short');
    const long = await reset(token, 'é'.repeat(37));

    expect(short.status).toBe(400);
    expect(short.body.details).toEqual([expect.objectContaining({ path: 'password' })]);
    expect(long.status).toBe(400);
    await reset(token, 'brand-new-password').expect(200);
  });

  it('when the token is used by two requests at once, then one sets the password and the other is refused', async () => {
    const user = await register();
    await forgot(user.email).expect(202);
    const token = tokenFromMail(await resetMailTo(user.email));

    const answers = await Promise.all([reset(token, 'first-new-password'), reset(token, 'second-new-password')]);

    expect(answers.map((res) => res.status).sort()).toEqual([200, 400]);
    const winner = answers[0].status === 200 ? 'first-new-password' : 'second-new-password';
    await login({ email: user.email, password: winner }).expect(200);
  });
});

describe('password-reset limits (MongoDB counters)', () => {
  // Mail is recorded, not sent: this app has no worker of its own (the file's worker sends what it finds).
  const limited = buildTestApp({
    env: {
      PASSWORD_FORGOT_ACCOUNT_RATE_LIMIT_MAX: '2',
      PASSWORD_FORGOT_ADDRESS_RATE_LIMIT_MAX: '3',
      TRUST_PROXY: 'true',
    },
  });
  const ask = (email: string, ip: string) =>
    request(limited).post('/api/password/forgot').set('X-Forwarded-For', ip).send({ email });

  it('when one address is asked for past its limit, then the answer is 429 whether or not an account has it, and other addresses go on', async () => {
    const user = buildUser();
    await request(limited).post('/api/registration').send(user).expect(201);

    const known = [
      await ask(user.email, '10.1.0.1'),
      await ask(user.email, '10.1.0.2'),
      await ask(user.email, '10.1.0.3'),
    ];
    const unknown = [
      await ask('ghost@example.com', '10.1.0.4'),
      await ask('ghost@example.com', '10.1.0.5'),
      await ask('ghost@example.com', '10.1.0.6'),
    ];

    expect(known.map((res) => res.status)).toEqual([202, 202, 429]);
    expect(unknown.map((res) => res.status)).toEqual([202, 202, 429]);
    expect(known[2]!.body).toEqual({ ...unknown[2]!.body, requestId: known[2]!.body.requestId });
    await ask('someone.else@example.com', '10.1.0.7').expect(202);
  });

  it('when one client asks for more addresses than its limit, then it gets 429 and other clients go on', async () => {
    const answers = [];
    for (let i = 0; i < 4; i += 1) answers.push((await ask(`client.${i}@example.com`, '10.2.0.1')).status);

    expect(answers).toEqual([202, 202, 202, 429]);
    await ask('client.4@example.com', '10.2.0.2').expect(202);
  });
});

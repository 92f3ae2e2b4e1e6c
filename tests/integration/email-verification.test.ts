import request from 'supertest';
import type { Express } from 'express';
import { digestOf } from '../../src/lib/opaque-token';
import { AccountTokenModel } from '../../src/models/account-token.model';
import { MailModel } from '../../src/models/mail.model';
import { UserModel } from '../../src/models/user.model';
import { buildTestApp } from '../helpers/app';
import { adminToken, buildUser, createProduct } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';
import { useAppWithMail } from '../helpers/mail';
import { tokenFromMail, type ReceivedMail } from '../helpers/smtp';

let offsetMs = 0;
const clock = () => new Date(Date.now() + offsetMs);
const shop = useAppWithMail({ deps: { clock }, env: { VERIFICATION_MAIL_RATE_LIMIT_MAX: '2' } });
useTestDatabase();
let app: Express;
beforeAll(() => {
  app = shop.app;
});
beforeEach(() => {
  offsetMs = 0;
});

async function register(target: Express = app, overrides: Parameters<typeof buildUser>[0] = {}) {
  const user = buildUser(overrides);
  const res = await request(target).post('/api/registration').send(user).expect(201);
  const login = await request(target)
    .post('/api/login')
    .send({ email: user.email, password: user.password })
    .expect(200);
  return { ...user, id: res.body.data.id as string, token: login.body.token as string };
}

async function mailsTo(email: string, count: number): Promise<ReceivedMail[]> {
  for (let waited = 0; waited < 10_000; waited += 50) {
    const mails = shop.smtp.received.filter((mail) => mail.to === email);
    if (mails.length >= count) return mails;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`expected ${count} mails to ${email}: ${JSON.stringify(await MailModel.find().lean())}`);
}

const verify = (token: string) => request(app).post('/api/email/verify').send({ token });

describe('the verification mail of a registration', () => {
  it('when someone registers, then a verification mail arrives over SMTP, and its link verifies the address once', async () => {
    const user = await register(app, { name: 'Grace "Amazing" <b>Hopper</b>' });

    const [mail] = await mailsTo(user.email, 1);

    expect(mail!.subject).toBe('Test Shop: confirm your email address');
    expect(mail!.text).toMatch(/https:\/\/shop\.example\.com\/#\/verify-email\?token=[\w-]{43}/);
    expect(mail!.text).toContain('it works for 2 days');
    expect(mail!.html).toContain('Grace &quot;Amazing&quot; &lt;b&gt;Hopper&lt;/b&gt;');
    expect(mail!.html).not.toContain('<b>Hopper');
    expect(mail!.messageId).toMatch(/^<[a-f\d]{32}@shop\.example\.com>$/);
    const token = tokenFromMail(mail!);
    expect((await UserModel.findById(user.id).lean())?.emailVerifiedAt).toBeNull();

    const res = await verify(token);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Email address verified' });
    expect((await UserModel.findById(user.id).lean())?.emailVerifiedAt).toBeInstanceOf(Date);
    expect((await verify(token)).body.code).toBe('INVALID_VERIFICATION_TOKEN');
    expect(await AccountTokenModel.findById(digestOf(token)).lean()).toMatchObject({
      purpose: 'email_verification',
      usedAt: expect.any(Date),
    });
  });

  it('when an email is registered twice, then the refused registration sends nothing', async () => {
    const user = await register();
    await mailsTo(user.email, 1);

    await request(app)
      .post('/api/registration')
      .send(buildUser({ email: user.email }))
      .expect(409);

    const rows = await MailModel.find({ template: 'email-verification' }).lean();
    expect(rows.map((row) => row.status).sort()).toEqual(['sent', 'skipped']);
    expect(rows.find((row) => row.status === 'skipped')?.skippedReason).toBe('registration_refused');
    expect(shop.smtp.received.filter((mail) => mail.to === user.email)).toHaveLength(1);
  });
});

describe('POST /api/email/verification and /api/email/verify', () => {
  it('when another mail is asked for, then it arrives (202) and either link verifies', async () => {
    const user = await register();
    await mailsTo(user.email, 1);

    const res = await request(app).post('/api/email/verification').set('Authorization', user.token);

    expect(res.status).toBe(202);
    expect(res.body).toEqual({ message: 'A verification mail is on its way' });
    const [first, second] = await mailsTo(user.email, 2);
    await verify(tokenFromMail(second!)).expect(200);
    await verify(tokenFromMail(first!)).expect(200); // still its address: verifying again changes nothing
  });

  it('when the address is verified already, then asking for a mail is 409 EMAIL_ALREADY_VERIFIED', async () => {
    const user = await register();
    await verify(tokenFromMail((await mailsTo(user.email, 1))[0]!)).expect(200);

    const res = await request(app).post('/api/email/verification').set('Authorization', user.token);

    expect(res.status).toBe(409);
    expect(res.body.code).toBe('EMAIL_ALREADY_VERIFIED');
  });

  it('when one account asks for more mails than VERIFICATION_MAIL_RATE_LIMIT_MAX, then it gets 429', async () => {
    const user = await register();
    const ask = () => request(app).post('/api/email/verification').set('Authorization', user.token);

    const statuses = [(await ask()).status, (await ask()).status, (await ask()).status];

    expect(statuses).toEqual([202, 202, 429]);
    const other = await register();
    await request(app).post('/api/email/verification').set('Authorization', other.token).expect(202);
  });

  it('when the token has expired (EMAIL_VERIFICATION_TOKEN_EXPIRY), is unknown, or is a reset token, then it is refused', async () => {
    const user = await register();
    const token = tokenFromMail((await mailsTo(user.email, 1))[0]!);
    await request(app).post('/api/password/forgot').send({ email: user.email }).expect(202);
    const resetToken = tokenFromMail((await mailsTo(user.email, 2))[1]!);

    offsetMs = 2 * 86_400_000 + 1000;
    const expired = await verify(token);
    offsetMs = 0;

    expect(expired.body.code).toBe('INVALID_VERIFICATION_TOKEN');
    expect((await verify('B'.repeat(43))).body.code).toBe('INVALID_VERIFICATION_TOKEN');
    expect((await verify(resetToken)).body.code).toBe('INVALID_VERIFICATION_TOKEN');
    expect((await UserModel.findById(user.id).lean())?.emailVerifiedAt).toBeNull();
  });

  it('when called without a token or with a bad body, then it answers 401 or 400', async () => {
    await request(app).post('/api/email/verification').expect(401);
    expect((await request(app).post('/api/email/verify').send({})).body.code).toBe('VALIDATION_ERROR');
    expect(
      (
        await request(app)
          .post('/api/email/verify')
          .send({ token: ['x'] })
      ).status,
    ).toBe(400);
  });
});

describe('REQUIRE_VERIFIED_EMAIL_TO_ORDER', () => {
  it('when it is on, then an unverified account gets 403 EMAIL_NOT_VERIFIED and no order, and once verified it can order', async () => {
    // Its own services (the setting is read where they are built); shop's running worker sends what it records.
    const strict = buildTestApp({ env: { REQUIRE_VERIFIED_EMAIL_TO_ORDER: 'on' } });
    const product = await createProduct(strict, await adminToken(strict));
    const user = await register(strict);
    const order = () =>
      request(strict)
        .post('/api/orders/create')
        .set('Authorization', user.token)
        .send({ items: [{ productId: product.id, quantity: 1 }] });

    const refused = await order();

    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('EMAIL_NOT_VERIFIED');
    await verify(tokenFromMail((await mailsTo(user.email, 1))[0]!)).expect(200);
    await order().expect(201);
  });

  it('when it is off (the default), then an unverified account orders as before', async () => {
    const product = await createProduct(app, await adminToken(app));
    const user = await register();

    await request(app)
      .post('/api/orders/create')
      .set('Authorization', user.token)
      .send({ items: [{ productId: product.id, quantity: 1 }] })
      .expect(201);
  });
});

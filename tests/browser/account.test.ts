import request from 'supertest';
import { UserModel } from '../../src/models/user.model';
import { buildUser } from '../helpers/builders';
import { accessibilityProblems, screenshot, startBrowserShop, useBrowserShop } from '../helpers/browser';
import { useTestDatabase } from '../helpers/db';
import type { ReceivedMail } from '../helpers/smtp';

/**
 * The pages the account mails link to, in a real Chromium, with the mails sent by the shop's worker over SMTP:
 * a forgotten password asked for, the mailed reset link followed and a new password set (the link then spent);
 * a sign-up's verification link followed; and signing out, which ends the session on the server too.
 */
useTestDatabase();
jest.setTimeout(90_000);

const ctx = useBrowserShop({ start: () => startBrowserShop({}, { mail: true }), admin: false });

async function mailTo(email: string, subject: RegExp): Promise<ReceivedMail> {
  for (let waited = 0; waited < 15_000; waited += 50) {
    const mail = ctx.shop.smtp!.received.find((received) => received.to === email && subject.test(received.subject));
    if (mail) return mail;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no mail to ${email} matching ${subject}`);
}

/** The link a mail carries to the shop's page `route` (the whole URL, as a mail program opens it). */
function linkIn(mail: ReceivedMail, route: string): string {
  const link = new RegExp(`${ctx.shop.url}/#/${route}\\?token=[\\w%-]+`).exec(mail.text)?.[0];
  if (!link) throw new Error(`no #/${route} link in the mail:\n${mail.text}`);
  return link;
}

const heading = (name: string) => ctx.page.getByRole('heading', { level: 1, name });

describe('a forgotten password', () => {
  it('when the buyer asks for a reset mail and follows its link, then the new password works, the old one does not, and the link is spent', async () => {
    const user = buildUser();
    await request(ctx.shop.app).post('/api/registration').send(user).expect(201);
    await ctx.page.goto(`${ctx.shop.url}/#/signin`);
    await ctx.page.getByRole('link', { name: 'Forgot your password?' }).click();
    await heading('Forgot your password?').waitFor();
    expect(await accessibilityProblems(ctx.page)).toEqual([]);
    await ctx.page.getByLabel('Email').fill(user.email);
    await ctx.page.getByRole('button', { name: 'Send me a reset link' }).click();
    await heading('Check your mail').waitFor();

    const link = linkIn(await mailTo(user.email, /reset your password/), 'reset-password');
    await ctx.page.goto(link);
    await heading('Set a new password').waitFor();
    expect(await accessibilityProblems(ctx.page)).toEqual([]);
    await screenshot(ctx.page, 'reset-password');
    await ctx.page.getByLabel('New password').fill('a-brand-new-password');
    await ctx.page.getByRole('button', { name: 'Set password' }).click();
    await heading('Your password is set').waitFor();
    expect(ctx.page.url()).not.toContain('token=');

    await ctx.page.getByRole('link', { name: 'Sign in with the new password' }).click();
    await ctx.page.getByLabel('Email').fill(user.email);
    await ctx.page.getByLabel('Password').fill('a-brand-new-password');
    await ctx.page.getByRole('button', { name: 'Sign in' }).click();
    await ctx.page.getByRole('button', { name: 'Sign out' }).waitFor();
    await request(ctx.shop.app).post('/api/login').send({ email: user.email, password: user.password }).expect(401);

    // The same link again: refused, with the way to a new one.
    await ctx.page.goto(link);
    await ctx.page.getByLabel('New password').fill('yet-another-password');
    await ctx.page.getByRole('button', { name: 'Set password' }).click();
    await ctx.page
      .getByRole('alert')
      .filter({ hasText: /reset link/i })
      .waitFor();
    expect(await ctx.page.getByRole('link', { name: 'Ask for a new one' }).isVisible()).toBe(true);
    expect(ctx.watched.httpErrors).toEqual(['400 POST /api/password/reset']);
    expect([...ctx.watched.problems, ...ctx.watched.cspViolations, ...ctx.watched.dialogs]).toEqual([]);
  });
});

describe('email verification and signing out', () => {
  it('when a new buyer follows the verification link, then the address is confirmed; when they sign out, then their token stops working', async () => {
    const user = buildUser();
    await ctx.page.goto(`${ctx.shop.url}/#/signup`);
    await ctx.page.getByLabel('Name').fill(user.name);
    await ctx.page.getByLabel('Email').fill(user.email);
    await ctx.page.getByLabel('Password').fill(user.password);
    await ctx.page.getByRole('button', { name: 'Create account' }).click();
    await ctx.page.getByRole('button', { name: 'Sign out' }).waitFor();

    await ctx.page.goto(linkIn(await mailTo(user.email, /confirm your email address/), 'verify-email'));
    await heading('Your email address is confirmed').waitFor();
    expect(await accessibilityProblems(ctx.page)).toEqual([]);
    expect(ctx.page.url()).not.toContain('token=');
    expect((await UserModel.findOne({ email: user.email }).lean())?.emailVerifiedAt).toBeInstanceOf(Date);

    const token = await ctx.page.evaluate<string | undefined>(
      "JSON.parse(sessionStorage.getItem('shop.session') ?? '{}').token",
    );
    expect(token).toMatch(/^Bearer /);
    await request(ctx.shop.app).get('/api/profile').set('Authorization', token!).expect(200);
    await ctx.page.getByRole('button', { name: 'Sign out' }).click();
    await ctx.page.getByRole('link', { name: 'Sign in' }).waitFor();
    for (
      let waited = 0;
      (await request(ctx.shop.app).get('/api/profile').set('Authorization', token!)).status !== 401;
      waited += 50
    ) {
      if (waited > 5000) throw new Error('the signed-out token still works');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(ctx.watched.httpErrors).toEqual([]);
    expect([...ctx.watched.problems, ...ctx.watched.cspViolations, ...ctx.watched.dialogs]).toEqual([]);
  });

  it('when the verification link does not work, then the page says so and a signed-in buyer can ask for a new mail', async () => {
    const user = buildUser();
    await request(ctx.shop.app).post('/api/registration').send(user).expect(201);
    await ctx.page.goto(`${ctx.shop.url}/#/signin?next=/verify-email`);
    await ctx.page.getByLabel('Email').fill(user.email);
    await ctx.page.getByLabel('Password').fill(user.password);
    await ctx.page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Confirm your email address').waitFor();
    await ctx.page.goto(`${ctx.shop.url}/#/verify-email?token=not-a-real-token`);
    await heading('Your email address is not confirmed').waitFor();
    expect(await accessibilityProblems(ctx.page)).toEqual([]);

    await ctx.page.getByRole('button', { name: 'Send me a new link' }).click();
    await ctx.page
      .getByRole('status')
      .filter({ hasText: `A new link is on its way to ${user.email}` })
      .waitFor();
    await mailTo(user.email, /confirm your email address/);
    for (let waited = 0; ctx.shop.smtp!.received.filter((mail) => mail.to === user.email).length < 2; waited += 50) {
      if (waited > 15_000) throw new Error('the second verification mail did not arrive');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(ctx.watched.httpErrors).toEqual(['400 POST /api/email/verify']);
    expect([...ctx.watched.problems, ...ctx.watched.cspViolations, ...ctx.watched.dialogs]).toEqual([]);
  });
});

import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/lib/logger';
import { createMetrics, type Metrics } from '../../src/lib/metrics';
import { createMail } from '../../src/mail';
import { MailModel } from '../../src/models/mail.model';
import { UserModel } from '../../src/models/user.model';
import { testConfig } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import { captureLogs } from '../helpers/logs';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp';
import { closedPort } from '../helpers/stripe-services';

useTestDatabase();

const LEASE_MS = 4 * 1000 + 10_000; // MAIL_SMTP_TIMEOUT_MS=1000: the lease is four of them and 10 s

let smtp: TestSmtpServer;
beforeEach(async () => {
  smtp = await startSmtpServer();
});
afterEach(() => smtp.close());

/** A sender on its own clock (offset from now), not started: the tests run its passes themselves. */
function sender(options: { env?: Record<string, string>; offsetMs?: () => number; metrics?: Metrics } = {}) {
  const metrics = options.metrics ?? createMetrics();
  const offset = options.offsetMs ?? (() => 0);
  const config = testConfig({
    SMTP_URL: smtp.url,
    MAIL_SMTP_TIMEOUT_MS: '1000',
    SHOP_NAME: 'Outbox Shop',
    ...options.env,
  });
  const mail = createMail(config, { clock: () => new Date(Date.now() + offset()), logger: silentLogger, metrics });
  return { ...mail, metrics, config };
}

async function account() {
  const email = `reader.${randomBytes(4).toString('hex')}@example.com`;
  await UserModel.create({ name: 'Reader', email, passwordHash: 'x'.repeat(60), role: 'user' });
  return email;
}

/** One password-reset mail for an account: a mail whose facts need nothing but the account. */
async function recordResetMail(
  outbox: ReturnType<typeof sender>['outbox'],
  email: string,
  key = `password-reset:${randomBytes(6).toString('hex')}`,
) {
  await outbox.record({ key, template: 'password-reset', to: email, data: { email } });
  return key;
}

const row = (key: string) => MailModel.findById(key).lean().orFail();
const metricValue = async (metrics: Metrics, name: string) =>
  (await metrics.registry.getSingleMetricAsString(name)).split('\n').filter((l) => !l.startsWith('#'));

describe('outbox.record', () => {
  it('when one cause is recorded many times at once, then there is one mail, recorded by exactly one call', async () => {
    const { outbox } = sender();
    const email = await account();

    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        recordResetMail(outbox, email, 'password-reset:same-cause').then(() => undefined),
      ),
    );
    const again = await outbox.record({
      key: 'password-reset:same-cause',
      template: 'password-reset',
      to: email,
      data: { email },
    });

    expect(results).toHaveLength(10);
    expect(again).toBe(false);
    expect(await MailModel.countDocuments({ _id: 'password-reset:same-cause' })).toBe(1);
  });
});

describe('the mail worker', () => {
  it('when two workers share an outbox, then each of its mails arrives exactly once', async () => {
    const first = sender();
    const second = sender();
    const email = await account();
    const keys = [];
    for (let i = 0; i < 12; i += 1) keys.push(await recordResetMail(first.outbox, email));

    await Promise.all([
      first.worker.runOnce(),
      second.worker.runOnce(),
      first.worker.runOnce(),
      second.worker.runOnce(),
    ]);

    expect(smtp.received).toHaveLength(12);
    expect(new Set(smtp.received.map((mail) => mail.messageId)).size).toBe(12);
    for (const key of keys) expect(await row(key)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('when the SMTP server refuses for now (450), then the mail is retried with backoff and arrives once when it accepts', async () => {
    let offset = 0;
    const worker = sender({ offsetMs: () => offset, env: { MAIL_RETRY_BASE_SECONDS: '60' } });
    const key = await recordResetMail(worker.outbox, await account());
    smtp.behaviour.refuseRecipient = { code: 450, message: 'Mailbox busy, try later' };

    await worker.worker.runOnce();
    const afterFirst = await row(key);
    await worker.worker.runOnce(); // not due yet: nothing happens
    delete smtp.behaviour.refuseRecipient;
    offset = 2 * 60_000; // past the first backoff (60 s, ±20 %)
    await worker.worker.runOnce();

    expect(afterFirst).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: expect.stringMatching(/450/),
      handedOverAt: null,
    });
    expect(afterFirst.nextAttemptAt.getTime() - Date.now()).toBeGreaterThan(40_000);
    expect(await row(key)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(smtp.received).toHaveLength(1);
    expect(await metricValue(worker.metrics, 'shop_mail_attempts_failed_total')).toEqual([
      'shop_mail_attempts_failed_total{template="password-reset"} 1',
    ]);
  });

  it('when the SMTP server refuses for good (550), then the mail is parked at once, counted, and never sent again', async () => {
    const worker = sender();
    const key = await recordResetMail(worker.outbox, await account());
    smtp.behaviour.refuseRecipient = { code: 550, message: 'No such mailbox' };

    await worker.worker.runOnce();
    delete smtp.behaviour.refuseRecipient;
    await worker.worker.runOnce();

    expect(await row(key)).toMatchObject({
      status: 'parked',
      parkedReason: 'rejected',
      attempts: 1,
      lastError: expect.stringMatching(/550/),
    });
    expect(smtp.received).toHaveLength(0);
    expect(await metricValue(worker.metrics, 'shop_mails_parked_total')).toContain(
      'shop_mails_parked_total{template="password-reset",reason="rejected"} 1',
    );
  });

  it('when the SMTP server cannot be reached MAIL_MAX_ATTEMPTS times, then the mail is parked as failing', async () => {
    let offset = 0;
    const port = await closedPort();
    const worker = sender({
      offsetMs: () => offset,
      env: { SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_MAX_ATTEMPTS: '3', MAIL_RETRY_BASE_SECONDS: '1' },
    });
    const key = await recordResetMail(worker.outbox, await account());

    for (let i = 0; i < 4; i += 1) {
      await worker.worker.runOnce();
      offset += 10_000;
    }

    expect(await row(key)).toMatchObject({
      status: 'parked',
      parkedReason: 'failing',
      attempts: 3,
      lastError: expect.stringMatching(/ECONNREFUSED/),
    });
    expect(await metricValue(worker.metrics, 'shop_mails_parked_total')).toContain(
      'shop_mails_parked_total{template="password-reset",reason="failing"} 1',
    );
  });

  it("when a sender's lease is taken over before it hands the mail over, then it drops its transaction and the mail arrives once", async () => {
    const slow = sender();
    const later = sender({ offsetMs: () => LEASE_MS + 1000 });
    const key = await recordResetMail(slow.outbox, await account());
    smtp.behaviour.rcptDelayMs = 600; // the slow sender is mid-transaction, before the message, for a while

    const slowPass = slow.worker.runOnce();
    await new Promise((resolve) => setTimeout(resolve, 150));
    await later.worker.runOnce(); // sees the lease run out: nothing handed over, so sends it itself
    await slowPass;

    expect(smtp.received).toHaveLength(1);
    expect(smtp.aborted).toBe(1); // the slow sender's message, cut before its end
    expect(await row(key)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('when a mail is discarded while a sender holds it before the hand-over (its cause failed), then it is skipped and never sent', async () => {
    const worker = sender();
    const key = await recordResetMail(worker.outbox, await account());
    smtp.behaviour.rcptDelayMs = 600; // the sender is mid-transaction, before the message

    const pass = worker.worker.runOnce();
    for (let waited = 0; (await row(key)).status !== 'sending'; waited += 20) {
      if (waited > 5000) throw new Error('the mail was never claimed');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await worker.outbox.discard(key, 'registration_refused');
    await pass;
    await worker.worker.runOnce();

    expect(smtp.received).toHaveLength(0);
    expect(await row(key)).toMatchObject({
      status: 'skipped',
      skippedReason: 'registration_refused',
      handedOverAt: null,
    });
  });

  it('when the answer to a complete message never comes, then the mail is parked as outcome_unknown and not sent twice', async () => {
    const worker = sender();
    const key = await recordResetMail(worker.outbox, await account());
    smtp.behaviour.answerDelayMs = 3000; // longer than MAIL_SMTP_TIMEOUT_MS

    await worker.worker.runOnce();
    await worker.worker.runOnce();

    expect(await row(key)).toMatchObject({
      status: 'parked',
      parkedReason: 'outcome_unknown',
      handedOverAt: expect.any(Date),
    });
    expect(smtp.received).toHaveLength(1); // it did arrive: a second send would have been a duplicate
    expect(await metricValue(worker.metrics, 'shop_mails_parked_total')).toContain(
      'shop_mails_parked_total{template="password-reset",reason="outcome_unknown"} 1',
    );
  });

  it('when the SMTP server refuses the complete message (451), then the hand-over is undone and it is sent again later', async () => {
    let offset = 0;
    const worker = sender({ offsetMs: () => offset, env: { MAIL_RETRY_BASE_SECONDS: '1' } });
    const key = await recordResetMail(worker.outbox, await account());
    smtp.behaviour.refuseMessage = { code: 451, message: 'Local error, try later' };

    await worker.worker.runOnce();
    const refused = await row(key);
    delete smtp.behaviour.refuseMessage;
    offset = 10_000;
    await worker.worker.runOnce();

    expect(refused).toMatchObject({ status: 'pending', handedOverAt: null, attempts: 1 });
    expect(smtp.received.map((mail) => mail.refused)).toEqual([true, false]);
    expect(await row(key)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('when a sender stopped (its lease ran out) before the hand-over, then the mail is sent again; after it, it is parked, not resent', async () => {
    const worker = sender({ offsetMs: () => LEASE_MS + 1000 });
    const email = await account();
    const before = await recordResetMail(worker.outbox, email);
    const after = await recordResetMail(worker.outbox, email);
    // What a sender killed mid-send leaves: claimed (`sending`, its token, a lease), handed over or not.
    const claimed = { status: 'sending', attemptToken: 'dead-sender', leaseUntil: new Date() };
    await MailModel.updateOne({ _id: before }, { $set: claimed });
    await MailModel.updateOne({ _id: after }, { $set: { ...claimed, handedOverAt: new Date() } });

    await worker.worker.runOnce();

    expect(await row(before)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(await row(after)).toMatchObject({ status: 'parked', parkedReason: 'outcome_unknown' });
    expect(smtp.received).toHaveLength(1);
  });
});

describe('without SMTP_URL', () => {
  it('when a mail is sent, then it is written to MAIL_DIR as .eml and .txt, and in development logged with its text', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mail-dir-'));
    const logs = captureLogs('info');
    const config = testConfig({ MAIL_DIR: dir, NODE_ENV: 'development', SHOP_NAME: 'File Shop' });
    const mail = createMail(
      { ...config, mail: { ...config.mail, smtpUrl: undefined } },
      { clock: () => new Date(), logger: logs.logger },
    );
    const email = await account();
    const key = await recordResetMail(mail.outbox, email);

    await mail.worker.runOnce();

    const files = readdirSync(dir).sort();
    expect(files).toEqual([
      expect.stringMatching(/password-reset_.*\.eml$/),
      expect.stringMatching(/password-reset_.*\.txt$/),
    ]);
    const eml = readFileSync(path.join(dir, files[0]!), 'utf8');
    expect(eml).toMatch(/^Subject: File Shop: reset your password$/m);
    expect(eml).toContain(`To: Reader <${email}>`);
    expect(readFileSync(path.join(dir, files[1]!), 'utf8')).toMatch(/#\/reset-password\?token=[\w-]{43}/);
    const line = logs.entries().find((entry) => entry.message === 'mail written (no SMTP_URL)');
    expect(line).toMatchObject({
      to: email,
      subject: 'File Shop: reset your password',
      text: expect.stringContaining('reset-password?token=[redacted]'),
    });
    expect(await row(key)).toMatchObject({ status: 'sent' });
  });
});

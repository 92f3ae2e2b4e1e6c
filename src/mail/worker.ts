import { randomUUID } from 'node:crypto';
import { noFaults, type Faults } from '../lib/fault-points';
import type { Logger } from '../lib/logger';
import type { MailMetrics } from '../lib/metrics';
import { MailModel, type MailRow } from '../models/mail.model';
import { prepareMail, type MailContext } from './mails';
import type { MailTransport, SendOutcome } from './transport';

export interface MailWorkerSettings {
  from: string;
  pollIntervalMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  sendLeaseMs: number;
  retentionMs: number;
}

const BATCH = 20;
/**
 * How soon a mail whose cause is not stored yet is looked at again: its cause is usually a moment behind it, so
 * soon at first, then less and less often (a quarter of its age, at most 5 s) until CAUSE_GRACE_MS.
 */
const WAIT_MS = 300;
const waitFor = (ageMs: number) => Math.min(5_000, Math.max(WAIT_MS, Math.round(ageMs / 4)));
/** Finished mails past their retention are deleted at most this often per process. */
const CLEANUP_EVERY_MS = 60_000;

const noMailMetrics: MailMetrics = {
  mailSent: () => undefined,
  mailParked: () => undefined,
  mailAttemptFailed: () => undefined,
};

/**
 * Sends the outbox's mails; every server instance runs one. The guarantee is **at most once per cause**, and
 * a mail is never lost by a crash before the SMTP server has it:
 *
 * 1. One mail per cause: the outbox key is the cause (src/mail/outbox.ts).
 * 2. One sender per mail at a time: a sender claims a mail with a conditional update (pending → sending, with
 *    its own attempt token and a lease); every later write of that attempt names its token, so a sender whose
 *    lease was taken over can change nothing.
 * 3. The fence: just before the end of the message (the moment the SMTP server may take it) the sender sets
 *    `handedOverAt`, conditionally on its token and on nobody having set it. Only one attempt of a mail can ever
 *    pass it, and one that cannot (its lease was taken over) drops the connection, so that server discards the
 *    unfinished message. So no two SMTP transactions of one mail are ever completed.
 * 4. After a crash (the lease runs out with the mail still `sending`): no handover means the server cannot have
 *    it, so it is sent again; a handover means it may have arrived (the crash fell between the end of the message
 *    and recording the server's answer, a window of milliseconds), so it is parked as `outcome_unknown`, counted,
 *    and left for a person instead of being sent a second time.
 *
 * A refusal or failure before the handover is retried with exponential backoff (MAIL_RETRY_BASE_SECONDS,
 * doubling, at most MAIL_RETRY_MAX_SECONDS, with jitter) up to MAIL_MAX_ATTEMPTS; a permanent refusal (5xx) or
 * the last failed attempt parks it. Parked mails stay in the collection with their reason and last error.
 */
export function createMailWorker(deps: {
  transport: MailTransport;
  context: MailContext;
  settings: MailWorkerSettings;
  clock: () => Date;
  logger: Logger;
  metrics?: MailMetrics;
  /** FAULT_CRASH_AT, for the kill -9 tests. */
  faults?: Faults;
}) {
  const { transport, context, settings, clock, logger } = deps;
  const faults = deps.faults ?? noFaults;
  const metrics = deps.metrics ?? noMailMetrics;
  let lastCleanup = 0;
  /** A mail was put back to wait for its cause during the current pass: look again after WAIT_MS, not at the next poll. */
  let waiting = false;

  function backoffMs(attempts: number): number {
    const base = Math.min(settings.retryMaxMs, settings.retryBaseMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  async function park(
    mail: MailRow,
    attemptToken: string,
    reason: 'failing' | 'rejected' | 'outcome_unknown',
    error: string,
    countAttempt: boolean,
  ) {
    const parked = await MailModel.updateOne(
      { _id: mail._id, attemptToken, status: 'sending' },
      {
        $set: { status: 'parked', parkedReason: reason, lastError: error, finishedAt: clock(), leaseUntil: null },
        ...(countAttempt && { $inc: { attempts: 1 } }),
      },
    );
    if (parked.modifiedCount !== 1) return;
    metrics.mailParked(mail.template, reason);
    logger.error('mail parked: a person must look', { mailKey: mail._id, template: mail.template, reason, error });
  }

  /** After an attempt that certainly did not deliver: again later, or parked once MAIL_MAX_ATTEMPTS are used. */
  async function retryLater(mail: MailRow, attemptToken: string, error: string) {
    metrics.mailAttemptFailed(mail.template);
    const attempts = mail.attempts + 1;
    if (attempts >= settings.maxAttempts) return park(mail, attemptToken, 'failing', error, true);
    const delay = backoffMs(attempts);
    await MailModel.updateOne(
      { _id: mail._id, attemptToken, status: 'sending' },
      {
        $set: {
          status: 'pending',
          nextAttemptAt: new Date(clock().getTime() + delay),
          attemptToken: null,
          leaseUntil: null,
          handedOverAt: null,
          lastError: error,
        },
        $inc: { attempts: 1 },
      },
    );
    logger.warn('mail not sent: will retry', {
      mailKey: mail._id,
      template: mail.template,
      attempts,
      retryInMs: delay,
      error,
    });
  }

  async function finish(mail: MailRow, attemptToken: string, outcome: SendOutcome) {
    switch (outcome.outcome) {
      case 'sent': {
        const now = clock();
        // Named by the token alone: an answer that came late still records the mail as sent.
        await MailModel.updateOne(
          { _id: mail._id, attemptToken },
          {
            $set: {
              status: 'sent',
              sentAt: now,
              finishedAt: now,
              messageId: outcome.messageId,
              leaseUntil: null,
              lastError: null,
            },
            $inc: { attempts: 1 },
          },
        );
        metrics.mailSent(mail.template);
        logger.info('mail sent', { mailKey: mail._id, template: mail.template, transport: transport.kind });
        return;
      }
      case 'not_sent':
        if (outcome.permanent) return park(mail, attemptToken, 'rejected', outcome.error, true);
        return retryLater(mail, attemptToken, outcome.error);
      case 'unknown':
        return park(mail, attemptToken, 'outcome_unknown', outcome.error, true);
      case 'fenced_out':
        logger.warn(
          'mail not handed over: another sender owns it, or the fence could not be written (its lease decides)',
          { mailKey: mail._id },
        );
        return;
    }
  }

  /** One mail: claim, read its facts, send (or skip, or wait for its cause), record the outcome. */
  async function handle(mail: MailRow): Promise<boolean> {
    const now = clock();
    const attemptToken = randomUUID();
    const claimed = await MailModel.updateOne(
      { _id: mail._id, status: 'pending', nextAttemptAt: { $lte: now } },
      {
        $set: {
          status: 'sending',
          attemptToken,
          leaseUntil: new Date(now.getTime() + settings.sendLeaseMs),
          handedOverAt: null,
        },
      },
    );
    if (claimed.modifiedCount !== 1) return false; // another sender has it
    const mine = { _id: mail._id, attemptToken, status: 'sending' as const };
    let prepared;
    try {
      prepared = await prepareMail(mail, context);
    } catch (error) {
      await retryLater(
        mail,
        attemptToken,
        `could not prepare the mail: ${error instanceof Error ? error.message : String(error)}`,
      );
      return true;
    }
    if (prepared.kind === 'skip') {
      await MailModel.updateOne(mine, {
        $set: { status: 'skipped', skippedReason: prepared.reason, finishedAt: clock(), leaseUntil: null },
      });
      logger.info('mail skipped', { mailKey: mail._id, template: mail.template, reason: prepared.reason });
      return true;
    }
    if (prepared.kind === 'wait') {
      waiting = true;
      await MailModel.updateOne(mine, {
        $set: {
          status: 'pending',
          nextAttemptAt: new Date(clock().getTime() + waitFor(clock().getTime() - mail.createdAt.getTime())),
          attemptToken: null,
          leaseUntil: null,
        },
      });
      return true;
    }
    const fence = async () =>
      (await MailModel.updateOne({ ...mine, handedOverAt: null }, { $set: { handedOverAt: clock() } }))
        .modifiedCount === 1;
    const outcome = await transport.send(
      { key: mail._id, from: settings.from, to: prepared.to, content: prepared.content },
      fence,
    );
    if (outcome.outcome === 'sent') faults.reach('mail.after-handover');
    await finish(mail, attemptToken, outcome);
    return true;
  }

  /** Mails whose sender's lease ran out while `sending`: the sender is gone (see point 4 above). */
  async function recoverAbandoned(now: Date): Promise<number> {
    const abandoned = (await MailModel.find({ status: 'sending', leaseUntil: { $lte: now } })
      .limit(BATCH)
      .lean()) as MailRow[];
    for (const mail of abandoned) {
      const token = mail.attemptToken ?? '';
      if (mail.handedOverAt) {
        await park(
          mail,
          token,
          'outcome_unknown',
          'the sender stopped after handing the mail to the SMTP server, before its answer was recorded: it may have arrived',
          false,
        );
        continue;
      }
      if (mail.attempts + 1 >= settings.maxAttempts) {
        await park(
          mail,
          token,
          'failing',
          'the sender stopped before handing the mail over, on its last attempt',
          true,
        );
        continue;
      }
      const released = await MailModel.updateOne(
        { _id: mail._id, attemptToken: token, status: 'sending', handedOverAt: null },
        {
          $set: {
            status: 'pending',
            nextAttemptAt: now,
            attemptToken: null,
            leaseUntil: null,
            lastError: 'the sender stopped before handing the mail over',
          },
          $inc: { attempts: 1 },
        },
      );
      if (released.modifiedCount === 1)
        logger.warn('mail abandoned by a stopped sender before hand-over: sending it again', { mailKey: mail._id });
    }
    return abandoned.length;
  }

  function cleanupNowAndThen(now: Date) {
    if (now.getTime() - lastCleanup < CLEANUP_EVERY_MS) return;
    lastCleanup = now.getTime();
    MailModel.deleteMany({
      status: { $in: ['sent', 'skipped'] },
      finishedAt: { $lte: new Date(now.getTime() - settings.retentionMs) },
    }).catch(() => undefined);
  }

  /** One pass: take over abandoned mails, then send what is due, batch after batch, until nothing is. */
  async function runOnce(): Promise<{ processed: number; recovered: number }> {
    const now = clock();
    cleanupNowAndThen(now);
    const recovered = await recoverAbandoned(now);
    let processed = 0;
    for (;;) {
      const due = (await MailModel.find({ status: 'pending', nextAttemptAt: { $lte: clock() } })
        .sort({ nextAttemptAt: 1 })
        .limit(BATCH)
        .lean()) as MailRow[];
      let handled = 0;
      for (const mail of due) if (await handle(mail)) handled += 1;
      processed += handled;
      if (due.length < BATCH || handled === 0) break;
    }
    return { processed, recovered };
  }

  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    if (current) {
      again = true; // a kick during a pass: one more pass after it
      return;
    }
    again = false;
    current = runOnce()
      .then(() => undefined)
      .catch((error: unknown) => logger.error('mail pass failed', { error: String(error) }))
      .finally(() => {
        current = undefined;
        if (again) setImmediate(tick);
        else if (waiting && timer) setTimeout(tick, WAIT_MS).unref();
        waiting = false;
      });
  };

  return {
    runOnce,
    /** Look now (a mail was just recorded in this process) rather than at the next poll. */
    kick() {
      if (timer) setImmediate(tick);
    },
    start() {
      stopped = false;
      timer = setInterval(tick, settings.pollIntervalMs);
      timer.unref();
      setImmediate(tick);
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      timer = undefined;
      await current;
    },
  };
}

export type MailWorker = ReturnType<typeof createMailWorker>;

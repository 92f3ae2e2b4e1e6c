import type { Config } from '../config/env';
import type { Faults } from '../lib/fault-points';
import type { Logger } from '../lib/logger';
import type { MailMetrics } from '../lib/metrics';
import { createOutbox, type Outbox } from './outbox';
import { fileTransport, smtpTransport, type MailTransport } from './transport';
import { createMailWorker, type MailWorker } from './worker';

/**
 * The process's mail: the outbox causes record into, and the worker that sends (over SMTP_URL, or to MAIL_DIR
 * without it). A mail recorded in this process wakes this worker at once; other instances' workers find it at
 * their next poll.
 */
export function createMail(
  config: Pick<Config, 'env' | 'mail' | 'accounts'>,
  deps: { clock: () => Date; logger: Logger; metrics?: MailMetrics; transport?: MailTransport; faults?: Faults },
): { outbox: Outbox; worker: MailWorker; transport: MailTransport } {
  const { mail } = config;
  const transport =
    deps.transport ??
    (mail.smtpUrl
      ? smtpTransport({ url: mail.smtpUrl, timeoutMs: mail.smtpTimeoutMs, logger: deps.logger })
      : fileTransport({ dir: mail.dir, logger: deps.logger, logBody: config.env === 'development' }));
  const worker = createMailWorker({
    transport,
    context: {
      settings: { shopName: mail.shopName, linkBase: mail.linkBase },
      clock: deps.clock,
      tokenTtlMs: {
        passwordReset: config.accounts.passwordResetTokenTtlMs,
        emailVerification: config.accounts.emailVerificationTokenTtlMs,
      },
    },
    settings: {
      from: mail.from,
      pollIntervalMs: mail.pollIntervalMs,
      maxAttempts: mail.maxAttempts,
      retryBaseMs: mail.retryBaseMs,
      retryMaxMs: mail.retryMaxMs,
      sendLeaseMs: mail.sendLeaseMs,
      retentionMs: mail.retentionMs,
    },
    clock: deps.clock,
    logger: deps.logger,
    metrics: deps.metrics,
    faults: deps.faults,
  });
  const outbox = createOutbox({ clock: deps.clock, onRecorded: () => worker.kick() });
  return { outbox, worker, transport };
}

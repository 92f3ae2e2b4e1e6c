import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import MailComposer from 'nodemailer/lib/mail-composer';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { Logger } from '../lib/logger';
import type { MailContent } from './templates';

export interface OutgoingMail {
  /** The outbox key: the Message-ID is made from it, so every copy of one cause's mail has the same id. */
  key: string;
  from: string;
  to: { address: string; name: string };
  content: MailContent;
}

/**
 * How an attempt ended, told apart by whether the receiving server can have taken the mail:
 * - `sent`: it answered 250 to the message;
 * - `not_sent`: it certainly has not (refused before or at the message, or never reached); `permanent` for a
 *   5xx refusal, which sending again would not change;
 * - `unknown`: the message was complete and the answer never came (a timeout, a dropped connection);
 * - `fenced_out`: the fence refused (another sender owns the mail now), so the message was never completed.
 */
export type SendOutcome =
  | { outcome: 'sent'; messageId: string; response: string }
  | { outcome: 'not_sent'; permanent: boolean; error: string }
  | { outcome: 'unknown'; error: string }
  | { outcome: 'fenced_out' };

export interface MailTransport {
  readonly kind: 'smtp' | 'file';
  /**
   * Sends the mail. `fence` is called once, when everything but the end of the message has been sent, and the
   * message is completed only if it answers true: it is the last moment at which the receiving server can
   * still be left without the mail (a transaction not ended by its final dot is discarded, RFC 5321 4.1.1.4).
   */
  send(mail: OutgoingMail, fence: () => Promise<boolean>): Promise<SendOutcome>;
}

function messageIdFor(key: string, from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'localhost';
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@${domain}>`;
}

async function compose(
  mail: OutgoingMail,
): Promise<{ raw: Buffer; messageId: string; envelope: { from: string; to: string[] } }> {
  const messageId = messageIdFor(mail.key, mail.from);
  const node = new MailComposer({
    from: mail.from,
    to: { name: mail.to.name, address: mail.to.address },
    subject: mail.content.subject,
    text: mail.content.text,
    html: mail.content.html,
    messageId,
  }).compile();
  const envelope = node.getEnvelope();
  return { raw: await node.build(), messageId, envelope: { from: envelope.from || '', to: envelope.to } };
}

/**
 * SMTP with nodemailer's connection class rather than its transport, for the one thing the transport cannot
 * do: hold back the end of the message until the fence has answered. The message is streamed whole but for its
 * end; the final dot goes only after the fence said yes, and when it says no the connection is dropped, so the
 * server discards what it got.
 */
export function smtpTransport(settings: { url: string; timeoutMs: number; logger: Logger }): MailTransport {
  const connectionOptions = parseConnectionUrl(settings.url) as SMTPConnection.Options & {
    auth?: { user: string; pass: string };
  };
  const { auth, ...options } = connectionOptions;

  async function send(mail: OutgoingMail, fence: () => Promise<boolean>): Promise<SendOutcome> {
    const { raw, messageId, envelope } = await compose(mail);
    const connection = new SMTPConnection({
      ...options,
      connectionTimeout: settings.timeoutMs,
      greetingTimeout: settings.timeoutMs,
      socketTimeout: settings.timeoutMs,
      socketCloseTimeout: 0,
    });
    let fenceAsked = false;
    let fencePassed = false;
    // nodemailer completes no pending callback when its own close() is called: every step is raced with this,
    // which cut() rejects when we drop the connection ourselves.
    let abort: (error: Error) => void = () => undefined;
    const aborted = new Promise<never>((_resolve, reject) => {
      abort = reject;
    });
    aborted.catch(() => undefined);
    const cut = (why: string) => {
      connection.close();
      abort(new Error(why));
    };
    const step = <T>(run: (done: (error: Error | null | undefined, value?: T) => void) => void) =>
      Promise.race([
        new Promise<T>((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value as T)))),
        aborted,
      ]);
    // Until the fence, an attempt that drags on (a server answering one byte at a time) is cut off.
    const deadline = setTimeout(() => {
      if (!fenceAsked) cut('the SMTP server took too long before the message');
    }, 3 * settings.timeoutMs);
    deadline.unref();
    const failure = (error: unknown): SendOutcome => {
      const text = error instanceof Error ? error.message : String(error);
      if (fenceAsked && !fencePassed) return { outcome: 'fenced_out' };
      const responseCode = (error as { responseCode?: unknown }).responseCode;
      // A reply to the message's end (or any earlier command) is an answer: the server did not take it.
      if (typeof responseCode === 'number') return { outcome: 'not_sent', permanent: responseCode >= 500, error: text };
      return fencePassed ? { outcome: 'unknown', error: text } : { outcome: 'not_sent', permanent: false, error: text };
    };
    // A failure while connecting is only emitted (connect's callback is not called): it ends the step in flight.
    connection.on('error', (error: Error) => abort(error));
    try {
      await step<void>((done) => connection.connect((error) => done(error)));
      if (auth) await step<boolean | undefined>((done) => connection.login(auth, done));
      const message = new Readable({
        read() {
          if (fenceAsked) return;
          fenceAsked = true;
          // Read only once the server has said 354 (start mail input): push all but the end, then ask the fence.
          this.push(raw);
          fence().then(
            (passed) => {
              fencePassed = passed;
              if (passed) this.push(null);
              else cut('fenced out: another sender owns this mail now');
            },
            (error: unknown) => cut(`the fence failed: ${error instanceof Error ? error.message : String(error)}`),
          );
        },
      });
      const info = await step<SMTPConnection.SentMessageInfo>((done) => connection.send(envelope, message, done));
      connection.quit();
      return { outcome: 'sent', messageId, response: info.response };
    } catch (error) {
      connection.close();
      return failure(error);
    } finally {
      clearTimeout(deadline);
    }
  }

  return { kind: 'smtp', send };
}

/**
 * Without SMTP: each mail is written to `dir` as an .eml file (any mail program opens it) and its text part
 * beside it as .txt; in development the text is also logged, so a newcomer sees the mail where the server runs
 * (the log masks the token in a link, as it masks every secret: the files have it).
 */
export function fileTransport(settings: { dir: string; logger: Logger; logBody: boolean }): MailTransport {
  return {
    kind: 'file',
    async send(mail, fence) {
      const { raw, messageId } = await compose(mail);
      if (!(await fence())) return { outcome: 'fenced_out' };
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${mail.key.replace(/[^\w.-]+/g, '_').slice(0, 80)}`;
      try {
        await mkdir(settings.dir, { recursive: true });
        await writeFile(path.join(settings.dir, `${name}.eml`), raw);
        await writeFile(
          path.join(settings.dir, `${name}.txt`),
          `To: ${mail.to.address}\nSubject: ${mail.content.subject}\n\n${mail.content.text}`,
        );
      } catch (error) {
        return { outcome: 'not_sent', permanent: false, error: error instanceof Error ? error.message : String(error) };
      }
      settings.logger.info('mail written (no SMTP_URL)', {
        to: mail.to.address,
        subject: mail.content.subject,
        file: path.join(settings.dir, `${name}.eml`),
        ...(settings.logBody && { text: mail.content.text }),
      });
      return { outcome: 'sent', messageId, response: 'written to a file' };
    },
  };
}

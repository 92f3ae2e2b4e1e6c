import { Types } from 'mongoose';
import { isDuplicateKeyError } from '../lib/db-errors';
import { MailModel } from '../models/mail.model';
import type { MailTemplate } from './mails';

/** A mail to send because something happened: its cause's key, what to say, and to whom. */
export interface MailRequest {
  /**
   * The cause, one key per mail that cause warrants (`order-paid:<order id>`): recording the same key again
   * (a duplicate webhook, a retry after a crash, another instance) finds the mail already there.
   */
  key: string;
  template: MailTemplate;
  /** The address; leave it out to write to the account (`userId`) at its address when the mail is sent. */
  to?: string;
  userId?: Types.ObjectId | string;
  /** What the template needs to find its facts when the mail is sent (ids, not copies of the facts). */
  data?: Record<string, unknown>;
}

export interface Outbox {
  /** Records the mail unless its key is already recorded; true when this call recorded it. Idempotent. */
  record(request: MailRequest): Promise<boolean>;
  /**
   * For a mail recorded just before its cause, when the cause then failed (a registration refused as a
   * duplicate): the mail is skipped unless it has been handed over already. A sender holding it before the
   * hand-over can then write nothing more (its writes name the `sending` status) and cannot pass the fence.
   */
  discard(key: string, reason: string): Promise<void>;
}

/**
 * The mail outbox in MongoDB (collection `mails`). A cause records its mail here with one call, in the step
 * that causes it; a worker (src/mail/worker.ts), started by the server, sends it. `onRecorded` tells this
 * process's worker to look now instead of at its next poll.
 */
export function createOutbox(deps: { clock: () => Date; onRecorded?: () => void }): Outbox {
  return {
    async record(request) {
      const now = deps.clock();
      const userId = request.userId === undefined ? null : new Types.ObjectId(request.userId);
      try {
        const result = await MailModel.collection.updateOne(
          { _id: request.key as never },
          {
            $setOnInsert: {
              template: request.template,
              to: request.to ?? null,
              userId,
              data: request.data ?? {},
              status: 'pending',
              attempts: 0,
              nextAttemptAt: now,
              attemptToken: null,
              leaseUntil: null,
              handedOverAt: null,
              sentAt: null,
              finishedAt: null,
              lastError: null,
              parkedReason: null,
              skippedReason: null,
              messageId: null,
              createdAt: now,
            },
          },
          { upsert: true },
        );
        if (result.upsertedCount !== 1) return false;
      } catch (error) {
        // Two recorders racing on one key: the loser's upsert meets the unique _id.
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
      deps.onRecorded?.();
      return true;
    },
    async discard(key, reason) {
      await MailModel.updateOne(
        { _id: key, status: { $in: ['pending', 'sending'] }, handedOverAt: null },
        { $set: { status: 'skipped', skippedReason: reason, finishedAt: deps.clock(), leaseUntil: null } },
      );
    },
  };
}

/** For code run without mail (tests of one service, scripts): records nothing. */
export const noOutbox: Outbox = { record: () => Promise.resolve(false), discard: () => Promise.resolve() };

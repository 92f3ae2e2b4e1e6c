import { Schema, model, type InferSchemaType, type Types } from 'mongoose';

export const MAIL_STATUSES = ['pending', 'sending', 'sent', 'skipped', 'parked'] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];

/**
 * The mail outbox: one document per mail, keyed by its cause (`order-paid:<order id>`, ...), so a cause
 * recorded twice (a duplicate webhook, two instances) is still one mail. A sender claims it with a lease
 * (`attemptToken`, `leaseUntil`), and marks `handedOverAt` just before the SMTP server can accept it: the
 * fence that keeps a mail from being sent twice (see src/mail/worker.ts).
 */
const mailSchema = new Schema(
  {
    _id: { type: String, required: true },
    template: { type: String, required: true },
    /** The recipient's address, or null when it is the account's (`userId`) as it is when the mail is sent. */
    to: { type: String, default: null },
    userId: { type: Schema.Types.ObjectId, default: null },
    data: { type: Schema.Types.Mixed, default: {} },
    status: { type: String, enum: MAIL_STATUSES, required: true, default: 'pending' },
    /** Attempts that reached the SMTP server or failed trying (not counting waits for the cause to be stored). */
    attempts: { type: Number, required: true, default: 0 },
    nextAttemptAt: { type: Date, required: true },
    attemptToken: { type: String, default: null },
    leaseUntil: { type: Date, default: null },
    handedOverAt: { type: Date, default: null },
    sentAt: { type: Date, default: null },
    /** When it was sent, skipped or parked: old finished mails are deleted after MAIL_RETENTION_DAYS. */
    finishedAt: { type: Date, default: null },
    lastError: { type: String, default: null },
    /** failing (MAIL_MAX_ATTEMPTS used up), rejected (a permanent SMTP refusal), outcome_unknown (see the worker) */
    parkedReason: { type: String, default: null },
    skippedReason: { type: String, default: null },
    messageId: { type: String, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false }, strict: 'throw', versionKey: false },
);

mailSchema.index({ status: 1, nextAttemptAt: 1 });
mailSchema.index({ status: 1, leaseUntil: 1 });
mailSchema.index({ finishedAt: 1 });

export type Mail = InferSchemaType<typeof mailSchema>;
export type MailRow = Mail & { _id: string; createdAt: Date; userId: Types.ObjectId | null };
export const MailModel = model('Mail', mailSchema);

import { Schema, model, type InferSchemaType } from 'mongoose';

export const ACCOUNT_TOKEN_PURPOSES = ['password_reset', 'email_verification'] as const;
export type AccountTokenPurpose = (typeof ACCOUNT_TOKEN_PURPOSES)[number];

/**
 * A token mailed to an account's address: a password reset or an email verification. Only its SHA-256 digest
 * is stored (`_id`); it serves one purpose, once (`usedAt` set by a conditional update), until `expiresAt`.
 */
const accountTokenSchema = new Schema(
  {
    _id: { type: String, required: true },
    purpose: { type: String, enum: ACCOUNT_TOKEN_PURPOSES, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    /** The address it was mailed to: a verification proves this address, no other. */
    email: { type: String, required: true },
    /** The outbox mail that carried it. */
    mailKey: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false }, strict: 'throw', versionKey: false },
);

accountTokenSchema.index({ userId: 1, purpose: 1 });
accountTokenSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export type AccountToken = InferSchemaType<typeof accountTokenSchema>;
export const AccountTokenModel = model('AccountToken', accountTokenSchema);

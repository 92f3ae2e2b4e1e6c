import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * One refresh token: only its SHA-256 digest is stored (`_id`, so the lookup is the primary index). It belongs
 * to one session (its family: the tokens one login's refreshes issue one after another), is used once
 * (`usedAt` set by a conditional update) and expires. Whether its session is still live is the user's
 * `sessions` list, not this document: deleting a family's tokens when it ends is only housekeeping.
 */
const refreshTokenSchema = new Schema(
  {
    _id: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    sessionId: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false }, strict: 'throw', versionKey: false },
);

refreshTokenSchema.index({ userId: 1, sessionId: 1 });
// A real MongoDB deletes expired tokens; nothing relies on it (expiry is in every query, and the session
// service deletes expired tokens now and then, for servers without TTL deletion).
refreshTokenSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export type RefreshToken = InferSchemaType<typeof refreshTokenSchema>;
export const RefreshTokenModel = model('RefreshToken', refreshTokenSchema);

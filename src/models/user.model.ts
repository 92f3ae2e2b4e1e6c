import { Schema, model, type HydratedDocument, type InferSchemaType } from 'mongoose';

export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const userSchema = new Schema(
  {
    name: { type: String, required: true, trim: true },
    // Stored trimmed and lower-cased under a plain unique index, so "A@x.com " and "a@x.com" collide
    // without needing collation support from the server.
    email: { type: String, required: true, trim: true, lowercase: true, unique: true },
    passwordHash: { type: String, required: true, select: false },
    role: { type: String, enum: ROLES, required: true, default: 'user' },
    /**
     * The ids of the account's live sessions (one per login), newest last. An access token names its session,
     * and the read that finds the user behind a token has the session id in its filter: a session ends, for
     * every instance at once, when its id leaves this list (see src/services/session.service.ts).
     */
    sessions: { type: [String], default: [], select: false },
    /** A disabled account cannot log in and has no sessions: whatever sets it empties `sessions` in the same update. */
    disabled: { type: Boolean, default: false },
    emailVerifiedAt: { type: Date, default: null },
    passwordChangedAt: { type: Date, default: null },
    /** The last admin change applied to this account (its sequence number, see src/services/admin-user.service.ts). */
    adminSeq: { type: Number, default: 0, select: false },
  },
  { timestamps: true, strict: 'throw' },
);

// The admin list: each filter combination (role, disabled) with an email prefix, in email order, is one index range.
userSchema.index({ role: 1, email: 1 });
userSchema.index({ disabled: 1, email: 1 });
userSchema.index({ role: 1, disabled: 1, email: 1 });

export type User = InferSchemaType<typeof userSchema>;
export type UserDocument = HydratedDocument<User>;
export const UserModel = model('User', userSchema);

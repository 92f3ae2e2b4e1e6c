import { Schema, model, type HydratedDocument, type InferSchemaType, type mongo, type Types } from 'mongoose';

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
    /**
     * The account's Customer at the payment provider, one per gateway mode (test and live Customers are separate
     * at Stripe; the simulated gateway has its own), made on first need (a card to save) and set once by a
     * conditional update, so concurrent first requests agree.
     */
    paymentCustomers: { simulated: { type: String }, test: { type: String }, live: { type: String } },
  },
  { timestamps: true, strict: 'throw' },
);

// The admin list, in (email, _id) order: each filter combination (role, disabled), with or without an email
// prefix, is one index range read in order, from a cursor on.
userSchema.index({ email: 1, _id: 1 });
userSchema.index({ role: 1, email: 1, _id: 1 });
userSchema.index({ disabled: 1, email: 1, _id: 1 });
userSchema.index({ role: 1, disabled: 1, email: 1, _id: 1 });

export type User = InferSchemaType<typeof userSchema>;
export type UserDocument = HydratedDocument<User>;
export const UserModel = model('User', userSchema);

/** A user document as the driver sees it, for the raw collection reads and updates of the hot path and of sessions. */
export interface UserRecord {
  _id: Types.ObjectId;
  name: string;
  email: string;
  passwordHash: string;
  role: Role;
  sessions?: string[];
  disabled?: boolean;
  emailVerifiedAt?: Date | null;
  passwordChangedAt?: Date | null;
  adminSeq?: number;
  createdAt: Date;
  updatedAt: Date;
}

/** The users collection, typed: no casting, no documents, for reads and updates that must be cheap or exact. */
export function userCollection(): mongo.Collection<UserRecord> {
  return UserModel.collection as unknown as mongo.Collection<UserRecord>;
}

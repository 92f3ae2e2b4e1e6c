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
     * The account's Customer at the payment provider, one per gateway mode (test and live Customers are separate
     * at Stripe; the simulated gateway has its own), made on first need (a card to save) and set once by a
     * conditional update, so concurrent first requests agree.
     */
    paymentCustomers: { simulated: { type: String }, test: { type: String }, live: { type: String } },
  },
  { timestamps: true, strict: 'throw' },
);

export type User = InferSchemaType<typeof userSchema>;
export type UserDocument = HydratedDocument<User>;
export const UserModel = model('User', userSchema);

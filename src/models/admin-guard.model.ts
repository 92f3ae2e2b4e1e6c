import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * A change to an account's role or disabled flag that has been decided but may not be applied yet: the
 * change, the sessions it ends, and its audit entry. See src/services/admin-user.service.ts.
 */
const pendingChangeSchema = new Schema(
  {
    seq: { type: Number, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    set: { type: new Schema({ role: String, disabled: Boolean }, { _id: false }), required: true },
    endSessions: { type: Boolean, required: true },
    audit: { type: Schema.Types.Mixed, required: true },
  },
  { _id: false },
);

/**
 * The one document through which every admin change to an account's role or disabled flag is decided, one at a
 * time: a decision is a conditional update of `seq` (compare and set), and it records the change in `pending`
 * in that same update, so whoever decides next finishes it first. No transactions needed.
 */
const adminGuardSchema = new Schema(
  {
    _id: { type: String, required: true },
    seq: { type: Number, required: true, default: 0 },
    pending: { type: [pendingChangeSchema], default: [] },
  },
  { strict: 'throw', versionKey: false },
);

export type AdminGuard = InferSchemaType<typeof adminGuardSchema>;
export type PendingAdminChange = AdminGuard['pending'][number];
export const AdminGuardModel = model('AdminGuard', adminGuardSchema);

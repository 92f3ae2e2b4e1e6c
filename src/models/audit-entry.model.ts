import { Schema, model, type InferSchemaType, type Types } from 'mongoose';

const personSchema = new Schema(
  { id: { type: Schema.Types.ObjectId, required: true }, email: { type: String, required: true } },
  { _id: false },
);

const changeSchema = (type: StringConstructor | BooleanConstructor) =>
  new Schema({ from: { type, required: true }, to: { type, required: true } }, { _id: false });

/**
 * One change an admin made to an account: who, when, what, and the request it came from. Written by the same
 * sequenced step that applies the change (`seq`, unique, is its number in that sequence), so it is there
 * exactly once for every change applied, also when the step is finished by another request after a crash.
 */
const auditEntrySchema = new Schema(
  {
    seq: { type: Number, required: true },
    at: { type: Date, required: true },
    action: { type: String, enum: ['user.updated'], required: true },
    actor: { type: personSchema, required: true },
    target: { type: personSchema, required: true },
    changes: {
      type: new Schema(
        {
          role: { type: changeSchema(String), default: undefined },
          disabled: { type: changeSchema(Boolean), default: undefined },
        },
        { _id: false },
      ),
      required: true,
    },
    requestId: { type: String, default: null },
  },
  { strict: 'throw', versionKey: false },
);

auditEntrySchema.index({ seq: 1 }, { unique: true });
// Newest first, for everyone's changes or one account's (as target or as actor).
auditEntrySchema.index({ at: -1, _id: -1 });
auditEntrySchema.index({ 'target.id': 1, at: -1, _id: -1 });
auditEntrySchema.index({ 'actor.id': 1, at: -1, _id: -1 });

export type AuditEntry = InferSchemaType<typeof auditEntrySchema>;
export type AuditEntryRow = AuditEntry & { _id: Types.ObjectId };
export const AuditEntryModel = model('AuditEntry', auditEntrySchema);

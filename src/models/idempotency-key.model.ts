import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * One row per (user, Idempotency-Key) on order creation: its own collection and a plain unique index,
 * which any MongoDB-compatible server enforces. Expiry is by query (expiresAt), not a TTL index.
 */
const idempotencyKeySchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    key: { type: String, required: true },
    /** Digest of the request body the key was first used with. */
    requestHash: { type: String, required: true },
    /** The order this request creates, chosen before it exists so a replay can find it. */
    orderId: { type: Schema.Types.ObjectId, required: true },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: true, strict: 'throw' },
);

idempotencyKeySchema.index({ userId: 1, key: 1 }, { unique: true });
idempotencyKeySchema.index({ expiresAt: 1 });
idempotencyKeySchema.index({ orderId: 1 });

export type IdempotencyKey = InferSchemaType<typeof idempotencyKeySchema>;
export const IdempotencyKeyModel = model('IdempotencyKey', idempotencyKeySchema);

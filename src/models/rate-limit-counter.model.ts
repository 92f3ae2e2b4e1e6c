import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * One fixed window of attempts for one limiter and client (login per account, login per address,
 * registration per address), shared by every server instance. `_id` is a digest of the limiter's name and
 * the client key, so no email or address is stored. The TTL index lets a real MongoDB delete windows that
 * have ended; nothing relies on it (expiry is by query: a window whose `resetAt` has passed counts as empty).
 */
const rateLimitCounterSchema = new Schema(
  {
    _id: { type: String, required: true },
    hits: { type: Number, required: true },
    resetAt: { type: Date, required: true },
  },
  { strict: 'throw', versionKey: false },
);

rateLimitCounterSchema.index({ resetAt: 1 }, { expireAfterSeconds: 0 });

export type RateLimitCounter = InferSchemaType<typeof rateLimitCounterSchema>;
export const RateLimitCounterModel = model('RateLimitCounter', rateLimitCounterSchema);

import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * Every Stripe event received, keyed by its id (the _id index is unique). `processedAt` is set only
 * after the event's effect is stored, so a delivery that failed half-way is processed again on retry.
 */
const webhookEventSchema = new Schema(
  {
    _id: { type: String, required: true },
    type: { type: String, required: true },
    receivedAt: { type: Date, required: true },
    processedAt: { type: Date, default: null },
    /** What processing did: applied, ignored, mismatch, unknown_intent ... */
    outcome: { type: String, default: null },
    deliveries: { type: Number, default: 0 },
  },
  { strict: 'throw', versionKey: false },
);

export type WebhookEvent = InferSchemaType<typeof webhookEventSchema>;
export const WebhookEventModel = model('WebhookEvent', webhookEventSchema);

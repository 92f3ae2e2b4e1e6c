import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * What one account holds in open orders (being created, pending or failed): one document per user, so
 * the cap is one conditional $inc that concurrent creations cannot slip past. `orders` lists the orders
 * counted, so claiming and releasing an order each happen at most once (as with Product.reservedFor).
 */
const openOrderTallySchema = new Schema(
  {
    /** The user's id. */
    _id: { type: Schema.Types.ObjectId, required: true },
    orders: { type: [Schema.Types.ObjectId], default: [] },
    openOrders: { type: Number, required: true, default: 0 },
    openUnits: { type: Number, required: true, default: 0 },
  },
  { strict: 'throw', versionKey: false },
);

export type OpenOrderTally = InferSchemaType<typeof openOrderTallySchema>;
export const OpenOrderTallyModel = model('OpenOrderTally', openOrderTallySchema);

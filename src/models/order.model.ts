import { Schema, model, type InferSchemaType, type Types } from 'mongoose';
import { ORDER_STATUSES } from '../lib/order-state';

const lineSchema = new Schema(
  {
    productId: { type: Schema.Types.ObjectId, ref: 'Product', required: true },
    name: { type: String, required: true },
    unitPriceMinor: { type: Number, required: true },
    quantity: { type: Number, required: true },
    lineTotalMinor: { type: Number, required: true },
  },
  { _id: false },
);

const historySchema = new Schema(
  {
    status: { type: String, enum: ORDER_STATUSES, required: true },
    at: { type: Date, required: true },
    reason: { type: String, required: true },
    /** The Stripe event that caused it, also the guard that applies each event once. */
    eventId: { type: String },
  },
  { _id: false },
);

const noteSchema = new Schema(
  {
    /** payment_mismatch, refund, late_success ... */
    kind: { type: String, required: true },
    at: { type: Date, required: true },
    eventId: { type: String },
    detail: { type: Schema.Types.Mixed },
  },
  { _id: false },
);

const orderSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    status: { type: String, enum: ORDER_STATUSES, required: true, default: 'pending' },
    items: { type: [lineSchema], required: true },
    amountMinor: { type: Number, required: true },
    currency: { type: String, required: true },
    /**
     * The PaymentIntent, which decides which order a payment event concerns: unique among orders. Absent
     * (not null) until the order is placed, so the sparse unique index skips orders still being created.
     */
    paymentIntentId: { type: String },
    clientSecret: { type: String, default: null, select: false },
    /**
     * Set when the PaymentIntent is attached: only then is the order visible and payable. An order
     * without it after the payment timeout was interrupted while being created and is taken apart.
     */
    placedAt: { type: Date, default: null },
    /** When an unpaid order is canceled by the expiry job. */
    expiresAt: { type: Date, required: true },
    /**
     * What happened to the reserved units: `held` while the order may still be paid, then `committed`
     * (sold) or `released` (given back). The product side (Product.reservedFor) is the source of truth;
     * this tells the sweeper which orders still need settling after an interruption.
     */
    stock: { type: String, enum: ['held', 'committed', 'released'], required: true, default: 'held' },
    history: { type: [historySchema], default: [] },
    /** Things recorded without changing status: partial refunds, payment mismatches, late events. */
    notes: { type: [noteSchema], default: [] },
    refundedMinor: { type: Number, default: 0 },
    lastPaymentError: { type: Schema.Types.Mixed, default: null },
    /** Lease taken by the expiry job of one instance while it cancels this order. */
    sweepLeaseUntil: { type: Date, default: null },
  },
  { timestamps: true, strict: 'throw' },
);

orderSchema.index({ userId: 1, createdAt: -1, _id: -1 });
// Sparse rather than partial: the same on every MongoDB-compatible server (partial indexes are not everywhere).
orderSchema.index({ paymentIntentId: 1 }, { unique: true, sparse: true, name: 'paymentIntentId_unique' });
orderSchema.index({ status: 1, expiresAt: 1 });
orderSchema.index({ placedAt: 1, expiresAt: 1 });
orderSchema.index({ stock: 1, status: 1 });

export type Order = InferSchemaType<typeof orderSchema>;
export type OrderRow = Order & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date };
export const OrderModel = model('Order', orderSchema);

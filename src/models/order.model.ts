import { Schema, model, type InferSchemaType, type Types } from 'mongoose';
import { ORDER_STATUSES, STOCK_STATES } from '../lib/order-state';
import { REFUND_REQUEST_STATUSES, REFUND_SETTLEMENTS } from '../lib/refund-ledger';
import { REFUND_REASONS } from '../payments/gateway';

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

/**
 * A refund of this order: one an admin asked for through the API, or one made elsewhere (the Stripe dashboard)
 * that the gateway's events told us about. Kept in the order, so reserving an amount, claiming an
 * Idempotency-Key and recording the gateway's answer are each one atomic update of one document.
 */
const refundSchema = new Schema(
  {
    /** Our id for the request; the Stripe idempotency key and the refund's metadata carry it. */
    requestId: { type: String, required: true },
    source: { type: String, enum: ['admin', 'external'], required: true },
    amountMinor: { type: Number, required: true },
    reason: { type: String, enum: REFUND_REASONS, default: null },
    /** Put the order's units back on sale once the order is fully refunded. */
    restock: { type: Boolean, default: false },
    /** The admin who asked (null for a refund made elsewhere). */
    requestedBy: {
      type: new Schema({ userId: { type: Schema.Types.ObjectId, required: true }, email: { type: String, required: true } }, { _id: false }),
      default: null,
    },
    requestedAt: { type: Date, required: true },
    /** The gateway's refund id (re_...), once it has answered. */
    refundId: { type: String, default: null },
    /** `requested` until the gateway answers, then its status; `refused` when it refused to refund. */
    status: { type: String, enum: REFUND_REQUEST_STATUSES, required: true },
    /** Our accounting: `reserved` counts against what is left to refund, `confirmed` by the gateway's events, `released` when nothing was refunded. */
    settlement: { type: String, enum: REFUND_SETTLEMENTS, required: true },
    /** Why the gateway refused or failed it. */
    failure: { type: String, default: null },
    /** Who may call the gateway for a request still `requested`: the request itself until then, later a retry with its key or the expiry job. */
    attemptUntil: { type: Date, default: null },
    idempotencyKey: { type: String, default: null },
    /** Digest of the request (order and body) the key was first used with. */
    requestHash: { type: String, default: null },
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
     * (sold) or `released` (given back); a sold order fully refunded with a restock request ends `restocked`
     * (units back on sale). The product side (Product.reservedFor, restockedFor) is the source of truth;
     * this tells the sweeper which orders still need settling after an interruption.
     */
    stock: { type: String, enum: STOCK_STATES, required: true, default: 'held' },
    history: { type: [historySchema], default: [] },
    /** Things recorded without changing status: partial refunds, payment mismatches, late events. */
    notes: { type: [noteSchema], default: [] },
    /** Refunded so far as the gateway confirmed it (charge.refunded totals, confirmed refunds): never decreases. */
    refundedMinor: { type: Number, default: 0 },
    refunds: { type: [refundSchema], default: [] },
    /** Counts refunds added: a new request is reserved only if none was added since its amount was checked. */
    refundsVersion: { type: Number, default: 0 },
    lastPaymentError: { type: Schema.Types.Mixed, default: null },
    /** Lease taken by the expiry job of one instance while it cancels this order. */
    sweepLeaseUntil: { type: Date, default: null },
  },
  { timestamps: true, strict: 'throw' },
);

orderSchema.index({ userId: 1, createdAt: -1, _id: -1 });
// The admin list, newest first: one index per filter combination (createdFrom/createdTo bound the sort key itself).
orderSchema.index({ createdAt: -1, _id: -1 });
orderSchema.index({ status: 1, createdAt: -1, _id: -1 });
orderSchema.index({ userId: 1, status: 1, createdAt: -1, _id: -1 });
// Sparse rather than partial: the same on every MongoDB-compatible server (partial indexes are not everywhere).
orderSchema.index({ paymentIntentId: 1 }, { unique: true, sparse: true, name: 'paymentIntentId_unique' });
orderSchema.index({ status: 1, expiresAt: 1 });
orderSchema.index({ placedAt: 1, expiresAt: 1 });
orderSchema.index({ stock: 1, status: 1 });
// The expiry job's look for refund requests whose gateway call was interrupted.
orderSchema.index({ 'refunds.status': 1 });

export type RefundRecord = InferSchemaType<typeof refundSchema>;
export type Order = InferSchemaType<typeof orderSchema>;
/** What a declined payment leaves in lastPaymentError (payment-decision); a Mixed path is `any` to Mongoose. */
export interface LastPaymentError {
  code: string | null;
  declineCode: string | null;
  message: string | null;
}
/** An order as read with lean(): its refunds are plain objects. */
export type OrderRow = Omit<Order, 'refunds' | 'lastPaymentError'> & {
  refunds: RefundRecord[];
  lastPaymentError?: LastPaymentError | null;
  _id: Types.ObjectId;
  createdAt: Date;
  updatedAt: Date;
};
export const OrderModel = model('Order', orderSchema);

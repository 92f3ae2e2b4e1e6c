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
      type: new Schema(
        { userId: { type: Schema.Types.ObjectId, required: true }, email: { type: String, required: true } },
        { _id: false },
      ),
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

/**
 * A chargeback or inquiry on the order's charge, as the gateway's charge.dispute.* events report it. The
 * order's disputes are written as a whole by one update guarded by `disputesVersion`, so concurrent events
 * about them apply one after the other.
 */
const disputeSchema = new Schema(
  {
    /** The gateway's dispute id (dp_...). */
    disputeId: { type: String, required: true },
    chargeId: { type: String, default: null },
    amountMinor: { type: Number, required: true },
    currency: { type: String, required: true },
    /** As the gateway reports it: warning_needs_response ... needs_response, under_review, won, lost ... */
    status: { type: String, required: true },
    reason: { type: String, required: true },
    evidenceDueBy: { type: Date, default: null },
    /** The disputed amount taken from the account, and given back when the dispute was won. */
    fundsWithdrawnMinor: { type: Number, default: 0 },
    fundsReinstatedMinor: { type: Number, default: 0 },
    /** When the gateway opened it, when we first recorded it, and when an event last changed it. */
    openedAt: { type: Date, default: null },
    recordedAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { _id: false },
);

/**
 * An admin's capture of an authorized payment (manual capture): all of it, or less (an amount, or the lines
 * shipped). Claimed on the order before the gateway is called, so one capture is ever sent per order.
 */
const captureSchema = new Schema(
  {
    requestId: { type: String, required: true },
    amountMinor: { type: Number, required: true },
    /** The units shipped per product; absent: every unit of every line. */
    lines: {
      type: [
        new Schema(
          { productId: { type: Schema.Types.ObjectId, required: true }, quantity: { type: Number, required: true } },
          { _id: false },
        ),
      ],
      default: undefined,
    },
    /** Units not shipped go back on sale when the payment is captured. */
    restockUnshipped: { type: Boolean, default: true },
    /** `requested` until the gateway answers, then `succeeded`, or `refused` (a new capture may then be asked for). */
    status: { type: String, enum: ['requested', 'succeeded', 'refused'], required: true },
    failure: { type: String, default: null },
    requestedBy: {
      type: new Schema(
        { userId: { type: Schema.Types.ObjectId, required: true }, email: { type: String, required: true } },
        { _id: false },
      ),
      required: true,
    },
    requestedAt: { type: Date, required: true },
    /** Who may call the gateway for a capture still `requested`: the request until then, later a retry with its key or the expiry job. */
    attemptUntil: { type: Date, default: null },
    idempotencyKey: { type: String, default: null },
    requestHash: { type: String, required: true },
  },
  { _id: false },
);

const fulfilmentSchema = new Schema(
  {
    carrier: { type: String, default: null },
    trackingNumber: { type: String, default: null },
    fulfilledAt: { type: Date, required: true },
    fulfilledBy: { type: Schema.Types.ObjectId, required: true },
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
    /** While the order is open: its payment is `processing` (a bank debit) or waits for the customer (`requires_action`). */
    paymentStatus: { type: String, enum: ['processing', 'requires_action'] },
    /** The charge that took the money (learnt from the payment's events): a dispute naming only its charge finds the order by it. */
    chargeId: { type: String },
    /** What the capture took when it was less than `amountMinor` (a partial manual capture); unset: the whole amount. */
    capturedMinor: { type: Number },
    /** When the payment was authorized (manual capture). */
    authorizedAt: { type: Date },
    capture: { type: captureSchema },
    fulfilment: { type: fulfilmentSchema },
    disputes: { type: [disputeSchema], default: undefined },
    /** Counts writes of `disputes`: each is made only over the disputes it was decided on. */
    disputesVersion: { type: Number },
    /** Set (true) once the charge is disputed, for the admin list's `disputed=true`; absent otherwise. */
    disputed: { type: Boolean },
    /** A dispute is open: refunds are refused and the buyer sees the payment under review. */
    disputeOpen: { type: Boolean },
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
// Disputed orders are few: one index for the `disputed=true` filter, other filters applied to what it finds.
orderSchema.index({ disputed: 1, createdAt: -1, _id: -1 });
// Sparse rather than partial: the same on every MongoDB-compatible server (partial indexes are not everywhere).
orderSchema.index({ paymentIntentId: 1 }, { unique: true, sparse: true, name: 'paymentIntentId_unique' });
orderSchema.index({ status: 1, expiresAt: 1 });
orderSchema.index({ placedAt: 1, expiresAt: 1 });
orderSchema.index({ stock: 1, status: 1 });
// A dispute naming only its charge; the expiry job's look for interrupted captures (authorizations about to
// lapse are found by the (status, createdAt) index above). The fields of manual capture, fulfilment and disputes
// are absent until they apply (no defaults), so an order that never uses them is stored as before.
orderSchema.index({ chargeId: 1 }, { sparse: true });
orderSchema.index({ 'capture.status': 1 }, { sparse: true });
// The expiry job's look for refund requests whose gateway call was interrupted.
orderSchema.index({ 'refunds.status': 1 });

export type RefundRecord = InferSchemaType<typeof refundSchema>;
export type DisputeRecord = InferSchemaType<typeof disputeSchema>;
/** An order's capture as stored (its `lines` as plain objects, as read with lean()). */
export type CaptureRecord = Omit<InferSchemaType<typeof captureSchema>, 'lines'> & {
  lines?: Array<{ productId: Types.ObjectId; quantity: number }> | null;
};
export type FulfilmentRecord = InferSchemaType<typeof fulfilmentSchema>;
export type Order = InferSchemaType<typeof orderSchema>;
/** What a declined payment leaves in lastPaymentError (payment-decision); a Mixed path is `any` to Mongoose. */
export interface LastPaymentError {
  code: string | null;
  declineCode: string | null;
  message: string | null;
}
/** An order as read with lean(): its refunds are plain objects. */
export type OrderRow = Omit<Order, 'refunds' | 'lastPaymentError' | 'disputes' | 'capture' | 'fulfilment'> & {
  refunds: RefundRecord[];
  disputes?: DisputeRecord[] | null;
  capture?: CaptureRecord | null;
  fulfilment?: FulfilmentRecord | null;
  lastPaymentError?: LastPaymentError | null;
  _id: Types.ObjectId;
  createdAt: Date;
  updatedAt: Date;
};
export const OrderModel = model('Order', orderSchema);

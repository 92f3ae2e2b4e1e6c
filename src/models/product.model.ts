import { Schema, model, type InferSchemaType } from 'mongoose';

const productSchema = new Schema(
  {
    name: { type: String, required: true, trim: true },
    description: { type: String, required: true },
    /** Integer ISO 4217 minor units of `currency` (25.99 USD is 2599). */
    priceMinor: {
      type: Number,
      required: true,
      validate: { validator: Number.isSafeInteger, message: 'must be an integer' },
    },
    currency: { type: String, required: true, uppercase: true },
    /** The price in thousandths of the major unit: orders products of any currency as their prices read. */
    priceSortKey: { type: Number, required: true },
    /** Units available to order now; orders take them with conditional decrements. */
    stock: {
      type: Number,
      required: true,
      min: 0,
      validate: { validator: Number.isSafeInteger, message: 'must be an integer' },
    },
    /**
     * Orders holding units of this product right now. The conditional decrement that reserves stock pushes
     * the order's id in the same atomic update, and release/commit pull it: each happens at most once
     * per order and product, so a retry or a crash between steps can never take or give back stock twice.
     */
    reservedFor: { type: [Schema.Types.ObjectId], default: [] },
    /**
     * Refunded orders whose units were put back on sale: the increment and the id go in one atomic update
     * guarded by the id's absence, so a repeated, concurrent or resumed restock adds the units once. Kept
     * (an id per restocked order): removing it could let a late repeat add the units again.
     */
    restockedFor: { type: [Schema.Types.ObjectId], default: [] },
    archived: { type: Boolean, required: true, default: false },
    archivedAt: { type: Date, default: null },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    /** Set only on demo products, so `npm run seed` can upsert them and stay safe to run twice. */
    seedKey: { type: String },
  },
  { timestamps: true, strict: 'throw' },
);

// One index per list order (and per order within a currency): a page is a bounded index range scan
// from the cursor, whatever its depth. Descending sorts walk the same indexes backwards.
productSchema.index({ archived: 1, createdAt: -1, _id: -1 });
productSchema.index({ archived: 1, priceSortKey: 1, _id: 1 });
productSchema.index({ archived: 1, currency: 1, createdAt: -1, _id: -1 });
productSchema.index({ archived: 1, currency: 1, priceSortKey: 1, _id: 1 });
productSchema.index({ seedKey: 1 }, { unique: true, sparse: true });

export type Product = InferSchemaType<typeof productSchema>;
export const ProductModel = model('Product', productSchema);

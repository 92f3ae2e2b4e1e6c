import { Types } from 'mongoose';
import { ProductModel } from '../models/product.model';
import { pricing } from './catalogue.service';

export interface DemoProduct {
  /** Stable identity of a demo product across runs. */
  key: string;
  name: string;
  description: string;
  price: number;
  currency: string;
  stock: number;
}

/**
 * Upserts the demo products by their key: a second run inserts nothing and leaves what shop activity
 * changed (stock, edits) alone.
 */
export async function seedProducts(products: readonly DemoProduct[]): Promise<{ inserted: number; existing: number }> {
  let inserted = 0;
  for (const product of products) {
    const { key, price, currency, ...rest } = product;
    const result = await ProductModel.updateOne(
      { seedKey: key },
      {
        $setOnInsert: {
          _id: new Types.ObjectId(),
          ...rest,
          ...pricing(price, currency),
          seedKey: key,
          archived: false,
          archivedAt: null,
          createdBy: null,
        },
      },
      { upsert: true, timestamps: true },
    );
    inserted += result.upsertedCount;
  }
  return { inserted, existing: products.length - inserted };
}

import type { Types } from 'mongoose';
import { ProductModel } from '../models/product.model';

export interface StockLine {
  productId: Types.ObjectId;
  quantity: number;
}

/**
 * Stock moves without transactions, one product at a time, each move a single conditional update that
 * also records (or clears) the order's id on the product. That makes every step idempotent:
 * - reserve: takes `quantity` units only if enough are available and this order holds none yet;
 * - release: gives them back only if this order still holds them;
 * - commit:  forgets the hold of a paid order, leaving the units sold.
 * Running any of them again, or after a crash half-way through an order's lines, changes nothing twice.
 */

/** Reserves every line or none: on the first line that cannot be had, the lines taken are given back. */
export async function reserveLines(orderId: Types.ObjectId, lines: readonly StockLine[]): Promise<{ ok: true } | { ok: false; short: StockLine }> {
  for (const line of lines) {
    const taken = await ProductModel.updateOne(
      { _id: line.productId, archived: false, stock: { $gte: line.quantity }, reservedFor: { $ne: orderId } },
      { $inc: { stock: -line.quantity }, $push: { reservedFor: orderId } },
    );
    if (taken.modifiedCount === 0) {
      await releaseLines(orderId, lines);
      return { ok: false, short: line };
    }
  }
  return { ok: true };
}

export async function releaseLines(orderId: Types.ObjectId, lines: readonly StockLine[]): Promise<void> {
  for (const line of lines) {
    await ProductModel.updateOne({ _id: line.productId, reservedFor: orderId }, { $inc: { stock: line.quantity }, $pull: { reservedFor: orderId } });
  }
}

export async function commitLines(orderId: Types.ObjectId, lines: readonly StockLine[]): Promise<void> {
  for (const line of lines) {
    await ProductModel.updateOne({ _id: line.productId, reservedFor: orderId }, { $pull: { reservedFor: orderId } });
  }
}

import type { Types } from 'mongoose';
import { OrderModel } from '../models/order.model';
import { ProductModel } from '../models/product.model';

export interface StockLine {
  productId: Types.ObjectId;
  quantity: number;
}

/**
 * A line as sold: of its `quantity` units `sold` were sold (all of them, unless a partial capture named fewer
 * shipped), and `backOnSale` of the others go back on sale when the hold becomes a sale.
 */
export interface SoldLine extends StockLine {
  sold?: number;
  backOnSale?: number;
}

/** Why a line could not be had: the product is gone, there is truly not enough, or units are held by creations still running. */
export type Shortage =
  | { reason: 'missing'; productId: Types.ObjectId }
  | { reason: 'short'; productId: Types.ObjectId; requested: number; available: number }
  | { reason: 'busy'; productId: Types.ObjectId; requested: number; available: number; heldByOrdersInProgress: number };

/**
 * Stock moves without transactions, one product at a time, each move a single conditional update that
 * also records (or clears) the order's id on the product. That makes every step idempotent:
 * - reserve: takes `quantity` units only if enough are available and this order holds none yet;
 * - release: gives them back only if this order still holds them;
 * - commit:  forgets the hold of a paid order, leaving the units sold;
 * - restock: puts a refunded order's sold units back on sale only if this order has not done so yet.
 * Running any of them again, or after a crash half-way through an order's lines, changes nothing twice.
 */

/**
 * Reserves every line or none. Lines are taken in one global order (by product id), so two orders never
 * wait on each other in a cycle; a line that cannot be had right now because units are held by other
 * orders still being created (which may give them back) is retried until `waitMs` has passed. So a
 * refusal means there is truly not enough ('short'), or, after the wait, that it is still undecided ('busy').
 * On a refusal the lines taken are given back.
 */
export async function reserveLines(
  orderId: Types.ObjectId,
  lines: readonly StockLine[],
  options: { waitMs: number },
): Promise<{ ok: true } | { ok: false; shortage: Shortage }> {
  const ordered = [...lines].sort((a, b) => a.productId.toHexString().localeCompare(b.productId.toHexString()));
  const deadline = Date.now() + options.waitMs;
  for (const line of ordered) {
    const shortage = await reserveLine(orderId, line, deadline);
    if (shortage) {
      await releaseLines(orderId, ordered);
      return { ok: false, shortage };
    }
  }
  return { ok: true };
}

async function reserveLine(orderId: Types.ObjectId, line: StockLine, deadline: number): Promise<Shortage | undefined> {
  for (let attempt = 0; ; attempt += 1) {
    const taken = await ProductModel.updateOne(
      { _id: line.productId, archived: false, stock: { $gte: line.quantity }, reservedFor: { $ne: orderId } },
      { $inc: { stock: -line.quantity }, $push: { reservedFor: orderId } },
    );
    if (taken.modifiedCount === 1) return undefined;
    // One read, so the figures reported are the ones the decision was made on.
    const product = await ProductModel.findById(line.productId).select('stock archived reservedFor').lean();
    if (!product || product.archived) return { reason: 'missing', productId: line.productId };
    if (product.reservedFor.some((holder) => holder.equals(orderId))) return undefined; // taken by an earlier attempt
    if (product.stock < line.quantity) {
      const heldByOrdersInProgress = await unitsHeldByOrdersInProgress(line.productId, product.reservedFor, orderId);
      const figures = { productId: line.productId, requested: line.quantity, available: product.stock };
      if (product.stock + heldByOrdersInProgress < line.quantity) return { reason: 'short', ...figures };
      if (Date.now() >= deadline) return { reason: 'busy', ...figures, heldByOrdersInProgress };
      await sleep(Math.min(250, 20 * 2 ** attempt) * (0.5 + Math.random()));
    } else if (Date.now() >= deadline) {
      // Units came back between the update and the read, again and again: give up like any other wait.
      return {
        reason: 'busy',
        productId: line.productId,
        requested: line.quantity,
        available: product.stock,
        heldByOrdersInProgress: 0,
      };
    }
  }
}

/**
 * Units of this product held by orders that are still being created (not placed): they either become a
 * placed order (and keep the units) or fail and give them back within moments, so they are not yet a
 * final "no". Placed, unpaid orders hold theirs until paid or canceled and count as taken.
 */
async function unitsHeldByOrdersInProgress(
  productId: Types.ObjectId,
  holders: readonly Types.ObjectId[],
  orderId: Types.ObjectId,
): Promise<number> {
  const holding = new Set(holders.map((id) => id.toHexString()));
  holding.delete(orderId.toHexString());
  if (holding.size === 0) return 0;
  const creating = await OrderModel.find({ placedAt: null, 'items.productId': productId }).select('items').lean();
  return creating
    .filter((order) => holding.has(order._id.toHexString()))
    .flatMap((order) => order.items)
    .filter((item) => item.productId.equals(productId))
    .reduce((sum, item) => sum + item.quantity, 0);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function releaseLines(orderId: Types.ObjectId, lines: readonly StockLine[]): Promise<void> {
  for (const line of lines) {
    await ProductModel.updateOne(
      { _id: line.productId, reservedFor: orderId },
      { $inc: { stock: line.quantity }, $pull: { reservedFor: orderId } },
    );
  }
}

/** The hold becomes a sale; units not shipped that go back on sale do so in the same update, so once. */
export async function commitLines(orderId: Types.ObjectId, lines: readonly SoldLine[]): Promise<void> {
  for (const line of lines) {
    const backOnSale = line.backOnSale ?? 0;
    await ProductModel.updateOne(
      { _id: line.productId, reservedFor: orderId },
      { $pull: { reservedFor: orderId }, ...(backOnSale > 0 && { $inc: { stock: backOnSale } }) },
    );
  }
}

/** Units of a refunded order back on sale, each product once per order (see Product.restockedFor): only the units sold. */
export async function restockLines(orderId: Types.ObjectId, lines: readonly SoldLine[]): Promise<void> {
  for (const line of lines) {
    const sold = line.sold ?? line.quantity;
    if (sold <= 0) continue;
    await ProductModel.updateOne(
      { _id: line.productId, restockedFor: { $ne: orderId } },
      { $inc: { stock: sold }, $push: { restockedFor: orderId } },
    );
  }
}

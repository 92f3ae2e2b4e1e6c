import { Types, type QueryFilter } from 'mongoose';
import { Conflict, NotFound, ValidationError } from '../lib/errors';
import { cutPage, pageFilter, sortFor, type KeysetOrder } from '../lib/keyset';
import { isoTimestamp } from '../lib/iso-time';
import {
  comparableAmount,
  comparableFromDecimal,
  fromMinorUnits,
  MoneyError,
  priceProblem,
  toMinorUnits,
} from '../lib/money';
import { escapeRegex } from '../lib/regex';
import { ProductModel, type Product } from '../models/product.model';
import type {
  CreateProductInput,
  ListProductsQuery,
  ProductView,
  UpdateProductInput,
} from '../schemas/product.schemas';

export type { ProductView };

type ProductRow = Product & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date };

/** The list's sort orders, each backed by an index on (archived, [currency,] field, _id). */
export const PRODUCT_ORDERS: Record<ListProductsQuery['sort'], KeysetOrder> = {
  newest: { name: 'newest', field: 'createdAt', direction: -1, kind: 'date' },
  price_asc: { name: 'price_asc', field: 'priceSortKey', direction: 1, kind: 'number' },
  price_desc: { name: 'price_desc', field: 'priceSortKey', direction: -1, kind: 'number' },
};

/** What a product view shows, plus the price sort key that next-page cursors carry. Nothing else is read. */
const VIEW_FIELDS = {
  name: 1,
  description: 1,
  priceMinor: 1,
  currency: 1,
  stock: 1,
  priceSortKey: 1,
  createdAt: 1,
  updatedAt: 1,
} as const;

export function toProductView(row: ProductRow): ProductView {
  return {
    id: row._id.toHexString(),
    name: row.name,
    description: row.description,
    price: fromMinorUnits(row.priceMinor, row.currency),
    currency: row.currency,
    stock: row.stock,
    createdAt: isoTimestamp(row.createdAt),
    updatedAt: isoTimestamp(row.updatedAt),
  };
}

/** Price fields for a decimal price in a currency, or a 400 naming `price` when it cannot be charged. */
export function pricing(price: number, currency: string) {
  let priceMinor: number;
  try {
    priceMinor = toMinorUnits(price, currency);
  } catch (error) {
    if (error instanceof MoneyError)
      throw new ValidationError('Invalid price', [{ path: 'price', message: `${error.message} for ${currency}` }]);
    throw error;
  }
  const problem = priceProblem(priceMinor, currency);
  if (problem) throw new ValidationError('Invalid price', [{ path: 'price', message: problem }]);
  return { priceMinor, currency, priceSortKey: comparableAmount(priceMinor, currency) };
}

function comparableBound(amount: number, path: string): number {
  try {
    return comparableFromDecimal(amount);
  } catch (error) {
    if (error instanceof MoneyError) throw new ValidationError('Invalid query', [{ path, message: error.message }]);
    throw error;
  }
}

export function createCatalogueService(clock: () => Date = () => new Date()) {
  async function createProduct(input: CreateProductInput, createdBy: string): Promise<ProductView> {
    const created = await ProductModel.create({
      name: input.name,
      description: input.description,
      stock: input.stock,
      ...pricing(input.price, input.currency),
      createdBy: new Types.ObjectId(createdBy),
    });
    return toProductView(created.toObject());
  }

  async function listProducts(query: ListProductsQuery) {
    const { limit, cursor, sort, ...filters } = query;
    const order = PRODUCT_ORDERS[sort];
    const where: QueryFilter<Product> = { archived: false };
    if (filters.currency) where.currency = filters.currency;
    if (filters.inStock !== undefined) where.stock = filters.inStock ? { $gt: 0 } : 0;
    if (filters.q) where.name = { $regex: escapeRegex(filters.q), $options: 'i' };
    if (filters.minPrice !== undefined || filters.maxPrice !== undefined) {
      where.priceSortKey = {
        ...(filters.minPrice !== undefined && { $gte: comparableBound(filters.minPrice, 'minPrice') }),
        ...(filters.maxPrice !== undefined && { $lte: comparableBound(filters.maxPrice, 'maxPrice') }),
      };
    }
    // The busiest public read: straight from the model's collection (the filter is built here from validated
    // input, already in the stored types), only the fields the view and the cursor need.
    const rows = (await ProductModel.collection
      .find(pageFilter(order, filters, where, cursor) as Record<string, unknown>, {
        projection: VIEW_FIELDS,
        sort: sortFor(order),
        limit: limit + 1,
      })
      .toArray()) as unknown as ProductRow[];
    const { page, nextCursor } = cutPage(order, filters, rows, limit);
    return { products: page.map(toProductView), nextCursor };
  }

  async function getProduct(id: string): Promise<ProductView> {
    const row = (await ProductModel.findOne({ _id: id, archived: false })
      .select(VIEW_FIELDS)
      .lean()) as ProductRow | null;
    if (!row) throw new NotFound('Product not found', 'PRODUCT_NOT_FOUND');
    return toProductView(row);
  }

  async function updateProduct(id: string, changes: UpdateProductInput): Promise<ProductView> {
    const current = await ProductModel.findOne({ _id: id, archived: false })
      .select({ priceMinor: 1, currency: 1 })
      .lean();
    if (!current) throw new NotFound('Product not found', 'PRODUCT_NOT_FOUND');
    const set: Partial<Product> = {};
    if (changes.name !== undefined) set.name = changes.name;
    if (changes.description !== undefined) set.description = changes.description;
    if (changes.stock !== undefined) set.stock = changes.stock;
    const guard: QueryFilter<Product> = { _id: id, archived: false };
    if (changes.price !== undefined || changes.currency !== undefined) {
      // A new currency alone keeps the price as shown (25.99), which must then fit the new currency.
      const price = changes.price ?? fromMinorUnits(current.priceMinor, current.currency);
      Object.assign(set, pricing(price, changes.currency ?? current.currency));
      // Price and currency were read together; only write them over the pair that was read.
      Object.assign(guard, { priceMinor: current.priceMinor, currency: current.currency });
    }
    const updated = await ProductModel.updateOne(guard, { $set: set });
    if (updated.matchedCount === 0) {
      await getProduct(id); // 404 when it was archived meanwhile
      throw new Conflict('The product changed while updating it; read it again and retry', 'CONCURRENT_UPDATE');
    }
    return getProduct(id);
  }

  async function archiveProduct(id: string): Promise<void> {
    const result = await ProductModel.updateOne(
      { _id: id, archived: false },
      { $set: { archived: true, archivedAt: clock() } },
    );
    if (result.matchedCount === 0) throw new NotFound('Product not found', 'PRODUCT_NOT_FOUND');
  }

  return { createProduct, listProducts, getProduct, updateProduct, archiveProduct };
}

export type CatalogueService = ReturnType<typeof createCatalogueService>;

import { z } from 'zod';
import { currencyCode, idParams, idString, pageCursor, pageLimit, pagination, timestamp } from './common.schemas';

// Decimal price as the assignment shows it (25.99). Digits per currency and Stripe's limits are
// checked by the catalogue service, which knows the product's currency.
const price = z.number('Must be a number').positive('Must be greater than zero');
const stock = z.number('Must be a number').int('Must be a whole number').min(0).max(1_000_000);
const name = z.string().trim().min(1, 'Is required').max(200);
// Stored exactly as sent; only refused when blank.
const description = z
  .string()
  .max(5000)
  .refine((text) => text.trim().length > 0, 'Is required');

// z.object drops unknown and server-owned keys (_id, __v, createdBy, archived...): they never reach the database.
export const createProductRequest = {
  body: z.object({ name, description, price, currency: currencyCode, stock }),
};

export const updateProductRequest = {
  params: idParams,
  body: z
    .object({ name, description, price, currency: currencyCode, stock })
    .partial()
    .refine((changes) => Object.values(changes).some((value) => value !== undefined), 'Send at least one field to change'),
};

export const productIdRequest = { params: idParams };

const decimal = z
  .string()
  .regex(/^\d+(\.\d+)?$/, 'Must be a non-negative decimal number')
  .transform(Number);

export const PRODUCT_SORTS = ['newest', 'price_asc', 'price_desc'] as const;

// Strict: a mistyped or operator-looking parameter (price[$gt]) is a 400, never silently ignored.
// A repeated parameter arrives as an array and fails its string schema.
export const listProductsRequest = {
  query: z
    .object({
      limit: pageLimit,
      cursor: pageCursor,
      q: z.string().trim().min(1).max(100).optional(),
      minPrice: decimal.optional(),
      maxPrice: decimal.optional(),
      currency: currencyCode.optional(),
      inStock: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
      sort: z.enum(PRODUCT_SORTS).default('newest'),
    })
    .strict()
    .refine((q) => q.minPrice === undefined || q.maxPrice === undefined || q.minPrice <= q.maxPrice, {
      message: 'minPrice must not be greater than maxPrice',
      path: ['minPrice'],
    }),
};

export type CreateProductInput = z.output<typeof createProductRequest.body>;
export type UpdateProductInput = z.output<typeof updateProductRequest.body>;
export type ListProductsQuery = z.output<typeof listProductsRequest.query>;

// ---- Responses ----

export const productView = z
  .object({
    id: idString,
    name: z.string().meta({ example: 'Wireless Mouse' }),
    description: z.string().meta({ example: 'A high-precision wireless mouse.' }),
    price: z.number().meta({ description: 'In major units of `currency`, exact to its decimals', example: 25.99 }),
    currency: z.string().regex(/^[A-Z]{3}$/).meta({ example: 'USD' }),
    stock: z.number().int().min(0).meta({ description: 'Units that can be ordered now (units held by unpaid orders are not in it)', example: 100 }),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Product' });
export type ProductView = z.output<typeof productView>;

export const productCreatedResponse = z.object({ message: z.literal('Product created'), data: productView });
export const productListResponse = z.object({ message: z.literal('Product list'), data: z.array(productView), pagination });
export const productDetailsResponse = z.object({ message: z.literal('Product details'), data: productView });
export const productUpdatedResponse = z.object({ message: z.literal('Product updated'), data: productView });
export const productArchivedResponse = z.object({ message: z.literal('Product archived') });

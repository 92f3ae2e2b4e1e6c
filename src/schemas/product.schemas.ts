import { z } from 'zod';
import {
  boundedText,
  currencyCode,
  idParams,
  idString,
  pageCursor,
  pageLimit,
  pagination,
  requiredOr,
  timestamp,
  wholeNumber,
} from './common.schemas';

// Decimal price as the assignment shows it (25.99). Digits per currency and Stripe's limits are
// checked by the catalogue service, which knows the product's currency.
const PRICE_MESSAGE = 'Must be a number greater than 0';
const price = z.number({ error: requiredOr(PRICE_MESSAGE) }).positive(PRICE_MESSAGE);
export const PRODUCT_MAX_STOCK = 1_000_000;
const stock = wholeNumber(0, PRODUCT_MAX_STOCK);
const name = boundedText(1, 200);
// Stored exactly as sent; only refused when blank.
const DESCRIPTION_MESSAGE = 'Must be text of 1 to 5000 characters, not only spaces';
const description = z
  .string({ error: requiredOr(DESCRIPTION_MESSAGE) })
  .max(5000, { error: DESCRIPTION_MESSAGE, abort: true })
  .refine((text) => text.trim().length > 0, DESCRIPTION_MESSAGE);

// z.object drops unknown and server-owned keys (_id, __v, createdBy, archived...): they never reach the database.
export const createProductRequest = {
  body: z.object({ name, description, price, currency: currencyCode, stock }),
};

export const updateProductRequest = {
  params: idParams,
  body: z
    .object({ name, description, price, currency: currencyCode, stock })
    .partial()
    .refine(
      (changes) => Object.values(changes).some((value) => value !== undefined),
      'Send at least one field to change',
    ),
};

export const productIdRequest = { params: idParams };

const DECIMAL_MESSAGE = 'Must be a non-negative decimal number such as 25.99';
const decimal = z
  .string(DECIMAL_MESSAGE)
  .regex(/^\d+(\.\d+)?$/, DECIMAL_MESSAGE)
  .transform(Number);

export const PRODUCT_SORTS = ['newest', 'price_asc', 'price_desc'] as const;

// Strict: a mistyped or operator-looking parameter (price[$gt]) is a 400, never silently ignored.
// A repeated parameter arrives as an array and fails its string schema.
export const listProductsRequest = {
  query: z
    .object({
      limit: pageLimit,
      cursor: pageCursor,
      q: boundedText(1, 100).optional(),
      minPrice: decimal.optional(),
      maxPrice: decimal.optional(),
      currency: currencyCode.optional(),
      inStock: z
        .enum(['true', 'false'], 'Must be true or false')
        .transform((v) => v === 'true')
        .optional(),
      sort: z.enum(PRODUCT_SORTS, `Must be one of ${PRODUCT_SORTS.join(', ')}`).default('newest'),
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
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .meta({ example: 'USD' }),
    stock: z
      .number()
      .int()
      .min(0)
      .meta({ description: 'Units that can be ordered now (units held by unpaid orders are not in it)', example: 100 }),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Product' });
export type ProductView = z.output<typeof productView>;

export const productCreatedResponse = z.object({ message: z.literal('Product created'), data: productView });
export const productListResponse = z.object({
  message: z.literal('Product list'),
  data: z.array(productView),
  pagination,
});
export const productDetailsResponse = z.object({ message: z.literal('Product details'), data: productView });
export const productUpdatedResponse = z.object({ message: z.literal('Product updated'), data: productView });
export const productArchivedResponse = z.object({ message: z.literal('Product archived') });

import { z } from 'zod';
import {
  createProductRequest,
  listProductsRequest,
  productArchivedResponse,
  productCreatedResponse,
  productDetailsResponse,
  productIdRequest,
  productListResponse,
  productUpdatedResponse,
  updateProductRequest,
} from '../schemas/product.schemas';
import { exampleProduct } from '../openapi/examples';
import type { ApiOperation } from './operation';

const location = z.object({
  Location: z.string().meta({ description: 'The new resource', example: `/api/products/${exampleProduct.id}` }),
});

export const productRoutes: ApiOperation[] = [
  {
    method: 'post',
    path: '/api/products',
    operationId: 'createProduct',
    handler: (c) => c.products.create,
    tag: 'Products',
    summary: 'Create a product (admin)',
    description:
      "Prices are exact: at most the currency's decimals (25.999 USD and 500.5 JPY are refused, never rounded) and chargeable by Stripe " +
      '(at most eight digits in its units). Unknown and server-owned fields are dropped.',
    access: 'admin',
    // A product is public: the admin's answers carry nothing a cache must not keep.
    private: false,
    request: createProductRequest,
    requestExample: {
      name: 'Wireless Mouse',
      description: 'A high-precision wireless mouse.',
      price: 25.99,
      currency: 'USD',
      stock: 100,
    },
    responses: {
      201: {
        description: 'Created',
        schema: productCreatedResponse,
        headers: location,
        example: { message: 'Product created', data: exampleProduct },
        links: {
          GetProduct: { operationId: 'getProduct', parameters: { id: '$response.body#/data/id' } },
          UpdateProduct: { operationId: 'updateProduct', parameters: { id: '$response.body#/data/id' } },
          ArchiveProduct: { operationId: 'archiveProduct', parameters: { id: '$response.body#/data/id' } },
        },
      },
    },
  },
  {
    method: 'get',
    path: '/api/products',
    operationId: 'listProducts',
    handler: (c) => c.products.list,
    tag: 'Products',
    summary: 'List products (keyset pages)',
    description:
      'Public. Newest first by default; follow `pagination.nextCursor` for the next page (same filters and sort). `q` matches names ' +
      'literally, case-insensitive. Price bounds and sorts compare prices as they read across currencies. Unknown or repeated ' +
      'parameters and operators (`price[$gt]`) are a 400.',
    access: 'public',
    request: listProductsRequest,
    parameterDescriptions: {
      limit: 'Page size, 1-100 (default 20)',
      cursor: "The previous page's pagination.nextCursor, with the same filters and sort",
      q: 'Name contains this text (case-insensitive, matched literally)',
      minPrice: 'Lowest price as it reads (25.99), inclusive',
      maxPrice: 'Highest price as it reads, inclusive; not below minPrice',
      currency: 'Only products in this currency',
      inStock: '`true`: in stock; `false`: sold out',
      sort: '`newest` (default), `price_asc` or `price_desc`',
    },
    errors: ['INVALID_CURSOR'],
    responses: {
      200: {
        description: 'One page',
        schema: productListResponse,
        example: { message: 'Product list', data: [exampleProduct], pagination: { limit: 20, nextCursor: null } },
      },
    },
  },
  {
    method: 'get',
    path: '/api/products/{id}',
    operationId: 'getProduct',
    handler: (c) => c.products.get,
    tag: 'Products',
    summary: 'Read a product',
    description: 'Public. An archived product is a 404.',
    access: 'public',
    request: productIdRequest,
    parameterDescriptions: { id: "The product's id" },
    errors: ['PRODUCT_NOT_FOUND'],
    responses: {
      200: {
        description: 'The product',
        schema: productDetailsResponse,
        example: { message: 'Product details', data: exampleProduct },
      },
    },
  },
  {
    method: 'patch',
    path: '/api/products/{id}',
    operationId: 'updateProduct',
    handler: (c) => c.products.update,
    tag: 'Products',
    summary: 'Change a product (admin)',
    description:
      'Any subset of the create fields, same rules. Changing only the currency keeps the shown price, which must fit the new currency. `stock` sets the units that can be ordered now.',
    access: 'admin',
    private: false,
    request: updateProductRequest,
    parameterDescriptions: { id: "The product's id" },
    requestExample: { price: 19.99, stock: 80 },
    errors: ['PRODUCT_NOT_FOUND', 'CONCURRENT_UPDATE'],
    responses: {
      200: {
        description: 'Updated',
        schema: productUpdatedResponse,
        example: { message: 'Product updated', data: { ...exampleProduct, price: 19.99, stock: 80 } },
      },
    },
  },
  {
    method: 'delete',
    path: '/api/products/{id}',
    operationId: 'archiveProduct',
    handler: (c) => c.products.archive,
    tag: 'Products',
    summary: 'Archive a product (admin)',
    description:
      'A soft delete: the product leaves the list and details and cannot be ordered; past orders keep their own copy of the line.',
    access: 'admin',
    private: false,
    request: productIdRequest,
    parameterDescriptions: { id: "The product's id" },
    errors: ['PRODUCT_NOT_FOUND'],
    responses: {
      200: { description: 'Archived', schema: productArchivedResponse, example: { message: 'Product archived' } },
    },
  },
];

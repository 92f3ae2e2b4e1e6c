import type { Request, Response } from 'express';
import type { z } from 'zod';
import { currentUser } from '../middleware/authenticate';
import { parsedRequest } from '../middleware/validate';
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
import type { CatalogueService } from '../services/catalogue.service';

export function createProductController(catalogue: CatalogueService) {
  return {
    create: async (_req: Request, res: Response) => {
      const { body } = parsedRequest(res, createProductRequest);
      const product = await catalogue.createProduct(body, currentUser(res).id);
      res
        .status(201)
        .location(`/api/products/${product.id}`)
        .json({ message: 'Product created', data: product } satisfies z.infer<typeof productCreatedResponse>);
    },

    list: async (_req: Request, res: Response) => {
      const { query } = parsedRequest(res, listProductsRequest);
      const page = await catalogue.listProducts(query);
      res.json({
        message: 'Product list',
        data: page.products,
        pagination: { limit: query.limit, nextCursor: page.nextCursor },
      } satisfies z.infer<typeof productListResponse>);
    },

    get: async (_req: Request, res: Response) => {
      const { params } = parsedRequest(res, productIdRequest);
      res.json({ message: 'Product details', data: await catalogue.getProduct(params.id) } satisfies z.infer<
        typeof productDetailsResponse
      >);
    },

    update: async (_req: Request, res: Response) => {
      const { params, body } = parsedRequest(res, updateProductRequest);
      res.json({ message: 'Product updated', data: await catalogue.updateProduct(params.id, body) } satisfies z.infer<
        typeof productUpdatedResponse
      >);
    },

    archive: async (_req: Request, res: Response) => {
      const { params } = parsedRequest(res, productIdRequest);
      await catalogue.archiveProduct(params.id);
      res.json({ message: 'Product archived' } satisfies z.infer<typeof productArchivedResponse>);
    },
  };
}

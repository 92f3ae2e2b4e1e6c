import { Router, type RequestHandler } from 'express';
import { createProductController } from '../controllers/product.controller';
import { requireRole } from '../middleware/authenticate';
import { validate } from '../middleware/validate';
import { createProductRequest, listProductsRequest, productIdRequest, updateProductRequest } from '../schemas/product.schemas';
import type { CatalogueService } from '../services/catalogue.service';

/**
 * Reading the catalogue is public; changing it takes an admin (checked before the body is read). Full paths:
 * the app enters this router at the root, only for paths under /api/products (see onlyUnder).
 */
export function productRoutes(catalogue: CatalogueService, authenticate: RequestHandler) {
  const controller = createProductController(catalogue);
  const admin = [authenticate, requireRole('admin')];
  const router = Router();
  router.get('/api/products', validate(listProductsRequest), controller.list);
  router.post('/api/products', ...admin, validate(createProductRequest), controller.create);
  router.get('/api/products/:id', validate(productIdRequest), controller.get);
  router.patch('/api/products/:id', ...admin, validate(updateProductRequest), controller.update);
  router.delete('/api/products/:id', ...admin, validate(productIdRequest), controller.archive);
  return router;
}

import { Router, type RequestHandler } from 'express';
import { createProductController } from '../controllers/product.controller';
import { requireRole } from '../middleware/authenticate';
import { validate } from '../middleware/validate';
import { createProductRequest, listProductsRequest, productIdRequest, updateProductRequest } from '../schemas/product.schemas';
import type { CatalogueService } from '../services/catalogue.service';

/** Reading the catalogue is public; changing it takes an admin (checked before the body is read). */
export function productRoutes(catalogue: CatalogueService, authenticate: RequestHandler) {
  const controller = createProductController(catalogue);
  const admin = [authenticate, requireRole('admin')];
  const router = Router();
  router.get('/', validate(listProductsRequest), controller.list);
  router.post('/', ...admin, validate(createProductRequest), controller.create);
  router.get('/:id', validate(productIdRequest), controller.get);
  router.patch('/:id', ...admin, validate(updateProductRequest), controller.update);
  router.delete('/:id', ...admin, validate(productIdRequest), controller.archive);
  return router;
}

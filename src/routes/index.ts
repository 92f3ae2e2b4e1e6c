import { accountRoutes } from './account';
import { adminRoutes } from './admin';
import { authRoutes } from './auth';
import { isDocumented, type ApiOperation, type RouteEntry } from './operation';
import { orderRoutes } from './orders';
import { paymentMethodRoutes } from './payment-methods';
import { productRoutes } from './products';
import { shopRoutes } from './shop';
import { systemRoutes } from './system';

/**
 * The route table: every method and path the app serves, each declared once, with its handler, access rule
 * and traits. The app derives its routing from it (router.ts) and the API document from its operations
 * (openapi/document.ts). Adding an endpoint is one entry here, its controller method and its service.
 */
export const routeTable: readonly RouteEntry[] = [
  ...systemRoutes,
  ...shopRoutes,
  ...authRoutes,
  ...accountRoutes,
  ...productRoutes,
  ...orderRoutes,
  ...paymentMethodRoutes,
  ...adminRoutes,
];

/** The entries the API document shows (all but the docs page's own files). */
export const apiOperations: readonly ApiOperation[] = routeTable.filter(isDocumented);

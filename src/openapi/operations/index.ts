import type { ApiOperation } from '../operation';
import { accountOperations } from './account';
import { adminOperations } from './admin';
import { authOperations } from './auth';
import { orderOperations } from './orders';
import { productOperations } from './products';
import { systemOperations } from './system';

/**
 * Every route the app serves, as the API document shows it. A route added to the app fails
 * tests/integration/openapi.test.ts until it is declared here (or in one of these lists).
 */
export const apiOperations: ApiOperation[] = [
  ...systemOperations,
  ...authOperations,
  ...accountOperations,
  ...productOperations,
  ...orderOperations,
  ...adminOperations,
];

import type { Services } from '../compose';
import { createAccountController } from './account.controller';
import { createAdminController } from './admin.controller';
import { createAuthController } from './auth.controller';
import { createFulfilmentController } from './fulfilment.controller';
import { createOrderController, createWebhookController } from './order.controller';
import { createProductController } from './product.controller';
import { createRefundController } from './refund.controller';
import { createSavedCardController } from './saved-cards.controller';
import { createShopConfigController } from './shop-config.controller';
import { createSystemController, type SystemDeps } from './system.controller';

/**
 * Every controller of the app, over the services of the composition root. The route table names its
 * handlers from this object (`handler: (c) => c.orders.create`), so it is the one list of what answers.
 */
export function createControllers(services: Services, system: SystemDeps) {
  return {
    auth: createAuthController(services.auth),
    accounts: createAccountController(services.accounts),
    products: createProductController(services.catalogue),
    orders: createOrderController(services.orders, services.orderPayments),
    cards: createSavedCardController(services.cards),
    refunds: createRefundController(services.refunds),
    fulfilment: createFulfilmentController(services.fulfilment),
    webhooks: createWebhookController(services.paymentEvents),
    admin: createAdminController(services.adminOrders, services.adminUsers),
    shopConfig: createShopConfigController(services.shopConfig),
    system: createSystemController(system),
  };
}

export type Controllers = ReturnType<typeof createControllers>;

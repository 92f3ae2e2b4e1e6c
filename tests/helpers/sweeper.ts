import type { Config } from '../../src/config/env';
import { silentLogger, type Logger } from '../../src/lib/logger';
import type { ShopMetrics } from '../../src/lib/metrics';
import type { PaymentGateway } from '../../src/payments/gateway';
import { createOrderSweeper } from '../../src/services/order-sweeper.service';
import { createRefundService } from '../../src/services/refund.service';
import { testConfig } from './app';

/** The expiry job as the server builds it (with the refund service it resumes requests through), on the given gateway and clock. */
export function sweeperFor(options: { payments: PaymentGateway; clock: () => Date; config?: Config; logger?: Logger; metrics?: ShopMetrics }) {
  const { payments, clock, metrics } = options;
  const config = options.config ?? testConfig();
  const logger = options.logger ?? silentLogger;
  const refunds = createRefundService({ payments, clock, logger, metrics, settings: config.refunds });
  return createOrderSweeper({ payments, clock, logger, metrics, settings: config.orders, refunds });
}

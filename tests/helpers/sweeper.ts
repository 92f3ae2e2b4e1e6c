import type { Config } from '../../src/config/env';
import { buildServices } from '../../src/compose';
import { silentLogger, type Logger } from '../../src/lib/logger';
import type { Metrics } from '../../src/lib/metrics';
import type { PaymentGateway } from '../../src/payments/gateway';
import { testConfig } from './app';

/** The expiry job as the server builds it (the composition root's, with its refund service), on the given gateway and clock. */
export function sweeperFor(options: {
  payments: PaymentGateway;
  clock: () => Date;
  config?: Config;
  logger?: Logger;
  metrics?: Metrics;
}) {
  const { payments, clock, metrics } = options;
  return buildServices(options.config ?? testConfig(), {
    logger: options.logger ?? silentLogger,
    payments,
    clock,
    metrics,
  }).sweeper;
}

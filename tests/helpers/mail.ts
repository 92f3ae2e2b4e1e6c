import type { Express } from 'express';
import type { AppDeps } from '../../src/app';
import { buildServices, type Services } from '../../src/compose';
import { silentLogger } from '../../src/lib/logger';
import { createMetrics, type Metrics } from '../../src/lib/metrics';
import { createSimulatedGateway } from '../../src/payments/simulated.gateway';
import { buildTestApp, testConfig } from './app';
import { startSmtpServer, type TestSmtpServer } from './smtp';

export interface AppWithMail {
  app: Express;
  smtp: TestSmtpServer;
  mail: Services['mail'];
  /** The services the app runs on (the expiry job among them). */
  services: Services;
  metrics: Metrics;
  close(): Promise<void>;
}

/**
 * The app with the mail of a server process (the composition root's services, their mail worker running) sending
 * over SMTP to a real SMTP server in this process (a new one unless given). MAIL_POLL_INTERVAL_SECONDS is 1 so
 * retries show quickly.
 */
export async function appWithMail(
  options: { env?: Record<string, string>; smtp?: TestSmtpServer; deps?: Partial<AppDeps> } = {},
): Promise<AppWithMail> {
  const smtp = options.smtp ?? (await startSmtpServer());
  const env = {
    SMTP_URL: smtp.url,
    MAIL_POLL_INTERVAL_SECONDS: '1',
    SHOP_NAME: 'Test Shop',
    SHOP_URL: 'https://shop.example.com/',
    ...options.env,
  };
  const config = testConfig(env);
  const logger = options.deps?.logger ?? silentLogger;
  const payments =
    options.deps?.payments ??
    createSimulatedGateway({
      webhookSecret: config.stripe.webhookSecret,
      webhookUrl: () => undefined,
      deliveryDelayMs: 0,
      logger: silentLogger,
    });
  const metrics = createMetrics();
  const services = buildServices(config, { logger, payments, metrics, clock: options.deps?.clock });
  const { mail } = services;
  mail.worker.start();
  const app = buildTestApp({ env, deps: { ...options.deps, metrics, payments, services } });
  return {
    app,
    smtp,
    mail,
    services,
    metrics,
    async close() {
      await mail.worker.stop();
      await smtp.close();
    },
  };
}

/**
 * appWithMail for a whole test file: started before its tests, closed after them. Call it before
 * useTestDatabase(): jest runs afterAll hooks in the order they are declared, and the worker must stop before
 * the database connection closes (a pass waiting on a closed connection holds the run for Mongoose's 10 s).
 */
export function useAppWithMail(options: Parameters<typeof appWithMail>[0] = {}): AppWithMail {
  let shop: AppWithMail | undefined;
  beforeAll(async () => {
    shop = await appWithMail(options);
  });
  afterAll(() => shop?.close());
  const current = () => {
    if (!shop) throw new Error('useAppWithMail: used before its beforeAll ran');
    return shop;
  };
  return {
    get app() {
      return current().app;
    },
    get smtp() {
      return current().smtp;
    },
    get mail() {
      return current().mail;
    },
    get services() {
      return current().services;
    },
    get metrics() {
      return current().metrics;
    },
    close: () => current().close(),
  };
}

import type { Express } from 'express';
import { silentLogger } from '../../src/lib/logger';
import { createMetrics, type Metrics } from '../../src/lib/metrics';
import { createMail } from '../../src/mail';
import type { AppDeps } from '../../src/app';
import { buildTestApp, testConfig } from './app';
import { startSmtpServer, type TestSmtpServer } from './smtp';

export interface AppWithMail {
  app: Express;
  smtp: TestSmtpServer;
  mail: ReturnType<typeof createMail>;
  metrics: Metrics;
  close(): Promise<void>;
}

/**
 * The app with the mail of a server process: its outbox, and a running worker sending over SMTP to a real SMTP
 * server in this process (a new one unless given). MAIL_POLL_INTERVAL_SECONDS is 1 so retries show quickly.
 */
export async function appWithMail(
  options: { env?: Record<string, string>; smtp?: TestSmtpServer; deps?: Partial<AppDeps> } = {},
): Promise<AppWithMail> {
  const smtp = options.smtp ?? (await startSmtpServer());
  const env = { SMTP_URL: smtp.url, MAIL_POLL_INTERVAL_SECONDS: '1', SHOP_NAME: 'Test Shop', SHOP_URL: 'https://shop.example.com/', ...options.env };
  const clock = options.deps?.clock ?? (() => new Date());
  const metrics = createMetrics();
  const mail = createMail(testConfig(env), { clock, logger: silentLogger, metrics });
  mail.worker.start();
  const app = buildTestApp({ env, deps: { metrics, ...options.deps, outbox: mail.outbox } });
  return {
    app,
    smtp,
    mail,
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
    get metrics() {
      return current().metrics;
    },
    close: () => current().close(),
  };
}

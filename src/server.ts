import { createServer, type Server } from 'node:http';
import type { Express } from 'express';
import { createApp } from './app';
import { buildServices } from './compose';
import { connectDatabase, DatabaseStartupError, isDatabaseReady, type Database } from './db';
import { ConfigError, loadConfig } from './config/env';
import { answerClientErrors } from './lib/http-client-errors';
import { trackConnections } from './lib/http-drain';
import { createLogger } from './lib/logger';
import { createMetrics } from './lib/metrics';
import { createPaymentGateway } from './payments';

/** Entry point: parse config, connect the database, build the app, listen, shut down cleanly on signals. */
async function main() {
  let loaded;
  try {
    loaded = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const { config, warnings } = loaded;
  const logger = createLogger({ level: config.logLevel, json: config.env === 'production' });
  for (const warning of warnings) logger.warn(warning);

  let database: Database;
  try {
    database = await connectDatabase(config, logger);
  } catch (error) {
    if (error instanceof DatabaseStartupError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  // The simulated gateway delivers its events to this server's own webhook, once it knows its port.
  let ownWebhookUrl: string | undefined;
  const payments = createPaymentGateway(config, { logger, webhookUrl: () => ownWebhookUrl });
  // One registry for the process: the app's requests and the expiry job's cancellations land in the same numbers.
  const metrics = createMetrics({ processMetrics: Boolean(config.metrics.token) });
  const services = buildServices(config, { logger, payments, metrics });

  if (config.admin) {
    const admin = await services.admins.ensure(config.admin, { resetPassword: false });
    logger.info('admin account ready', { email: admin.email });
  }
  // Admin changes to accounts that a crash left decided but half-applied are finished before serving (admin-user.service.ts).
  await services.adminUsers.finishPending();
  if (!config.mail.smtpUrl) {
    logger.warn(
      config.env === 'production'
        ? `SMTP_URL is not set: mail is not sent, only written to ${config.mail.dir}`
        : `SMTP_URL is not set: mail is written to ${config.mail.dir} (and to the log) instead of being sent`,
    );
  }

  const app = createApp({
    config,
    logger,
    payments,
    metrics,
    services,
    isDatabaseReady: async () => database.isAvailable() && (await isDatabaseReady()),
    isDatabaseAvailable: database.isAvailable,
  });
  const { sweeper, mail } = services;
  const server: Server = app.listen(config.port, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    ownWebhookUrl = `http://127.0.0.1:${port}/api/orders/webhook`;
    sweeper.start();
    mail.worker.start();
    logger.info(`listening on http://localhost:${port}`, { env: config.env });
  });
  answerClientErrors(server);
  server.on('error', (error) => {
    logger.error(`cannot listen on port ${config.port}: ${error.message}`);
    process.exit(1);
  });
  server.requestTimeout = config.http.requestTimeoutMs;

  const connections = trackConnections(server);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    logger.info(`${signal} received: draining`);
    const force = setTimeout(() => {
      logger.error('shutdown timed out: exiting');
      process.exit(1);
    }, config.http.shutdownTimeoutMs);
    force.unref();
    // The simulated gateway posts its events to this server, which stops listening first: it gets a
    // loopback-only listener of its own until its pending events are delivered.
    const ownWebhook =
      payments.kind === 'simulated' && !config.simulated.webhookUrl ? await listenOnLoopback(app) : undefined;
    if (ownWebhook) ownWebhookUrl = `${ownWebhook.url}/api/orders/webhook`;
    const drained = connections.drain(config.http.shutdownIdleGraceMs);
    await sweeper.stop();
    await drained;
    // After the requests and the sweeper: the mails they recorded are sent by this worker's last pass or another instance.
    await mail.worker.stop();
    logger.info('connections drained', { ms: Date.now() - started });
    await payments.settle();
    await ownWebhook?.close();
    await database.close();
    logger.info('stopped', { ms: Date.now() - started });
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/** The app on an ephemeral 127.0.0.1 port, for the process's own webhook deliveries during shutdown. */
function listenOnLoopback(app: Express): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(app);
  answerClientErrors(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Fatal start-up error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});

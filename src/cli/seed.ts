import { buildServices } from '../compose';
import { connectDatabase } from '../db';
import { loadConfig } from '../config/env';
import { createLogger } from '../lib/logger';
import { createPaymentGateway } from '../payments';
import { DEMO_CATALOGUE } from './demo-catalogue';

/** npm run seed: loads the demo catalogue into MONGOOSE_CONNECTION_STRING (or the embedded dev database). */
async function main() {
  const { config } = loadConfig();
  const logger = createLogger({ level: 'warn', json: false });
  // The services as the server builds them; seeding takes no payments, so the gateway is never called.
  const services = buildServices(config, {
    logger,
    payments: createPaymentGateway(config, { logger, webhookUrl: () => undefined }),
  });
  const database = await connectDatabase(config, logger);
  try {
    const { inserted, existing } = await services.seed.products(DEMO_CATALOGUE);
    process.stdout.write(`demo catalogue: ${inserted} products added, ${existing} already present\n`);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

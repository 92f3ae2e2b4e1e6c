import { connectDatabase } from '../db';
import { loadConfig } from '../config/env';
import { createLogger } from '../lib/logger';
import { seedProducts } from '../services/seed.service';
import { DEMO_CATALOGUE } from './demo-catalogue';

/** npm run seed: loads the demo catalogue into MONGOOSE_CONNECTION_STRING (or the embedded dev database). */
async function main() {
  const { config } = loadConfig();
  const database = await connectDatabase(config, createLogger({ level: 'warn', json: false }));
  try {
    const { inserted, existing } = await seedProducts(DEMO_CATALOGUE);
    process.stdout.write(`demo catalogue: ${inserted} products added, ${existing} already present\n`);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

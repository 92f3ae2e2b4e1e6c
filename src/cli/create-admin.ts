import { connectDatabase } from '../config/database';
import { ConfigError, loadConfig } from '../config/env';
import { createLogger } from '../lib/logger';
import { passwordProblem } from '../lib/password';
import { ensureAdmin } from '../services/admin.service';

/** npm run create-admin -- <email> <password> [name]: creates or promotes an admin and sets its password. */
async function main() {
  const [email, password, ...nameParts] = process.argv.slice(2);
  if (!email || !password) {
    process.stderr.write('usage: npm run create-admin -- <email> <password> [name]\n');
    process.exit(2);
  }
  const problem = passwordProblem(password);
  if (problem) {
    process.stderr.write(`${problem}\n`);
    process.exit(2);
  }
  const { config } = loadConfig();
  const logger = createLogger({ level: 'warn', json: false });
  const database = await connectDatabase(config, logger);
  try {
    const admin = await ensureAdmin(
      { email, password, name: nameParts.join(' ') || 'Administrator' },
      { bcryptCost: config.bcryptCost, resetPassword: true },
    );
    process.stdout.write(`admin ready: ${admin.email} (${admin.id})\n`);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

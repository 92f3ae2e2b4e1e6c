import { buildServices } from '../compose';
import { connectDatabase } from '../db';
import { ConfigError, loadCliConfig } from '../config/env';
import { createLogger } from '../lib/logger';
import { passwordProblem } from '../lib/password';
import { registerRequest } from '../schemas/auth.schemas';
import { createPaymentGateway } from '../payments';
import { readHiddenLine } from './prompt';

const USAGE = `usage: npm run create-admin -- <email> [--name "Full Name"]
  The password is never taken on the command line (it would land in shell history and in npm's echo):
  it is asked for without echo in a terminal, or read from ADMIN_PASSWORD when there is no terminal.
  The email may also come from ADMIN_EMAIL.`;

class UsageError extends Error {}

function parseArgs(args: string[], fallbackEmail: string | undefined) {
  const positional: string[] = [];
  let name: string | undefined;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (arg === '--name') name = args[(i += 1)];
    else if (arg.startsWith('--name=')) name = arg.slice('--name='.length);
    else if (arg === '--help' || arg === '-h') throw new UsageError('');
    else positional.push(arg);
  }
  if (positional.length > 1)
    throw new UsageError('Too many arguments: the password is not accepted on the command line.');
  const email = registerRequest.body.shape.email.safeParse(positional[0] ?? fallbackEmail ?? '');
  if (!email.success)
    throw new UsageError(
      (positional[0] ?? fallbackEmail) ? 'That is not an email address.' : 'An email address is required.',
    );
  if (name !== undefined && !name.trim()) throw new UsageError('--name needs a value.');
  return { email: email.data, name: name?.trim() || 'Administrator' };
}

async function askPassword(fromEnv: string | undefined): Promise<string> {
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY) throw new UsageError('No terminal to ask for the password in: set ADMIN_PASSWORD.');
  const first = await readHiddenLine('Password: ');
  const problem = passwordProblem(first);
  if (problem) throw new UsageError(problem);
  if ((await readHiddenLine('Repeat the password: ')) !== first) throw new UsageError('The passwords do not match.');
  return first;
}

/** npm run create-admin -- <email>: creates or promotes an admin and sets its password. */
async function main() {
  const { config, adminEmail, adminPassword } = loadCliConfig();
  const { email, name } = parseArgs(process.argv.slice(2), adminEmail);
  const password = await askPassword(adminPassword);
  const problem = passwordProblem(password);
  if (problem) throw new UsageError(problem);
  const logger = createLogger({ level: 'warn', json: false });
  // The services as the server builds them; this command takes no payments, so the gateway is never called.
  const services = buildServices(config, {
    logger,
    payments: createPaymentGateway(config, { logger, webhookUrl: () => undefined }),
  });
  const database = await connectDatabase(config, logger);
  try {
    const admin = await services.admins.ensure({ email, password, name }, { resetPassword: true });
    process.stdout.write(`admin ready: ${admin.email} (${admin.id})\n`);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message ? `${error.message}\n` : ''}${USAGE}\n`);
    process.exit(2);
  }
  process.stderr.write(`${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

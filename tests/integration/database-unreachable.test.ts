import { createServer } from 'node:net';
import { startMongoRefusingAuth } from '../helpers/fake-mongo-refusing-auth';
import { spawnTsScript } from '../helpers/spawn-server';

/**
 * A newcomer's first run against a database that is not there, or that refuses the password: the server,
 * `npm run seed` and `npm run create-admin` each print one line naming the host and what to check, exit 1,
 * show no stack trace, and never print the connection string's user or password. Real processes.
 */

const USER = 'shop_owner';
const PASSWORD = 'Very-Secret-Pw-4711';

const COMMANDS: Array<{ name: string; script: string; args: string[]; env: Record<string, string> }> = [
  { name: 'the server', script: 'src/server.ts', args: [], env: {} },
  { name: 'npm run seed', script: 'src/cli/seed.ts', args: [], env: {} },
  // Without a terminal, create-admin reads the new admin's password from ADMIN_PASSWORD.
  {
    name: 'npm run create-admin',
    script: 'src/cli/create-admin.ts',
    args: ['ops@example.com'],
    env: { ADMIN_PASSWORD: 'ops-password-1' },
  },
];

/** A loopback port that nothing listens on (taken from the OS, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function run({ script, args, env }: (typeof COMMANDS)[number], uri: string) {
  const spawned = spawnTsScript(script, args, {
    NODE_ENV: 'development',
    MONGOOSE_CONNECTION_STRING: uri,
    JWT_SECRET: 'unreachable-secret-long-enough-for-anything-0123456789',
    STRIPE_WEBHOOK_SECRET: 'whsec_unreachable_test',
    BCRYPT_COST: '4',
    MONGO_STARTUP_TIMEOUT_MS: '1500',
    MONGO_SERVER_SELECTION_TIMEOUT_MS: '500',
    ...env,
  });
  let stdout = '';
  let stderr = '';
  spawned.child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  spawned.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await spawned.exited;
  const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');
  return { code, output: spawned.output(), stdout: lines(stdout), stderr: lines(stderr) };
}

function expectNoCredentialsOrStack(output: string) {
  expect(output).not.toContain(PASSWORD);
  expect(output).not.toContain(encodeURIComponent(PASSWORD));
  expect(output).not.toContain(USER);
  expect(output).not.toMatch(/\n\s+at /);
}

describe('start-up when MongoDB cannot be reached', () => {
  it('when nothing listens at the URI (with a user and password in it), then each command exits 1 with one line naming the host and what to check', async () => {
    const port = await closedPort();
    const uri = `mongodb://${USER}:${PASSWORD}@127.0.0.1:${port}/shop?authSource=admin`;

    const runs = await Promise.all(COMMANDS.map((command) => run(command, uri)));

    runs.forEach((result, i) => {
      const context = `${COMMANDS[i]!.name}:\n${result.output}`;
      expect({ context, code: result.code }).toEqual({ context, code: 1 });
      expect(result.stderr).toEqual([
        expect.stringMatching(
          new RegExp(
            `^Cannot reach MongoDB at 127\\.0\\.0\\.1:${port} .*retried for \\d+ s \\(MONGO_STARTUP_TIMEOUT_MS\\)`,
          ),
        ),
      ]);
      expect(result.stderr[0]).toMatch(
        /is mongod running there, is MONGOOSE_CONNECTION_STRING's host and port right, and on Atlas is this machine's IP address on the project's Network Access list\?$/,
      );
      // The wait itself is announced once (not once per retry), without the credentials either.
      expect(result.stdout.filter((line) => /database not reachable yet/.test(line))).toHaveLength(1);
      expectNoCredentialsOrStack(result.output);
    });
  }, 60_000);

  it('when MongoDB refuses the user name or password, then each command exits 1 at once with one line saying so, without them', async () => {
    const fake = await startMongoRefusingAuth();
    const uri = `mongodb://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${fake.port}/shop`;
    try {
      const runs = await Promise.all(COMMANDS.map((command) => run(command, uri)));

      runs.forEach((result, i) => {
        const context = `${COMMANDS[i]!.name}:\n${result.output}`;
        expect({ context, code: result.code }).toEqual({ context, code: 1 });
        expect(result.stderr).toEqual([
          `MongoDB at 127.0.0.1:${fake.port} refused the user name or password in MONGOOSE_CONNECTION_STRING (Authentication failed.): check both (special characters percent-encoded) and authSource; on Atlas they are a database user's (Database Access), not your Atlas login`,
        ]);
        expect(result.stdout.filter((line) => /not reachable/.test(line))).toEqual([]);
        expectNoCredentialsOrStack(result.output);
      });
    } finally {
      await fake.close();
    }
  }, 60_000);
});

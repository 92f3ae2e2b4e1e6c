import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { verifyPassword } from '../../src/lib/password';
import { UserModel } from '../../src/models/user.model';
import { testDatabaseUri, useTestDatabase } from '../helpers/db';
import { spawnTsScript } from '../helpers/spawn-server';

useTestDatabase();

const PASSWORD = 'ops-password-1';
const databaseEnv = () => ({ MONGOOSE_CONNECTION_STRING: testDatabaseUri(mongoose.connection.name), BCRYPT_COST: '4' });

async function expectAdmin(email: string, password: string, name?: string) {
  const admin = await UserModel.findOne({ email }).select('+passwordHash');
  expect(admin?.role).toBe('admin');
  if (name) expect(admin?.name).toBe(name);
  expect(await verifyPassword(password, admin!.passwordHash)).toBe(true);
  expect(await UserModel.countDocuments({ email })).toBe(1);
}

/**
 * Runs create-admin in a real pseudo-terminal (util-linux `script`), so stdin is a TTY as when a person
 * types: `answers` are typed one after another, each once the output shows its prompt.
 */
async function runInTerminal(args: string[], answers: Array<{ after: RegExp; type: string }>) {
  const root = path.resolve(__dirname, '../..');
  const command = [
    process.execPath,
    '-r',
    require.resolve('ts-node/register/transpile-only'),
    path.join(root, 'src/cli/create-admin.ts'),
    ...args,
  ]
    .map((part) => `'${part.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: mkdtempSync(path.join(tmpdir(), 'create-admin-')),
    env: { PATH: process.env.PATH ?? '', TS_NODE_PROJECT: path.join(root, 'tsconfig.json'), ...databaseEnv() },
    stdio: 'pipe',
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let seen = 0;
  for (const { after, type } of answers) {
    const started = Date.now();
    while (!after.test(output.slice(seen))) {
      if (Date.now() - started > 20_000) throw new Error(`no prompt ${after} in:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    seen = output.length;
    child.stdin.write(type);
  }
  return { code: await exited, output };
}

describe('npm run create-admin', () => {
  it('when run in a terminal, then it asks for the password twice without echoing it and sets a working password', async () => {
    await UserModel.create({ name: 'Existing', email: 'ops@example.com', passwordHash: 'not-a-hash', role: 'user' });

    const run = await runInTerminal(
      ['OPS@example.com', '--name', 'Ops Team'],
      [
        { after: /Password: /, type: `${PASSWORD}\r` },
        { after: /Repeat the password: /, type: `${PASSWORD}\r` },
      ],
    );

    expect(run.code).toBe(0);
    expect(run.output).toMatch(/admin ready: ops@example.com/);
    expect(run.output).not.toContain(PASSWORD);
    await expectAdmin('ops@example.com', PASSWORD);
  });

  it('when the two passwords typed differ, then it exits 2 and changes nothing', async () => {
    const run = await runInTerminal(
      ['ops@example.com'],
      [
        { after: /Password: /, type: `${PASSWORD}\r` },
        { after: /Repeat the password: /, type: 'another-password-2\r' },
      ],
    );

    expect(run.code).toBe(2);
    expect(run.output).toMatch(/do not match/);
    expect(await UserModel.countDocuments()).toBe(0);
  });

  it('when there is no terminal, then it reads ADMIN_PASSWORD and never prints it', async () => {
    const run = spawnTsScript('src/cli/create-admin.ts', ['ops@example.com', '--name=Ops Team'], {
      ...databaseEnv(),
      ADMIN_PASSWORD: PASSWORD,
    });

    expect(await run.exited).toBe(0);
    expect(run.output()).not.toContain(PASSWORD);
    await expectAdmin('ops@example.com', PASSWORD, 'Ops Team');
  });

  it('when the account was disabled, then it is enabled again (the way back in), with its sessions still ended', async () => {
    await UserModel.create({
      name: 'Locked out',
      email: 'ops@example.com',
      passwordHash: 'not-a-hash',
      role: 'admin',
      disabled: true,
    });

    const run = spawnTsScript('src/cli/create-admin.ts', ['ops@example.com'], {
      ...databaseEnv(),
      ADMIN_PASSWORD: PASSWORD,
    });

    expect(await run.exited).toBe(0);
    await expectAdmin('ops@example.com', PASSWORD);
    expect(await UserModel.findOne({ email: 'ops@example.com' }).select('+sessions').lean()).toMatchObject({
      disabled: false,
      sessions: [],
    });
  });

  it('when ADMIN_EMAIL and ADMIN_PASSWORD are both set, then no argument is needed', async () => {
    const run = spawnTsScript('src/cli/create-admin.ts', [], {
      ...databaseEnv(),
      ADMIN_EMAIL: 'Boss@Example.com',
      ADMIN_PASSWORD: PASSWORD,
    });

    expect(await run.exited).toBe(0);
    await expectAdmin('boss@example.com', PASSWORD);
  });

  it.each([
    [
      'a password on the command line',
      ['ops@example.com', PASSWORD],
      { ADMIN_PASSWORD: PASSWORD },
      /not accepted on the command line/,
    ],
    ['no terminal and no ADMIN_PASSWORD', ['ops@example.com'], {}, /set ADMIN_PASSWORD/],
    ['no email', [], { ADMIN_PASSWORD: PASSWORD }, /email address is required/],
    ['an invalid email', ['not-an-email'], { ADMIN_PASSWORD: PASSWORD }, /not an email address/],
    ['a short ADMIN_PASSWORD', ['ops@example.com'], { ADMIN_PASSWORD: 'short' }, /at least 8 characters/],
  ])('when given %s, then it exits 2 with the usage and writes nothing', async (_case, args, env, message) => {
    const run = spawnTsScript('src/cli/create-admin.ts', args, { ...databaseEnv(), ...env });

    expect(await run.exited).toBe(2);
    expect(run.output()).toMatch(message);
    expect(run.output()).toMatch(/usage: npm run create-admin/);
    expect(await UserModel.countDocuments()).toBe(0);
  });
});

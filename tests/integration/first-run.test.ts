import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import mongoose from 'mongoose';
import { ConfigError, parseConfig } from '../../src/config/env';
import { testDatabaseUri, useTestDatabase } from '../helpers/db';
import { startServerProcess } from '../helpers/spawn-server';

/** What a newcomer does first: copy the example settings and start, then restart while developing. */
useTestDatabase();

const root = path.resolve(__dirname, '../..');
const example = parseDotenv(readFileSync(path.join(root, '.env.example')));

async function post(url: string, body: unknown) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
}

describe('.env.example', () => {
  it('when used as it is, then the development config accepts every value and warns about the placeholder JWT_SECRET', () => {
    const { config, warnings } = parseConfig(example);

    expect(config.env).toBe('development');
    expect(config.stripe.secretKey).toBeUndefined();
    expect(warnings.join('\n')).toMatch(/JWT_SECRET is the placeholder from \.env\.example/);
  });

  it('when its placeholder JWT_SECRET reaches production, then it is refused by name', () => {
    const production = {
      ...example,
      NODE_ENV: 'production',
      MONGOOSE_CONNECTION_STRING: 'mongodb://db.example.com/shop',
      STRIPE_SECRET_KEY: 'sk_test_123',
      STRIPE_WEBHOOK_SECRET: 'whsec_123',
    };

    expect(() => parseConfig(production)).toThrow(ConfigError);
    expect(() => parseConfig(production)).toThrow(/JWT_SECRET: is the placeholder from \.env\.example/);
    expect(() => parseConfig({ ...production, JWT_SECRET: 'change-me-please-to-something-very-long' })).toThrow(
      /placeholder/,
    );
  });

  it('when copied to .env, then `npm start` starts in development with simulated payments', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'first-run-'));
    copyFileSync(path.join(root, '.env.example'), path.join(cwd, '.env'));
    // The embedded MongoDB cannot be downloaded here: point the copied settings at the test database.
    const server = await startServerProcess(
      { MONGOOSE_CONNECTION_STRING: testDatabaseUri(mongoose.connection.name), PORT: '0' },
      20_000,
      { cwd },
    );
    try {
      expect((await fetch(`${server.baseUrl}/ready`)).status).toBe(200);
      expect(server.output()).toMatch(/simulated gateway/);
      expect(server.output()).toMatch(/JWT_SECRET is the placeholder/);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});

describe('development restarts', () => {
  it('when JWT_SECRET is unset, then one random secret is kept in .data/ (owner-only) and tokens survive a restart', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'dev-restart-'));
    const env = {
      NODE_ENV: 'development',
      MONGOOSE_CONNECTION_STRING: testDatabaseUri(mongoose.connection.name),
      BCRYPT_COST: '4',
    };
    const user = { name: 'Dev', email: 'dev@example.com', password: 'password123' };

    const first = await startServerProcess(env, 20_000, { cwd });
    await post(`${first.baseUrl}/api/registration`, user);
    const { token } = (await post(`${first.baseUrl}/api/login`, user)) as { token: string };
    expect(await first.stop()).toBe(0);
    const second = await startServerProcess(env, 20_000, { cwd });
    try {
      const profile = await fetch(`${second.baseUrl}/api/profile`, { headers: { authorization: token } });

      expect(profile.status).toBe(200);
      const file = path.join(cwd, '.data/dev-jwt-secret');
      expect(readFileSync(file, 'utf8').trim()).toMatch(/^[a-f\d]{64}$/);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(second.output()).toMatch(/using the development secret kept in \.data\/dev-jwt-secret/);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });

  it('when NODE_ENV is test, then no secret file is written', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'no-secret-file-'));
    const server = await startServerProcess(
      { NODE_ENV: 'test', LOG_LEVEL: 'info', MONGOOSE_CONNECTION_STRING: testDatabaseUri(mongoose.connection.name) },
      20_000,
      { cwd },
    );
    await server.stop();

    expect(() => statSync(path.join(cwd, '.data/dev-jwt-secret'))).toThrow();
  });
});

describe('npm run dev', () => {
  it('when start-up fails, then it exits with the failure instead of waiting for file changes', async () => {
    const { scripts } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const command = scripts.dev!.replace('src/server.ts', path.join(root, 'src/server.ts'));
    const child = spawn('bash', ['-c', command], {
      cwd: mkdtempSync(path.join(tmpdir(), 'dev-fails-')),
      env: {
        PATH: `${path.join(root, 'node_modules/.bin')}:${process.env.PATH ?? ''}`,
        TS_NODE_PROJECT: path.join(root, 'tsconfig.json'),
        NODE_ENV: 'production',
      },
      stdio: 'pipe',
    });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);

    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(timer);

    expect(code).toBe(1);
    expect(output).toMatch(/JWT_SECRET: is required when NODE_ENV=production/);
  });
});

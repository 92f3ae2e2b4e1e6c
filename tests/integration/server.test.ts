import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import request from 'supertest';
import { ProductModel } from '../../src/models/product.model';
import { UserModel } from '../../src/models/user.model';
import { buildTestApp } from '../helpers/app';
import { testDatabaseUri, useTestDatabase } from '../helpers/db';
import { spawnServerProcess, spawnTsScript, startServerProcess } from '../helpers/spawn-server';

useTestDatabase();

const productionEnv = () => ({
  NODE_ENV: 'production',
  MONGOOSE_CONNECTION_STRING: testDatabaseUri(mongoose.connection.name),
  JWT_SECRET: randomBytes(32).toString('hex'),
  STRIPE_SECRET_KEY: 'sk_test_boot',
  STRIPE_PUBLISHABLE_KEY: 'pk_test_boot',
  STRIPE_WEBHOOK_SECRET: 'whsec_boot',
  LOG_LEVEL: 'info',
  BCRYPT_COST: '4',
});

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('server process', () => {
  it('when production starts without its secrets, then it exits 1 naming every missing variable', async () => {
    const server = spawnServerProcess({ NODE_ENV: 'production' });

    const code = await server.exited;

    expect(code).toBe(1);
    for (const name of ['MONGOOSE_CONNECTION_STRING', 'JWT_SECRET', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET']) {
      expect(server.output()).toContain(`${name}: is required when NODE_ENV=production`);
    }
    expect(server.output()).not.toMatch(/\n\s+at /);
  });

  it('when development has no database and the embedded one cannot be fetched, then it exits with one line naming MONGOOSE_CONNECTION_STRING', async () => {
    const server = spawnServerProcess({
      NODE_ENV: 'development',
      LOG_LEVEL: 'error',
      MONGOMS_DOWNLOAD_MIRROR: 'https://127.0.0.1:9',
      MONGOMS_DOWNLOAD_DIR: 'mongo-binaries',
      MONGOMS_PREFER_GLOBAL_PATH: 'false',
    });

    const code = await server.exited;

    expect(code).toBe(1);
    const lines = server.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/embedded MongoDB could not start.*set MONGOOSE_CONNECTION_STRING/);
  });

  it('when production starts with ADMIN_EMAIL twice at once, then one admin exists, both serve, and SIGTERM stops them cleanly', async () => {
    const env = { ...productionEnv(), ADMIN_EMAIL: 'Boss@Example.com', ADMIN_PASSWORD: 'boss-password-1' };

    const servers = await Promise.all([startServerProcess(env), startServerProcess(env)]);

    try {
      expect(await UserModel.countDocuments({ email: 'boss@example.com', role: 'admin' })).toBe(1);
      for (const server of servers) {
        expect((await fetch(`${server.baseUrl}/ready`)).status).toBe(200);
        const login = await post(`${server.baseUrl}/api/login`, {
          email: 'boss@example.com',
          password: 'boss-password-1',
        });
        expect(login.status).toBe(200);
        const profile = await fetch(`${server.baseUrl}/api/profile`, {
          headers: { authorization: login.body.token as string },
        });
        expect(((await profile.json()) as { details: { role: string } }).details.role).toBe('admin');
      }
      // Production logs are JSON lines.
      expect(servers[0].output()).toMatch(/^\{"level":"info","time":"[^"]+",.*"message":"admin account ready"\}$/m);
    } finally {
      const codes = await Promise.all(servers.map((s) => s.stop('SIGTERM')));
      expect(codes).toEqual([0, 0]);
    }
  });

  it('when an admin account already exists as a user, then boot promotes it and keeps its password', async () => {
    const env = { ...productionEnv(), ADMIN_EMAIL: 'promote@example.com', ADMIN_PASSWORD: 'env-password-1' };
    const first = await startServerProcess({ ...productionEnv() });
    const registered = await post(`${first.baseUrl}/api/registration`, {
      name: 'P',
      email: 'promote@example.com',
      password: 'own-password-1',
    });
    expect(registered.status).toBe(201);
    await first.stop();

    const server = await startServerProcess(env);
    try {
      expect((await UserModel.findOne({ email: 'promote@example.com' }))?.role).toBe('admin');
      expect(
        (await post(`${server.baseUrl}/api/login`, { email: 'promote@example.com', password: 'own-password-1' }))
          .status,
      ).toBe(200);
      expect(
        (await post(`${server.baseUrl}/api/login`, { email: 'promote@example.com', password: 'env-password-1' }))
          .status,
      ).toBe(401);
    } finally {
      await server.stop();
    }
  });
});

describe('npm run seed', () => {
  it('when run twice, then the demo catalogue is loaded once, in several currencies, and listed', async () => {
    const env = { MONGOOSE_CONNECTION_STRING: testDatabaseUri(mongoose.connection.name) };

    const first = spawnTsScript('src/cli/seed.ts', [], env);
    expect(await first.exited).toBe(0);
    await ProductModel.updateOne({ seedKey: 'mouse-wireless' }, { $set: { stock: 7 } });
    const second = spawnTsScript('src/cli/seed.ts', [], env);
    expect(await second.exited).toBe(0);

    expect(first.output()).toMatch(/(\d+) products added, 0 already present/);
    expect(second.output()).toMatch(/0 products added, (\d+) already present/);
    const count = await ProductModel.countDocuments();
    expect(count).toBeGreaterThanOrEqual(30);
    expect(await ProductModel.distinct('currency')).toEqual(
      expect.arrayContaining(['USD', 'EUR', 'GBP', 'JPY', 'KWD']),
    );
    expect((await ProductModel.findOne({ seedKey: 'mouse-wireless' }).lean())?.stock).toBe(7);
    const listed = await request(buildTestApp()).get('/api/products').query({ limit: 100 }).expect(200);
    expect(listed.body.data).toHaveLength(count);
    expect(listed.body.data).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'Wireless Mouse', price: 25.99, currency: 'USD' })]),
    );
  });
});

import mongoose from 'mongoose';
import { useTestDatabase } from '../helpers/db';
import { spawnServerProcess } from '../helpers/spawn-server';
import { startTcpProxy } from '../helpers/tcp-proxy';

/** Start-up against a database that is not reachable yet (a deploy racing its database): the server waits for it. */
useTestDatabase({ clean: false });

async function waitFor(check: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  return check();
}

describe('start-up while the database is down', () => {
  it('when the database only comes up after the server starts, then the server retries, creates the indexes, and only then listens', async () => {
    const standin = new URL(process.env.MONGODB_TEST_URI!);
    const proxy = await startTcpProxy({ host: standin.hostname, port: Number(standin.port) });
    await proxy.cut();
    const name = `${mongoose.connection.name}_late`;

    const server = spawnServerProcess({
      NODE_ENV: 'development',
      PORT: '0',
      MONGOOSE_CONNECTION_STRING: `mongodb://127.0.0.1:${proxy.port}/${name}`,
      JWT_SECRET: 'startup-secret-long-enough-for-anything-0123456789',
      STRIPE_WEBHOOK_SECRET: 'whsec_startup_test',
      BCRYPT_COST: '4',
      REQUEST_LOG: 'off',
      LOG_LEVEL: 'info',
      MONGO_STARTUP_TIMEOUT_MS: '30000',
    });
    try {
      expect(await waitFor(() => /database not reachable yet: retrying/.test(server.output()), 30_000)).toBe(true);
      expect(server.output()).not.toMatch(/listening on/);
      await proxy.restore();
      expect(await waitFor(() => /listening on/.test(server.output()), 30_000)).toBe(true);

      const late = mongoose.connection.useDb(name);
      expect(await late.collection('users').indexes()).toEqual(
        expect.arrayContaining([expect.objectContaining({ key: { email: 1 }, unique: true })]),
      );
      const url = /listening on (http:\/\/localhost:\d+)/.exec(server.output())![1];
      expect((await fetch(`${url}/ready`)).status).toBe(200);
      await late.dropDatabase();
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      await proxy.close();
    }
  }, 75_000);
});

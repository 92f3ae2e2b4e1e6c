import mongoose from 'mongoose';
import { connectDatabase } from '../../src/db';
import { parseConfig } from '../../src/config/env';
import { silentLogger } from '../../src/lib/logger';
import { UserModel } from '../../src/models/user.model';
import { testDatabaseUri } from '../helpers/db';

/**
 * The watchdog for a stuck driver monitor (driver 7 can wait forever on a heartbeat written to a socket
 * destroyed a moment earlier; seen about once in ten cuts in database-outage.test.ts). The hang itself
 * cannot be produced on demand, so this test plays its symptom on the real client: a heartbeat that starts
 * and never ends. The watchdog must reconnect the client, and the database must work again without a restart.
 */
const name = `test_watchdog_${process.env.JEST_WORKER_ID ?? '0'}_${Date.now()}`;

afterAll(async () => {
  await mongoose.connection.dropDatabase().catch(() => undefined);
  await mongoose.disconnect();
});

it('when a heartbeat never completes, then the watchdog reconnects the client and requests can use the database again', async () => {
  const { config } = parseConfig({
    MONGOOSE_CONNECTION_STRING: testDatabaseUri(name),
    MONGO_HEARTBEAT_FREQUENCY_MS: '500',
    MONGO_CONNECT_TIMEOUT_MS: '500',
    MONGO_SOCKET_TIMEOUT_MS: '1000',
  });
  const database = await connectDatabase(config, silentLogger);
  const client = mongoose.connection.getClient();
  const reconnected = new Promise((resolve) => client.once('topologyClosed', resolve));

  // The symptom of the hang: a heartbeat of an unknown monitor that starts and never ends.
  client.emit('serverHeartbeatStarted', { connectionId: '127.0.0.1:1', awaited: false });
  await reconnected; // the watchdog closed the stuck topology (after about 3.5 s with these settings)
  expect(database.isAvailable()).toBe(false);

  const deadline = Date.now() + 15_000;
  while (!database.isAvailable() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(database.isAvailable()).toBe(true);
  await UserModel.create({ name: 'After', email: 'after@example.com', passwordHash: 'x' });
  expect(await UserModel.countDocuments({ email: 'after@example.com' })).toBe(1);
  await database.close();
}, 30_000);

import { mkdir } from 'node:fs/promises';
import { EmbeddedDatabaseUnavailable } from './errors';

/**
 * The development database when MONGOOSE_CONNECTION_STRING is not set: a mongod from mongodb-memory-server
 * (a dev dependency, loaded only here) whose files live in `dbPath` and survive restarts.
 */
export async function startEmbeddedMongo(dbPath: string): Promise<{ uri: string; stop: () => Promise<unknown> }> {
  let memoryServer: typeof import('mongodb-memory-server');
  try {
    memoryServer = await import('mongodb-memory-server');
  } catch {
    throw new EmbeddedDatabaseUnavailable(
      'MONGOOSE_CONNECTION_STRING is not set and mongodb-memory-server is not installed (it is a dev dependency): set MONGOOSE_CONNECTION_STRING to a running MongoDB',
    );
  }
  await mkdir(dbPath, { recursive: true });
  try {
    // Fetch (or find) the binary first: on failure this throws quietly, where create() would also
    // print its own multi-line warning.
    await memoryServer.MongoBinary.getPath();
    const server = await memoryServer.MongoMemoryServer.create({ instance: { dbPath, storageEngine: 'wiredTiger' } });
    return { uri: server.getUri(), stop: () => server.stop({ doCleanup: false }) };
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').slice(0, 300);
    throw new EmbeddedDatabaseUnavailable(
      `MONGOOSE_CONNECTION_STRING is not set and the embedded MongoDB could not start (${reason.trim()}): set MONGOOSE_CONNECTION_STRING to a running MongoDB`,
    );
  }
}

/**
 * Provides the run's MongoDB: MONGODB_TEST_URI when set (CI starts a MongoDB-compatible server and sets
 * it), otherwise a mongodb-memory-server started here. Workers inherit the variable.
 */
export default async function globalSetup() {
  if (process.env.MONGODB_TEST_URI) return;
  if (process.env.CI) {
    throw new Error('MONGODB_TEST_URI is not set: CI must start a MongoDB-compatible server (see .ci/run)');
  }
  const { MongoMemoryServer } = await import('mongodb-memory-server');
  const server = await MongoMemoryServer.create();
  (globalThis as { __MONGO_SERVER__?: unknown }).__MONGO_SERVER__ = server;
  process.env.MONGODB_TEST_URI = server.getUri();
}

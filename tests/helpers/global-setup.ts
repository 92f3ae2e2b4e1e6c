import { provideStripeStandins } from './stripe-services';

/**
 * Provides the run's services, which workers inherit through the environment:
 * - MongoDB: MONGODB_TEST_URI when set (CI starts a MongoDB-compatible server and sets it), otherwise a
 *   mongodb-memory-server started here;
 * - the Stripe stand-ins: LOCALSTRIPE_URL and STRIPE_MOCK_URL when set (CI), otherwise started here from
 *   .tools or PATH (tests/helpers/stripe-services.ts).
 */
export default async function globalSetup() {
  const stopStripeStandins = await provideStripeStandins();
  (globalThis as { __STOP_STRIPE_STANDINS__?: () => Promise<void> }).__STOP_STRIPE_STANDINS__ = stopStripeStandins;
  // jest runs no teardown when setup fails: stop the stand-ins here rather than leave them running.
  await provideMongo().catch(async (error: unknown) => {
    await stopStripeStandins?.();
    throw error;
  });
}

async function provideMongo() {
  if (process.env.MONGODB_TEST_URI) return;
  if (process.env.CI) {
    throw new Error('MONGODB_TEST_URI is not set: CI must start a MongoDB-compatible server (see .ci/run)');
  }
  const { MongoMemoryServer } = await import('mongodb-memory-server');
  const server = await MongoMemoryServer.create();
  (globalThis as { __MONGO_SERVER__?: unknown }).__MONGO_SERVER__ = server;
  process.env.MONGODB_TEST_URI = server.getUri();
}

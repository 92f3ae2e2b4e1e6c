import { provideStripeStandins, SetupFailure } from './stripe-services';

/**
 * Provides the run's services, which workers inherit through the environment:
 * - MongoDB: MONGODB_TEST_URI when set (CI starts a MongoDB-compatible server and sets it), otherwise a
 *   mongodb-memory-server started here (it downloads `mongod` once);
 * - the Stripe stand-ins: LOCALSTRIPE_URL and STRIPE_MOCK_URL when set (CI), otherwise started here from
 *   .tools/ (installed there first when missing) or PATH (tests/helpers/stripe-services.ts).
 * A service that cannot be provided ends the run with one line saying what to do, not a stack trace.
 */
export default async function globalSetup() {
  try {
    const stopStripeStandins = await provideStripeStandins();
    (globalThis as { __STOP_STRIPE_STANDINS__?: () => Promise<void> }).__STOP_STRIPE_STANDINS__ = stopStripeStandins;
    // jest runs no teardown when setup fails: stop the stand-ins here rather than leave them running.
    await provideMongo().catch(async (error: unknown) => {
      await stopStripeStandins?.();
      throw error;
    });
  } catch (error) {
    if (!(error instanceof SetupFailure)) throw error;
    process.stderr.write(`\n${error.message}\n`);
    process.exit(1);
  }
}

async function provideMongo() {
  if (process.env.MONGODB_TEST_URI) return;
  if (process.env.CI) {
    throw new SetupFailure('MONGODB_TEST_URI is not set: CI must start a MongoDB-compatible server (see .ci/run)');
  }
  const { MongoBinary, MongoMemoryServer } = await import('mongodb-memory-server');
  try {
    // Fetch (or find) the binary first: on failure this throws quietly, where create() also prints a stack.
    await MongoBinary.getPath();
    const server = await MongoMemoryServer.create();
    (globalThis as { __MONGO_SERVER__?: unknown }).__MONGO_SERVER__ = server;
    process.env.MONGODB_TEST_URI = server.getUri();
  } catch (error) {
    const { message, msg } = Object(error) as { message?: string; msg?: string };
    const reason = msg ?? (message ?? String(error)).split('\n')[0];
    throw new SetupFailure(
      `No MongoDB for the tests: mongodb-memory-server could not start mongod (${reason}). ` +
        'Start a MongoDB (e.g. `mongod --dbpath /tmp/db --port 27017`) and run `MONGODB_TEST_URI=mongodb://127.0.0.1:27017 npm test`.',
    );
  }
}

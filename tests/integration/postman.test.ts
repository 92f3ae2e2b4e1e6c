import { readFileSync } from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import newman, { type NewmanRunOptions, type NewmanRunSummary } from 'newman';
import { testDatabaseUri, useTestDatabase } from '../helpers/db';
import { startServerProcess, type RunningServer } from '../helpers/spawn-server';

/**
 * The Postman collection that users run (postman/) must stay true to the API: newman runs it, as a user
 * would, against the real server process with the simulated gateway, and every request and assertion must pass.
 */
useTestDatabase({ clean: false });

const ADMIN = { email: 'postman-admin@example.com', password: 'postman-admin-password-1' };
const POLLING_REQUEST = 'Wait Until Paid';

const postmanDir = path.resolve(__dirname, '../../postman');
const readJson = (file: string) => JSON.parse(readFileSync(path.join(postmanDir, file), 'utf8'));
const collection = readJson('shop.postman_collection.json');
const environment = readJson('local.postman_environment.json');

interface CollectionItem {
  name: string;
  item?: CollectionItem[];
  event?: { listen: string; script: { exec: string[] } }[];
}

function requests(items: CollectionItem[]): CollectionItem[] {
  return items.flatMap((item) => (item.item ? requests(item.item) : [item]));
}

/** How many `pm.test(...)` the request's test script declares: each runs at least once in a full run. */
function declaredTests(item: CollectionItem): number {
  const source = (item.event ?? [])
    .filter((e) => e.listen === 'test')
    .flatMap((e) => e.script.exec)
    .join('\n');
  return source.match(/\bpm\.test\(/g)?.length ?? 0;
}

function runCollection(options: NewmanRunOptions): Promise<NewmanRunSummary> {
  return new Promise((resolve, reject) => {
    newman.run(options, (error, summary) => (error ? reject(error) : resolve(summary)));
  });
}

/** One line per failure, naming the request and the assertion, so a red test explains itself. */
function describeFailures(summary: NewmanRunSummary): string[] {
  return summary.run.failures.map((failure) => {
    const { error, source } = failure as unknown as {
      error: { name: string; test?: string; message: string };
      source?: { name?: string };
    };
    const where = error.test ? `${source?.name ?? '(collection)'} › ${error.test}` : (source?.name ?? '(collection)');
    return `${where}: ${error.name}: ${error.message}`;
  });
}

describe('the Postman collection against the real server (simulated gateway)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServerProcess({
      NODE_ENV: 'development',
      MONGOOSE_CONNECTION_STRING: testDatabaseUri(mongoose.connection.name),
      JWT_SECRET: 'postman-secret-long-enough-for-anything-0123456789',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      STRIPE_WEBHOOK_SECRET: 'whsec_postman_simulated',
      SIMULATED_WEBHOOK_DELAY_MS: '50',
      BCRYPT_COST: '4',
      REQUEST_LOG: 'off',
    });
  });
  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  const run = (envVar: Array<{ key: string; value: string }> = [], options: Partial<NewmanRunOptions> = {}) =>
    runCollection({
      collection,
      environment,
      envVar: [
        { key: 'baseUrl', value: server.baseUrl },
        { key: 'adminEmail', value: ADMIN.email },
        { key: 'adminPassword', value: ADMIN.password },
        ...envVar,
      ],
      reporters: [],
      timeoutRequest: 10_000,
      ...options,
    });

  it('when newman runs the collection with the local environment, twice against the same server, then every request runs and every assertion passes both times', async () => {
    const names = requests(collection.item).map((item) => item.name);
    const testsDeclared = requests(collection.item).reduce((sum, item) => sum + declaredTests(item), 0);

    for (const summary of [await run(), await run()]) {
      expect(describeFailures(summary)).toEqual([]);
      expect(summary.error).toBeUndefined();
      const executed = summary.run.executions.map((execution) => execution.item.name);
      expect([...new Set(executed)]).toEqual(names);
      // Every request once, plus the status poll's retries while the webhook is on its way.
      const polls = executed.filter((name) => name === POLLING_REQUEST).length;
      expect(polls).toBeGreaterThanOrEqual(1);
      expect(summary.run.stats.requests.total).toBe(names.length + polls - 1);
      expect(summary.run.stats.requests.failed).toBe(0);
      expect(summary.run.stats.assertions.failed).toBe(0);
      expect(summary.run.stats.assertions.total).toBeGreaterThanOrEqual(testsDeclared);
    }
    expect(testsDeclared).toBeGreaterThanOrEqual(80);
    expect(names).toEqual(
      expect.arrayContaining([
        'Refund Part of the Order (admin)',
        'Refund More Than Is Left (409)',
        'Admin Order List',
        'Admin Order List as the Shopper (403)',
      ]),
    );
  }, 60_000);

  // Last in this file: it uses up the admin account's failed-login budget.
  it("when the admin's password is wrong, the test says to check adminEmail / adminPassword; once its logins are throttled, it says 429 and what to raise instead", async () => {
    const adminLoginFailures = (summary: NewmanRunSummary) =>
      describeFailures(summary).filter((line) => line.startsWith('Admin Login › '));

    const wrong = adminLoginFailures(
      await run([{ key: 'adminPassword', value: 'not-the-admin-password' }], { folder: 'Products' }),
    );
    // The rest of the account's budget (LOGIN_ACCOUNT_RATE_LIMIT_MAX, 10 by default) goes on more wrong passwords.
    for (let i = 1; i < 10; i += 1) {
      const res = await fetch(`${server.baseUrl}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: ADMIN.email, password: 'not-the-admin-password' }),
      });
      expect(res.status).toBe(401);
    }
    const throttled = adminLoginFailures(await run([], { folder: 'Products' }));

    // The status assertion comes first and names the cause; the body assertions after it fail too.
    expect(wrong[0]).toBe(
      "Admin Login › 200 OK (on 401: adminEmail / adminPassword must match the server's ADMIN_EMAIL / ADMIN_PASSWORD): AssertionError: expected response to have status code 200 but got 401",
    );
    expect(throttled[0]).toMatch(
      /^Admin Login › 200 OK, got 429 RATE_LIMITED: login throttled; retry after \d+ s or raise LOGIN_ACCOUNT_RATE_LIMIT_MAX \/ LOGIN_ADDRESS_RATE_LIMIT_MAX on the server: AssertionError: expected response to have status code 200 but got 429$/,
    );
    expect(throttled.join('\n')).not.toMatch(/adminEmail/);
  }, 60_000);
});

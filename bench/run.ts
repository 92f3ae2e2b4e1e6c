/**
 * npm run bench: measures the performance claims of the design as ratios against baselines measured in the
 * same run, on the same database and machine (absolute figures vary between machines; ratios travel).
 *
 *   BENCH_MONGODB_URI=mongodb://127.0.0.1:27017 npm run bench     # any MongoDB-compatible server
 *   npm run bench                                                  # starts a mongodb-memory-server
 *   npm run bench -- --quick                                       # short runs (under a minute), as CI does
 *   npm run bench -- --cpu-prof profile                            # CPU profile of the project under one load
 *   npm run bench -- --only profile,products                       # some of keyset, profile, products, login, orders
 *
 * Scenarios (bench/scenarios.ts has the HTTP ones): the catalogue's keyset page against skip/offset (in this
 * process, services only); then over HTTP against the project running as production runs it
 * (`node dist/server.js`, JSON logs with request lines on, stdout to a file) and, where the issue asks, against two
 * baselines doing the same work (bench/floor.ts): the Express floor and a bare node:http server.
 * A table goes to stdout and everything measured to bench/results/<time>.json (git-ignored).
 *
 * It works in a database of its own (bench_<random>) and drops it at the end. BENCH_PRODUCTS (default
 * 20000, quick 2000) sizes the keyset comparison; BENCH_CATALOGUE (default 200) the catalogue the HTTP
 * scenarios read and order from (small on purpose: on a server without a query planner, such as the test
 * stand-in, each list request scans the whole collection, and a large one would measure the database, not
 * the HTTP server); BCRYPT_COST (default 10) the password hashing cost. BENCH_SERVER_<NAME>=value passes
 * NAME=value to the project's server (e.g. BENCH_SERVER_PASSWORD_HASH_THREADS=1 to compare settings).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import mongoose from 'mongoose';
import { ensureIndexes } from '../src/db';
import { afterCursor, encodeCursor, sortFor, type KeysetOrder } from '../src/lib/keyset';
import { ProductModel } from '../src/models/product.model';
import { createCatalogueService, PRODUCT_ORDERS } from '../src/services/catalogue.service';
import { summariseCpuProfile } from './cpu-profile';
import { printReport, type BenchReport } from './report';
import { seedProducts } from './seed';
import { httpScenarios, type ScenarioSettings } from './scenarios';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const cpuProfileOf = args.includes('--cpu-prof') ? (args[args.indexOf('--cpu-prof') + 1] ?? 'profile') : undefined;
const only = args.includes('--only') ? new Set((args[args.indexOf('--only') + 1] ?? '').split(',')) : undefined;
const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? (QUICK ? 2_000 : 20_000));
const RUNS = QUICK ? 5 : 15;
const PAGE = 20;

const settings: ScenarioSettings = {
  warmSeconds: QUICK ? 1 : 3,
  seconds: QUICK ? 2.5 : 10,
  rounds: QUICK ? 2 : 5,
  connections: 32,
  loginConnections: 8,
  probePerSecond: 50,
  catalogue: Number(process.env.BENCH_CATALOGUE ?? 200),
  bcryptCost: Number(process.env.BCRYPT_COST ?? 10),
  cores: availableParallelism(),
};

async function median(runs: number, task: () => Promise<unknown>): Promise<number> {
  await task(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = process.hrtime.bigint();
    await task();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

class BenchSetupError extends Error {}

/** The database: BENCH_MONGODB_URI, else a mongodb-memory-server; a missing one is one line, not a stack trace. */
async function connect(): Promise<{ uri: string; version: string; disconnect: () => Promise<void> }> {
  let uri = process.env.BENCH_MONGODB_URI;
  let stop: () => Promise<unknown> = () => Promise.resolve();
  const howToStart =
    'set BENCH_MONGODB_URI=mongodb://127.0.0.1:27017 to a running MongoDB (start one with `mongod --dbpath <empty dir>` or `docker run -p 27017:27017 mongo:7`)';
  if (!uri) {
    try {
      const { MongoBinary, MongoMemoryServer } = await import('mongodb-memory-server');
      // Fetch (or find) the binary first: on failure this throws quietly, where create() also prints a stack.
      await MongoBinary.getPath();
      const server = await MongoMemoryServer.create();
      uri = server.getUri();
      stop = () => server.stop();
    } catch (error) {
      const reason = (Object(error) as { msg?: string }).msg ?? firstLine(error);
      throw new BenchSetupError(
        `npm run bench needs a MongoDB: ${howToStart}; mongodb-memory-server could not start one (${reason})`,
      );
    }
  }
  const url = new URL(uri);
  url.pathname = `/bench_${randomBytes(4).toString('hex')}`;
  try {
    await mongoose.connect(url.toString(), { autoIndex: false, serverSelectionTimeoutMS: 5000 });
  } catch (error) {
    await stop();
    throw new BenchSetupError(
      `npm run bench cannot reach BENCH_MONGODB_URI=${uri}: ${firstLine(error)}; ${howToStart}`,
    );
  }
  await ensureIndexes();
  const version = (await mongoose.connection.db!.admin().buildInfo()).version as string;
  console.log(`database: ${url.host}${url.pathname} (${version})`);
  return {
    uri: url.toString(),
    version,
    disconnect: async () => {
      await mongoose.connection.dropDatabase();
      await mongoose.disconnect();
      await stop();
    },
  };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

/** Deep pages: keyset from a cursor vs the skip/offset it replaces, against page 1 as the baseline. */
async function catalogueBench(): Promise<BenchReport['keyset']> {
  console.log(`\n## Catalogue list: ${PRODUCTS} products, ${PAGE} per page, median of ${RUNS}`);
  await seedProducts(PRODUCTS);
  const catalogue = createCatalogueService();
  const depth = Math.floor(PRODUCTS / 2);
  const rows: BenchReport['keyset'] = [];
  for (const sort of ['newest', 'price_asc'] as const) {
    const order = PRODUCT_ORDERS[sort];
    const sortSpec = sortFor(order);
    const query = { limit: PAGE, sort };
    const [last] = await ProductModel.find({ archived: false })
      .sort(sortSpec)
      .skip(depth - 1)
      .limit(1)
      .lean();
    const cursor = encodeCursor(order, {}, last as never);
    const firstMs = await median(RUNS, () => catalogue.listProducts(query));
    const keysetMs = await median(RUNS, () => catalogue.listProducts({ ...query, cursor }));
    const skipMs = await median(RUNS, () =>
      ProductModel.find({ archived: false })
        .sort(sortSpec)
        .skip(depth)
        .limit(PAGE + 1)
        .lean(),
    );
    rows.push({
      sort,
      page: depth / PAGE + 1,
      firstMs,
      keysetMs,
      skipMs,
      explain: await explainPages(order, cursor, depth),
    });
  }
  await ProductModel.deleteMany({});
  return rows;
}

async function explainPages(order: KeysetOrder, cursor: string, depth: number): Promise<string> {
  const stats = async (query: mongoose.Query<unknown, unknown>) => {
    const plan = (await query.explain('executionStats')) as {
      executionStats?: { totalKeysExamined: number; totalDocsExamined: number };
    };
    return plan.executionStats
      ? `${plan.executionStats.totalKeysExamined} keys / ${plan.executionStats.totalDocsExamined} docs`
      : 'no executionStats';
  };
  try {
    const page1 = await stats(
      ProductModel.find({ archived: false })
        .sort(sortFor(order))
        .limit(PAGE + 1),
    );
    const deep = await stats(
      ProductModel.find({ archived: false, ...afterCursor(order, {}, cursor) })
        .sort(sortFor(order))
        .limit(PAGE + 1),
    );
    return `page 1 examines ${page1}; keyset page ${depth / PAGE + 1} examines ${deep}`;
  } catch (error) {
    return `explain not supported by this server (${firstLine(error)})`;
  }
}

async function main() {
  const startedAt = new Date();
  const resultsDir = path.join(__dirname, 'results');
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  mkdirSync(resultsDir, { recursive: true });
  console.log(
    `npm run bench${QUICK ? ' --quick' : ''}: ${settings.cores} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  // The project runs as `npm start` runs it: compiled.
  execFileSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'build-if-needed.mjs')], { stdio: 'inherit' });
  const database = await connect();
  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    quick: QUICK,
    machine: {
      cores: settings.cores,
      cpu: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      loadAverageBefore: loadavg(),
    },
    database: { version: database.version },
    settings,
    keyset: [],
    http: undefined,
  };
  try {
    if (!cpuProfileOf && (!only || only.has('keyset'))) report.keyset = await catalogueBench();
    const cpuProfileBase = cpuProfileOf ? path.join(resultsDir, `${stamp}-${cpuProfileOf}`) : undefined;
    report.http = await httpScenarios(database.uri, settings, { cpuProfileOf, cpuProfileBase, only });
    if (cpuProfileBase) {
      report.cpuProfiles = [];
      for (const file of readdirSync(resultsDir).filter(
        (name) => name.startsWith(path.basename(cpuProfileBase)) && name.endsWith('.cpuprofile'),
      )) {
        const summary = summariseCpuProfile(path.join(resultsDir, file));
        report.cpuProfiles.push({ file, ...summary });
        console.log(
          `\n## CPU profile under the ${cpuProfileOf} load: bench/results/${file} (idle ${summary.idlePercent.toFixed(1)} %)`,
        );
        console.log('\n| module | self % of busy |\n| --- | --- |');
        for (const share of summary.modules) console.log(`| ${share.name} | ${share.percent.toFixed(1)} |`);
        console.log('\n| function | self % of busy |\n| --- | --- |');
        for (const share of summary.functions) console.log(`| ${share.name} | ${share.percent.toFixed(1)} |`);
      }
    }
  } finally {
    await database.disconnect();
  }
  report.machine.loadAverageAfter = loadavg();
  printReport(report);
  const file = path.join(resultsDir, `${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nresults: ${path.relative(process.cwd(), file)}`);
}

main().catch((error: unknown) => {
  if (error instanceof BenchSetupError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});

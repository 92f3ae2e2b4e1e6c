/**
 * The HTTP scenarios of `npm run bench` (issue 9), each figure measured in this run:
 * 1. GET /api/profile: the project against the Express floor and bare node:http doing the same work;
 * 2. GET /api/products?limit=20: the same three;
 * 3. POST /api/login at 8 concurrent while a probe requests GET /api/products at a fixed rate: logins/s
 *    against cores ÷ the bcryptjs hash time measured here, and the probe's p99 against its p99 idle;
 * 4. POST /api/orders/create (simulated gateway): many buyers on many products, then on one product.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import jwt from 'jsonwebtoken';
import { UserModel } from '../src/models/user.model';
import { load, probe, type LoadOptions, type LoadResult, type ProbeResult } from './load';
import { seedProducts } from './seed';
import { startFloor, startProject, type BenchServer, type ServerReport } from './servers';

export interface ScenarioSettings {
  warmSeconds: number;
  /** Per measurement; where servers are compared, split into `rounds` interleaved turns. */
  seconds: number;
  rounds: number;
  connections: number;
  loginConnections: number;
  probePerSecond: number;
  /** Products in the catalogue the HTTP scenarios read and order from. */
  catalogue: number;
  bcryptCost: number;
  cores: number;
}

export interface Row {
  scenario: string;
  server: string;
  connections: number;
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  statusCodes?: Record<string, number>;
  /** The server's own event-loop delay (beyond its 10 ms timer) and CPU, measured inside its process. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  cpuMsPerRequest: number;
  /** The server's garbage-collection pauses per request (main thread), its mark-compacts, and its largest heap. */
  gcMsPerRequest: number;
  majorGcs: number;
  heapUsedMb: number;
  /** Requests/s of each interleaved round, where the servers took turns. */
  rounds?: number[];
}

export interface Target {
  name: string;
  value: number;
  goal: string;
  met: boolean;
  detail: string;
}

export interface HttpReport {
  /** bcryptjs at BCRYPT_COST: the login ceiling is cores ÷ this. */
  hashMs: number;
  /** Native bcrypt, which the server's hashing threads use when it loads. */
  nativeHashMs: number;
  rows: Row[];
  targets: Target[];
  projectLog: { lines: number; requests: number; problems: number; firstProblems: string[] };
}

const PASSWORD = 'bench-password-1';
const SPREAD_PRODUCTS = 200;

/** The project's settings for the run: as production, with the hoarding caps and rate limits out of the way. */
function projectEnv(dbUri: string, jwtSecret: string, settings: ScenarioSettings): Record<string, string> {
  const overrides = Object.fromEntries(
    Object.entries(process.env)
      .filter(([name, value]) => name.startsWith('BENCH_SERVER_') && value !== undefined)
      .map(([name, value]) => [name.slice('BENCH_SERVER_'.length), value!]),
  );
  return {
    // production would insist on a real Stripe key; the simulated gateway needs development, which differs
    // from production only there and in the log format (JSON either way when stdout is not a terminal).
    NODE_ENV: 'development',
    MONGOOSE_CONNECTION_STRING: dbUri,
    JWT_SECRET: jwtSecret,
    STRIPE_WEBHOOK_SECRET: `whsec_${randomBytes(16).toString('hex')}`,
    LOG_LEVEL: 'info',
    REQUEST_LOG: 'on',
    METRICS_TOKEN: randomBytes(16).toString('hex'),
    BCRYPT_COST: String(settings.bcryptCost),
    API_RATE_LIMIT_MAX: '1000000',
    LOGIN_ACCOUNT_RATE_LIMIT_MAX: '1000000',
    LOGIN_ADDRESS_RATE_LIMIT_MAX: '1000000',
    REGISTRATION_RATE_LIMIT_MAX: '1000000',
    ORDER_MAX_OPEN_PER_USER: '10000',
    ORDER_MAX_OPEN_UNITS_PER_USER: '100000000',
    ORDER_SWEEP_INTERVAL_SECONDS: '3600',
    ...overrides,
  };
}

/** Median of 5 hashes (after one to warm up) in this process, with nothing else running. */
async function hashMilliseconds(hash: (password: string, cost: number) => unknown, cost: number): Promise<number> {
  await hash(PASSWORD, cost);
  const times: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    const start = process.hrtime.bigint();
    await hash(PASSWORD, cost);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b)[2]!;
}

/** Native bcrypt's hash time, when its binary loads here (the server then hashes with it). */
async function nativeHashMilliseconds(cost: number): Promise<number> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const native = require('bcrypt') as { hashSync(password: string, cost: number): string };
    return await hashMilliseconds((password, rounds) => native.hashSync(password, rounds), cost);
  } catch {
    return NaN;
  }
}

/** The session id of every seeded user's tokens. */
const BENCH_SESSION = 'bench-session';

async function seedUsers(count: number, passwordHash: string) {
  const tag = randomBytes(4).toString('hex');
  const users = await UserModel.insertMany(
    // Each with a live session that the tokens below name (tokens without one are refused, like any ended session).
    Array.from({ length: count }, (_, i) => ({
      name: `Bench ${i}`,
      email: `bench.${tag}.${i}@example.com`,
      passwordHash,
      role: 'user',
      sessions: [BENCH_SESSION],
    })),
  );
  return users.map((user) => ({ id: user._id.toHexString(), email: user.email }));
}

function rowOf(
  scenario: string,
  server: BenchServer,
  connections: number,
  result: LoadResult | ProbeResult,
  serverReport: ServerReport,
): Row {
  return {
    scenario,
    server: server.name,
    connections,
    requests: result.requests,
    perSecond: result.perSecond,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    errors: result.errors,
    non2xx: result.non2xx,
    ...('statusCodes' in result && { statusCodes: result.statusCodes }),
    loopDelayP99Ms: serverReport.loopDelay.p99Ms,
    loopDelayMaxMs: serverReport.loopDelay.maxMs,
    cpuMsPerRequest: serverReport.cpuMs / Math.max(1, result.requests),
    gcMsPerRequest: (serverReport.gc.minorMs + serverReport.gc.majorMs) / Math.max(1, result.requests),
    majorGcs: serverReport.gc.majorCount,
    heapUsedMb: serverReport.gc.heapUsedMb,
  };
}

/** Warms up, then measures one load with the server's event-loop delay and CPU for exactly that load. */
async function measure(
  scenario: string,
  server: BenchServer,
  options: Omit<LoadOptions, 'url' | 'seconds'>,
  settings: ScenarioSettings,
  cpuProfileFile?: string,
): Promise<Row> {
  if (settings.warmSeconds > 0) await load({ ...options, url: server.url, seconds: settings.warmSeconds });
  if (cpuProfileFile) await server.startCpuProfile();
  await server.reset();
  const result = await load({ ...options, url: server.url, seconds: settings.seconds });
  if (cpuProfileFile) await server.stopCpuProfile(cpuProfileFile);
  const row = rowOf(scenario, server, options.connections, result, await server.report());
  await settle();
  console.log(
    `  ${scenario} | ${server.name}: ${row.perSecond.toFixed(0)}/s, p99 ${row.p99Ms.toFixed(1)} ms, ${row.errors} errors, ${row.non2xx} non-2xx, loop p99 ${row.loopDelayP99Ms.toFixed(1)} ms`,
  );
  return row;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * The same load on several servers in interleaved rounds (each server warmed up first): A B C A B C ...
 * Load from elsewhere on the machine drifts over seconds; interleaving spreads it over every server alike,
 * so the ratios between them hold still far better than with one long run per server. Per server: rate
 * and CPU over all its rounds, latencies and event-loop delay as the median of its rounds.
 */
async function compare(
  scenario: string,
  servers: BenchServer[],
  options: Omit<LoadOptions, 'url' | 'seconds'>,
  settings: ScenarioSettings,
): Promise<Row[]> {
  for (const server of servers)
    if (settings.warmSeconds > 0) await load({ ...options, url: server.url, seconds: settings.warmSeconds });
  const rounds: Row[][] = servers.map(() => []);
  for (let round = 0; round < settings.rounds; round += 1) {
    for (const [i, server] of servers.entries()) {
      await server.reset();
      const result = await load({ ...options, url: server.url, seconds: settings.seconds / settings.rounds });
      rounds[i]!.push(rowOf(scenario, server, options.connections, result, await server.report()));
      await settle(200);
    }
  }
  return servers.map((server, i) => {
    const own = rounds[i]!;
    const requests = own.reduce((sum, row) => sum + row.requests, 0);
    const seconds = own.reduce((sum, row) => sum + row.requests / row.perSecond, 0);
    const statusCodes: Record<string, number> = {};
    for (const row of own)
      for (const [code, count] of Object.entries(row.statusCodes ?? {}))
        statusCodes[code] = (statusCodes[code] ?? 0) + count;
    const row: Row = {
      scenario,
      server: server.name,
      connections: options.connections,
      requests,
      perSecond: requests / seconds,
      p50Ms: median(own.map((r) => r.p50Ms)),
      p99Ms: median(own.map((r) => r.p99Ms)),
      errors: own.reduce((sum, r) => sum + r.errors, 0),
      non2xx: own.reduce((sum, r) => sum + r.non2xx, 0),
      statusCodes,
      loopDelayP99Ms: median(own.map((r) => r.loopDelayP99Ms)),
      loopDelayMaxMs: Math.max(...own.map((r) => r.loopDelayMaxMs)),
      cpuMsPerRequest: own.reduce((sum, r) => sum + r.cpuMsPerRequest * r.requests, 0) / Math.max(1, requests),
      gcMsPerRequest: own.reduce((sum, r) => sum + r.gcMsPerRequest * r.requests, 0) / Math.max(1, requests),
      majorGcs: own.reduce((sum, r) => sum + r.majorGcs, 0),
      heapUsedMb: Math.max(...own.map((r) => r.heapUsedMb)),
      rounds: own.map((r) => Math.round(r.perSecond)),
    };
    console.log(
      `  ${scenario} | ${server.name}: ${row.perSecond.toFixed(0)}/s (rounds ${row.rounds!.join(', ')}), p99 ${row.p99Ms.toFixed(1)} ms, ${row.errors} errors, ${row.non2xx} non-2xx, loop p99 ${row.loopDelayP99Ms.toFixed(1)} ms, GC ${(row.gcMsPerRequest * 1000).toFixed(0)} µs/req (${row.majorGcs} mark-compacts, heap ${row.heapUsedMb.toFixed(0)} MB)`,
    );
    return row;
  });
}

async function sameAnswers(path: string, headers: Record<string, string>, servers: BenchServer[]) {
  const bodies = await Promise.all(
    servers.map(async (server) => {
      const res = await fetch(`${server.url}${path}`, { headers });
      return { server: server.name, status: res.status, body: await res.text() };
    }),
  );
  const [reference] = bodies;
  for (const other of bodies) {
    if (other.status !== 200 || other.body !== reference!.body) {
      throw new Error(
        `GET ${path}: ${other.server} answers ${other.status} ${other.body.slice(0, 300)}\nwhere ${reference!.server} answers ${reference!.status} ${reference!.body.slice(0, 300)}`,
      );
    }
  }
}

/** Starts the servers together; when one cannot start, stops the others before failing (none is left running). */
async function startAll(starting: Promise<BenchServer>[]): Promise<BenchServer[]> {
  const results = await Promise.allSettled(starting);
  const running = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) {
    await Promise.all(running.map((server) => server.stop()));
    for (const server of running) server.removeFiles();
    throw failed.reason;
  }
  return running;
}

const ratio = (value: number, baseline: number) => value / baseline;

/** autocannon stops with requests in flight; the server finishes them before the next load starts. */
const settle = (ms = 500) => new Promise((resolve) => setTimeout(resolve, ms));

export async function httpScenarios(
  dbUri: string,
  settings: ScenarioSettings,
  options: { cpuProfileOf?: string; cpuProfileBase?: string; only?: Set<string> },
): Promise<HttpReport> {
  console.log(
    `\n## HTTP: ${settings.catalogue} products, ${settings.connections} connections, ${settings.warmSeconds} s warm-up + ${settings.seconds} s per measurement`,
  );
  const productIds = await seedProducts(settings.catalogue);
  const passwordHash = await bcrypt.hash(PASSWORD, settings.bcryptCost);
  const [reader, loginUser, ...buyers] = await seedUsers(2 + settings.connections, passwordHash);
  const jwtSecret = randomBytes(32).toString('hex');
  const tokenFor = (id: string) =>
    `Bearer ${jwt.sign({ sid: BENCH_SESSION }, jwtSecret, { algorithm: 'HS256', subject: id, expiresIn: 3600 })}`;
  const profileLoad = {
    path: '/api/profile',
    connections: settings.connections,
    headers: { authorization: tokenFor(reader!.id) },
  };
  const productsLoad = { path: '/api/products?limit=20', connections: settings.connections };
  const loginLoad = {
    path: '/api/login',
    method: 'POST' as const,
    connections: settings.loginConnections,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: loginUser!.email, password: PASSWORD }),
  };
  const buyerTokens = buyers.map((buyer) => tokenFor(buyer.id));
  const spread = productIds.slice(0, SPREAD_PRODUCTS).map((id) => id.toHexString());
  const hot = productIds.at(-1)!.toHexString();
  let nextBuyer = 0;
  const orderLoad = (productFor: () => string) => ({
    path: '/api/orders/create',
    method: 'POST' as const,
    connections: settings.connections,
    // One buyer per connection: many buyers, each placing orders one after another.
    setupRequest: (
      request: Parameters<NonNullable<LoadOptions['setupRequest']>>[0],
      context: Record<string, unknown>,
    ) => {
      context.token ??= buyerTokens[nextBuyer++ % buyerTokens.length];
      return {
        ...request,
        headers: { ...request.headers, 'content-type': 'application/json', authorization: context.token as string },
        body: JSON.stringify({ items: [{ productId: productFor(), quantity: 1 }] }),
      };
    },
  });
  const env = projectEnv(dbUri, jwtSecret, settings);

  if (options.cpuProfileOf) {
    const project = await startProject(env);
    const loads: Record<string, Omit<LoadOptions, 'url' | 'seconds'>> = {
      profile: profileLoad,
      products: productsLoad,
      login: loginLoad,
      orders: orderLoad(() => spread[Math.floor(Math.random() * spread.length)]!),
    };
    const chosen = loads[options.cpuProfileOf];
    if (!chosen) throw new Error(`--cpu-prof takes one of ${Object.keys(loads).join(', ')}`);
    // The baselines answer the two GET loads: their profiles show what any server spends on the same work.
    const floors =
      chosen === profileLoad || chosen === productsLoad
        ? await Promise.all([startFloor('express', dbUri, jwtSecret), startFloor('http', dbUri, jwtSecret)])
        : [];
    // BENCH_VARIANT_DIST=<dir> profiles the other build too (as `-before.cpuprofile`, named after the dir's parent).
    const variantDist = process.env.BENCH_VARIANT_DIST?.trim();
    const variantName = variantDist && path.basename(path.resolve(variantDist, '..'));
    const variants = variantDist ? [await startProject(env, `project ${variantName}`, variantDist)] : [];
    const names = ['project', ...(floors.length ? ['express', 'http'] : []), ...(variantName ? [variantName] : [])];
    const all = [project, ...floors, ...variants];
    const rows: Row[] = [];
    for (const [i, server] of all.entries()) {
      rows.push(
        await measure(
          options.cpuProfileOf,
          server,
          chosen,
          settings,
          `${options.cpuProfileBase}-${names[i]}.cpuprofile`,
        ),
      );
    }
    await settle();
    await Promise.all(all.map((server) => server.stop()));
    const projectLog = { ...(await project.readLog()), requests: rows[0]!.requests };
    for (const server of all) server.removeFiles();
    return { hashMs: NaN, nativeHashMs: NaN, rows, targets: [], projectLog };
  }

  const hashMs = await hashMilliseconds((password, cost) => bcrypt.hash(password, cost), settings.bcryptCost);
  const nativeHashMs = await nativeHashMilliseconds(settings.bcryptCost);
  console.log(
    `hash at cost ${settings.bcryptCost} (median of 5, this process): bcryptjs ${hashMs.toFixed(1)} ms, native bcrypt ${nativeHashMs.toFixed(1)} ms`,
  );
  // BENCH_VARIANT="NAME=value ...": a second project server with other settings, compared in the same rounds.
  const variant = process.env.BENCH_VARIANT?.trim();
  const variantEnv =
    variant &&
    Object.fromEntries(
      variant.split(/\s+/).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
    );
  // BENCH_VARIANT_DIST=<dir>: the project built from other code (a copy of another commit's dist/), in the same rounds:
  // a code change measured before and after in one run.
  const variantDist = process.env.BENCH_VARIANT_DIST?.trim();
  const servers = await startAll([
    startProject(env),
    startFloor('express', dbUri, jwtSecret),
    startFloor('http', dbUri, jwtSecret),
    ...(variantEnv ? [startProject({ ...env, ...variantEnv }, `project ${variant}`)] : []),
    ...(variantDist
      ? [startProject(env, `project ${path.basename(path.resolve(variantDist, '..'))}`, variantDist)]
      : []),
  ]);
  const project = servers[0]!;
  const rows: Row[] = [];
  try {
    // The baselines must do the same work: the same bodies, byte for byte, before anything is measured.
    await sameAnswers(profileLoad.path, profileLoad.headers, servers);
    await sameAnswers(productsLoad.path, {}, servers);

    const runs = (scenario: string) => !options.only || options.only.has(scenario);
    if (runs('profile')) rows.push(...(await compare('GET /api/profile', servers, profileLoad, settings)));
    if (runs('products')) rows.push(...(await compare('GET /api/products?limit=20', servers, productsLoad, settings)));
    if (runs('login')) await loginScenario();
    if (runs('orders')) {
      rows.push(
        await measure(
          `POST /api/orders/create, ${settings.connections} buyers on ${spread.length} products`,
          project,
          orderLoad(() => spread[Math.floor(Math.random() * spread.length)]!),
          settings,
        ),
      );
      rows.push(
        await measure(
          `POST /api/orders/create, ${settings.connections} buyers on 1 product`,
          project,
          orderLoad(() => hot),
          { ...settings, warmSeconds: 0 },
        ),
      );
    }
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
  const projectLog = {
    ...(await project.readLog()),
    requests: rows.filter((row) => row.server === project.name).reduce((sum, row) => sum + row.requests, 0),
  };
  for (const server of servers) server.removeFiles();
  return {
    hashMs,
    nativeHashMs,
    rows,
    targets: targetsOf(rows, settings, hashMs, nativeHashMs, spread.length),
    projectLog,
  };

  async function loginScenario() {
    const probeUrl = `${project.url}/api/products?limit=20`;
    await project.reset();
    const idle = await probe(probeUrl, settings.probePerSecond, settings.seconds);
    rows.push(
      rowOf(`probe GET /api/products at ${settings.probePerSecond}/s, idle`, project, 1, idle, await project.report()),
    );
    if (settings.warmSeconds > 0) await load({ ...loginLoad, url: project.url, seconds: settings.warmSeconds });
    await project.reset();
    const [logins, loaded] = await Promise.all([
      load({ ...loginLoad, url: project.url, seconds: settings.seconds }),
      probe(probeUrl, settings.probePerSecond, settings.seconds),
    ]);
    const underLogins = await project.report();
    rows.push(rowOf('POST /api/login', project, settings.loginConnections, logins, underLogins));
    rows.push(
      rowOf(`probe GET /api/products at ${settings.probePerSecond}/s, under logins`, project, 1, loaded, underLogins),
    );
    await settle();
    console.log(
      `  logins: ${logins.perSecond.toFixed(1)}/s; probe p99 ${idle.p99Ms.toFixed(1)} ms idle, ${loaded.p99Ms.toFixed(1)} ms under logins`,
    );
  }
}

/** The ratios, for the scenarios that ran. */
function targetsOf(
  rows: Row[],
  settings: ScenarioSettings,
  hashMs: number,
  nativeHashMs: number,
  spreadProducts: number,
): Target[] {
  const find = (scenario: string, server: string) =>
    rows.find((row) => row.scenario.startsWith(scenario) && row.server === server);
  const project = { name: 'project' };
  const express = { name: 'Express floor' };
  const bare = { name: 'bare node:http' };
  const targets: Target[] = [];
  for (const [scenario, goal] of [
    ['GET /api/profile', 0.7],
    ['GET /api/products', 0.85],
  ] as const) {
    if (!find(scenario, project.name)) continue;
    const own = find(scenario, project.name)!.perSecond;
    const floor = find(scenario, express.name)!.perSecond;
    const bareRate = find(scenario, bare.name)!.perSecond;
    const value = ratio(own, floor);
    targets.push({
      name: `${scenario} ÷ Express floor`,
      value,
      goal: `≥ ${goal}`,
      met: value >= goal,
      detail: `${own.toFixed(0)} vs ${floor.toFixed(0)} req/s; ÷ bare node:http ${ratio(own, bareRate).toFixed(2)} (${bareRate.toFixed(0)} req/s)`,
    });
  }
  const loginRow = find('POST /api/login', project.name);
  const idleProbe = rows.find((row) => row.scenario.endsWith(', idle'));
  const loadedProbe = rows.find((row) => row.scenario.endsWith('under logins'));
  if (loginRow && idleProbe && loadedProbe) {
    const ceiling = settings.cores / (hashMs / 1000);
    const loginRatio = ratio(loginRow.perSecond, ceiling);
    targets.push({
      name: 'logins/s ÷ (cores ÷ bcryptjs hash time)',
      value: loginRatio,
      goal: '≥ 0.8',
      met: loginRatio >= 0.8,
      detail: `${loginRow.perSecond.toFixed(1)}/s vs ${settings.cores} ÷ ${hashMs.toFixed(1)} ms = ${ceiling.toFixed(1)}/s`,
    });
    if (Number.isFinite(nativeHashMs)) {
      // The server hashes with native bcrypt: how close it comes to that library's own ceiling, for the record.
      const nativeCeiling = settings.cores / (nativeHashMs / 1000);
      targets.push({
        name: 'logins/s ÷ (cores ÷ native bcrypt hash time)',
        value: loginRow.perSecond / nativeCeiling,
        goal: 'report',
        met: true,
        detail: `${loginRow.perSecond.toFixed(1)}/s vs ${settings.cores} ÷ ${nativeHashMs.toFixed(1)} ms = ${nativeCeiling.toFixed(1)}/s`,
      });
    }
    const probeRatio = ratio(loadedProbe.p99Ms, idleProbe.p99Ms);
    targets.push({
      name: 'probe p99 under logins ÷ idle p99',
      value: probeRatio,
      goal: '≤ 3',
      met: probeRatio <= 3,
      detail: `${loadedProbe.p99Ms.toFixed(1)} ms vs ${idleProbe.p99Ms.toFixed(1)} ms`,
    });
  }
  const hotRow = rows.find((row) => row.scenario.endsWith('on 1 product'));
  const spreadRow = rows.find((row) => row.scenario.includes(`on ${spreadProducts} products`));
  if (hotRow && spreadRow)
    targets.push({
      name: 'orders on 1 product ÷ on many (reported)',
      value: ratio(hotRow.perSecond, spreadRow.perSecond),
      goal: 'report',
      met: true,
      detail: `${hotRow.perSecond.toFixed(0)} vs ${spreadRow.perSecond.toFixed(0)} orders/s`,
    });
  const failures = rows.filter((row) => row.errors > 0 || row.non2xx > 0);
  targets.push({
    name: 'errors and non-2xx in every scenario',
    value: failures.reduce((sum, row) => sum + row.errors + row.non2xx, 0),
    goal: '0',
    met: failures.length === 0,
    detail:
      failures.length === 0
        ? 'none'
        : failures
            .map(
              (row) =>
                `${row.scenario} | ${row.server}: ${row.errors} errors, ${JSON.stringify(row.statusCodes ?? {})}`,
            )
            .join('; '),
  });
  return targets;
}

/**
 * npm run bench: measures the performance claims of the design as ratios against a baseline measured in
 * the same run, on the same database and machine (absolute times vary between machines; ratios travel).
 *
 *   BENCH_MONGODB_URI=mongodb://127.0.0.1:27017 npm run bench     # any MongoDB-compatible server
 *   npm run bench                                                  # starts a mongodb-memory-server
 *
 * It works in a database of its own (bench_<random>) and drops it at the end.
 * BENCH_PRODUCTS (default 20000) and BENCH_ORDERS (default 200) size the data.
 */
import { randomBytes } from 'node:crypto';
import mongoose, { Types } from 'mongoose';
import { ensureIndexes } from '../src/config/database';
import { afterCursor, encodeCursor, sortFor, type KeysetOrder } from '../src/lib/keyset';
import { silentLogger } from '../src/lib/logger';
import { ProductModel } from '../src/models/product.model';
import { UserModel } from '../src/models/user.model';
import { createSimulatedGateway } from '../src/payments/simulated.gateway';
import type { PublicUser } from '../src/services/auth.service';
import { createCatalogueService, pricing, PRODUCT_ORDERS } from '../src/services/catalogue.service';
import { createOrderService } from '../src/services/order.service';

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 20_000);
const ORDERS = Number(process.env.BENCH_ORDERS ?? 200);
const RUNS = 15;
const PAGE = 20;

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

const ms = (value: number) => `${value.toFixed(2)} ms`;
const ratio = (value: number, baseline: number) => `${(value / baseline).toFixed(2)}x`;

async function connect(): Promise<() => Promise<void>> {
  let uri = process.env.BENCH_MONGODB_URI;
  let stop = async () => undefined as unknown;
  if (!uri) {
    const { MongoMemoryServer } = await import('mongodb-memory-server');
    const server = await MongoMemoryServer.create();
    uri = server.getUri();
    stop = () => server.stop();
  }
  const url = new URL(uri);
  url.pathname = `/bench_${randomBytes(4).toString('hex')}`;
  await mongoose.connect(url.toString(), { autoIndex: false });
  await ensureIndexes();
  console.log(`database: ${url.host}${url.pathname} (${(await mongoose.connection.db!.admin().buildInfo()).version})`);
  return async () => {
    await mongoose.connection.dropDatabase();
    await mongoose.disconnect();
    await stop();
  };
}

async function seedProducts(count: number, stock = 1_000_000) {
  const currencies = ['USD', 'EUR', 'GBP', 'JPY'];
  const start = Date.now() - count * 1000;
  for (let offset = 0; offset < count; offset += 5000) {
    const batch = Array.from({ length: Math.min(5000, count - offset) }, (_, i) => {
      const n = offset + i;
      const currency = currencies[n % currencies.length]!;
      const price = currency === 'JPY' ? 100 + (n % 9000) : (100 + (n % 5000)) / 100;
      const at = new Date(start + n * 1000);
      return { _id: new Types.ObjectId(), name: `Product ${n}`, description: 'Benchmark product', stock, ...pricing(price, currency), createdAt: at, updatedAt: at };
    });
    await ProductModel.insertMany(batch, { ordered: false });
  }
}

/** Deep pages: keyset from a cursor vs the skip/offset it replaces, against page 1 as the baseline. */
async function catalogueBench() {
  console.log(`\n## Catalogue list: ${PRODUCTS} products, ${PAGE} per page, median of ${RUNS}`);
  await seedProducts(PRODUCTS);
  const catalogue = createCatalogueService();
  const depth = Math.floor(PRODUCTS / 2);
  const rows: string[] = [];
  for (const sort of ['newest', 'price_asc'] as const) {
    const order = PRODUCT_ORDERS[sort];
    const sortSpec = sortFor(order);
    const query = { limit: PAGE, sort };
    const [last] = await ProductModel.find({ archived: false }).sort(sortSpec).skip(depth - 1).limit(1).lean();
    const cursor = encodeCursor(order, {}, last as never);
    const first = await median(RUNS, () => catalogue.listProducts(query));
    const deep = await median(RUNS, () => catalogue.listProducts({ ...query, cursor }));
    const skipped = await median(RUNS, () => ProductModel.find({ archived: false }).sort(sortSpec).skip(depth).limit(PAGE + 1).lean());
    rows.push(`| ${sort} | ${ms(first)} | ${ms(deep)} (${ratio(deep, first)}) | ${ms(skipped)} (${ratio(skipped, first)}) |`);
    await explainPages(order, cursor, depth);
  }
  console.log(`\n| sort | page 1 (baseline) | keyset page ${depth / PAGE + 1} | skip to the same page |\n| --- | --- | --- | --- |\n${rows.join('\n')}`);
}

async function explainPages(order: KeysetOrder, cursor: string, depth: number) {
  const stats = async (query: mongoose.Query<unknown, unknown>) => {
    const plan = (await query.explain('executionStats')) as { executionStats?: { totalKeysExamined: number; totalDocsExamined: number } };
    return plan.executionStats ? `${plan.executionStats.totalKeysExamined} keys / ${plan.executionStats.totalDocsExamined} docs` : 'no executionStats';
  };
  try {
    const page1 = await stats(ProductModel.find({ archived: false }).sort(sortFor(order)).limit(PAGE + 1));
    const deep = await stats(ProductModel.find({ archived: false, ...afterCursor(order, {}, cursor) }).sort(sortFor(order)).limit(PAGE + 1));
    console.log(`explain ${order.name}: page 1 examines ${page1}; keyset page ${depth / PAGE + 1} examines ${deep}`);
  } catch (error) {
    console.log(`explain: not supported by this server (${(error as Error).message.split('\n')[0]})`);
  }
}

/** Order placement: many buyers on one hot product vs the same orders spread over many products. */
async function ordersBench() {
  console.log(`\n## Order placement: ${ORDERS} orders, 10 at a time, simulated gateway`);
  const payments = createSimulatedGateway({ webhookSecret: 'whsec_bench', webhookUrl: () => undefined, deliveryDelayMs: 0, logger: silentLogger });
  const orders = createOrderService({ payments, clock: () => new Date(), logger: silentLogger, settings: { paymentTimeoutMs: 30 * 60_000, idempotencyKeyTtlMs: 86_400_000, stockWaitMs: 3000, maxOpenOrders: 1_000_000, maxOpenUnits: 1_000_000 } });
  const user = await UserModel.create({ name: 'Bench', email: `bench.${randomBytes(4).toString('hex')}@example.com`, passwordHash: 'x' });
  const buyer: PublicUser = { id: user.id as string, name: user.name, email: user.email, role: 'user' };
  const products = await ProductModel.find().sort({ _id: 1 }).limit(ORDERS).select('_id').lean();
  const ids = products.map((p) => p._id.toHexString());

  const place = async (productFor: (i: number) => string) => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < ORDERS; i += 10) {
      await Promise.all(Array.from({ length: Math.min(10, ORDERS - i) }, (_, j) => orders.createOrder(buyer, { items: [{ productId: productFor(i + j), quantity: 1 }] })));
    }
    return Number(process.hrtime.bigint() - start) / 1e6 / ORDERS;
  };
  const spread = await place((i) => ids[i % ids.length]!);
  const hot = await place(() => ids[0]!);
  console.log(`\n| orders | per order | vs spread |\n| --- | --- | --- |\n| spread over ${ids.length} products (baseline) | ${ms(spread)} | 1.00x |\n| all on one product | ${ms(hot)} | ${ratio(hot, spread)} |`);
}

async function main() {
  const disconnect = await connect();
  try {
    await catalogueBench();
    await ordersBench();
  } finally {
    await disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

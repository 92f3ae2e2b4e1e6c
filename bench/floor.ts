/**
 * The baselines of `npm run bench`, each run as its own process (bench/servers.ts starts them):
 *
 *   floor.ts express   the Express floor: a bare Express 5 app, no middleware at all
 *   floor.ts http      a bare node:http server
 *
 * Both answer the benchmarked requests with the same handler doing the same work as the project:
 * - GET /api/profile: verifies the same JWT (HS256, a KeyObject made once from the secret, exp, sub and the
 *   session id required) and reads the same user (name, email, role) by id and live session with the raw driver;
 * - GET /api/products?limit=N: the project's first-page query (not archived, newest first, N + 1 rows,
 *   the fields a product view shows) with the raw driver, and the same JSON body, next-page cursor included.
 * The response bodies are byte-for-byte what the project sends; bench/run.ts checks that before measuring.
 * Environment: BENCH_DB_URI (with the database name), BENCH_JWT_SECRET, PORT (0: any free port, reported over IPC).
 */
import { createSecretKey } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import express from 'express';
import jwt from 'jsonwebtoken';
import { mongo } from 'mongoose';
import { encodeCursor, type KeysetOrder } from '../src/lib/keyset';
import { fromMinorUnits } from '../src/lib/money';

const NEWEST: KeysetOrder = { name: 'newest', field: 'createdAt', direction: -1, kind: 'date' };
const PRODUCT_FIELDS = {
  name: 1,
  description: 1,
  priceMinor: 1,
  currency: 1,
  stock: 1,
  priceSortKey: 1,
  createdAt: 1,
  updatedAt: 1,
} as const;

interface Answer {
  status: number;
  body: unknown;
}

type UserRow = { _id: mongo.ObjectId; name: string; email: string; role: string; sessions?: string[] };
type ProductRow = {
  _id: mongo.ObjectId;
  name: string;
  description: string;
  priceMinor: number;
  currency: string;
  stock: number;
  createdAt: Date;
  updatedAt: Date;
};

function handlers(db: mongo.Db, secret: string) {
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  const users = db.collection<UserRow>('users');
  const products = db.collection<ProductRow>('products');
  const unauthorized: Answer = { status: 401, body: { message: 'Invalid or expired token', code: 'INVALID_TOKEN' } };

  async function profile(authorization: string | undefined): Promise<Answer> {
    if (!authorization?.startsWith('Bearer ')) return unauthorized;
    let sub: string;
    let sid: string;
    try {
      const payload = jwt.verify(authorization.slice(7), key, { algorithms: ['HS256'] });
      if (
        typeof payload !== 'object' ||
        typeof payload.exp !== 'number' ||
        typeof payload.sub !== 'string' ||
        !mongo.ObjectId.isValid(payload.sub)
      )
        return unauthorized;
      if (typeof payload.sid !== 'string') return unauthorized;
      sub = payload.sub;
      sid = payload.sid;
    } catch {
      return unauthorized;
    }
    // The session is in the filter, as the project's per-request read has it (a session that ended finds nothing).
    const user = await users.findOne(
      { _id: new mongo.ObjectId(sub), sessions: sid },
      { projection: { name: 1, email: 1, role: 1 } },
    );
    if (!user) return unauthorized;
    return {
      status: 200,
      body: {
        message: 'user Profile',
        details: { id: user._id.toHexString(), name: user.name, email: user.email, role: user.role },
      },
    };
  }

  async function productList(limitText: string | null | undefined): Promise<Answer> {
    const limit = limitText ? Number(limitText) : 20;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 100)
      return { status: 400, body: { message: 'Validation failed', code: 'VALIDATION_ERROR' } };
    const rows = await products
      .find({ archived: false }, { projection: PRODUCT_FIELDS })
      .sort({ createdAt: -1, _id: -1 })
      .limit(limit + 1)
      .toArray();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const nextCursor = rows.length > limit && last ? encodeCursor(NEWEST, {}, last) : null;
    const data = page.map((row) => ({
      id: row._id.toHexString(),
      name: row.name,
      description: row.description,
      price: fromMinorUnits(row.priceMinor, row.currency),
      currency: row.currency,
      stock: row.stock,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    }));
    return { status: 200, body: { message: 'Product list', data, pagination: { limit, nextCursor } } };
  }

  return { profile, productList };
}

function expressFloor(work: ReturnType<typeof handlers>) {
  const app = express();
  app.get('/api/profile', async (req, res) => {
    const answer = await work.profile(req.get('authorization'));
    res.status(answer.status).json(answer.body);
  });
  app.get('/api/products', async (req, res) => {
    const answer = await work.productList(typeof req.query.limit === 'string' ? req.query.limit : undefined);
    res.status(answer.status).json(answer.body);
  });
  return createServer(app);
}

function httpFloor(work: ReturnType<typeof handlers>) {
  const send = (res: ServerResponse, answer: Answer) => {
    const body = JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
  };
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let answer: Promise<Answer> | undefined;
    if (req.method === 'GET' && url.pathname === '/api/profile') answer = work.profile(req.headers.authorization);
    else if (req.method === 'GET' && url.pathname === '/api/products')
      answer = work.productList(url.searchParams.get('limit'));
    if (!answer) return send(res, { status: 404, body: { message: 'Not found', code: 'ROUTE_NOT_FOUND' } });
    answer.then(
      (done) => send(res, done),
      () => send(res, { status: 500, body: { message: 'Internal server error', code: 'INTERNAL_ERROR' } }),
    );
  });
}

async function main() {
  const kind = process.argv[2];
  const uri = process.env.BENCH_DB_URI;
  const secret = process.env.BENCH_JWT_SECRET;
  if ((kind !== 'express' && kind !== 'http') || !uri || !secret)
    throw new Error('usage: BENCH_DB_URI=... BENCH_JWT_SECRET=... floor.ts express|http');
  const client = await mongo.MongoClient.connect(uri);
  const work = handlers(client.db(), secret);
  const server = kind === 'express' ? expressFloor(work) : httpFloor(work);
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    process.send?.({ bench: 'listening', port });
  });
  process.on('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    void client.close().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

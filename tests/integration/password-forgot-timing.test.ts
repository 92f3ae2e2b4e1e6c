import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import request from 'supertest';
import { buildUser } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';
import { useAppWithMail } from '../helpers/mail';

/**
 * No account enumeration by timing on POST /api/password/forgot: answers for addresses with and without an
 * account are timed over a real socket, interleaved in random order, with the mail worker running (it sends a
 * mail for the known addresses only, after their answers). The request does the same work for both (see
 * account.service.ts forgotPassword), so their latencies must be one distribution. REPORT_TIMING=1 prints the
 * figures (the README quotes a run). Both kinds of address are asked for in the same pattern: what does differ
 * is whether an address was asked for before in the rate-limit window (its counter is inserted, then
 * incremented), which says nothing about accounts but would show up if one side used fresh addresses.
 */
const PAIRS = Number(process.env.TIMING_PAIRS ?? 150);

const shop = useAppWithMail();
useTestDatabase();

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let server: http.Server;
let port: number;
beforeAll(async () => {
  server = shop.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  agent.destroy();
  await new Promise((resolve) => server.close(resolve));
});

function timedForgot(email: string): Promise<{ ms: number; status: number; body: string }> {
  const payload = JSON.stringify({ email });
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/password/forgot',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ ms: performance.now() - started, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** Mann-Whitney U as a z score: how far apart the two samples' ranks are, in standard deviations (ties averaged). */
function mannWhitneyZ(a: number[], b: number[]): number {
  const all = [...a.map((value) => ({ value, group: 0 })), ...b.map((value) => ({ value, group: 1 }))].sort((x, y) => x.value - y.value);
  const ranks = new Array<number>(all.length);
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.value === all[i]!.value) j += 1;
    for (let k = i; k <= j; k += 1) ranks[k] = (i + j) / 2 + 1;
    i = j + 1;
  }
  const rankSumA = all.reduce((sum, entry, i) => (entry.group === 0 ? sum + ranks[i]! : sum), 0);
  const u = rankSumA - (a.length * (a.length + 1)) / 2;
  const mean = (a.length * b.length) / 2;
  const sd = Math.sqrt((a.length * b.length * (a.length + b.length + 1)) / 12);
  return (u - mean) / sd;
}

describe('POST /api/password/forgot timing', () => {
  it('when addresses with and without an account are asked for in random order, then their answers are the same and take the same time', async () => {
    const known: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      const user = buildUser();
      await request(shop.app).post('/api/registration').send(user).expect(201);
      known.push(user.email);
    }
    // As many addresses without an account, asked for in the same pattern: the per-address rate-limit counter then
    // exists for both alike (a first request for an address inserts its counter, a later one increments it).
    const unknown = known.map(() => `nobody.${randomBytes(5).toString('hex')}@example.com`);
    for (let i = 0; i < 2 * known.length; i += 1) await timedForgot(i % 2 ? known[i % known.length]! : unknown[i % unknown.length]!); // warm-up

    const order = Array.from({ length: 2 * PAIRS }, (_, i) => i % 2 === 0).sort(() => Math.random() - 0.5);
    const times = { known: [] as number[], unknown: [] as number[] };
    const bodies = new Set<string>();
    for (const [i, isKnown] of order.entries()) {
      const answer = await timedForgot(isKnown ? known[i % known.length]! : unknown[i % unknown.length]!);
      expect(answer.status).toBe(202);
      bodies.add(answer.body);
      (isKnown ? times.known : times.unknown).push(answer.ms);
    }

    const stats = (sample: number[]) => {
      const sorted = [...sample].sort((a, b) => a - b);
      return { median: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), mean: sample.reduce((a, b) => a + b, 0) / sample.length };
    };
    const report = { known: stats(times.known), unknown: stats(times.unknown), mannWhitneyZ: mannWhitneyZ(times.known, times.unknown), pairs: PAIRS };
    if (process.env.REPORT_TIMING) console.log(JSON.stringify(report, null, 2));

    expect(bodies.size).toBe(1);
    // One distribution: medians within a millisecond (or a fifth), and no rank shift a test can see (|z| < 4).
    const tolerance = Math.max(1, 0.2 * report.unknown.median);
    const close = Math.abs(report.known.median - report.unknown.median) <= tolerance;
    // The figures are shown when it fails.
    expect({ mediansWithinTolerance: close, rankShiftSmall: Math.abs(report.mannWhitneyZ) < 4, tolerance, report }).toEqual({
      mediansWithinTolerance: true,
      rankShiftSmall: true,
      tolerance,
      report,
    });
  }, 120_000);
});

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import request from 'supertest';
import { buildUser } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';
import { useAppWithMail } from '../helpers/mail';

/**
 * No account enumeration by timing on POST /api/password/forgot: answers for addresses with and without an
 * account are timed over a real socket by a client process of its own, interleaved in random order, with the mail
 * worker running (it sends a mail for the known addresses only, after their answers). The request does the same work for both (see
 * account.service.ts forgotPassword), so their latencies must be one distribution. REPORT_TIMING=1 prints the
 * figures (the README quotes a run). Both kinds of address are asked for in the same pattern: what does differ
 * is whether an address was asked for before in the rate-limit window (its counter is inserted, then
 * incremented), which says nothing about accounts but would show up if one side used fresh addresses.
 */
const PAIRS = Number(process.env.TIMING_PAIRS ?? 150);

const shop = useAppWithMail();
useTestDatabase();

let server: http.Server;
let port: number;
beforeAll(async () => {
  server = shop.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/**
 * Asks for these addresses one after another from a client process of its own (tests/helpers/timed-requests.cjs),
 * as an attacker would from elsewhere: a client in this process would read each answer on the server's event loop,
 * after whatever the mail worker does once the answer is written (it sends the known addresses' mails here).
 */
async function timedForgot(emails: string[]): Promise<{ ms: number; status: number; body: string }[]> {
  const client = spawn(process.execPath, [path.join(__dirname, '../helpers/timed-requests.cjs')], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  client.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  client.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  client.stdin.end(JSON.stringify({ port, path: '/api/password/forgot', bodies: emails.map((email) => ({ email })) }));
  const [code] = (await once(client, 'close')) as [number | null];
  if (code !== 0) throw new Error(`the timing client exited with ${code}: ${err}`);
  return JSON.parse(out) as { ms: number; status: number; body: string }[];
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** Mann-Whitney U as a z score: how far apart the two samples' ranks are, in standard deviations (ties averaged). */
function mannWhitneyZ(a: number[], b: number[]): number {
  const all = [...a.map((value) => ({ value, group: 0 })), ...b.map((value) => ({ value, group: 1 }))].sort(
    (x, y) => x.value - y.value,
  );
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
    const warmUp = Array.from({ length: 2 * known.length }, (_, i) =>
      i % 2 ? known[i % known.length]! : unknown[i % unknown.length]!,
    );
    // In pairs, one address of each kind in random order within the pair: whatever else loads the machine at a
    // moment slows both requests of that pair alike, so each pair's difference cancels it.
    const order = Array.from({ length: PAIRS }, () => Math.random() < 0.5).flatMap((knownFirst) => [
      knownFirst,
      !knownFirst,
    ]);
    const asked = order.map((isKnown, i) => (isKnown ? known[i % known.length]! : unknown[i % unknown.length]!));
    const answers = (await timedForgot([...warmUp, ...asked])).slice(warmUp.length);

    const times = { known: [] as number[], unknown: [] as number[] };
    const bodies = new Set<string>();
    for (const [i, answer] of answers.entries()) {
      expect(answer.status).toBe(202);
      bodies.add(answer.body);
      (order[i] ? times.known : times.unknown).push(answer.ms);
    }

    const stats = (sample: number[]) => {
      const sorted = [...sample].sort((a, b) => a - b);
      return {
        median: quantile(sorted, 0.5),
        p90: quantile(sorted, 0.9),
        mean: sample.reduce((a, b) => a + b, 0) / sample.length,
      };
    };
    // Known minus unknown, pair by pair (answers 2k and 2k + 1 are one pair).
    const pairDifferences = Array.from({ length: PAIRS }, (_, k) => {
      const [first, second] = [answers[2 * k]!.ms, answers[2 * k + 1]!.ms];
      return order[2 * k] ? first - second : second - first;
    });
    const report = {
      known: stats(times.known),
      unknown: stats(times.unknown),
      medianPairDifference: quantile(
        [...pairDifferences].sort((a, b) => a - b),
        0.5,
      ),
      mannWhitneyZ: mannWhitneyZ(times.known, times.unknown),
      pairs: PAIRS,
    };
    if (process.env.REPORT_TIMING) console.log(JSON.stringify(report, null, 2));

    expect(bodies.size).toBe(1);
    // One distribution: a known address's answer is typically within a millisecond (or a fifth) of the unknown one
    // asked beside it, and no rank shift a test can see (|z| < 4).
    const tolerance = Math.max(1, 0.2 * report.unknown.median);
    const close = Math.abs(report.medianPairDifference) <= tolerance;
    // The figures are shown when it fails.
    expect({
      mediansWithinTolerance: close,
      rankShiftSmall: Math.abs(report.mannWhitneyZ) < 4,
      tolerance,
      report,
    }).toEqual({
      mediansWithinTolerance: true,
      rankShiftSmall: true,
      tolerance,
      report,
    });
  }, 120_000);
});

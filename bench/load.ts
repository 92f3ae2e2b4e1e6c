/**
 * The load of `npm run bench`: autocannon (keep-alive connections, each sending its next request when the
 * previous answer arrives) for throughput, and a fixed-rate probe for the latency a bystander sees.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Connection errors and timeouts. */
  errors: number;
  non2xx: number;
  statusCodes: Record<string, number>;
}

export interface LoadOptions {
  url: string;
  path: string;
  connections: number;
  seconds: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Called before each request with that connection's own context (one context per connection). */
  setupRequest?: (request: autocannon.Request, context: Record<string, unknown>) => autocannon.Request;
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    timeout: 30,
    requests: [
      {
        method: options.method ?? 'GET',
        path: options.path,
        // autocannon calls any setupRequest key it is given, undefined or not.
        ...(options.headers && { headers: options.headers }),
        ...(options.body !== undefined && { body: options.body }),
        ...(options.setupRequest && {
          setupRequest: options.setupRequest as (request: autocannon.Request, context: object) => autocannon.Request,
        }),
      },
    ],
  });
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count ?? 0]),
  );
  return {
    requests: result.requests.total,
    seconds: result.duration,
    perSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
    statusCodes,
  };
}

export interface ProbeResult {
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  non2xx: number;
}

/**
 * Sends `GET url` every 1000/rate ms for `seconds`, whatever the server's state (a slow answer does not
 * delay the next request: it goes out on another connection), and reports the latencies seen.
 */
export async function probe(url: string, ratePerSecond: number, seconds: number): Promise<ProbeResult> {
  const agent = new Agent({ keepAlive: true });
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  const pending: Promise<void>[] = [];
  const one = () =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const req = request(url, { agent, timeout: 30_000 }, (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(performance.now() - started);
          if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode >= 300) non2xx += 1;
          resolve();
        });
      });
      req.on('error', () => {
        errors += 1;
        resolve();
      });
      req.end();
    });
  const interval = 1000 / ratePerSecond;
  const start = performance.now();
  for (let sent = 0; performance.now() - start < seconds * 1000; sent += 1) {
    pending.push(one());
    // Scheduled from the start time, not from the last send, so a late timer does not lower the rate.
    const wait = start + (sent + 1) * interval - performance.now();
    await new Promise((resolve) => (wait > 0 ? setTimeout(resolve, wait) : setImmediate(resolve)));
  }
  await Promise.all(pending);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)] ?? NaN;
  return {
    requests: pending.length,
    perSecond: pending.length / seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: latencies.at(-1) ?? NaN,
    errors,
    non2xx,
  };
}

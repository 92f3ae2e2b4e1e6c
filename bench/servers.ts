/**
 * The servers `npm run bench` measures, each in its own process with bench/loop-delay.cjs preloaded: the
 * project (dist/server.js, as `npm start` runs it) and the two baselines (bench/floor.ts). The benchmark
 * asks each over IPC for its event-loop delay and CPU time, and afterwards counts the lines it wrote to
 * stdout (the project's JSON log, written to a file).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = path.resolve(__dirname, '..');
const PRELOAD = path.join(__dirname, 'loop-delay.cjs');

export interface ServerReport {
  loopDelay: { p50Ms: number; p99Ms: number; maxMs: number };
  cpuMs: number;
  /** Garbage-collection pauses on the main thread during the measurement, and the heap in use at its end. */
  gc: { minorMs: number; minorCount: number; majorMs: number; majorCount: number; heapUsedMb: number };
}

export interface BenchServer {
  readonly name: string;
  readonly url: string;
  /** After stop(): the lines it wrote to stdout, and the warn/error lines among them (the first few kept). */
  readLog(): Promise<{ lines: number; problems: number; firstProblems: string[] }>;
  /** After stop() (and readLog()): removes its working directory and stdout file. */
  removeFiles(): void;
  /** Starts a new measurement of event-loop delay and CPU time. */
  reset(): Promise<void>;
  report(): Promise<ServerReport>;
  /** Starts V8's CPU profiler in the server; stopping it writes the .cpuprofile to `file`. */
  startCpuProfile(): Promise<void>;
  stopCpuProfile(file: string): Promise<void>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface StartOptions {
  name: string;
  nodeArgs: string[];
  script: string;
  args?: string[];
  env: Record<string, string>;
  /** Resolves with the port once the server answers. */
  ready: (child: ChildProcess) => Promise<number>;
}

async function start(options: StartOptions): Promise<BenchServer> {
  // A fresh working directory: no developer's .env is read by the server.
  const cwd = mkdtempSync(path.join(tmpdir(), 'shop-bench-'));
  // stdout goes to a file, read once the server has stopped: every line is really written (as to the pipe a
  // host's log collector reads), but no reader competes with the server for this machine's two cores.
  const logFile = path.join(cwd, 'stdout.log');
  const stdout = openSync(logFile, 'w');
  const child = spawn(
    process.execPath,
    [...options.nodeArgs, '--require', PRELOAD, options.script, ...(options.args ?? [])],
    {
      cwd,
      // BENCH_NODE_OPTIONS: Node options for every server alike (project and baselines), to compare at equal flags.
      env: {
        PATH: process.env.PATH ?? '',
        ...(process.env.BENCH_NODE_OPTIONS && { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS }),
        ...options.env,
      },
      stdio: ['ignore', stdout, 'pipe', 'ipc'],
    },
  );
  closeSync(stdout);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const died = exited.then((code) => {
    throw new Error(`${options.name} exited (code ${code}) before it was ready:\n${stderr.trim()}`);
  });
  const port = await Promise.race([options.ready(child), died]);
  died.catch(() => undefined);

  const ask = <T>(message: string, fields: Record<string, unknown> = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${options.name} did not answer ${message}`)), 10_000);
      const onMessage = (reply: { bench?: string }) => {
        if (reply?.bench !== message) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(reply as T);
      };
      child.on('message', onMessage);
      child.send({ bench: message, ...fields });
    });

  return {
    name: options.name,
    url: `http://127.0.0.1:${port}`,
    readLog: async () => {
      const log = { lines: 0, problems: 0, firstProblems: [] as string[] };
      for await (const line of createInterface({ input: createReadStream(logFile) })) {
        log.lines += 1;
        if (!line.includes('"level":"warn"') && !line.includes('"level":"error"')) continue;
        log.problems += 1;
        if (log.firstProblems.length < 5) log.firstProblems.push(line.slice(0, 500));
      }
      return log;
    },
    reset: async () => {
      await ask('reset');
    },
    report: () => ask<ServerReport>('report'),
    startCpuProfile: async () => {
      await ask('cpu-profile-start');
    },
    stopCpuProfile: async (file) => {
      const { error } = await ask<{ error?: string }>('cpu-profile-stop', { file });
      if (error) throw new Error(`${options.name}: CPU profile failed: ${error}`);
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
    removeFiles: () => rmSync(cwd, { recursive: true, force: true }),
  };
}

async function answersReady(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The project as production runs it: `node dist/server.js`, settings from the environment. */
export async function startProject(
  env: Record<string, string>,
  name = 'project',
  dist = path.join(ROOT, 'dist'),
): Promise<BenchServer> {
  const port = await freePort();
  return start({
    name,
    nodeArgs: [],
    script: path.join(path.resolve(dist), 'server.js'),
    env: { ...env, PORT: String(port) },
    ready: async () => {
      await answersReady(`http://127.0.0.1:${port}/ready`, 60_000);
      return port;
    },
  });
}

/** A baseline of bench/floor.ts: `express` (the Express floor) or `http` (bare node:http). */
export function startFloor(kind: 'express' | 'http', dbUri: string, jwtSecret: string): Promise<BenchServer> {
  return start({
    name: kind === 'express' ? 'Express floor' : 'bare node:http',
    nodeArgs: ['--require', require.resolve('ts-node/register/transpile-only')],
    script: path.join(__dirname, 'floor.ts'),
    args: [kind],
    env: {
      BENCH_DB_URI: dbUri,
      BENCH_JWT_SECRET: jwtSecret,
      PORT: '0',
      TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'),
    },
    ready: (child) =>
      new Promise<number>((resolve) => {
        child.on('message', (message: { bench?: string; port?: number }) => {
          if (message?.bench === 'listening' && message.port) resolve(message.port);
        });
      }),
  });
}

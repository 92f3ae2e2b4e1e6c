import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

export interface RunningServer {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs one of the project's TypeScript entry points as its own process (ts-node, transpile only) in an
 * empty working directory, so no developer .env is read, with exactly the given environment on top of PATH.
 */
export function spawnTsScript(
  script: string,
  args: string[],
  env: Record<string, string>,
  options: { cwd?: string } = {},
) {
  const cwd = options.cwd ?? mkdtempSync(path.join(tmpdir(), 'shop-server-'));
  const child = spawn(
    process.execPath,
    ['-r', require.resolve('ts-node/register/transpile-only'), path.join(root, script), ...args],
    {
      cwd,
      env: { PATH: process.env.PATH ?? '', TS_NODE_PROJECT: path.join(root, 'tsconfig.json'), ...env },
      stdio: 'pipe',
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, cwd, output: () => output, exited };
}

export function spawnServerProcess(env: Record<string, string>, options: { cwd?: string } = {}) {
  return spawnTsScript('src/server.ts', [], env, options);
}

/** Spawns the server and waits for its "listening on" line. */
export async function startServerProcess(
  env: Record<string, string>,
  timeoutMs = 60_000,
  options: { cwd?: string } = {},
): Promise<RunningServer> {
  const spawned = spawnServerProcess({ PORT: '0', ...env }, options);
  const started = Date.now();
  for (;;) {
    const match = /listening on (http:\/\/localhost:\d+)/.exec(spawned.output());
    if (match?.[1]) {
      return {
        child: spawned.child,
        baseUrl: match[1],
        output: spawned.output,
        stop: async (signal = 'SIGTERM') => {
          spawned.child.kill(signal);
          return spawned.exited;
        },
      };
    }
    if (spawned.child.exitCode !== null || Date.now() - started > timeoutMs) {
      spawned.child.kill('SIGKILL');
      throw new Error(`server did not start:\n${spawned.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A request to a spawned server: `body` as JSON (a string is sent as it is), the answer's status and JSON body. */
export async function call(
  server: RunningServer,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const payload = typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body);
  const res = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { ...(payload !== undefined && { 'content-type': 'application/json' }), ...headers },
    body: payload,
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

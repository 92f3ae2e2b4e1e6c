import { Worker } from 'node:worker_threads';
import bcrypt from 'bcryptjs';

/**
 * bcrypt off the event loop. One hash at cost 10 is 60-100 ms of pure CPU: on the event loop, eight
 * concurrent logins stalled every other request for seconds. Here each hash runs on a worker thread of a
 * pool, one hash per thread at a time, the rest queued in order.
 *
 * The threads run native `bcrypt` (about 1.4 times as fast as bcryptjs; its prebuilt binary loads without
 * an install script) and fall back to bcryptjs where it does not load. Both write and read the same `$2b$`
 * hashes, so either verifies what the other stored.
 *
 * The threads run at the lowest OS priority (nice 19, Linux, where a thread has its own id): with as many
 * hashing threads as cores, the event loop would otherwise get a third of a core under a login burst. At
 * nice 19 a hash takes whatever CPU the rest of the process leaves, so logins fill idle cores and the
 * latency of other requests hardly moves.
 */
export interface PasswordHasher {
  /** `bcrypt` (native) or `bcryptjs`: what the hashes are computed with. */
  readonly implementation: 'bcrypt' | 'bcryptjs';
  hash(password: string, cost: number): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
}

/** The worker's code, evaluated (so it runs the same from src/ under ts-jest and from dist/). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.module);
if (workerData.nice > 0) {
  try {
    // /proc/thread-self -> "<pid>/task/<tid>"; setpriority on a tid renices that thread only.
    const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
    require('node:os').setPriority(tid, workerData.nice);
  } catch {
    // not Linux, or not allowed: the thread keeps its normal priority
  }
}
parentPort.on('message', ({ op, password, arg }) => {
  try {
    const result = op === 'hash' ? bcrypt.hashSync(password, arg) : bcrypt.compareSync(password, arg);
    parentPort.postMessage({ result });
  } catch (error) {
    parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
`;

const LOWEST_PRIORITY = 19;

interface Task {
  op: 'hash' | 'verify';
  password: string;
  arg: string | number;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

/** On the event loop with bcryptjs, as before the pool: PASSWORD_HASH_THREADS=0. */
const onEventLoop: PasswordHasher = {
  implementation: 'bcryptjs',
  hash: (password, cost) => bcrypt.hash(password, cost),
  verify: (password, hash) => bcrypt.compare(password, hash),
};

/**
 * The pools, one per thread count, made on first use. Per process, not per app, on purpose: the cores
 * they share are the process's, and tests build hundreds of apps in one process.
 */
const pools = new Map<number, PasswordHasher>();

export function passwordHasher(threads: number): PasswordHasher {
  if (threads <= 0) return onEventLoop;
  let pool = pools.get(threads);
  if (!pool) pools.set(threads, (pool = createPool(threads, LOWEST_PRIORITY)));
  return pool;
}

/** Native bcrypt when its binary loads on this platform, else bcryptjs. */
function hashingModule(): { implementation: PasswordHasher['implementation']; module: string } {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('bcrypt');
    return { implementation: 'bcrypt', module: require.resolve('bcrypt') };
  } catch {
    return { implementation: 'bcryptjs', module: require.resolve('bcryptjs') };
  }
}

function createPool(size: number, nice: number): PasswordHasher {
  const { implementation, module } = hashingModule();
  const alive = new Set<Worker>();
  const idle: Worker[] = [];
  const queue: Task[] = [];
  const running = new Map<Worker, Task>();

  function spawn(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, nice } });
    alive.add(worker);
    worker.on('message', (reply: { result?: unknown; error?: string }) => {
      const task = running.get(worker);
      running.delete(worker);
      if (reply.error !== undefined) task?.reject(new Error(reply.error));
      else task?.resolve(reply.result);
      const next = queue.shift();
      if (next) return run(worker, next);
      // An idle thread does not keep the process alive.
      worker.unref();
      idle.push(worker);
    });
    // A thread that dies takes its task with it (rejected); the next task starts a new thread.
    const lost = (error: Error) => {
      if (!alive.delete(worker)) return;
      running.get(worker)?.reject(error);
      running.delete(worker);
      if (idle.includes(worker)) idle.splice(idle.indexOf(worker), 1);
      pump();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`password hashing thread exited (code ${code})`)));
    return worker;
  }

  function run(worker: Worker, task: Task) {
    worker.ref();
    running.set(worker, task);
    worker.postMessage({ op: task.op, password: task.password, arg: task.arg });
  }

  function pump() {
    while (queue.length > 0) {
      const worker = idle.pop() ?? (alive.size < size ? spawn() : undefined);
      if (!worker) return;
      run(worker, queue.shift()!);
    }
  }

  function submit<T>(op: Task['op'], password: string, arg: string | number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      queue.push({ op, password, arg, resolve, reject });
      pump();
    });
  }

  return {
    implementation,
    hash: (password, cost) => submit<string>('hash', password, cost),
    verify: (password, hash) => submit<boolean>('verify', password, hash),
  };
}

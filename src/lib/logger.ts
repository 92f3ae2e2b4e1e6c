import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';
import { isoTimestamp } from './iso-time';
import { redactFields, redactText } from './redact';

/**
 * The project's logger: a thin adapter over pino that keeps the `logger.info(message, fields?)` shape every
 * caller uses. JSON lines by default; readable (pino-pretty) only when asked for, installed (it is a dev
 * dependency) and writing to a terminal, so files, pipes and production never get colour codes. Every line
 * written while serving a request carries its `requestId`, also from services that were never given it.
 */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** The pino instance behind a logger made by createLogger; the access log writes through it. */
  readonly pino?: PinoLogger;
}

export interface LoggerOptions {
  level: LogLevel;
  /** true: JSON lines always. false: readable lines when pino-pretty is installed and stdout is a terminal, else JSON lines. */
  json: boolean;
  /** Where lines go (stdout by default); tests pass a stream and read what was written. */
  destination?: DestinationStream;
}

/**
 * What the code running now is doing for whom. One per process by nature (it is the "current request" of
 * whatever async chain is running) and it keeps nothing between requests, so it is not app state.
 */
const logContext = new AsyncLocalStorage<{ requestId: string }>();

/** Runs `fn` (and everything it starts, sync or async) with `requestId` on every log line. */
export function runWithRequestId<T>(requestId: string, fn: () => T): T {
  return logContext.run({ requestId }, fn);
}

let holders = 0;

/**
 * Declares that a request will run in the log context until `release` is called (when its response has closed).
 * On Node 20 an AsyncLocalStorage in use puts a hook on every promise the process creates (a measurable share
 * of the CPU of a product-list request); once no request holds the context, the storage is disabled and those
 * hooks are off until the next request that needs it. Work a request left running after its response closed
 * (a timer, a retry) then logs without its id: it is no longer serving that request.
 */
export function holdLogContext(): () => void {
  holders += 1;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    holders -= 1;
    if (holders === 0) logContext.disable();
  };
}

export function currentRequestId(): string | undefined {
  return logContext.getStore()?.requestId;
}

const NO_FIELDS = Object.freeze({});

export function createLogger(options: LoggerOptions): Logger {
  const pretty = options.json || options.destination ? undefined : prettyStdout();
  const instance = pino(
    {
      level: options.level,
      messageKey: 'message',
      // pino.stdTimeFunctions.isoTime, with the cheaper formatter (a line per request: its access line).
      timestamp: () => `,"time":"${isoTimestamp(new Date())}"`,
      // pino copies the line's fields into the object returned here, so it is a fresh one, never the stored context;
      // outside a request there is nothing to add, and nothing to copy the fields into.
      mixin: () => {
        const store = logContext.getStore();
        return store ? { requestId: store.requestId } : NO_FIELDS;
      },
      mixinMergeStrategy: (fields: object, mixed: object) =>
        mixed === NO_FIELDS ? fields : Object.assign(mixed, fields),
      formatters: {
        // Level names ("info") in JSON, as the logs had before pino; pino-pretty reads the numbers.
        ...(pretty ? {} : { level: (label: string) => ({ level: label }) }),
        // Every line's fields pass here, from callers and from the access log alike: the one place secrets are removed.
        log: (fields: Record<string, unknown>) => redactFields(fields),
      },
    },
    pretty ?? options.destination ?? (options.level === 'silent' ? { write: () => undefined } : stdoutPerTurn()),
  );
  return adapt(instance);
}

let stdoutWriter: DestinationStream | undefined;

/**
 * stdout, written synchronously once per event-loop turn with every line of that turn: under load a turn
 * serves many requests, and one write(2) per access line was the largest single cost of request logging.
 * A line waits at most until the end of the turn it was logged in (setImmediate); on exit, whatever is
 * pending is written before the process ends (process.exit and uncaught errors included). One per process,
 * like stdout itself.
 */
function stdoutPerTurn(): DestinationStream {
  if (stdoutWriter) return stdoutWriter;
  const out = pino.destination({ dest: 1, sync: true });
  let pending = '';
  const flush = () => {
    if (pending === '') return;
    const text = pending;
    pending = '';
    out.write(text);
  };
  process.on('exit', flush);
  stdoutWriter = {
    write(line: string) {
      if (pending === '') setImmediate(flush);
      pending += line;
    },
  };
  return stdoutWriter;
}

function adapt(instance: PinoLogger): Logger {
  const write = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields?: Record<string, unknown>) => {
    if (!instance.isLevelEnabled(level)) return;
    if (fields) instance[level](fields, redactText(message));
    else instance[level](redactText(message));
  };
  return { pino: instance, debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** pino-pretty writing to stdout, when stdout is a terminal and the dev dependency is installed. */
function prettyStdout(): DestinationStream | undefined {
  if (!process.stdout.isTTY) return undefined;
  let build: (options: Record<string, unknown>) => DestinationStream;
  try {
    // A dev dependency: absent from production installs (and production always writes JSON anyway).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    build = require('pino-pretty') as typeof build;
  } catch {
    return undefined;
  }
  return build({
    messageKey: 'message',
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    singleLine: true,
    sync: true,
  });
}

export const silentLogger: Logger = createLogger({ level: 'silent', json: true });

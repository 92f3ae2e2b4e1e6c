import { createLogger, type Logger, type LogLevel } from '../../src/lib/logger';

export interface LogEntry {
  level: string;
  message: string;
  requestId?: string;
  [field: string]: unknown;
}

/** A real logger (pino, JSON lines) whose lines land in memory instead of stdout, for tests to read. */
export function captureLogs(level: LogLevel = 'debug') {
  const lines: string[] = [];
  const logger: Logger = createLogger({
    level,
    json: true,
    destination: { write: (chunk: string) => void lines.push(...chunk.split('\n').filter((line) => line !== '')) },
  });
  return {
    logger,
    /** Everything written, as written. */
    text: () => lines.join('\n'),
    entries: () => lines.map((line) => JSON.parse(line) as LogEntry),
  };
}

export interface CapturedEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields?: Record<string, unknown>;
}

/** A Logger that keeps every entry, so a test can assert what was (not) logged and at which level. */
export function capturingLogger(): Logger & {
  entries: CapturedEntry[];
  at(level: CapturedEntry['level']): CapturedEntry[];
} {
  const entries: CapturedEntry[] = [];
  const write = (level: CapturedEntry['level']) => (message: string, fields?: Record<string, unknown>) => {
    entries.push({ level, message, fields });
  };
  return {
    entries,
    at: (level) => entries.filter((entry) => entry.level === level),
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
  };
}

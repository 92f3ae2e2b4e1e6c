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

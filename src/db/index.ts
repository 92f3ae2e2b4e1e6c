/**
 * The database layer: connecting (connect.ts), knowing when it can be used (availability.ts), the development
 * database (embedded.ts), indexes and their migrations (indexes.ts, index-migrations.ts), readiness
 * (readiness.ts) and start-up's one-line failures (errors.ts).
 */
export { connectDatabase, type Database } from './connect';
export { DatabaseStartupError, EmbeddedDatabaseUnavailable } from './errors';
export { ensureIndexes } from './indexes';
export { isDatabaseReady } from './readiness';

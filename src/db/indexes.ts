import type { Logger } from '../lib/logger';
import { ALL_MODELS } from '../models';
import { migrateIndexes } from './index-migrations';

/**
 * Creates every model's indexes (unique email, catalogue sort keys, ...) before the app takes traffic, at
 * start-up and after every reconnect, first bringing an older database's indexes in line (index-migrations.ts).
 */
export async function ensureIndexes(logger?: Logger): Promise<void> {
  await migrateIndexes(logger);
  await Promise.all(ALL_MODELS.map((model) => model.createIndexes()));
}

/**
 * Run as its own process by tests: logs a few lines the way development does (json: false), so a test can
 * check what reaches a pipe. Not a test file itself.
 */
import { createLogger, runWithRequestId } from '../../src/lib/logger';

const logger = createLogger({ level: 'debug', json: false });
logger.info('plain line', { orderId: 'o1' });
runWithRequestId('pipe-check', () => logger.warn('line in a request', { password: 'never-shown' }));
logger.error('error line');

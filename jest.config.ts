import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] },
  // One MongoDB for the run (MONGODB_TEST_URI, or mongodb-memory-server); each test file gets its own database.
  globalSetup: '<rootDir>/tests/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/tests/helpers/global-teardown.ts',
  testTimeout: 30_000,
  // Two cores: one worker per core keeps concurrency tests honest without starving the database.
  maxWorkers: 2,
  errorOnDeprecated: true,
};

export default config;

// ESM mode: ts-jest compiles TypeScript as ES modules; NODE_OPTIONS=--experimental-vm-modules is set by the test script.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } }],
  },
  testMatch: [
    '<rootDir>/packages/*/test/**/*.test.ts',
    '<rootDir>/tools/*/test/**/*.test.ts',
    '<rootDir>/action-tests/**/*.test.ts',
  ],
  testTimeout: 60_000,
  maxWorkers: 2,
  // One embedded PostgreSQL per run, shared through TEST_DATABASE_URL (see tools/testkit).
  globalSetup: '<rootDir>/tools/testkit/src/jest-global-setup.mjs',
  globalTeardown: '<rootDir>/tools/testkit/src/jest-global-teardown.mjs',
};

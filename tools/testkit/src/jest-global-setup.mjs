// Jest globalSetup: one embedded PostgreSQL for the whole run, handed to the workers through
// TEST_DATABASE_URL (workers inherit this process's env). A TEST_DATABASE_URL set by the user
// wins and nothing is started.
//
// Plain ESM loading postgres.ts through tsx: jest loads global hooks outside its module
// registry, where ts-jest's CommonJS output of an ESM package (import.meta) cannot run.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  if (process.env.TEST_DATABASE_URL) return;
  const { startPostgresServer } = await tsImport('./postgres.ts', import.meta.url);
  let server;
  try {
    server = await startPostgresServer();
  } catch (error) {
    // Suites without a database must still run; startPostgres() retries in the worker and
    // fails there with this same reason.
    console.warn(
      `testkit: could not start the shared PostgreSQL (${error.message}); each startPostgres() will try on its own`,
    );
    return;
  }
  process.env.TEST_DATABASE_URL = server.url;
  // globalSetup and globalTeardown run in the same process: the handle travels on globalThis.
  globalThis.__wingmanTestkitPostgres = server;
}

// Jest globalTeardown: stops the server globalSetup started (runs after failing suites too).
export default async function globalTeardown() {
  const server = globalThis.__wingmanTestkitPostgres;
  if (!server) return;
  delete globalThis.__wingmanTestkitPostgres;
  if (process.env.TEST_DATABASE_URL === server.url) delete process.env.TEST_DATABASE_URL;
  await server.stop();
}

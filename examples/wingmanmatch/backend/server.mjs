// WingmanMatch's API, reduced to what a deploy pipeline checks: GET /health reads the database and
// answers {status, db: {latency_ms, feature_flags}, version}; anything else is 404.
import { createServer } from 'node:http';
import pg from 'pg';

/** Starts the API on 127.0.0.1; `port` 0 picks a free one. Resolves to { server, url, stop }. */
export async function startServer({
  port = Number(process.env.PORT ?? 3000),
  databaseUrl = process.env.DATABASE_URL,
  version = process.env.HEROKU_RELEASE_VERSION ?? process.env.SOURCE_VERSION ?? 'dev',
} = {}) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4, connectionTimeoutMillis: 3000 });
  pool.on('error', () => {}); // a dropped idle connection is retried by the next request

  async function health() {
    const started = performance.now();
    const { rows } = await pool.query('select count(*)::int as flags from public.feature_flags');
    return {
      status: 'ok',
      db: { latency_ms: Math.round(performance.now() - started), feature_flags: rows[0].flags },
      version,
    };
  }

  const server = createServer(async (req, res) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === '/health') {
      try {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(await health()));
      } catch (err) {
        res
          .writeHead(503, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: 'error', error: err.message }));
      }
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/`;
  return {
    server,
    url,
    async stop() {
      await new Promise((r) => server.close(r));
      await pool.end();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { url } = await startServer();
  console.log(`wingmanmatch backend on ${url}`);
}

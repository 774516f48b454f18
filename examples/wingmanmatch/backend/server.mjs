// WingmanMatch's API, reduced to what a deploy pipeline checks: GET /health reads the database and
// answers {status, db: {latency_ms, feature_flags}, version}; anything else is 404.
import { createServer } from 'node:http';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4, connectionTimeoutMillis: 3000 });
const version = process.env.HEROKU_RELEASE_VERSION ?? process.env.SOURCE_VERSION ?? 'dev';

async function health() {
  const started = performance.now();
  const { rows } = await pool.query('select count(*)::int as flags from public.feature_flags');
  return {
    status: 'ok',
    db: { latency_ms: Math.round(performance.now() - started), feature_flags: rows[0].flags },
    version,
  };
}

export function startServer(port = Number(process.env.PORT ?? 3000)) {
  const server = createServer(async (req, res) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === '/health') {
      try {
        const body = await health();
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      } catch (err) {
        res
          .writeHead(503, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: 'error', error: err.message }));
      }
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

export const stopServer = async (server) => {
  await new Promise((r) => server.close(r));
  await pool.end();
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await startServer();
  console.log(`wingmanmatch backend on http://127.0.0.1:${server.address().port}`);
}

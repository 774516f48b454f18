// Connecting for migrations: the URL is checked before any socket is opened.
import pg from 'pg';
import { parse } from 'pg-connection-string';
import { MigrationsError } from './errors';

const TRANSACTION_POOLER_PORT = '6543';

/** Rejects URLs that cannot work for migrations, with the reason and the way out. */
/** `input` names the input the URL came from, for the messages (database-url, shadow-database-url). */
export function checkDatabaseUrl(url: string, input = 'database-url'): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MigrationsError(`input '${input}' is not a valid postgres:// URL: check the secret's value`);
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol))
    throw new MigrationsError(
      `input '${input}' must start with postgres:// or postgresql://, got ${parsed.protocol}//`,
    );
  if (parsed.port === TRANSACTION_POOLER_PORT)
    throw new MigrationsError(
      `input '${input}' uses port 6543, Supabase's transaction pooler, where session advisory locks and multi-statement ` +
        `transactions break: use the session pooler (port 5432 on the pooler host) or the direct connection`,
    );
}

export async function connect(url: string, applicationName: string, input = 'database-url'): Promise<pg.Client> {
  checkDatabaseUrl(url, input);
  // libpq's meaning of sslmode (require = encrypt, do not verify), as psql and the Supabase CLI read it.
  const compat = /[?&]uselibpqcompat=/.test(url) ? {} : { useLibpqCompat: true };
  const config = parse(url, compat) as pg.ClientConfig;
  const client = new pg.Client({ ...config, application_name: applicationName, connectionTimeoutMillis: 15_000 });
  // A dropped connection is reported by the query that was running; without a listener it would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    const host = new URL(url).host;
    throw new MigrationsError(
      `could not connect to the database at ${host}: ${(err as Error).message}; check '${input}' and that the runner can reach it`,
    );
  }
  return client;
}

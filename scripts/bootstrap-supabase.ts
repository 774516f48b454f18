// pnpm bootstrap-supabase <database-url>: give a plain PostgreSQL what Supabase gives every project
// (roles, auth schema and functions, grants), so Supabase migrations apply to a CI service container
// as they would to a project. The same SQL the tests use (tools/testkit).

import { SUPABASE_DATABASE_SQL, SUPABASE_ROLES_SQL } from '@wingman/testkit';
import pg from 'pg';

const url = process.argv[2] ?? process.env.DATABASE_URL;
if (!url) {
  console.error('usage: pnpm bootstrap-supabase <postgres://… superuser URL> (or DATABASE_URL)');
  process.exit(2);
}
const client = new pg.Client({ connectionString: url });
await client.connect();
try {
  await client.query(SUPABASE_ROLES_SQL);
  await client.query(SUPABASE_DATABASE_SQL);
  console.log('bootstrapped: Supabase roles, auth schema and default grants');
} finally {
  await client.end();
}

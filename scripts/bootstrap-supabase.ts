// pnpm bootstrap-supabase <database-url>: give a fresh plain PostgreSQL (or Supabase's image) what a
// Supabase project has before its first migration (roles, auth, storage, vault, realtime, search_path),
// so Supabase migrations apply to a CI service container as they would to a project. The same SQL as
// run-migrations' `bootstrap: supabase` and the tests (packages/supabase-platform).

import { bootstrapSupabase } from '@wingman/supabase-platform';
import pg from 'pg';

const url = process.argv[2] ?? process.env.DATABASE_URL;
if (!url) {
  console.error('usage: pnpm bootstrap-supabase <postgres://… superuser URL> (or DATABASE_URL)');
  process.exit(2);
}
const client = new pg.Client({ connectionString: url });
await client.connect();
try {
  await bootstrapSupabase(client);
  console.log('bootstrapped: Supabase roles, auth, storage, vault, realtime publication and search_path');
} finally {
  await client.end();
}

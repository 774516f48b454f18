// A production-like source for the drill: a PostgreSQL 15 server (the machine's pg_dump is 15) with the
// example app's migrations and ~100k rows whose profiles reference auth.users, and a read-only role.
import { join } from 'node:path';
import { silentLog } from '@wingman/log';
import { migrate } from '@wingman/migrations';
import { bootstrapSupabase } from '@wingman/supabase-platform';
import { type PostgresServer, postgres15BinDir, REPO_ROOT, startPostgresServer } from '@wingman/testkit';
import pg from 'pg';

export const MIGRATIONS = join(REPO_ROOT, 'examples/wingmanmatch/supabase/migrations');

export interface DrillSource {
  server: PostgresServer;
  /** Superuser URL of the app database. */
  adminUrl: string;
  /** The read-only role's URL: SELECT and BYPASSRLS, nothing else. */
  readerUrl: string;
  /** A role that may read but not past row level security. */
  rlsReaderUrl: string;
  stop(): Promise<void>;
}

export function withDatabase(serverUrl: string, database: string, user?: string, password?: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  if (user) {
    u.username = user;
    u.password = password ?? '';
  }
  return u.toString();
}

export async function startDrillSource(users = 20_000): Promise<DrillSource> {
  const server = await startPostgresServer({ binDir: postgres15BinDir() });
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  try {
    await admin.query('create database app');
  } finally {
    await admin.end();
  }
  const adminUrl = withDatabase(server.url, 'app');
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await bootstrapSupabase(c, 'the drill source');
    await migrate({
      databaseUrl: adminUrl,
      migrationsDir: MIGRATIONS,
      rollbacksDir: MIGRATIONS,
      direction: 'up',
      log: silentLog,
    });
    // The signup trigger makes each user's profile, as in production.
    await c.query(
      `insert into auth.users (id, email, raw_user_meta_data)
       select gen_random_uuid(), 'user' || g || '@example.com', jsonb_build_object('display_name', 'User ' || g)
       from generate_series(1, $1) g`,
      [users],
    );
    await c.query(`
      with p as (select id, row_number() over (order by id) as n from public.profiles)
      insert into public.wingman_matches (user1_id, user2_id, status)
      select a.id, b.id, 'accepted' from p a join p b on b.n = a.n % ${users} + 1`);
    await c.query(`
      insert into public.chat_messages (match_id, sender_id, body, created_at)
      select m.id, m.user1_id, 'hello #' || g, timestamptz '2026-01-01' + g * interval '1 minute'
      from public.wingman_matches m cross join generate_series(1, 2) g`);
    await c.query(`
      insert into public.invite_codes (created_by) select id from public.profiles order by id limit ${users / 4}`);
    // A second user schema, exposed nowhere: copied by default; its table without RLS would be an error
    // of verify-schema's lints if the API exposed it.
    await c.query(`create schema api; create table api.open_notes (id int primary key, note text);
      insert into api.open_notes select g, 'note ' || g from generate_series(1, 10) g;
      grant usage on schema api to anon; grant select on api.open_notes to anon`);
    // An extension in public (common on Supabase) and a table without a primary key, which uses it.
    await c.query(`create extension citext with schema public;
      create table api.tags (name public.citext, uses int);
      insert into api.tags select 'Tag ' || g, g from generate_series(1, 300) g`);
    await c.query('analyze');
    await c.query(`
      create role drill_reader login password 'reader-pw' bypassrls;
      create role rls_reader login password 'rls-pw';
      grant usage on schema public, api, auth, storage, supabase_migrations, extensions to drill_reader, rls_reader;
      grant select on all tables in schema public, api, auth, storage, supabase_migrations to drill_reader, rls_reader;
      grant select on all sequences in schema public, auth, storage, supabase_migrations to drill_reader, rls_reader;`);
  } finally {
    await c.end();
  }
  return {
    server,
    adminUrl,
    readerUrl: withDatabase(server.url, 'app', 'drill_reader', 'reader-pw'),
    rlsReaderUrl: withDatabase(server.url, 'app', 'rls_reader', 'rls-pw'),
    stop: () => server.stop(),
  };
}

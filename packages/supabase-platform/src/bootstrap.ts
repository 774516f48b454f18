// Giving a throwaway database the shape of a Supabase project, refused where it could touch one
// that is not throwaway.
import { SUPABASE_DATABASE_SQL, SUPABASE_ROLES_SQL } from './bootstrap-sql';

/** The little of a Postgres client the bootstrap needs (pg.Client fits). */
export interface SqlRunner {
  query<R = Record<string, unknown>>(sql: string): Promise<{ rows: R[] }>;
}

export class BootstrapRefused extends Error {
  override name = 'BootstrapRefused';
}

/**
 * Roles, auth, storage, vault, realtime and search_path, adding only what is missing. Refuses a
 * database that already has migration history: a bootstrap is for a fresh CI database, never for a
 * project's own (whose platform objects belong to Supabase). The search_path it sets applies to new
 * sessions; the caller's own session gets it here too, so migrations in the same run resolve alike.
 */
export async function bootstrapSupabase(client: SqlRunner, what = 'the database'): Promise<void> {
  const { rows } = await client.query<{ history: boolean }>(
    `select to_regclass('supabase_migrations.schema_migrations') is not null as history`,
  );
  const applied = rows[0]?.history
    ? (await client.query<{ n: number }>('select count(*)::int as n from supabase_migrations.schema_migrations'))
        .rows[0]!.n
    : 0;
  if (applied > 0)
    throw new BootstrapRefused(
      `${what} already has ${applied} migration(s) in supabase_migrations.schema_migrations: the Supabase bootstrap is for fresh throwaway databases only; remove it from this step`,
    );
  await client.query(SUPABASE_ROLES_SQL);
  await client.query(SUPABASE_DATABASE_SQL);
  await client.query(`set search_path to "$user", public, extensions`);
}

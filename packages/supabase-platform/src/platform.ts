// Facts about the platform around a project's own schema: the schemas that belong to PostgreSQL,
// Supabase's services or extensions (never a user migration's to change, so no lint reports on them
// and drift does not compare them), the extensions every project has, and Supabase's own image.

export const SYSTEM_SCHEMAS: readonly string[] = [
  '_analytics',
  '_realtime',
  '_timescaledb_cache',
  '_timescaledb_catalog',
  '_timescaledb_config',
  '_timescaledb_internal',
  'auth',
  'cron',
  'extensions',
  'graphql',
  'graphql_public',
  'information_schema',
  'net',
  'pg_catalog',
  'pg_toast',
  'pgbouncer',
  'pgmq',
  'pgroonga',
  'pgsodium',
  'pgsodium_masks',
  'pgtle',
  'realtime',
  'repack',
  'storage',
  'supabase_functions',
  'supabase_migrations',
  'tiger',
  'topology',
  'vault',
];

/** Extensions every Supabase project has whether or not a migration asked for them. */
export const PLATFORM_EXTENSIONS: readonly string[] = [
  'plpgsql',
  'pg_graphql',
  'pg_stat_statements',
  'pgsodium',
  'supabase_vault',
  'pg_net',
  'pgjwt',
  'pgcrypto',
  'uuid-ossp',
];

/**
 * Supabase's Postgres image, pinned by digest, for rehearsals whose migrations need a compiled
 * extension (vector, pg_net, http, pg_graphql …) that plain PostgreSQL lacks. Same major as
 * production's Postgres 17.
 */
export const SUPABASE_POSTGRES_IMAGE =
  'supabase/postgres:17.6.1.136@sha256:f371b5f3f2ac0a05703f33d6e6134515fb2498cab708fb948a0aeb7481467c00';

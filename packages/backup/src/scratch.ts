// The throwaway side: refused when it is the source or holds anything, then given what a Supabase project
// has (roles, auth, storage, extensions) plus what the source's copy needs on top (its roles and
// extensions, the platform tables' extra columns), before the dump is restored into it.
import type { Log } from '@wingman/log';
import { connect } from '@wingman/migrations';
import { bootstrapSupabase } from '@wingman/supabase-platform';
import type pg from 'pg';
import {
  type CopiedTable,
  EXISTING_EXTRAS_SQL,
  ident,
  literal,
  PLATFORM_DATA_SCHEMAS,
  qualified,
  SYSTEM_SCHEMA_LIST,
  TABLES_SQL,
  tableName,
  USER_SCHEMAS_SQL,
} from './catalog';
import { DrillError } from './errors';
import { identityOf, type PlatformExtra, type SourceSnapshot } from './snapshot';

/** Same host, port and database by URL: refused before connecting. */
export function sameDatabaseByUrl(a: string, b: string): boolean {
  const key = (s: string) => {
    const u = new URL(s);
    return `${u.hostname.toLowerCase()}:${u.port || '5432'}/${decodeURIComponent(u.pathname.slice(1)) || u.username}`;
  };
  return key(a) === key(b);
}

export interface PreparedScratch {
  client: pg.Client;
  /** The copied tables the copy can take: the source's platform tables the bootstrap did not make are left out. */
  tables: CopiedTable[];
  skipped: string[];
  /** Triggers and policies to rebuild on platform tables after the restore. */
  extras: PlatformExtra[];
}

export async function prepareScratch(url: string, source: SourceSnapshot, log: Log): Promise<PreparedScratch> {
  const client = await connect(url, 'wingman-deploy backup-drill', 'scratch-database-url');
  try {
    const identity = await identityOf(client);
    if (
      identity.database === source.identity.database &&
      identity.startedAt === source.identity.startedAt &&
      identity.port === source.identity.port
    )
      throw new DrillError(
        `scratch-database-url is the source database (${identity.database} on the same server): the drill restores into a throwaway database, e.g. a services: postgres container`,
      );
    const { rows: su } = await client.query<{ user: string; superuser: boolean }>(
      'select current_user as user, rolsuper as superuser from pg_roles where rolname = current_user',
    );
    if (!su[0]!.superuser)
      throw new DrillError(
        `role ${su[0]!.user} of scratch-database-url is not a superuser: the drill creates roles and restores with session_replication_role = replica; use the container's postgres user`,
      );
    const userSchemas = (await client.query<{ name: string }>(USER_SCHEMAS_SQL, [SYSTEM_SCHEMA_LIST])).rows.map(
      (r) => r.name,
    );
    const { rows: present } = await client.query<{ schema: string; name: string }>(TABLES_SQL, [userSchemas]);
    if (present.length)
      throw new DrillError(
        `scratch-database-url's database is not empty (${present.length} table(s), e.g. ${tableName(present[0]!)}): the drill restores into an empty throwaway database, e.g. a fresh services: postgres container`,
      );

    await bootstrapSupabase(client, "scratch-database-url's database");
    for (const role of source.roles)
      await client.query(
        `do $$ begin if not exists (select 1 from pg_roles where rolname = ${literal(role)}) then create role ${ident(role)} nologin; end if; end $$`,
      );
    // An extension in a copied schema comes with the dump (pg_dump --extension), after its schema.
    for (const ext of source.extensions.filter((e) => !source.schemas.includes(e.schema))) {
      try {
        await client.query(`create schema if not exists ${ident(ext.schema)}`);
        await client.query(`create extension if not exists ${ident(ext.name)} with schema ${ident(ext.schema)}`);
      } catch (err) {
        log.warning(
          `extension ${ext.name} of the source could not be created in the scratch database (${(err as Error).message}): objects that need it will not restore`,
        );
      }
    }

    // The dump makes each schema it copies (with the source's grants and default privileges): the
    // bootstrap's empty ones make way, or CREATE SCHEMA would fail.
    for (const schema of source.schemas) await client.query(`drop schema if exists ${ident(schema)}`);

    const { rows: platformTables } = await client.query<{ schema: string; name: string }>(TABLES_SQL, [
      PLATFORM_DATA_SCHEMAS,
    ]);
    const has = new Set(platformTables.map(tableName));
    const tables = source.tables.filter((t) => t.kind === 'schema' || has.has(tableName(t)));
    const skipped = source.tables.filter((t) => t.kind === 'data' && !has.has(tableName(t))).map(tableName);
    await widenPlatformTables(client, source, tables);

    const { rows: existing } = await client.query<{ kind: string; schema: string; table: string; name: string }>(
      EXISTING_EXTRAS_SQL,
      [PLATFORM_DATA_SCHEMAS],
    );
    const key = (e: { kind: string; schema: string; table: string; name: string }) =>
      `${e.kind} ${e.schema}.${e.table} ${e.name}`;
    const made = new Set(existing.map(key));
    const extras = source.platformExtras.filter((e) => has.has(`${e.schema}.${e.table}`) && !made.has(key(e)));
    return { client, tables, skipped, extras };
  } catch (err) {
    await client.end().catch(() => {});
    throw err;
  }
}

/** The source's platform tables may have columns the bootstrap's lack (a newer auth): added, so the rows fit. */
async function widenPlatformTables(client: pg.Client, source: SourceSnapshot, tables: CopiedTable[]): Promise<void> {
  const data = tables.filter((t) => t.kind === 'data');
  if (!data.length) return;
  const { rows } = await client.query<{ schema: string; name: string; column: string }>(
    `select n.nspname as schema, c.relname as name, a.attname as column from pg_attribute a
     join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = any($1::text[]) and a.attnum > 0 and not a.attisdropped`,
    [PLATFORM_DATA_SCHEMAS],
  );
  const have = new Set(rows.map((r) => `${r.schema}.${r.name}.${r.column}`));
  for (const t of data)
    for (const c of source.platformColumns.filter((c) => c.schema === t.schema && c.name === t.name))
      if (!have.has(`${c.schema}.${c.name}.${c.column}`))
        await client.query(`alter table ${qualified(t)} add column ${ident(c.column)} ${c.type}`);
}

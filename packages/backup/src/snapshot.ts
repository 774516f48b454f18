// The source side: one read-only REPEATABLE READ transaction whose snapshot pg_dump is given, so the
// dump, the row counts, the samples and the history all describe the same instant while production writes.
import { connect } from '@wingman/migrations';
import type pg from 'pg';
import {
  type CopiedTable,
  EXTENSIONS_SQL,
  GRANTEES_SQL,
  HISTORY_SCHEMA,
  ident,
  PLATFORM_COLUMNS_SQL,
  PLATFORM_DATA_SCHEMAS,
  PLATFORM_EXTRAS_SQL,
  platformDataTable,
  STABLE_OUTPUT_SQL,
  SYSTEM_SCHEMA_LIST,
  statsQuery,
  TABLES_SQL,
  type TableStats,
  tableName,
  USER_SCHEMAS_SQL,
} from './catalog';
import { DrillError } from './errors';

export interface ServerIdentity {
  database: string;
  port: number | null;
  startedAt: string;
}

export interface PlatformExtra {
  kind: 'trigger' | 'policy';
  schema: string;
  table: string;
  name: string;
  sql: string;
}

export interface SourceSnapshot {
  url: string;
  snapshotId: string;
  serverMajor: number;
  serverVersion: string;
  identity: ServerIdentity;
  /** Schemas dumped with definitions and rows (the user's, and the migration history). */
  schemas: string[];
  /** Every table whose rows are copied: the dumped schemas' and the platform's data tables. */
  tables: CopiedTable[];
  roles: string[];
  extensions: { name: string; schema: string }[];
  platformColumns: { schema: string; name: string; column: string; type: string }[];
  platformExtras: PlatformExtra[];
  history: string[];
  /** Counts and samples of `tables`, taken in the snapshot: call once the copy's tables are known. */
  stats(tables: CopiedTable[], sampleRows: number): Promise<TableStats[]>;
  close(): Promise<void>;
}

export async function identityOf(client: pg.Client): Promise<ServerIdentity> {
  const { rows } = await client.query<ServerIdentity>(
    `select current_database() as database, inet_server_port() as port, pg_postmaster_start_time()::text as "startedAt"`,
  );
  return rows[0]!;
}

export async function openSourceSnapshot(url: string, schemasInput: string[] | undefined): Promise<SourceSnapshot> {
  const client = await connect(url, 'wingman-deploy backup-drill', 'database-url');
  try {
    await client.query('begin isolation level repeatable read, read only');
    await client.query(STABLE_OUTPUT_SQL);
    // The transaction waits, idle, while pg_dump reads in its snapshot: a server-wide idle timeout would end it.
    await client.query('set local idle_in_transaction_session_timeout = 0');
    const { rows: snap } = await client.query<{ id: string; num: number; version: string }>(
      `select pg_export_snapshot() as id, current_setting('server_version_num')::int as num, current_setting('server_version') as version`,
    );
    const identity = await identityOf(client);

    let schemas: string[];
    if (schemasInput?.length) {
      const { rows } = await client.query<{ name: string }>(
        'select nspname as name from pg_namespace where nspname = any($1::text[])',
        [schemasInput],
      );
      const platform = schemasInput.filter((s) => SYSTEM_SCHEMA_LIST.includes(s));
      if (platform.length)
        throw new DrillError(
          `input 'schemas' names ${platform.map((m) => `'${m}'`).join(', ')}, which Supabase manages (the copy's bootstrap makes them; auth and storage rows are always copied): list only your own schemas`,
        );
      const missing = schemasInput.filter((s) => !rows.some((r) => r.name === s));
      if (missing.length)
        throw new DrillError(
          `input 'schemas' names ${missing.map((m) => `'${m}'`).join(', ')}, which the source database does not have: check the spelling`,
        );
      schemas = [...schemasInput];
    } else {
      schemas = (await client.query<{ name: string }>(USER_SCHEMAS_SQL, [SYSTEM_SCHEMA_LIST])).rows.map((r) => r.name);
    }
    const { rows: historyPresent } = await client.query<{ present: boolean }>(
      `select to_regclass('${HISTORY_SCHEMA}.schema_migrations') is not null as present`,
    );
    if (historyPresent[0]!.present && !schemas.includes(HISTORY_SCHEMA)) schemas.push(HISTORY_SCHEMA);

    const tableRows = (
      await client.query<{ schema: string; name: string; rls: boolean; pk: string | null }>(TABLES_SQL, [
        [...schemas, ...PLATFORM_DATA_SCHEMAS],
      ])
    ).rows;
    const tables: CopiedTable[] = tableRows
      .filter((t) => schemas.includes(t.schema) || platformDataTable(t))
      .map((t) => ({
        schema: t.schema,
        name: t.name,
        kind: schemas.includes(t.schema) ? 'schema' : 'data',
        rls: t.rls,
        sampleOrder: t.pk ?? 'wm_row::text collate "C"',
        columns: '*',
      }));
    await mustReadPastRls(client, tables);

    const roles = (await client.query<{ name: string }>(GRANTEES_SQL, [schemas, PLATFORM_DATA_SCHEMAS])).rows.map(
      (r) => r.name,
    );
    const extensions = (await client.query<{ name: string; schema: string }>(EXTENSIONS_SQL)).rows;
    const platformColumns = (
      await client.query<SourceSnapshot['platformColumns'][number]>(PLATFORM_COLUMNS_SQL, [PLATFORM_DATA_SCHEMAS])
    ).rows;
    for (const t of tables.filter((x) => x.kind === 'data'))
      t.columns = platformColumns
        .filter((c) => c.schema === t.schema && c.name === t.name)
        .map((c) => ident(c.column))
        .join(', ');
    const platformExtras = (await client.query<PlatformExtra>(PLATFORM_EXTRAS_SQL, [PLATFORM_DATA_SCHEMAS, schemas]))
      .rows;
    const history = historyPresent[0]!.present
      ? (
          await client.query<{ version: string }>(
            `select version from ${HISTORY_SCHEMA}.schema_migrations order by version`,
          )
        ).rows.map((r) => r.version)
      : [];

    return {
      url,
      snapshotId: snap[0]!.id,
      serverMajor: Math.floor(snap[0]!.num / 10_000),
      serverVersion: snap[0]!.version,
      identity,
      schemas,
      tables,
      roles,
      extensions,
      platformColumns,
      platformExtras,
      history,
      stats: (chosen, sampleRows) => readStats(client, chosen, sampleRows),
      close: async () => {
        await client.query('commit').catch(() => {});
        await client.end().catch(() => {});
      },
    };
  } catch (err) {
    await client.end().catch(() => {});
    throw err;
  }
}

export async function readStats(client: pg.Client, tables: CopiedTable[], sampleRows: number): Promise<TableStats[]> {
  if (!tables.length) return [];
  const { rows } = await client.query<{ schema: string; name: string; rows: string; checksum: string }>(
    statsQuery(tables, sampleRows),
  );
  return rows.map((r) => ({ schema: r.schema, name: r.name, rows: Number(r.rows), checksum: r.checksum }));
}

/** A reader that row level security filters would count fewer rows, and pg_dump refuses it outright. */
async function mustReadPastRls(client: pg.Client, tables: CopiedTable[]): Promise<void> {
  const { rows } = await client.query<{ user: string; bypass: boolean }>(
    `select current_user as user, rolsuper or rolbypassrls as bypass from pg_roles where rolname = current_user`,
  );
  if (rows[0]!.bypass) return;
  const filtered = tables.filter((t) => t.rls);
  if (filtered.length)
    throw new DrillError(
      `role ${rows[0]!.user} of database-url reads ${filtered.length} table(s) through row level security (${filtered
        .slice(0, 3)
        .map(tableName)
        .join(
          ', ',
        )}${filtered.length > 3 ? ', …' : ''}), so a dump would miss rows: use a role with BYPASSRLS (Supabase's postgres role has it), e.g. a read-only role made with CREATE ROLE … BYPASSRLS and granted SELECT`,
    );
}

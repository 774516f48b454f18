// The migration history in the Supabase CLI's own table, read and written as the CLI does.
import type pg from 'pg';
import {
  CREATE_MIGRATION_TABLE_STATEMENTS,
  CREATE_SEED_TABLE_STATEMENTS,
  DELETE_MIGRATION_VERSION,
  INSERT_MIGRATION_VERSION,
} from './cli-compat';
import { inlineParams } from './execute';

export interface HistoryRow {
  version: string;
  name: string | null;
  /** Null for rows written by `supabase migration repair` or by tools that keep no statements. */
  statements: string[] | null;
}

export async function historyTableExists(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>(
    `select to_regclass('supabase_migrations.schema_migrations') is not null as ok`,
  );
  return rows[0]!.ok;
}

/** Creates the table as the CLI does, or adds the columns an older CLI's table lacks. Idempotent. */
export async function ensureHistoryTable(client: pg.Client): Promise<void> {
  await client.query(`begin; ${CREATE_MIGRATION_TABLE_STATEMENTS.join('; ')}; commit`);
}

export async function ensureSeedTable(client: pg.Client): Promise<void> {
  await client.query(`begin; ${CREATE_SEED_TABLE_STATEMENTS.join('; ')}; commit`);
}

/**
 * Only the columns the CLI knows (hosted projects add created_by, idempotency_key, rollback), read
 * through to_jsonb so that a table from a CLI older than the name and statements columns reads too,
 * even in a dry run, which must not add them. The statements travel as JSON: JSON.parse reads 200
 * applied files' statements in a fraction of the time pg's text[] parser takes.
 */
export async function readHistory(client: pg.Client): Promise<HistoryRow[]> {
  if (!(await historyTableExists(client))) return [];
  const { rows } = await client.query<HistoryRow>(
    `select m.version, to_jsonb(m) ->> 'name' as name,
            case when jsonb_typeof(to_jsonb(m) -> 'statements') = 'array'
                 then to_jsonb(m) -> 'statements' end as statements
       from supabase_migrations.schema_migrations m order by m.version`,
  );
  return rows;
}

export async function insertHistory(
  client: pg.Client,
  version: string,
  name: string,
  statements: string[],
): Promise<void> {
  await client.query(INSERT_MIGRATION_VERSION, [version, name, statements]);
}

/** The CLI's insert as literal SQL, to travel in the same round trip as the migration itself. */
export const insertHistorySql = (client: pg.Client, version: string, name: string, statements: string[]) =>
  inlineParams(client, INSERT_MIGRATION_VERSION, [version, name, statements]);

export const deleteHistorySql = (client: pg.Client, version: string) =>
  inlineParams(client, DELETE_MIGRATION_VERSION, [[version]]);

export async function deleteHistory(client: pg.Client, version: string): Promise<void> {
  await client.query(DELETE_MIGRATION_VERSION, [[version]]);
}

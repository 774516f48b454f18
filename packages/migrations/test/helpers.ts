import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingLog } from '@wingman/log';
import type { TestDatabase } from '@wingman/testkit';
import { type MigrateOptions, migrate } from '../src/index';

export const EXAMPLE = 'examples/wingmanmatch/supabase';
/** The example app's migration versions, oldest first: the counts below follow the folder. */
export const EXAMPLE_VERSIONS = readdirSync(`${EXAMPLE}/migrations`)
  .sort()
  .map((f) => f.split('_')[0]!);
export const EXAMPLE_NEWEST = EXAMPLE_VERSIONS.at(-1)!;

/** A project folder with supabase/migrations and supabase/rollbacks written from maps of file name → SQL. */
export class Project {
  readonly root = mkdtempSync(join(tmpdir(), 'wm-mig-'));
  readonly migrationsDir = join(this.root, 'migrations');
  readonly rollbacksDir = join(this.root, 'rollbacks');
  constructor(migrations: Record<string, string> = {}, rollbacks: Record<string, string> = {}) {
    mkdirSync(this.migrationsDir);
    mkdirSync(this.rollbacksDir);
    this.write(migrations, rollbacks);
  }
  write(migrations: Record<string, string>, rollbacks: Record<string, string> = {}): this {
    for (const [f, sql] of Object.entries(migrations)) writeFileSync(join(this.migrationsDir, f), sql);
    for (const [f, sql] of Object.entries(rollbacks)) writeFileSync(join(this.rollbacksDir, f), sql);
    return this;
  }
  remove(file: string): void {
    rmSync(join(this.migrationsDir, file));
  }
  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export function run(
  db: TestDatabase,
  project: { migrationsDir: string; rollbacksDir: string },
  extra: Partial<MigrateOptions> = {},
) {
  const log = new RecordingLog();
  const promise = migrate({
    databaseUrl: db.url,
    migrationsDir: project.migrationsDir,
    rollbacksDir: project.rollbacksDir,
    direction: 'up',
    retryDelayMs: 50,
    log,
    ...extra,
  });
  return Object.assign(promise, { log });
}

export async function query<T = Record<string, unknown>>(
  db: TestDatabase,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = await db.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export const historyVersions = async (db: TestDatabase) =>
  (
    await query<{ version: string }>(db, 'select version from supabase_migrations.schema_migrations order by version')
  ).map((r) => r.version);

export const tableExists = async (db: TestDatabase, name: string) =>
  (await query<{ ok: boolean }>(db, 'select to_regclass($1) is not null as ok', [name]))[0]!.ok;

/** The Supabase CLI the interop tests pin (supabase@2.117.0 from npm). */
export const SUPABASE_CLI = join(import.meta.dirname, '..', '..', '..', 'node_modules', '.bin', 'supabase');

/**
 * The CLI with `args` and `--db-url <url> --yes` in `cwd` (a folder holding supabase/migrations). HOME
 * is a throwaway folder: the CLI writes telemetry state there.
 */
export async function supabaseCli(args: string[], databaseUrl: string, cwd: string): Promise<string> {
  const { execFile } = await import('node:child_process');
  const url = new URL(databaseUrl);
  url.searchParams.set('sslmode', 'disable');
  const home = mkdtempSync(join(tmpdir(), 'wm-cli-home-'));
  try {
    return await new Promise<string>((resolve, reject) =>
      execFile(
        SUPABASE_CLI,
        [...args, '--db-url', url.toString(), '--yes'],
        {
          cwd,
          timeout: 120_000,
          env: { ...process.env, HOME: home, SUPABASE_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
        },
        (err, stdout, stderr) =>
          err
            ? reject(new Error(`supabase ${args.join(' ')} failed: ${stderr || err.message}`))
            : resolve(`${stdout}${stderr}`),
      ),
    );
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** `supabase db push` in `cwd`. */
export const supabaseDbPush = (databaseUrl: string, cwd: string) => supabaseCli(['db', 'push'], databaseUrl, cwd);

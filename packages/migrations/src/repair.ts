// mode: repair — what `supabase migration repair --status applied|reverted <versions>` does, from CI
// instead of a laptop with production credentials: only supabase_migrations.schema_migrations changes,
// with the CLI's own statements, in one transaction. Stricter than the CLI where it would guess: every
// version is checked before anything changes (a version to mark applied needs its file, one to mark
// reverted must be in history), and an empty list never means "the whole table".
import type pg from 'pg';
import { DELETE_MIGRATION_VERSION, UPSERT_MIGRATION_VERSION } from './cli-compat';
import { MigrationsError } from './errors';
import { inlineParams } from './execute';
import type { MigrationFile } from './files';
import { ensureHistoryTable, type HistoryRow } from './history';
import type { RunOptions } from './options';
import type { MigrateResult } from './report';

export async function repair(
  client: pg.Client,
  o: RunOptions,
  files: MigrationFile[],
  history: HistoryRow[],
  result: MigrateResult,
) {
  const status = o.repairStatus;
  const versions = [...new Set(o.versions ?? [])];
  if (!status) throw new MigrationsError(`input 'status' is empty: mode repair needs 'applied' or 'reverted'`);
  if (!versions.length)
    throw new MigrationsError(`input 'versions' is empty: mode repair needs the versions to mark ${status}`);
  const bad = versions.find((v) => !/^\d+$/.test(v));
  if (bad !== undefined)
    throw new MigrationsError(
      `input 'versions' has "${bad}", which is not a migration version: give the digits before the first _ of a file name`,
    );
  const byVersion = new Map(files.map((f) => [f.version, f]));
  const recorded = new Set(history.map((h) => h.version));
  if (status === 'applied') {
    const missing = versions.filter((v) => !byVersion.has(v));
    if (missing.length)
      throw new MigrationsError(
        `input 'versions': ${missing.join(', ')} ${missing.length > 1 ? 'have' : 'has'} no file in ${o.migrationsDir} (<version>_<name>.sql): ` +
          'repair --status applied records a migration whose file exists; check the version or restore the file',
      );
  } else {
    const unknown = versions.filter((v) => !recorded.has(v));
    if (unknown.length)
      throw new MigrationsError(
        `input 'versions': ${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not in supabase_migrations.schema_migrations: ` +
          'there is nothing to mark reverted; check the version against the history',
      );
  }

  const sorted = versions.sort();
  result.repaired = { status, versions: sorted };
  const verb = `mark ${sorted.join(', ')} ${status}`;
  if (o.dryRun) {
    o.log.info(`dry run: would ${verb} in supabase_migrations.schema_migrations (no migration runs)`);
    return;
  }
  await ensureHistoryTable(client);
  const statements =
    status === 'applied'
      ? sorted.map((v) => {
          const f = byVersion.get(v)!;
          return inlineParams(client, UPSERT_MIGRATION_VERSION, [v, f.name, f.statements.map((s) => s.text)]);
        })
      : [inlineParams(client, DELETE_MIGRATION_VERSION, [sorted])];
  await o.log.group(`Repairing the history: ${verb}`, async () => {
    await client.query(`begin; ${statements.join('; ')}; commit`).catch(async (err) => {
      await client.query('rollback').catch(() => {});
      throw err;
    });
  });
  const after =
    status === 'applied'
      ? new Set([...recorded, ...sorted])
      : new Set([...recorded].filter((v) => !sorted.includes(v)));
  result.currentVersion = [...after].sort().at(-1) ?? null;
  result.pending = files.filter((f) => !after.has(f.version)).length;
  o.log.info(`Repaired migration history: [${sorted.join(' ')}] => ${status}`);
}

// up: apply the migrations the database lacks, in order, after checking the applied ones are unchanged.
import type pg from 'pg';
import { applyFiles } from './apply-file';
import { applyAtomically } from './atomic';
import { findPendingMigrations } from './cli-compat';
import { MigrationsError } from './errors';
import type { MigrationFile } from './files';
import { ensureHistoryTable, type HistoryRow } from './history';
import { lintPending } from './lint';
import type { RunOptions } from './options';
import { type FileReport, type FileStatus, type MigrateResult, short } from './report';
import { verifyRoundTrip } from './verify-rollbacks';

export async function up(
  client: pg.Client,
  o: RunOptions,
  files: MigrationFile[],
  history: HistoryRow[],
  result: MigrateResult,
) {
  checkDrift(files, history);
  const byVersion = new Map(files.map((f) => [f.version, f]));
  const plan = findPendingMigrations(
    files.map((f) => f.version),
    history.map((h) => h.version),
    !!o.allowOutOfOrder,
  );
  if (plan.outOfOrder.length && !o.allowOutOfOrder) {
    const newest = history.at(-1)!.version;
    throw new MigrationsError(
      `pending migration ${fileOf(byVersion, plan.outOfOrder[0]!)} is older than the newest applied migration ${newest}` +
        `${plan.outOfOrder.length > 1 ? ` (and ${plan.outOfOrder.length - 1} more)` : ''}: rename it with a newer timestamp, or set 'allow-out-of-order: true' to apply it anyway`,
    );
  }
  if (o.targetVersion !== undefined && !byVersion.has(o.targetVersion))
    throw new MigrationsError(
      `input 'target-version' is ${o.targetVersion}, which is not a migration in ${o.migrationsDir}: give the version of one of its files`,
    );
  const all = plan.pending.map((v) => byVersion.get(v)!);
  const todo = o.targetVersion === undefined ? all : all.filter((f) => f.version <= o.targetVersion!);
  result.currentVersion = history.at(-1)?.version ?? null;
  result.pending = all.length;
  result.files = todo.map((f) => report(f, o.dryRun ? 'pending' : 'not run'));
  await lintPending(client, o, todo, result);
  if (o.dryRun || todo.length === 0) {
    if (todo.length === 0) o.log.info(`Database is up to date (${history.length} migrations applied).`);
    return;
  }
  await ensureHistoryTable(client);

  if (o.atomic) {
    await applyAtomically(client, o, todo, result);
  } else if (o.verifyRollbacks) {
    for (const file of todo) await verifyRoundTrip(client, o, file, result);
  } else {
    await applyFiles(client, o, todo, result);
  }
}

function fileOf(byVersion: Map<string, MigrationFile>, version: string) {
  return byVersion.get(version)?.file ?? version;
}

function report(f: MigrationFile, status: FileStatus): FileReport {
  return { version: f.version, name: f.name, file: f.file, statements: f.statements.length, status };
}

/** Edited or missing files fail the run before anything is applied. */
function checkDrift(files: MigrationFile[], history: HistoryRow[]) {
  const byVersion = new Map(files.map((f) => [f.version, f]));
  const orphans = history.filter((h) => !byVersion.has(h.version)).map((h) => h.version);
  if (orphans.length)
    throw new MigrationsError(
      `the database has applied migrations with no file in the migrations folder: ${orphans.join(', ')}; restore those files, ` +
        `or if they were removed on purpose mark them reverted (run-migrations mode: repair, status: reverted, versions: ${orphans.join(', ')}; or supabase migration repair --status reverted ${orphans.join(' ')})`,
    );
  for (const row of history) {
    if (!row.statements) continue;
    const file = byVersion.get(row.version)!;
    const texts = file.statements.map((s) => s.text);
    const n = Math.max(texts.length, row.statements.length);
    for (let i = 0; i < n; i++) {
      if (texts[i] === row.statements[i]) continue;
      const where = file.statements[i] ? `${file.file}:${file.statements[i]!.codeLine}` : file.file;
      throw new MigrationsError(
        `${where}: migration ${row.version} was edited after it was applied: statement ${i + 1} was ` +
          `"${short(row.statements[i] ?? '(none)')}" and is now "${short(texts[i] ?? '(none)')}"; restore the file and put the change in a new migration`,
        { file: file.file, line: file.statements[i]?.codeLine },
      );
    }
  }
}

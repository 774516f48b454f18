// down: revert the newest applied migration (or every one above target-version) with its down
// script from the rollbacks folder, deleting its history row in the same transaction.
import type pg from 'pg';
import { MigrationsError } from './errors';
import { needsNoTransaction, runStatement, type SqlSource } from './execute';
import { type MigrationFile, readDownScript } from './files';
import { deleteHistory, deleteHistorySql, type HistoryRow, readHistory } from './history';
import type { RunOptions } from './options';
import type { MigrateResult } from './report';
import type { Statement } from './splitter';
import { inTransaction, withLockRetries } from './transaction';

/** A migration's down script, ready to run. */
export interface DownScript {
  version: string;
  name: string;
  file: string;
  sql: string;
  statements: Statement[];
}

export async function down(
  client: pg.Client,
  o: RunOptions,
  files: MigrationFile[],
  history: HistoryRow[],
  result: MigrateResult,
) {
  const byVersion = new Map(files.map((f) => [f.version, f]));
  const applied = [...history].reverse();
  const toRevert =
    o.targetVersion === undefined ? applied.slice(0, 1) : applied.filter((h) => h.version > o.targetVersion!);
  result.currentVersion = history.at(-1)?.version ?? null;
  const plans: DownScript[] = [];
  const missing: string[] = [];
  for (const h of toRevert) {
    const name = h.name || byVersion.get(h.version)?.name || '';
    const down = await loadDownScript(o, { version: h.version, name });
    if (!down) missing.push(downPath(o, { version: h.version, name }));
    else plans.push({ version: h.version, name, file: down.file, sql: down.sql, statements: down.statements });
  }
  if (missing.length)
    throw new MigrationsError(
      `no down script for ${missing.length} of the ${toRevert.length} migration(s) to revert: ${missing.join(', ')}; nothing was reverted — add them to '${o.rollbacksDir}'`,
    );
  result.files = plans.map((p) => ({
    version: p.version,
    name: p.name,
    file: p.file,
    statements: p.statements.length,
    status: o.dryRun ? 'to revert' : 'not run',
  }));
  if (o.dryRun) return;
  for (const plan of plans) {
    const entry = result.files.find((f) => f.version === plan.version)!;
    const t0 = Date.now();
    try {
      await revert(client, o, plan);
    } catch (err) {
      entry.status = 'failed';
      throw err;
    }
    entry.status = 'reverted';
    entry.durationMs = Date.now() - t0;
    result.reverted.push(plan.version);
  }
  const rest = await readHistory(client);
  result.currentVersion = rest.at(-1)?.version ?? null;
}

export const loadDownScript = (o: RunOptions, file: { version: string; name: string }) =>
  readDownScript(o.rollbacksDir, file).then((d) => d ?? undefined);

export const downPath = (o: RunOptions, f: { version: string; name: string }) =>
  `${o.rollbacksDir}/${f.version}_${f.name}.sql`;

/** Runs one down script and removes its migration from the history, retried when it waits on a lock. */
export async function revert(client: pg.Client, o: RunOptions, down: DownScript) {
  const source: SqlSource = down;
  await o.log.group(`Reverting ${down.version}_${down.name} with ${down.file}`, () =>
    withLockRetries(o, down.file, async () => {
      if (down.statements.some(needsNoTransaction)) {
        await client.query(`set lock_timeout = ${o.lockTimeoutMs}; set statement_timeout = ${o.statementTimeoutMs}`);
        for (const s of down.statements) await runStatement(client, source, s);
        await deleteHistory(client, down.version);
        await client.query('reset lock_timeout; reset statement_timeout');
        return;
      }
      await inTransaction(client, o, source, down.statements, true, {
        sql: deleteHistorySql(client, down.version),
        purpose: `remove ${down.version} from supabase_migrations.schema_migrations`,
      });
    }),
  );
}

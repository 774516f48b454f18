// Applying one migration file with its history row: in a transaction, or statement by statement
// when the file cannot run in one.
import type pg from 'pg';
import { codeOf, managesOwnTransaction, needsNoTransaction, runStatement } from './execute';
import type { MigrationFile } from './files';
import { insertHistory, insertHistorySql } from './history';
import type { RunOptions } from './options';
import { type MigrateResult, short, warn } from './report';
import type { Statement } from './splitter';
import { inTransaction, withLockRetries } from './transaction';

const texts = (statements: Statement[]) => statements.map((s) => s.text);

export const recordApplied = (client: pg.Client, file: MigrationFile) => ({
  sql: insertHistorySql(client, file.version, file.name, texts(file.statements)),
  purpose: `record ${file.version} in supabase_migrations.schema_migrations`,
});

/** One file and its history row in one transaction, retried when it could not get a lock in time. */
export async function applyFile(
  client: pg.Client,
  o: RunOptions,
  file: MigrationFile,
  result: MigrateResult,
  last: boolean,
) {
  const entry = result.files.find((f) => f.version === file.version)!;
  const t0 = Date.now();
  await o.log.group(`Applying ${file.file}`, async () => {
    try {
      if (file.statements.some(needsNoTransaction) || managesOwnTransaction(file.statements)) {
        await applyStatementByStatement(client, o, file, result);
      } else {
        await withLockRetries(o, file.file, () =>
          inTransaction(client, o, file, file.statements, last, recordApplied(client, file)),
        );
      }
    } catch (err) {
      entry.status = 'failed';
      entry.durationMs = Date.now() - t0;
      throw err;
    }
  });
  entry.status = 'applied';
  entry.durationMs = Date.now() - t0;
  result.applied.push(file.version);
  result.currentVersion = file.version;
}

/**
 * CREATE INDEX CONCURRENTLY and friends, or a file with its own BEGIN/COMMIT: statement by statement,
 * the history row after the last one, as the Supabase CLI runs such files.
 */
async function applyStatementByStatement(client: pg.Client, o: RunOptions, file: MigrationFile, result: MigrateResult) {
  const first = file.statements.find(needsNoTransaction);
  const alone = file.statements.filter((s) => !s.commentOnly).length === 1;
  const message = first
    ? `${file.file} runs outside a transaction (line ${first.codeLine}: ${short(codeOf(first), 60)} cannot run inside one)` +
      (alone
        ? `: if it fails, check for an INVALID index or other leftovers before re-running`
        : `: if it fails part-way, the statements before the failure stay applied; keep such a statement in a file of its own`)
    : `${file.file} opens or ends transactions itself, so it runs statement by statement as written, with its history row after its last statement`;
  warn(o.log, result, message, { file: file.file, line: (first ?? file.statements[0])?.codeLine ?? 1 });
  await client.query(`set lock_timeout = ${o.lockTimeoutMs}; set statement_timeout = ${o.statementTimeoutMs}`);
  try {
    for (const s of file.statements) await runStatement(client, file, s);
    await insertHistory(client, file.version, file.name, texts(file.statements));
  } catch (err) {
    // A file that opened its own transaction and failed inside it leaves that transaction aborted.
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    await client.query('reset lock_timeout; reset statement_timeout').catch(() => {});
  }
}

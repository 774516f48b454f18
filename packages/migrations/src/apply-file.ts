// Applying one migration file with its history row: in a transaction, or statement by statement
// when the file cannot run in one.

import { sleep } from '@wingman/time';
import type pg from 'pg';
import { codeOf, managesOwnTransaction, needsNoTransaction, runScripts, runStatement, ScriptsError } from './execute';
import type { MigrationFile } from './files';
import { insertHistory, insertHistorySql } from './history';
import type { RunOptions } from './options';
import { type MigrateResult, short, warn } from './report';
import type { Statement } from './splitter';
import { beginTransaction, inTransaction, LOCK_NOT_AVAILABLE, withLockRetries } from './transaction';

const texts = (statements: Statement[]) => statements.map((s) => s.text);

export const recordApplied = (client: pg.Client, file: MigrationFile) => ({
  sql: insertHistorySql(client, file.version, file.name, texts(file.statements)),
  purpose: `record ${file.version} in supabase_migrations.schema_migrations`,
});

/** Files per round trip: enough that round trips stop costing (~0.5 ms each), few enough that progress shows. */
const BATCH_FILES = 25;

const runsAlone = (file: MigrationFile) =>
  file.statements.some(needsNoTransaction) || managesOwnTransaction(file.statements);

/**
 * Applies the pending files in order, each in its own transaction with its history row, as file by file
 * would; consecutive transactional files travel together, up to BATCH_FILES per round trip. The server
 * runs the transactions one after another and stops at the first error, so the files before it stay
 * applied, exactly as when each file is sent alone; a file that waited too long for a lock is retried
 * on its own schedule (lock-retries), the ones before it kept.
 */
export async function applyFiles(client: pg.Client, o: RunOptions, todo: MigrationFile[], result: MigrateResult) {
  let i = 0;
  let lockAttempt = 0;
  while (i < todo.length) {
    if (runsAlone(todo[i]!)) {
      await applyFile(client, o, todo[i]!, result, i === todo.length - 1);
      i++;
      continue;
    }
    let j = i;
    while (j < todo.length && j - i < BATCH_FILES && !runsAlone(todo[j]!)) j++;
    const { applied, retry } = await applyBatch(client, o, todo.slice(i, j), result, j === todo.length, lockAttempt);
    lockAttempt = applied > 0 ? 0 : lockAttempt;
    i += applied;
    if (retry) lockAttempt++;
  }
}

async function applyBatch(
  client: pg.Client,
  o: RunOptions,
  batch: MigrationFile[],
  result: MigrateResult,
  endsRun: boolean,
  lockAttempt: number,
): Promise<{ applied: number; retry: boolean }> {
  const scripts = batch.map((file, k) => {
    const record = recordApplied(client, file);
    const synchronous = endsRun && k === batch.length - 1;
    return {
      source: file,
      statements: file.statements,
      frame: {
        prefix: beginTransaction(o, synchronous),
        suffix: [record.sql, 'commit'],
        suffixPurpose: record.purpose,
      },
    };
  });
  const finished: number[] = [];
  const t0 = Date.now();
  let failure: ScriptsError | undefined;
  try {
    await runScripts(client, scripts, () => finished.push(Date.now()));
  } catch (err) {
    if (!(err instanceof ScriptsError)) throw err;
    failure = err;
    await client.query('rollback').catch(() => {});
  }
  for (const [k, at] of finished.entries()) {
    const file = batch[k]!;
    const entry = result.files.find((f) => f.version === file.version)!;
    await o.log.group(`Applying ${file.file}`, async () => {});
    entry.status = 'applied';
    entry.durationMs = at - (k ? finished[k - 1]! : t0);
    result.applied.push(file.version);
    result.currentVersion = file.version;
  }
  if (!failure) return { applied: finished.length, retry: false };
  const file = batch[failure.index]!;
  const code = (failure.pgError as { code?: string }).code;
  if (code === LOCK_NOT_AVAILABLE && lockAttempt < o.lockRetries) {
    const delay = o.retryDelayMs * 2 ** lockAttempt;
    o.log.info(
      `${file.file}: could not get a lock within lock-timeout; retry ${lockAttempt + 1} of ${o.lockRetries} in ${delay} ms`,
    );
    await sleep(delay);
    return { applied: finished.length, retry: true };
  }
  const entry = result.files.find((f) => f.version === file.version)!;
  entry.status = 'failed';
  entry.durationMs = Date.now() - (finished.at(-1) ?? t0);
  return o.log.group(`Applying ${file.file}`, async () => {
    throw failure.located;
  });
}

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

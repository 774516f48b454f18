// The transaction every migration, down script and seed runs in, and the retries when it waits on a lock.
import { sleep } from '@wingman/time';
import type pg from 'pg';
import { runScript, type SqlSource } from './execute';
import type { RunOptions } from './options';
import type { Statement } from './splitter';

export const LOCK_NOT_AVAILABLE = '55P03';

/** Opens a migration transaction: the statements that start every transactional script. */
export const beginTransaction = (o: RunOptions, synchronous: boolean) => [
  'begin',
  `set local lock_timeout = ${o.lockTimeoutMs}`,
  `set local statement_timeout = ${o.statementTimeoutMs}`,
  // Every commit but the run's last is asynchronous: the last synchronous commit flushes the WAL
  // through all earlier ones. A crash before then loses a migration together with its history row,
  // so the next run applies it again; nothing is ever half-applied.
  ...(synchronous ? [] : ['set local synchronous_commit = off']),
];

/** Runs a script and the history change that records it in one transaction and one round trip. */
export async function inTransaction(
  client: pg.Client,
  o: RunOptions,
  source: SqlSource,
  statements: Statement[],
  synchronous: boolean,
  record: { sql: string; purpose: string },
) {
  try {
    await runScript(client, source, statements, {
      prefix: beginTransaction(o, synchronous),
      suffix: [record.sql, 'commit'],
      suffixPurpose: record.purpose,
    });
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  }
}

export async function withLockRetries(o: RunOptions, file: string, attempt: () => Promise<void>) {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      const code = (err as { sqlstate?: string; code?: string }).sqlstate ?? (err as { code?: string }).code;
      if (code !== LOCK_NOT_AVAILABLE || i >= o.lockRetries) throw err;
      const delay = o.retryDelayMs * 2 ** i;
      o.log.info(
        `${file}: could not get a lock within lock-timeout; retry ${i + 1} of ${o.lockRetries} in ${delay} ms`,
      );
      await sleep(delay);
    }
  }
}

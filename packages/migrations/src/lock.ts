// The migration lock: a session-level advisory lock, polled with pg_try_advisory_lock rather than a
// blocking pg_advisory_lock, which can deadlock against another runner's CREATE INDEX CONCURRENTLY
// (that waits for every transaction to finish, including one blocked on our lock request).

import { sleep } from '@wingman/time';
import type pg from 'pg';
import { MigrationsError } from './errors';

/** One key for every run against a database, whichever repository or workflow starts it. */
export const MIGRATION_LOCK_KEY = '7304613893201154881';

export interface LockOptions {
  waitMs: number;
  /** Poll interval bounds; doubles from min to max. */
  minPollMs?: number;
  maxPollMs?: number;
  label: string;
}

export async function acquireMigrationLock(client: pg.Client, opts: LockOptions): Promise<void> {
  const deadline = Date.now() + opts.waitMs;
  let poll = opts.minPollMs ?? 100;
  for (;;) {
    const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1::bigint) as locked', [
      MIGRATION_LOCK_KEY,
    ]);
    if (rows[0]?.locked) break;
    if (Date.now() >= deadline) throw new MigrationsError(await describeHolder(client, opts.waitMs));
    await sleep(Math.min(poll, Math.max(0, deadline - Date.now())));
    poll = Math.min(poll * 2, opts.maxPollMs ?? 2000);
  }
  // Name the holder in pg_stat_activity so a waiting run can say who has had the lock since when.
  await client.query(`select set_config('application_name', $1, false)`, [
    `${opts.label} (migration lock since ${new Date().toISOString()})`.slice(0, 63),
  ]);
}

/** Exported for its test: advisory locks are per database, and another database's holder is not ours. */
export async function describeHolder(client: pg.Client, waitMs: number): Promise<string> {
  const { rows } = await client.query<{
    pid: number;
    application_name: string;
    backend_start: Date;
    client_addr: string | null;
  }>(
    `select a.pid, a.application_name, a.backend_start, a.client_addr::text as client_addr
       from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.granted
        and l.database = (select oid from pg_database where datname = current_database())
        and ((l.classid::bigint << 32) | l.objid::bigint) = $1::bigint and l.objsubid = 1`,
    [MIGRATION_LOCK_KEY],
  );
  const holder = rows[0];
  const who = holder
    ? `pid ${holder.pid}, application_name '${holder.application_name}', connected since ${holder.backend_start.toISOString()}${holder.client_addr ? ` from ${holder.client_addr}` : ''}`
    : 'a session that released it just now';
  return `another migration run held the migration lock for longer than wait-for-lock (${Math.round(waitMs / 1000)}s): ${who}; wait for it to finish or raise 'wait-for-lock'`;
}

export async function releaseMigrationLock(client: pg.Client): Promise<void> {
  await client.query('select pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
}

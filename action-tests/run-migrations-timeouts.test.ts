// lock-timeout, statement-timeout and wait-for-lock, observed where they act: the settings the
// database received, a statement cut off, a wait that ends when told. (Once parsed and never used.)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { runAction, startPostgres, type TestDatabase } from '@wingman/testkit';
import pg from 'pg';

const MIGRATION_LOCK_KEY = '7304613893201154881';
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'wingman-timeouts-'));
  dirs.push(root);
  mkdirSync(join(root, 'migrations'));
  mkdirSync(join(root, 'rollbacks'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(root, 'migrations', name), sql);
  return root;
}

describe('run-migrations timing inputs reach the database', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await startPostgres();
  });
  afterEach(async () => {
    await db.stop();
  });
  const run = (cwd: string, inputs: Record<string, string>) =>
    runAction('run-migrations', {
      cwd,
      inputs: { 'database-url': db.url, 'migrations-dir': 'migrations', 'rollbacks-dir': 'rollbacks', ...inputs },
    });

  it('runs each file with the lock_timeout and statement_timeout the step gave', async () => {
    const cwd = project({
      '20260101000000_settings.sql':
        "create table public.seen as select current_setting('lock_timeout') as lock_timeout, current_setting('statement_timeout') as statement_timeout;",
    });
    const r = await run(cwd, { 'lock-timeout': '7s', 'statement-timeout': '9s' });
    expect(r.exitCode).toBe(0);
    const client = await db.connect();
    const { rows } = await client.query('select * from public.seen');
    expect(rows).toEqual([{ lock_timeout: '7s', statement_timeout: '9s' }]);
  });

  it('cuts off a statement at statement-timeout and fails the step', async () => {
    const cwd = project({ '20260101000000_slow.sql': 'select pg_sleep(3);' });
    const r = await run(cwd, { 'statement-timeout': '1s' });
    expect(r.exitCode).toBe(1);
    expect(r.durationMs).toBeLessThan(3000);
    expect(r.annotations.find((a) => a.level === 'error')?.message).toMatch(/statement timeout/);
  });

  it('stops waiting for another run that holds the migration lock after wait-for-lock', async () => {
    const cwd = project({ '20260101000000_t.sql': 'create table public.t (id int);' });
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('select pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
      const r = await run(cwd, { 'wait-for-lock': '2s' });
      expect(r.exitCode).toBe(1);
      expect(r.durationMs).toBeGreaterThanOrEqual(2000);
      expect(r.durationMs).toBeLessThan(10_000); // the default would wait 5 minutes
      expect(r.annotations.find((a) => a.level === 'error')?.message).toMatch(/lock/i);
    } finally {
      await holder.end();
    }
  });
});

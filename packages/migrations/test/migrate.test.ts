import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { startPostgres, type TestDatabase } from '@wingman/testkit';
import { sleep } from '@wingman/time';
import { type MigrateOptions, type MigrationRunError, splitStatements } from '../src/index';
import {
  EXAMPLE,
  EXAMPLE_NEWEST,
  EXAMPLE_VERSIONS,
  historyVersions,
  Project,
  query,
  run,
  tableExists,
} from './helpers';

let db: TestDatabase;
const projects: Project[] = [];
const project = (m?: Record<string, string>, r?: Record<string, string>) => {
  const p = new Project(m, r);
  projects.push(p);
  return p;
};
const example = { migrationsDir: `${EXAMPLE}/migrations`, rollbacksDir: `${EXAMPLE}/rollbacks` };

beforeEach(async () => {
  db = await startPostgres();
});
afterEach(async () => {
  await db.stop();
});
afterAll(() => {
  for (const p of projects) p.cleanup();
});

const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return err as MigrationRunError;
  }
  throw new Error('expected the run to fail');
};

describe('up', () => {
  it('applies the example app and records history exactly as the CLI splits it', async () => {
    const result = await run(db, example);
    expect(result.applied).toEqual(EXAMPLE_VERSIONS);
    expect(result.pending).toBe(0);
    expect(result.currentVersion).toBe(EXAMPLE_NEWEST);
    expect(result.files.every((f) => f.status === 'applied')).toBe(true);
    // The CREATE INDEX CONCURRENTLY file ran outside a transaction, with a warning saying so.
    expect(result.warnings.join('\n')).toMatch(/chat_messages_created_at_index\.sql runs outside a transaction/);
    const rows = await query<{ version: string; name: string; statements: string[] }>(
      db,
      'select version, name, statements from supabase_migrations.schema_migrations order by version',
    );
    expect(rows.map((r) => r.version)).toEqual(result.applied);
    expect(rows[0]!.name).toBe('profiles');
    const { readFileSync } = await import('node:fs');
    const sql = readFileSync(`${EXAMPLE}/migrations/20250801120000_profiles.sql`, 'utf8');
    expect(rows[0]!.statements).toEqual(splitStatements(sql).map((s) => s.text));
    const rls = await query<{ relname: string }>(
      db,
      `select relname from pg_class where relnamespace = 'public'::regnamespace and relkind = 'r' and not relrowsecurity`,
    );
    expect(rls).toEqual([]);
  });

  it('does nothing on a second run', async () => {
    await run(db, example);
    const again = await run(db, example);
    expect(again.applied).toEqual([]);
    expect(again.files).toEqual([]);
    expect(again.currentVersion).toBe(EXAMPLE_NEWEST);
  });

  it('dry-run plans without creating even the history table', async () => {
    const result = await run(db, example, { dryRun: true });
    expect(result.files.map((f) => f.status)).toEqual(EXAMPLE_VERSIONS.map(() => 'pending'));
    expect(result.pending).toBe(EXAMPLE_VERSIONS.length);
    expect(result.applied).toEqual([]);
    expect(await tableExists(db, 'supabase_migrations.schema_migrations')).toBe(false);
    expect(await tableExists(db, 'public.profiles')).toBe(false);
  });

  it('names a compiled extension the server lacks and the image that has it', async () => {
    const p = project({
      '20260101000000_embeddings.sql':
        'create table public.docs (id int primary key);\ncreate extension if not exists vector with schema extensions;\n',
    });
    const err = await failure(run(db, p));
    expect(err.message).toMatch(
      /20260101000000_embeddings\.sql:2: 0A000 extension "vector" is not available — .* — the extension vector is not installed on this server: Supabase projects have it; rehearse on Supabase's own image \(supabase\/postgres:17\.[\d.]+@sha256:[0-9a-f]{64}, the preview workflow's postgres-image default\) or install vector on the server$/,
    );
  });

  it('stops at target-version, and refuses a version that has no file', async () => {
    const result = await run(db, example, { targetVersion: '20250802090000' });
    expect(result.applied).toEqual(['20250801120000', '20250801120100', '20250802090000']);
    expect(result.pending).toBe(EXAMPLE_VERSIONS.length - 3);
    const err = await failure(run(db, example, { targetVersion: '20990101000000' }));
    expect(err.message).toMatch(/input 'target-version' is 20990101000000, which is not a migration in/);
  });

  it('applies all pending files in one transaction with atomic, and rolls all back on a failure', async () => {
    const p = project({
      '001_a.sql': 'create table a (id int);',
      '002_b.sql': 'create table b (id int);',
      '003_c.sql': 'create table c (id int);\nselect 1/0;',
    });
    const err = await failure(run(db, p, { atomic: true }));
    expect(err.result.files.map((f) => f.status)).toEqual(['not run', 'not run', 'failed']);
    expect(await tableExists(db, 'public.a')).toBe(false);
    expect(await historyVersions(db)).toEqual([]);
    p.write({ '003_c.sql': 'create table c (id int);' });
    const ok = await run(db, p, { atomic: true });
    expect(ok.applied).toEqual(['001', '002', '003']);
  });

  it('atomic refuses a file that cannot run in a transaction, before applying anything', async () => {
    const p = project({
      '001_a.sql': 'create table a (id int);',
      '002_idx.sql': '-- concurrently, so outside a transaction\ncreate index concurrently a_id on a (id);',
    });
    const err = await failure(run(db, p, { atomic: true }));
    expect(err.message).toMatch(
      /002_idx\.sql:2: "create index concurrently a_id on a \(id\)" cannot run inside a transaction/,
    );
    expect(err.where).toMatchObject({ line: 2 });
    expect(await tableExists(db, 'public.a')).toBe(false);
  });
});

describe('history table', () => {
  it("writes history into a hosted project's table with its extra columns", async () => {
    await query(
      db,
      `create schema supabase_migrations;
       create table supabase_migrations.schema_migrations (version text primary key, statements text[], name text,
         created_by text, idempotency_key text unique, rollback text[])`,
    );
    const p = project({ '001_a.sql': 'create table public.a (id int);' });
    expect((await run(db, p)).applied).toEqual(['001']);
    const rows = await query(
      db,
      'select version, name, statements, created_by from supabase_migrations.schema_migrations',
    );
    expect(rows).toEqual([
      { version: '001', name: 'a', statements: ['create table public.a (id int)'], created_by: null },
    ]);
  });

  it("adds the columns an older CLI's history table lacks", async () => {
    await query(
      db,
      'create schema supabase_migrations; create table supabase_migrations.schema_migrations (version text primary key)',
    );
    await query(db, "insert into supabase_migrations.schema_migrations values ('001')");
    const p = project({ '001_a.sql': 'select 1;', '002_b.sql': 'create table public.b (id int);' });
    expect((await run(db, p)).applied).toEqual(['002']);
    const rows = await query<{ statements: string[] | null }>(
      db,
      'select statements from supabase_migrations.schema_migrations order by version',
    );
    expect(rows.map((r) => r.statements)).toEqual([null, ['create table public.b (id int)']]);
  });
});

describe('failures', () => {
  it('rolls back the failing file, runs nothing after it, and points at the failing line below a dollar-quoted body', async () => {
    const fn = [
      '-- a function whose body holds semicolons and quotes',
      'create function public.f() returns text language plpgsql as $body$',
      'begin',
      "  return 'x;y';",
      'end;',
      '$body$;',
      '',
      'create table public.ok (id int);',
      'insert into public.ok',
      '  values (1), (2),',
      '  (no_such_column);',
    ].join('\n');
    const p = project({
      '001_first.sql': 'create table public.first (id int);',
      '002_fails.sql': fn,
      '003_after.sql': 'create table public.after (id int);',
    });
    const r = run(db, p);
    const err = await failure(r);
    expect(err.where).toMatchObject({ line: 11, title: '42703' });
    expect(err.message).toMatch(/002_fails\.sql:11: 42703 column "no_such_column" does not exist/);
    expect(err.result.files.map((f) => [f.version, f.status])).toEqual([
      ['001', 'applied'],
      ['002', 'failed'],
      ['003', 'not run'],
    ]);
    expect(r.log.entries.filter((e) => e.level === 'error')).toEqual([]); // the thrown error carries the location
    expect(await tableExists(db, 'public.first')).toBe(true);
    expect(await tableExists(db, 'public.ok')).toBe(false);
    expect(await tableExists(db, 'public.after')).toBe(false);
    expect(await historyVersions(db)).toEqual(['001']);
  });

  it('uses the statement line, with detail and hint, when Postgres gives no position', async () => {
    const p = project({
      '001_t.sql': 'create table public.t (id int primary key);\ninsert into public.t values (1);',
      '002_dup.sql': '\n\n/* again */\ninsert into public.t values (1);',
    });
    const err = await failure(run(db, p));
    expect(err.where).toMatchObject({ line: 4 });
    // The key's value is a row value: on production it is customer data, so the log gets its column only.
    expect(err.message).toMatch(
      /002_dup\.sql:4: 23505 duplicate key value violates unique constraint "t_pkey" — detail: Key \(id\)=\(…\) already exists\./,
    );
  });

  it('withholds the row values Postgres quotes in a failure: a failing row, a value it cannot read', async () => {
    const p = project({
      '001_t.sql': "create table public.t (id int primary key, email text check (email like '%@%'));",
      '002_bad.sql': "insert into public.t values (1, 'alice.example.com');",
      '003_cast.sql': "select 'alice@example.com'::uuid;",
    });
    const err = await failure(run(db, p));
    expect(err.message).toMatch(/violates check constraint "t_email_check" — detail: Failing row contains \(…\)\./);
    expect(err.message).not.toContain('alice');
    p.write({ '002_bad.sql': "insert into public.t values (1, 'alice@example.com');" });
    const cast = await failure(run(db, p));
    expect(cast.message).toMatch(/22P02 invalid input syntax for type uuid: "…"/);
    expect(cast.message).not.toContain('alice');
  });

  it('names the failing statement by count when a later statement in a multi-statement file fails without a position', async () => {
    const p = project({
      '001_t.sql': [
        '-- one round trip sends all of these',
        'create table public.t (id int primary key);',
        "comment on table public.t is 'a; b';",
        'insert into public.t values (1);',
        'insert into public.t values (2);',
        '/* the duplicate: */ insert into public.t',
        '  values (1);',
        'create table public.never (id int);',
      ].join('\n'),
    });
    const err = await failure(run(db, p));
    expect(err.where).toMatchObject({ line: 6, title: '23505' });
    expect(await tableExists(db, 'public.t')).toBe(false);
  });

  it('runs a file that manages its own transaction statement by statement, as the CLI does', async () => {
    const p = project({ '001_own.sql': 'begin;\ncreate table public.own (id int);\ncommit;\n' });
    const r = run(db, p);
    const result = await r;
    expect(result.applied).toEqual(['001']);
    expect(result.warnings.join()).toMatch(/001_own\.sql opens or ends transactions itself/);
    expect(await tableExists(db, 'public.own')).toBe(true);
    const atomic = project({ '001_own.sql': 'begin;\ncreate table public.own2 (id int);\ncommit;\n' });
    await db.stop();
    db = await startPostgres();
    const err = await failure(run(db, atomic, { atomic: true }));
    expect(err.message).toMatch(/001_own\.sql:1: "begin" cannot run inside a transaction/);
  });

  it('refuses psql meta-commands with the file and line', async () => {
    const p = project({ '001_meta.sql': 'select 1;\n\\i other.sql\n' });
    const err = await failure(run(db, p)).catch((e) => e);
    expect(err.message).toMatch(/001_meta\.sql: psql meta-command \\i at line 2 is not SQL/);
    expect(await tableExists(db, 'supabase_migrations.schema_migrations')).toBe(false);
  });

  it('retries a migration that hit lock_timeout and succeeds once the lock is free', async () => {
    const p = project({ '001_t.sql': 'create table public.t (id int);' });
    await run(db, p);
    p.write({ '002_alter.sql': 'alter table public.t add column note text;' });
    const holder = await db.connect();
    await holder.query('begin; lock table public.t in access share mode');
    const r = run(db, p, { lockTimeoutMs: 100, lockRetries: 5, retryDelayMs: 100 });
    setTimeout(() => void holder.query('commit'), 400);
    const result = await r;
    expect(result.applied).toEqual(['002']);
    const retries = r.log.messages('info').filter((m) => /could not get a lock within lock-timeout; retry/.test(m));
    expect(retries.length).toBeGreaterThanOrEqual(1);
  });

  it('fails after lock-retries with the lock timeout error', async () => {
    const p = project({ '001_t.sql': 'create table public.t (id int);' });
    await run(db, p);
    p.write({ '002_alter.sql': 'alter table public.t add column note text;' });
    const holder = await db.connect();
    await holder.query('begin; lock table public.t in access share mode');
    const r = run(db, p, { lockTimeoutMs: 50, lockRetries: 2, retryDelayMs: 20 });
    const err = await failure(r);
    await holder.query('rollback');
    expect(err.message).toMatch(/002_alter\.sql:1: 55P03 canceling statement due to lock timeout/);
    expect(r.log.messages('info').filter((m) => /retry \d of 2/.test(m))).toHaveLength(2);
    expect(await historyVersions(db)).toEqual(['001']);
  });

  it('keeps the files before a lock wait applied while it retries the one that waited, then applies the rest', async () => {
    const p = project({ '001_t.sql': 'create table public.t (id int);' });
    await run(db, p);
    p.write({
      '002_u.sql': 'create table public.u (id int);',
      '003_alter.sql': 'alter table public.t add column note text;',
      '004_v.sql': 'create table public.v (id int);',
    });
    const holder = await db.connect();
    await holder.query('begin; lock table public.t in access share mode');
    const r = run(db, p, { lockTimeoutMs: 100, lockRetries: 5, retryDelayMs: 150 });
    // While 003 waits for its retry, 002 is already committed with its history row.
    await sleep(200);
    const during = await historyVersions(db);
    await holder.query('commit');
    const result = await r;
    expect(during).toEqual(['001', '002']);
    expect(result.applied).toEqual(['002', '003', '004']);
    expect(r.log.messages('info').filter((m) => /could not get a lock/.test(m))[0]).toMatch(
      /003_alter\.sql: could not get a lock within lock-timeout; retry 1 of 5/,
    );
    expect(await historyVersions(db)).toEqual(['001', '002', '003', '004']);
  });

  it('applies more files than travel in one round trip, each with its own status, and stops at a failure in a later trip', async () => {
    const files: Record<string, string> = {};
    for (let i = 1; i <= 30; i++)
      files[`${String(i).padStart(3, '0')}_t${i}.sql`] = `create table public.t${i} (id int);`;
    files['027_t27.sql'] = 'create table public.t27 (id int);\ncreate table public.t1 (id int);';
    const p = project(files);
    const r = run(db, p);
    const err = await failure(r);
    expect(err.message).toMatch(/027_t27\.sql:2: 42P07 relation "t1" already exists/);
    const statuses = err.result.files.map((f) => f.status);
    expect(statuses.slice(0, 26)).toEqual(Array(26).fill('applied'));
    expect(statuses.slice(26)).toEqual(['failed', 'not run', 'not run', 'not run']);
    expect(await historyVersions(db)).toHaveLength(26);
    expect(await tableExists(db, 'public.t26')).toBe(true);
    expect(await tableExists(db, 'public.t27')).toBe(false);
  });

  it('cancels a statement that runs past statement-timeout and rolls its file back', async () => {
    const p = project({ '001_slow.sql': 'create table public.s (id int);\nselect pg_sleep(2);' });
    const err = await failure(run(db, p, { statementTimeoutMs: 100 }));
    expect(err.message).toMatch(/001_slow\.sql:2: 57014 canceling statement due to statement timeout/);
    expect(await tableExists(db, 'public.s')).toBe(false);
  });

  it('refuses the transaction pooler port before connecting', async () => {
    const url = db.url.replace(/:\d+\//, ':6543/');
    const err = await failure(run({ ...db, url } as TestDatabase, example));
    expect(err.message).toMatch(/port 6543, Supabase's transaction pooler/);
  });
});

describe('drift', () => {
  it('fails before applying anything when an applied file was edited, naming the first differing statement', async () => {
    const p = project({ '001_a.sql': 'create table a (id int);\ncreate table b (id int);' });
    await run(db, p);
    p.write({
      '001_a.sql': 'create table a (id int);\ncreate table b (id bigint);',
      '002_c.sql': 'create table c (id int);',
    });
    const err = await failure(run(db, p));
    expect(err.message).toMatch(
      /001_a\.sql:2: migration 001 was edited after it was applied: statement 2 was "create table b \(id int\)" and is now "create table b \(id bigint\)"/,
    );
    expect(await tableExists(db, 'public.c')).toBe(false);
  });

  it('lists applied versions that have no file', async () => {
    const p = project({ '001_a.sql': 'select 1;', '002_b.sql': 'select 2;', '003_c.sql': 'select 3;' });
    await run(db, p);
    p.remove('001_a.sql');
    p.remove('002_b.sql');
    const err = await failure(run(db, p));
    expect(err.message).toMatch(
      /applied migrations with no file in the migrations folder: 001, 002;.*migration repair --status reverted 001 002/,
    );
  });

  it('refuses a pending file older than the newest applied one unless allow-out-of-order', async () => {
    const p = project({ '001_a.sql': 'select 1;', '003_c.sql': 'create table c (id int);' });
    await run(db, p);
    p.write({ '002_b.sql': 'create table b (id int);' });
    const err = await failure(run(db, p));
    expect(err.message).toMatch(
      /pending migration .*002_b\.sql is older than the newest applied migration 003.*allow-out-of-order: true/,
    );
    expect(await tableExists(db, 'public.b')).toBe(false);
    const ok = await run(db, p, { allowOutOfOrder: true });
    expect(ok.applied).toEqual(['002']);
    expect(await historyVersions(db)).toEqual(['001', '002', '003']);
  });

  it('skips comparing rows without statements (written by migration repair)', async () => {
    const p = project({ '001_a.sql': 'select 1;' });
    await run(db, p);
    await query(db, `update supabase_migrations.schema_migrations set statements = null`);
    p.write({ '001_a.sql': 'select 1; -- edited', '002_b.sql': 'select 2;' });
    expect((await run(db, p)).applied).toEqual(['002']);
  });
});

describe('concurrency', () => {
  it.each([2, 5])('%i concurrent runs apply each migration exactly once', async (n) => {
    const p = project({
      '001_log.sql': 'create table public.applied_log (version text);',
      '002_a.sql': "insert into public.applied_log values ('002'); select pg_sleep(0.2);",
      '003_b.sql': "insert into public.applied_log values ('003');",
    });
    const results = await Promise.all(Array.from({ length: n }, () => run(db, p, { waitForLockMs: 30_000 })));
    const applied = results.flatMap((r) => r.applied).sort();
    expect(applied).toEqual(['001', '002', '003']);
    const log = await query<{ version: string }>(db, 'select version from public.applied_log order by version');
    expect(log.map((r) => r.version)).toEqual(['002', '003']);
  });

  it('gives up after wait-for-lock, naming the holder', async () => {
    const p = project({ '001_a.sql': 'select 1;' });
    const holder = await db.connect();
    await holder.query(`set application_name = 'deploy of another pipeline'`);
    const { MIGRATION_LOCK_KEY } = await import('../src/index');
    await holder.query('select pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    const { rows } = await holder.query<{ pid: number }>('select pg_backend_pid() as pid');
    const err = await failure(run(db, p, { waitForLockMs: 300 }));
    expect(err.message).toMatch(
      new RegExp(
        `held the migration lock for longer than wait-for-lock \\(0s\\): pid ${rows[0]!.pid}, application_name 'deploy of another pipeline', connected since \\d{4}-`,
      ),
    );
    expect(await tableExists(db, 'supabase_migrations.schema_migrations')).toBe(false);
  });

  it("names no holder of another database's lock (advisory locks are per database; a staging server holds many)", async () => {
    const { MIGRATION_LOCK_KEY } = await import('../src/index');
    const { describeHolder } = await import('../src/lock');
    const other = await startPostgres({ bootstrap: 'none' });
    try {
      const elsewhere = await other.connect();
      await elsewhere.query(`set application_name = 'a run on another database'`);
      await elsewhere.query('select pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
      const here = await db.connect();
      expect(await describeHolder(here, 1000)).toBe(
        "another migration run held the migration lock for longer than wait-for-lock (1s): a session that released it just now; wait for it to finish or raise 'wait-for-lock'",
      );
    } finally {
      await other.stop();
    }
  });

  it('a connection killed mid-file leaves no partial file, and the next run completes', async () => {
    const p = project({
      '001_a.sql': 'create table public.a (id int);',
      '002_slow.sql': 'create table public.slow (id int);\nselect pg_sleep(30);\ncreate table public.slow2 (id int);',
    });
    const r = run(db, p, { applicationName: 'victim-run' });
    const killer = await db.connect();
    for (let i = 0; i < 100; i++) {
      const { rows } = await killer.query(
        `select pid from pg_stat_activity where query like '%pg_sleep(30)%' and pid <> pg_backend_pid()`,
      );
      if (rows.length) {
        await killer.query('select pg_terminate_backend($1)', [rows[0].pid]);
        break;
      }
      await sleep(50);
    }
    const err = await failure(r);
    expect(err.message).toMatch(/terminat|Connection terminated/i);
    expect(await historyVersions(db)).toEqual(['001']);
    expect(await tableExists(db, 'public.slow')).toBe(false);
    p.write({
      '002_slow.sql': 'create table public.slow (id int);\nselect pg_sleep(0);\ncreate table public.slow2 (id int);',
    });
    // The file changed, but it was never applied: no drift, it just applies.
    expect((await run(db, p)).applied).toEqual(['002']);
    expect(await tableExists(db, 'public.slow2')).toBe(true);
  });
});

describe('down and rollback plans', () => {
  it('reverts every version above target-version, newest first, deleting history with each', async () => {
    await run(db, example);
    const result = await run(db, example, { direction: 'down', targetVersion: '20250804090000' });
    expect(result.reverted).toEqual(EXAMPLE_VERSIONS.filter((v) => v > '20250804090000').reverse());
    expect(result.currentVersion).toBe('20250804090000');
    expect(await tableExists(db, 'public.feature_flags')).toBe(false);
    expect(await tableExists(db, 'public.wingman_sessions')).toBe(true);
    expect((await historyVersions(db)).at(-1)).toBe('20250804090000');
  });

  it('without a target reverts only the newest migration', async () => {
    await run(db, example);
    const result = await run(db, example, { direction: 'down' });
    expect(result.reverted).toEqual([EXAMPLE_NEWEST]);
  });

  it('stops before reverting anything when a down script is missing', async () => {
    const p = project(
      { '001_a.sql': 'create table a (id int);', '002_b.sql': 'create table b (id int);' },
      { '002_b.sql': 'drop table b;' },
    );
    await run(db, p);
    const err = await failure(run(db, p, { direction: 'down', targetVersion: '000' }));
    expect(err.message).toMatch(
      /no down script for 1 of the 2 migration\(s\) to revert: .*rollbacks\/001_a\.sql; nothing was reverted/,
    );
    expect(await historyVersions(db)).toEqual(['001', '002']);
    expect(await tableExists(db, 'public.b')).toBe(true);
  });

  it('verify-rollbacks proves every example migration round-trips and ends migrated', async () => {
    const result = await run(db, example, { verifyRollbacks: true });
    expect(result.applied).toEqual(EXAMPLE_VERSIONS);
    expect(result.files.every((f) => f.note === 'rollback verified')).toBe(true);
    expect(await historyVersions(db)).toEqual(EXAMPLE_VERSIONS);
    expect(await tableExists(db, 'public.feature_flags')).toBe(true);
  });

  it('verify-rollbacks fails with the differences when a down script leaves something behind', async () => {
    const p = project(
      { '001_a.sql': "create table a (id int);\ncreate index a_id on a (id);\ncreate type mood as enum ('ok');" },
      { '001_a.sql': 'drop table a;' },
    );
    const err = await failure(run(db, p, { verifyRollbacks: true }));
    expect(err.message).toMatch(
      /rollbacks\/001_a\.sql does not undo .*001_a\.sql: after up and down the schema differs from before in \d+ place\(s\): .*mood/,
    );
  });

  it('verify-rollbacks requires a down script unless the migration says why it is irreversible', async () => {
    const p = project({ '001_a.sql': 'create table a (id int);' });
    const err = await failure(run(db, p, { verifyRollbacks: true }));
    expect(err.message).toMatch(
      /001_a\.sql has no down script .*rollbacks\/001_a\.sql: write one that reverses it, or start the migration with '-- irreversible: <reason>'/,
    );
    p.write({ '001_a.sql': '-- irreversible: drops user data\ncreate table a (id int);' });
    const ok = await run(db, p, { verifyRollbacks: true });
    expect(ok.files[0]!.note).toBe('irreversible: drops user data');
  });
});

describe('mode repair', () => {
  const two = { '001_a.sql': 'create table public.a (id int);', '002_b.sql': 'create table public.b (id int);' };
  const rows = () => query(db, 'select version, name from supabase_migrations.schema_migrations order by version');

  it('refuses, changing nothing, a version with no file, one not in history, a non-version, or no versions', async () => {
    const p = project(two);
    await run(db, p, { targetVersion: '001' });
    const refused = async (extra: Partial<MigrateOptions>, message: RegExp) => {
      const err = await failure(run(db, p, { mode: 'repair', ...extra }));
      expect(err.message).toMatch(message);
      expect(await rows()).toEqual([{ version: '001', name: 'a' }]);
    };
    await refused(
      { repairStatus: 'applied', versions: ['002', '003'] },
      /^input 'versions': 003 has no file in .*migrations \(<version>_<name>\.sql\): repair --status applied records a migration whose file exists/,
    );
    await refused(
      { repairStatus: 'reverted', versions: ['001', '002'] },
      /^input 'versions': 002 is not in supabase_migrations\.schema_migrations: there is nothing to mark reverted/,
    );
    await refused(
      { repairStatus: 'applied', versions: ['v2'] },
      /^input 'versions' has "v2", which is not a migration version/,
    );
    await refused(
      { repairStatus: 'applied', versions: [] },
      /^input 'versions' is empty: mode repair needs the versions to mark applied/,
    );
    await refused({ versions: ['002'] }, /^input 'status' is empty/);
  });

  it('plans in a dry run; marks applied without running, and reverted without reverting', async () => {
    const p = project(two);
    const plan = await run(db, p, { mode: 'repair', repairStatus: 'applied', versions: ['002'], dryRun: true });
    expect(plan.repaired).toEqual({ status: 'applied', versions: ['002'] });
    expect(await tableExists(db, 'supabase_migrations.schema_migrations')).toBe(false);

    const done = await run(db, p, { mode: 'repair', repairStatus: 'applied', versions: ['002'] });
    expect(done).toMatchObject({ currentVersion: '002', pending: 1, applied: [] });
    expect(await rows()).toEqual([{ version: '002', name: 'b' }]);
    expect(await tableExists(db, 'public.b')).toBe(false);
    // A later migrate applies only what is still unrecorded: 001 (older than 002, so out of order).
    expect((await run(db, p, { allowOutOfOrder: true })).applied).toEqual(['001']);
    expect(await tableExists(db, 'public.b')).toBe(false);

    await run(db, p, { mode: 'repair', repairStatus: 'reverted', versions: ['001'] });
    expect(await rows()).toEqual([{ version: '002', name: 'b' }]);
    expect(await tableExists(db, 'public.a')).toBe(true);
  });
});

describe('mode baseline', () => {
  const shadows: TestDatabase[] = [];
  afterEach(async () => {
    await Promise.all(shadows.splice(0).map((d) => d.stop()));
  });
  /** A fresh plain database: baseline gives it the Supabase shape itself. */
  const shadow = async () => {
    const d = await startPostgres({ bootstrap: 'none' });
    shadows.push(d);
    return d.url;
  };
  const AT = '20250805090000';
  const history = () =>
    query(db, 'select version, name, statements from supabase_migrations.schema_migrations order by version');
  /** A database built by the example's migrations up to AT, whose history was never kept (or was lost). */
  const adoptable = async () => {
    await run(db, example, { targetVersion: AT });
    const rows = await history();
    await query(db, 'drop schema supabase_migrations cascade');
    return rows;
  };

  it('records the migrations up to target-version exactly as applying them would, running none, when the schema matches', async () => {
    const expected = await adoptable();
    const plan = await run(db, example, {
      mode: 'baseline',
      targetVersion: AT,
      shadowDatabaseUrl: await shadow(),
      dryRun: true,
    });
    expect(plan.baselined).toEqual(EXAMPLE_VERSIONS.filter((v) => v <= AT));
    expect(await tableExists(db, 'supabase_migrations.schema_migrations')).toBe(false);

    const done = await run(db, example, { mode: 'baseline', targetVersion: AT, shadowDatabaseUrl: await shadow() });
    expect(done).toMatchObject({
      currentVersion: AT,
      applied: [],
      pending: EXAMPLE_VERSIONS.filter((v) => v > AT).length,
    });
    expect(await history()).toEqual(expected);
    // From here the database is an ordinary one: the rest applies, nothing is pending after.
    expect((await run(db, example)).applied).toEqual(EXAMPLE_VERSIONS.filter((v) => v > AT));
  });

  it('refuses a drifted schema, naming the differences, and records nothing', async () => {
    await adoptable();
    await query(
      db,
      'alter table public.profiles add column nickname text; drop index public.chat_messages_sender_id_idx',
    );
    const err = await failure(
      run(db, example, { mode: 'baseline', targetVersion: AT, shadowDatabaseUrl: await shadow() }),
    );
    expect(err.message).toMatch(
      new RegExp(
        `^mode baseline refused: the database's schema is not what the migrations up to ${AT} build \\(2 difference\\(s\\);`,
      ),
    );
    expect(err.message).toMatch(/column public\.profiles\.nickname added/);
    expect(err.message).toMatch(/index public\.chat_messages_sender_id_idx removed/);
    expect(await tableExists(db, 'supabase_migrations.schema_migrations')).toBe(false);
  });

  it('refuses without target-version or shadow, with the shadow the same database, with history, or with bootstrap', async () => {
    const refused = async (extra: Partial<MigrateOptions>, message: RegExp) =>
      expect((await failure(run(db, example, { mode: 'baseline', ...extra }))).message).toMatch(message);
    await refused({ shadowDatabaseUrl: await shadow() }, /^input 'target-version' is empty: mode baseline/);
    await refused(
      { targetVersion: '20990101000000', shadowDatabaseUrl: await shadow() },
      /^input 'target-version' is 20990101000000, which is not a migration/,
    );
    await refused({ targetVersion: AT }, /^input 'shadow-database-url' is empty/);
    await refused(
      { targetVersion: AT, shadowDatabaseUrl: db.url },
      /^input 'shadow-database-url' names the same database as 'database-url'/,
    );
    await refused(
      { targetVersion: AT, shadowDatabaseUrl: await shadow(), bootstrap: 'supabase' },
      /^input 'bootstrap' is supabase with mode baseline, which would change the database being adopted/,
    );
    await run(db, example, { targetVersion: '20250801120000' });
    await refused(
      { targetVersion: AT, shadowDatabaseUrl: await shadow() },
      /^mode baseline adopts a database with no migration history, but .* has 1 row/,
    );
  });
});

describe('seed', () => {
  it('applies a seed once, and not again while it is unchanged', async () => {
    const seedFile = `${EXAMPLE}/seed.sql`;
    const first = await run(db, example, { seedFiles: [seedFile] });
    expect(first.seeds).toEqual([{ file: seedFile, status: 'applied' }]);
    expect(first.seedSource).toBe("input 'seed-file'");
    const flags = await query<{ n: number }>(db, 'select count(*)::int as n from public.feature_flags');
    expect(flags[0]!.n).toBeGreaterThan(0);
    const second = await run(db, example, { seedFiles: [seedFile] });
    expect(second.seeds).toEqual([{ file: seedFile, status: 'unchanged' }]);
    const rows = await query<{ path: string; hash: string }>(
      db,
      'select path, hash from supabase_migrations.seed_files',
    );
    expect(rows).toEqual([{ path: seedFile, hash: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
  });
  it('rolls a failing seed back with its line; a seed that ran is not run again when it changes, only its hash is updated (as db push)', async () => {
    const p = project({ '001_t.sql': 'create table public.flags (name text primary key);' });
    const seedFile = `${p.root}/seed.sql`;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(seedFile, "insert into public.flags values ('a');\ninsert into public.nope values (1);");
    const err = await failure(run(db, p, { seedFiles: [seedFile] }));
    expect(err.where).toMatchObject({ file: seedFile, line: 2 });
    expect(await query(db, 'select name from public.flags')).toEqual([]);
    expect(await query(db, 'select path from supabase_migrations.seed_files')).toEqual([]);

    writeFileSync(seedFile, "insert into public.flags values ('a');");
    expect((await run(db, p, { seedFiles: [seedFile] })).seeds?.[0]?.status).toBe('applied');
    // Not idempotent: run again, it would fail on the duplicate key (or duplicate rows without one).
    writeFileSync(seedFile, "insert into public.flags values ('a');\ninsert into public.flags values ('b');");
    expect((await run(db, p, { seedFiles: [seedFile], dryRun: true })).seeds?.[0]?.status).toBe('would update hash');
    expect((await run(db, p, { seedFiles: [seedFile] })).seeds?.[0]?.status).toBe('hash updated');
    expect((await query<{ name: string }>(db, 'select name from public.flags')).map((f) => f.name)).toEqual(['a']);
    expect((await run(db, p, { seedFiles: [seedFile] })).seeds?.[0]?.status).toBe('unchanged');
    const { seedFileHash } = await import('../src/index');
    const { readFileSync } = await import('node:fs');
    expect(await query(db, 'select hash from supabase_migrations.seed_files')).toEqual([
      { hash: seedFileHash(readFileSync(seedFile)) },
    ]);
  });
});

// The drill end to end on this machine: a PostgreSQL 15 source with the example app and ~100k rows, read
// through a read-only role, restored into an empty PostgreSQL 17 scratch database, verified row for row.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RecordingLog, silentLog } from '@wingman/log';
import { queryRows, startPostgres, type TestDatabase } from '@wingman/testkit';
import { DrillError, type DrillOptions, runDrill } from '../src/index';
import { type DrillSource, startDrillSource } from './source-fixture';

const HOUR = 3_600_000;
let source: DrillSource;
const scratches: TestDatabase[] = [];

async function scratch(): Promise<TestDatabase> {
  const db = await startPostgres({ bootstrap: 'none' });
  scratches.push(db);
  return db;
}

const options = (scratchUrl: string, extra: Partial<DrillOptions> = {}): DrillOptions => ({
  databaseUrl: source.readerUrl,
  scratchDatabaseUrl: scratchUrl,
  maxBackupAgeMs: 26 * HOUR,
  requirePitr: false,
  rtoBudgetMs: 5 * 60_000,
  log: silentLog,
  ...extra,
});

beforeAll(async () => {
  source = await startDrillSource();
}, 180_000);
afterAll(async () => {
  await Promise.all(scratches.map((s) => s.stop()));
  await source?.stop();
});

describe('the backup drill', () => {
  it('restores every table of a PostgreSQL 15 source whole, through a read-only role, within the budget', async () => {
    const target = await scratch();
    const before = await queryRows<{ n: string }>(source.adminUrl, 'select count(*) as n from public.chat_messages');
    const log = new RecordingLog();
    const report = await runDrill(options(target.url, { log }));

    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.source.version).toMatch(/^15\./);
    const byName = new Map(report.tables.map((t) => [t.table, t]));
    expect(byName.get('public.chat_messages')).toMatchObject({
      sourceRows: 40_000,
      restoredRows: 40_000,
      sample: 'equal',
    });
    expect(byName.get('auth.users')).toMatchObject({ kind: 'data', sourceRows: 20_000, restoredRows: 20_000 });
    expect(byName.get('public.profiles')).toMatchObject({ kind: 'schema', restoredRows: 20_000 });
    expect(report.rows).toBeGreaterThanOrEqual(100_000);
    expect(report.history).toEqual({ source: 12, restored: 12, equal: true });
    expect(report.lints.errors).toBe(0);
    expect(report.rtoSeconds).toBeGreaterThan(0);
    expect(report.rtoSeconds * 1000).toBeLessThan(5 * 60_000);

    // A table without a primary key is sampled in whole-row order; the extension in public came back.
    expect(byName.get('api.tags')).toMatchObject({ sourceRows: 300, restoredRows: 300, sample: 'equal' });
    expect(
      await queryRows(
        target.url,
        `select extnamespace::regnamespace::text as schema from pg_extension where extname = 'citext'`,
      ),
    ).toEqual([{ schema: 'public' }]);
    // The signup trigger a migration put on auth.users (a platform table the dump leaves out) is on the copy.
    const trigger = await queryRows<{ n: string }>(
      target.url,
      `select count(*) as n from pg_trigger where tgrelid = 'auth.users'::regclass and tgname = 'on_auth_user_created'`,
    );
    expect(trigger[0]!.n).toBe('1');
    // The bucket a migration made, and the policies migrations put on storage.objects, are on the copy.
    expect(byName.get('storage.buckets')).toMatchObject({ kind: 'data', restoredRows: 1, sample: 'equal' });
    const policies = `select policyname from pg_policies where schemaname = 'storage' order by 1`;
    const sourcePolicies = await queryRows(source.adminUrl, policies);
    expect(sourcePolicies.length).toBeGreaterThan(0);
    expect(await queryRows(target.url, policies)).toEqual(sourcePolicies);
    // Foreign keys to auth.users hold on the copy, and RLS is on as in the source.
    const fk = await queryRows<{ valid: boolean }>(
      target.url,
      `select bool_and(convalidated) as valid from pg_constraint where conrelid = 'public.profiles'::regclass and contype = 'f'`,
    );
    expect(fk[0]!.valid).toBe(true);
    const rls = await queryRows<{ on: boolean }>(
      target.url,
      `select relrowsecurity as on from pg_class where oid = 'public.chat_messages'::regclass`,
    );
    expect(rls[0]!.on).toBe(true);
    // The source is as it was: the reader role could not have written, and nothing was.
    const after = await queryRows<{ n: string }>(source.adminUrl, 'select count(*) as n from public.chat_messages');
    expect(after).toEqual(before);
    expect(log.entries.some((e) => e.message.includes('reader-pw'))).toBe(false);
  }, 180_000);

  /** A pg_dump that rewrites its output with an awk program, as a damaged dump would be; removed after. */
  async function withDamagedDump(name: string, awk: string, fn: (pgDump: string) => Promise<void>) {
    const bin = mkdtempSync(join(tmpdir(), `${name}-`));
    try {
      const wrapper = join(bin, 'pg_dump');
      writeFileSync(
        wrapper,
        `#!/bin/sh
out=""; prev=""
for a in "$@"; do [ "$prev" = "--file" ] && out="$a"; prev="$a"; done
[ -z "$out" ] && exec /usr/bin/pg_dump "$@"
/usr/bin/pg_dump "$@" || exit $?
awk '${awk}' "$out" > "$out.tmp" && mv "$out.tmp" "$out"
`,
      );
      chmodSync(wrapper, 0o755);
      await fn(wrapper);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  }

  it('names a table whose rows the dump lost, by name and with both counts', async () => {
    // invite_codes' rows dropped on the way, as a truncated dump would.
    await withDamagedDump(
      'lossy-dump',
      '/^COPY public\\.invite_codes /{print; skip=1; next} skip && /^\\\\\\.$/{skip=0} !skip',
      async (pgDump) => {
        const target = await scratch();
        const report = await runDrill(options(target.url, { pgDump }));
        expect(report.ok).toBe(false);
        expect(report.problems).toEqual([
          expect.stringContaining('public.invite_codes (5000 rows in the source snapshot, 0 restored)'),
        ]);
        expect(report.tables.find((t) => t.table === 'public.invite_codes')).toMatchObject({ restoredRows: 0 });
      },
    );
  }, 180_000);

  it('fails on a dump that does not restore, with the value psql quotes withheld (it is production data)', async () => {
    // The first invite_codes row has an e-mail address where created_by's uuid belongs.
    await withDamagedDump(
      'bad-dump',
      'BEGIN{FS=OFS="\\t"} /^COPY public\\.invite_codes /{print; hit=1; next} hit==1{$2="alice@example.com"; hit=2} {print}',
      async (pgDump) => {
        const target = await scratch();
        const err = await runDrill(options(target.url, { pgDump })).then(
          () => new Error('expected the restore to fail'),
          (e: Error) => e,
        );
        expect(err.message).toMatch(/restore .*failed: .*invalid input syntax for type uuid: "…"/);
        expect(err.message).not.toContain('alice');
      },
    );
  }, 180_000);

  it('fails a recovery that takes longer than rto-budget, naming each phase', async () => {
    const target = await scratch();
    const report = await runDrill(options(target.url, { rtoBudgetMs: 50 }));
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.stringMatching(/^the recovery took .*\(dump .*, restore .*, verify .*\), over rto-budget/),
    ]);
  }, 180_000);

  it('refuses a scratch database that is the source, or not empty, before touching anything', async () => {
    await expect(runDrill(options(source.adminUrl))).rejects.toThrow(
      /scratch-database-url names the same server and database as database-url/,
    );
    // The same database under another host name is caught once connected.
    const aliased = source.readerUrl.replace('127.0.0.1', 'localhost');
    await expect(runDrill(options(aliased))).rejects.toThrow(/scratch-database-url is the source database/);
    const used = await scratch();
    await queryRows(used.url, 'create table public.leftover (id int)');
    await expect(runDrill(options(used.url))).rejects.toThrow(
      /scratch-database-url's database is not empty \(1 table\(s\), e\.g\. public\.leftover\)/,
    );
  }, 60_000);

  it("refuses Supabase's own schemas in input 'schemas'", async () => {
    const target = await scratch();
    await expect(runDrill(options(target.url, { schemas: ['public', 'auth'] }))).rejects.toThrow(
      /^input 'schemas' names 'auth', which Supabase manages .*list only your own schemas$/,
    );
  }, 60_000);

  it('stops pg_dump and psql when the timeout ends the drill, saying why', async () => {
    const target = await scratch();
    const err = await runDrill(options(target.url, { signal: AbortSignal.timeout(1), sampleRows: 10 })).then(
      () => new Error('the drill passed'),
      (e: unknown) => e as Error,
    );
    expect(err.message).toMatch(/(pg_dump of .*|the restore into scratch-database-url) was stopped: /);
  }, 60_000);

  it('refuses a reader that row level security would filter, since its dump would miss rows', async () => {
    const target = await scratch();
    await expect(runDrill(options(target.url, { databaseUrl: source.rlsReaderUrl }))).rejects.toThrow(
      /role rls_reader of database-url reads \d+ table\(s\) through row level security .*use a role with BYPASSRLS/,
    );
  }, 60_000);

  it("says which client to install when pg_dump is older than the server (this machine's 15 against 17)", async () => {
    const newer = await startPostgres();
    scratches.push(newer);
    const target = await scratch();
    const err = await runDrill(
      options(target.url, { databaseUrl: newer.url, pgDump: '/usr/lib/postgresql/15/bin/pg_dump' }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DrillError);
    expect((err as Error).message).toMatch(
      /^pg_dump 15 \(\/usr\/lib\/postgresql\/15\/bin\/pg_dump\) is older than the source server \(PostgreSQL 17\) .*install postgresql-client-17/,
    );
  }, 60_000);
});

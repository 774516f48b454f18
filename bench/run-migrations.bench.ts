// pnpm bench: run-migrations as a user waits for it, against its references in the same run.
// Workload: 200 migrations as ../shared/bench/gen-migrations.sh writes them (a table, RLS, a policy and
// an index each; 800 statements), each contender on a fresh database of one PostgreSQL 17 server:
//   - the action bundle through the runner protocol, Node start-up included, vs `psql -1 -f all.sql`
//     (target ≤ 1.25×) and vs `supabase db push` (supabase@2.117.0, target ≤ 0.4×)
//   - a run that finds all 200 applied, whole process (target ≤ 250 ms)
// Contenders run interleaved in rotating order; ratios are medians of per-round ratios.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeRuntimes, REPO_ROOT, startPostgres, type TestDatabase } from '@wingman/testkit';
import { actionEnv, interleaved, median, pairedRatio, report, timed } from './measure';

const COUNT = 200;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const work = mkdtempSync(join(tmpdir(), 'wm-bench-'));
const migrationsDir = join(work, 'supabase', 'migrations');
mkdirSync(migrationsDir, { recursive: true });
mkdirSync(join(work, 'home'));

// The same files, byte for byte, as gen-migrations.sh DIR 200.
const files: string[] = [];
for (let i = 1; i <= COUNT; i++) {
  const sql = `create table public.t${i} (id bigint generated always as identity primary key, owner uuid not null, body text, created_at timestamptz default now());
alter table public.t${i} enable row level security;
create policy "own rows ${i}" on public.t${i} for select using (owner = gen_random_uuid());
create index t${i}_owner_idx on public.t${i} (owner);
`;
  writeFileSync(join(migrationsDir, `2026010100${String(i).padStart(4, '0')}_t${i}.sql`), sql);
  files.push(sql);
}
const concatenated = join(work, 'all.sql');
writeFileSync(concatenated, files.join(''));

const node24 = nodeRuntimes().find((r) => r.name === 'node24')!.path;
const bundle = join(REPO_ROOT, 'dist', 'run-migrations', 'index.js');
const supabase = join(REPO_ROOT, 'node_modules', '.bin', 'supabase');
const inputs = (url: string) =>
  actionEnv(work, {
    'database-url': url,
    'migrations-dir': 'supabase/migrations',
    'rollbacks-dir': 'supabase/rollbacks',
  });

const psqlCount = (db: TestDatabase, sql: string) =>
  execFileSync('psql', ['-X', '-At', db.url, '-c', sql], { encoding: 'utf8' }).trim();
const tables = (db: TestDatabase) => psqlCount(db, `select count(*) from pg_tables where tablename ~ '^t[0-9]+$'`);
const applied = (db: TestDatabase) => psqlCount(db, 'select count(*) from supabase_migrations.schema_migrations');

async function onFreshDatabase(fn: (db: TestDatabase) => number): Promise<number> {
  const db = await startPostgres();
  try {
    return fn(db);
  } finally {
    await db.stop();
  }
}

const noop: number[] = [];
try {
  const times = await interleaved(ROUNDS, {
    psql: () =>
      onFreshDatabase((db) => {
        const t = timed('psql', ['-X', '-q', '-1', '-v', 'ON_ERROR_STOP=1', '-d', db.url, '-f', concatenated], {
          cwd: work,
        });
        if (tables(db) !== String(COUNT)) throw new Error('psql did not create every table');
        return t;
      }),
    action: () =>
      onFreshDatabase((db) => {
        const t = timed(node24, [bundle], { cwd: work, env: inputs(db.url) });
        if (applied(db) !== String(COUNT) || tables(db) !== String(COUNT))
          throw new Error('run-migrations did not apply every migration');
        noop.push(timed(node24, [bundle], { cwd: work, env: inputs(db.url) }));
        return t;
      }),
    dbPush: () =>
      onFreshDatabase((db) => {
        const url = new URL(db.url);
        url.searchParams.set('sslmode', 'disable');
        const t = timed(supabase, ['db', 'push', '--db-url', url.toString(), '--yes'], {
          cwd: work,
          env: { ...process.env, HOME: join(work, 'home'), SUPABASE_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
        });
        if (applied(db) !== String(COUNT)) throw new Error('supabase db push did not apply every migration');
        return t;
      }),
  });
  for (let r = 0; r < ROUNDS; r++)
    console.log(
      `round ${r + 1}: psql -1 ${times.psql[r]!.toFixed(0)} ms, run-migrations ${times.action[r]!.toFixed(0)} ms, ` +
        `supabase db push ${times.dbPush[r]!.toFixed(0)} ms, no-op ${noop[r]!.toFixed(0)} ms`,
    );
  const vsPsql = pairedRatio(times.action, times.psql);
  const vsPush = pairedRatio(times.action, times.dbPush);
  console.log(`\nrun-migrations, ${COUNT} migrations, medians of ${ROUNDS} interleaved rounds (paired ratios)`);
  report('apply, whole process / psql -1', `${vsPsql.toFixed(2)}×`, '≤ 1.25×', vsPsql <= 1.25);
  report('apply, whole process / supabase db push', `${vsPush.toFixed(2)}×`, '≤ 0.40×', vsPush <= 0.4);
  report(
    `no-op with ${COUNT} applied, whole process`,
    `${median(noop).toFixed(0)} ms`,
    '≤ 250 ms',
    median(noop) <= 250,
  );
  console.log(
    `(psql -1 ${median(times.psql).toFixed(0)} ms, run-migrations ${median(times.action).toFixed(0)} ms, ` +
      `db push ${median(times.dbPush).toFixed(0)} ms; psql -1 / db push ${pairedRatio(times.psql, times.dbPush).toFixed(2)}×)`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}

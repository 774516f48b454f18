// pnpm bench: run-migrations against its references, measured in the same run on the same server.
//   200 generated migrations (identity table, RLS, a policy, an index each) into a fresh database:
//   - the whole action process vs `psql -1` of the concatenated files   (target ≤ 1.25×)
//   - the whole action process vs `supabase db push` (supabase@2.117.0)  (target ≤ 0.4×)
//   - a run that finds nothing to do, whole process                      (target ≤ 250 ms)
//   - a malformed input, whole process, against `node -e 0`              (target well under 300 ms)
// Each figure is the median of ROUNDS interleaved rounds; this machine is shared and noisy.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeRuntimes, REPO_ROOT, startPostgres, type TestDatabase } from '@wingman/testkit';

const COUNT = 200;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const work = mkdtempSync(join(tmpdir(), 'wm-bench-'));
const migrationsDir = join(work, 'supabase', 'migrations');
mkdirSync(migrationsDir, { recursive: true });
mkdirSync(join(work, 'home'));

const files: string[] = [];
for (let i = 1; i <= COUNT; i++) {
  const t = `bench_${String(i).padStart(3, '0')}`;
  const sql = `create table public.${t} (
  id bigint generated always as identity primary key,
  owner uuid not null default gen_random_uuid(),
  note text
);
alter table public.${t} enable row level security;
create policy "${t} owner reads" on public.${t} for select to authenticated using ((select auth.uid()) = owner);
create index ${t}_owner_idx on public.${t} (owner);
`;
  const name = `${20250101000000 + i * 100}_${t}.sql`;
  writeFileSync(join(migrationsDir, name), sql);
  files.push(sql);
}
const concatenated = join(work, 'all.sql');
writeFileSync(concatenated, files.join('\n'));

const node24 = nodeRuntimes().find((r) => r.name === 'node24')!.path;
const bundle = join(REPO_ROOT, 'dist', 'run-migrations', 'index.js');
const supabase = join(REPO_ROOT, 'node_modules', '.bin', 'supabase');

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, expectExit = 0): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: work, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const elapsed = ms(t0);
  if (r.status !== expectExit) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stdout}${r.stderr}`);
  return elapsed;
}

function actionEnv(url: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const summary = join(work, 'summary.md');
  const output = join(work, 'output.txt');
  writeFileSync(summary, '');
  writeFileSync(output, '');
  return {
    PATH: process.env.PATH,
    'INPUT_DATABASE-URL': url,
    'INPUT_MIGRATIONS-DIR': 'supabase/migrations',
    'INPUT_ROLLBACKS-DIR': 'supabase/rollbacks',
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_OUTPUT: output,
    ...extra,
  };
}

const countApplied = (db: TestDatabase) =>
  execFileSync('psql', ['-X', '-At', db.url, '-c', 'select count(*) from supabase_migrations.schema_migrations'], {
    encoding: 'utf8',
  }).trim();
const countTables = (db: TestDatabase) =>
  execFileSync('psql', ['-X', '-At', db.url, '-c', `select count(*) from pg_tables where tablename like 'bench_%'`], {
    encoding: 'utf8',
  }).trim();

async function fresh<T>(fn: (db: TestDatabase) => T): Promise<T> {
  const db = await startPostgres();
  try {
    return fn(db);
  } finally {
    await db.stop();
  }
}

const results = {
  psql: [] as number[],
  floor: [] as number[],
  action: [] as number[],
  cli: [] as number[],
  noop: [] as number[],
};
const startup = { bare: [] as number[], badInput: [] as number[] };
try {
  for (let round = 1; round <= ROUNDS; round++) {
    results.psql.push(
      await fresh((db) => {
        const t = timed('psql', ['-X', '-q', '-1', '-v', 'ON_ERROR_STOP=1', '-d', db.url, '-f', concatenated]);
        if (countTables(db) !== String(COUNT)) throw new Error('psql did not create every table');
        return t;
      }),
    );
    // The server's own cost: every migration in one simple query, no client round trips at all.
    results.floor.push(
      await fresh((db) =>
        timed('psql', [
          '-X',
          '-q',
          '-v',
          'ON_ERROR_STOP=1',
          '-d',
          db.url,
          '-c',
          `begin;\n${files.join('\n')}\ncommit;`,
        ]),
      ),
    );
    await fresh((db) => {
      results.action.push(timed(node24, [bundle], actionEnv(db.url)));
      if (countApplied(db) !== String(COUNT) || countTables(db) !== String(COUNT))
        throw new Error('run-migrations did not apply every migration');
      results.noop.push(timed(node24, [bundle], actionEnv(db.url)));
    });
    results.cli.push(
      await fresh((db) => {
        const url = new URL(db.url);
        url.searchParams.set('sslmode', 'disable');
        const t = timed(supabase, ['db', 'push', '--db-url', url.toString(), '--yes'], {
          ...process.env,
          HOME: join(work, 'home'),
          SUPABASE_TELEMETRY_DISABLED: '1',
          DO_NOT_TRACK: '1',
        });
        if (countApplied(db) !== String(COUNT)) throw new Error('supabase db push did not apply every migration');
        return t;
      }),
    );
    startup.bare.push(timed(node24, ['-e', '0']));
    startup.badInput.push(
      timed(node24, [bundle], actionEnv('postgres://u:p@127.0.0.1:1/x', { 'INPUT_LOCK-TIMEOUT': 'ten' }), 1),
    );
    console.log(
      `round ${round}: psql -1 ${results.psql.at(-1)!.toFixed(0)} ms, run-migrations ${results.action.at(-1)!.toFixed(0)} ms, ` +
        `supabase db push ${results.cli.at(-1)!.toFixed(0)} ms, no-op ${results.noop.at(-1)!.toFixed(0)} ms, ` +
        `bad input ${startup.badInput.at(-1)!.toFixed(0)} ms (node -e 0: ${startup.bare.at(-1)!.toFixed(0)} ms)`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const m = Object.fromEntries(Object.entries({ ...results, ...startup }).map(([k, v]) => [k, median(v)])) as Record<
  keyof typeof results | keyof typeof startup,
  number
>;
const line = (label: string, value: string, target: string, ok: boolean) =>
  console.log(`${label.padEnd(48)} ${value.padStart(10)}   target ${target.padEnd(10)} ${ok ? 'met' : 'NOT MET'}`);
console.log(
  `\nmedians of ${ROUNDS} rounds, ${COUNT} migrations (Node ${execFileSync(node24, ['-v']).toString().trim()})`,
);
line('run-migrations / psql -1', `${(m.action / m.psql).toFixed(2)}×`, '≤ 1.25×', m.action / m.psql <= 1.25);
line(
  'run-migrations / supabase db push',
  `${(m.cli ? m.action / m.cli : 0).toFixed(2)}×`,
  '≤ 0.40×',
  m.action / m.cli <= 0.4,
);
line('no-op run, whole process', `${m.noop.toFixed(0)} ms`, '≤ 250 ms', m.noop <= 250);
line('malformed input, whole process', `${m.badInput.toFixed(0)} ms`, '< 300 ms', m.badInput < 300);
console.log(
  `server floor (all 200 in one query) / supabase db push: ${(m.floor / m.cli).toFixed(2)}× — no client can go below this`,
);
console.log(
  `(psql -1 ${m.psql.toFixed(0)} ms, server floor ${m.floor.toFixed(0)} ms, run-migrations ${m.action.toFixed(0)} ms, db push ${m.cli.toFixed(0)} ms, node -e 0 ${m.bare.toFixed(0)} ms)`,
);

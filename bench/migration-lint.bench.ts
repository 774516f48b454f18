// pnpm bench: what the migration lint adds to a run. The same 200 migrations as the run-migrations
// bench (gen-migrations.sh: 800 statements), applied by the action bundle, whole process, to a fresh
// database with lint: warn (the default: Postgres's parser loaded, every statement parsed and judged
// against the catalog) and with lint: off, interleaved; the cost is the median of the per-round
// differences (target < 150 ms).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeRuntimes, REPO_ROOT, startPostgres } from '@wingman/testkit';
import { actionEnv, interleaved, median, report, timed } from './measure';

const COUNT = 200;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const work = mkdtempSync(join(tmpdir(), 'wm-bench-lint-'));
const migrationsDir = join(work, 'supabase', 'migrations');
mkdirSync(migrationsDir, { recursive: true });
for (let i = 1; i <= COUNT; i++)
  writeFileSync(
    join(migrationsDir, `2026010100${String(i).padStart(4, '0')}_t${i}.sql`),
    `create table public.t${i} (id bigint generated always as identity primary key, owner uuid not null, body text, created_at timestamptz default now());
alter table public.t${i} enable row level security;
create policy "own rows ${i}" on public.t${i} for select using (owner = gen_random_uuid());
create index t${i}_owner_idx on public.t${i} (owner);
`,
  );

const node24 = nodeRuntimes().find((r) => r.name === 'node24')!.path;
const bundle = join(REPO_ROOT, 'dist', 'run-migrations', 'index.js');

const run = (lint: 'warn' | 'off') => async () => {
  const db = await startPostgres();
  try {
    const env = actionEnv(work, { 'database-url': db.url, 'migrations-dir': 'supabase/migrations', lint });
    return timed(node24, [bundle], { cwd: work, env });
  } finally {
    await db.stop();
  }
};

try {
  const times = await interleaved(ROUNDS, { warn: run('warn'), off: run('off') });
  for (let r = 0; r < ROUNDS; r++)
    console.log(`round ${r + 1}: lint warn ${times.warn[r]!.toFixed(0)} ms, lint off ${times.off[r]!.toFixed(0)} ms`);
  const added = median(times.warn.map((w, r) => w - times.off[r]!));
  console.log(
    `\nmigration lint, ${COUNT} migrations (${COUNT * 4} statements), medians of ${ROUNDS} interleaved rounds`,
  );
  report('added to a run by lint: warn (vs off)', `${added.toFixed(0)} ms`, '< 150 ms', added < 150);
} finally {
  rmSync(work, { recursive: true, force: true });
}

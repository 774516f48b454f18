// pnpm bench (part 2): verify-schema on a 300-table schema — each table with RLS, two policies, a
// foreign key and an index.
//   - the whole run as a user waits for it: the action bundle through the runner protocol, Node
//     start-up, lints, coverage and the live RLS probe of every table included (target ≤ 2 s), with
//     bare `node -e 0` measured in the same rounds for reference;
//   - the lints alone, set-based: the round-trip count printed must not grow with the number of
//     tables; the same lints on 30 tables in the same run show how the cost scales.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLog } from '@wingman/log';
import { coverageMatrix, type LintContext, runRules, verifySchema } from '@wingman/schema';
import { nodeRuntimes, REPO_ROOT, startPostgres } from '@wingman/testkit';
import { actionEnv, interleaved, median, report, timed } from './measure';

function schemaSql(tables: number): string {
  const out = ['create table public.owners (id uuid primary key default gen_random_uuid());'];
  for (let i = 1; i <= tables; i++) {
    const t = `item_${String(i).padStart(3, '0')}`;
    out.push(`create table public.${t} (
  id bigint generated always as identity primary key,
  owner_id uuid not null references public.owners (id) on delete cascade,
  user_id uuid not null default auth.uid(),
  body text
);
create index ${t}_owner_id_idx on public.${t} (owner_id);
alter table public.${t} enable row level security;
create policy "${t} read own" on public.${t} for select to authenticated using ((select auth.uid()) = user_id);
create policy "${t} write own" on public.${t} for insert to authenticated with check ((select auth.uid()) = user_id);`);
  }
  return out.join('\n');
}

async function measure(tables: number, rounds: number) {
  const db = await startPostgres();
  const client = await db.connect();
  try {
    await client.query(schemaSql(tables));
    await client.query('analyze');
    let queries = 0;
    const ctx: LintContext = {
      exposedSchemas: ['public'],
      query: async (sql, params = []) => {
        queries++;
        return (await client.query(sql, params)).rows;
      },
    };
    const times: number[] = [];
    let findings: string[] = [];
    for (let r = 0; r < rounds; r++) {
      queries = 0;
      const t0 = performance.now();
      const outcomes = await runRules(ctx);
      const coverage = await coverageMatrix(ctx);
      times.push(performance.now() - t0);
      findings = outcomes.flatMap((o) =>
        o.status === 'ran' ? o.findings.map((f) => `${f.rule} ${f.object.name}`) : [],
      );
      if (coverage.length < tables * 8)
        throw new Error(`coverage matrix has ${coverage.length} cells, expected ${tables * 8}`);
    }
    times.sort((a, b) => a - b);
    // The whole check as the action runs it: lints, coverage, and the live RLS probe of every table.
    const t0 = performance.now();
    await verifySchema({ databaseUrl: db.url, exposedSchemas: ['public'], log: silentLog });
    const fullMs = performance.now() - t0;
    return { ms: times[Math.floor(times.length / 2)]!, queries, findings, fullMs };
  } finally {
    await db.stop();
  }
}

const small = await measure(30, 5);
const big = await measure(300, 5);
console.log(`\nverify-schema lints + coverage matrix (median of 5)`);
console.log(
  `  30 tables:  ${small.ms.toFixed(0)} ms, ${small.queries} queries, findings: ${small.findings.join(', ') || 'none'}`,
);
console.log(
  `  300 tables: ${big.ms.toFixed(0)} ms, ${big.queries} queries, findings: ${big.findings.join(', ') || 'none'}`,
);
console.log(
  `300 tables / 2 s target: ${(big.ms / 2000).toFixed(2)}× (${big.ms <= 2000 ? 'met' : 'NOT MET'}); ` +
    `300 / 30 tables: ${(big.ms / small.ms).toFixed(1)}× time for 10× tables; queries ${big.queries === small.queries ? 'constant' : 'GROW with tables'}`,
);
console.log(
  `whole verifySchema (lints, coverage, live probe of every table): 30 tables ${small.fullMs.toFixed(0)} ms, 300 tables ${big.fullMs.toFixed(0)} ms`,
);

// The whole action, as a user waits for it, on the 300-table schema applied from a migration file
// (so findings point at their statements, as in a real repository).
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const node24 = nodeRuntimes().find((r) => r.name === 'node24')!.path;
const bundle = join(REPO_ROOT, 'dist', 'verify-schema', 'index.js');
const work = mkdtempSync(join(tmpdir(), 'wm-bench-vs-'));
const db = await startPostgres();
try {
  mkdirSync(join(work, 'supabase', 'migrations'), { recursive: true });
  const sql = schemaSql(300);
  writeFileSync(join(work, 'supabase', 'migrations', '20260101000000_schema.sql'), sql);
  const client = await db.connect();
  await client.query(sql);
  await client.query('analyze');
  await client.end();
  const times = await interleaved(ROUNDS, {
    action: () =>
      timed(node24, [bundle], { cwd: work, env: actionEnv(work, { 'database-url': db.url, 'fail-on': 'none' }) }),
    bare: () => timed(node24, ['-e', '0']),
  });
  console.log(`\nverify-schema, whole process on 300 tables (lints, coverage, live RLS probe), median of ${ROUNDS}`);
  report('whole run, 300 tables', `${median(times.action).toFixed(0)} ms`, '≤ 2000 ms', median(times.action) <= 2000);
  console.log(
    `(rounds: ${times.action.map((t) => t.toFixed(0)).join(', ')} ms; node -e 0: ${median(times.bare).toFixed(0)} ms)`,
  );
} finally {
  await db.stop();
  rmSync(work, { recursive: true, force: true });
}

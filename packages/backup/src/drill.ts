// The drill: what the platform keeps, then a real recovery rehearsed — the source dumped in one snapshot,
// restored into a throwaway database, checked row for row — and its time held against the budget.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Log } from '@wingman/log';
import { verifySchema } from '@wingman/schema';
import { formatDuration } from '@wingman/time';
import type pg from 'pg';
// A quoted name is also a pg_dump pattern that matches only itself.
import { type CopiedTable, ident, STABLE_OUTPUT_SQL, type TableStats, tableName } from './catalog';
import { DrillError } from './errors';
import { type PgRun, runPg } from './pg-process';
import { findPgTools, type PgTools } from './pg-tools';
import { checkPlatformBackups, type PlatformBackups } from './platform-backups';
import { type PreparedScratch, prepareScratch, sameDatabaseByUrl } from './scratch';
import { openSourceSnapshot, readStats, type SourceSnapshot } from './snapshot';

export interface DrillOptions {
  databaseUrl: string;
  scratchDatabaseUrl: string;
  /** Default: every user schema. */
  schemas?: string[];
  /** Schemas the API exposes, for the lints on the copy. Default ['public']. */
  exposedSchemas?: string[];
  platform?: { accessToken: string; projectRef: string; apiUrl?: string };
  maxBackupAgeMs: number;
  requirePitr: boolean;
  rtoBudgetMs: number;
  /** A pg_dump to use instead of searching PATH and /usr/lib/postgresql. */
  pgDump?: string;
  /** Rows per table whose checksums are compared. Default 1000. */
  sampleRows?: number;
  /** Stops pg_dump and psql when it aborts (the action's timeout); its reason is the error's message. */
  signal?: AbortSignal;
  log: Log;
}

export interface TableCheck {
  table: string;
  kind: CopiedTable['kind'];
  sourceRows: number;
  restoredRows: number;
  sample: 'equal' | 'differs';
}

export interface DrillReport {
  ok: boolean;
  problems: string[];
  backup?: PlatformBackups;
  source: { version: string };
  pgDump: { path: string; major: number };
  phases: { restorePrepareMs: number; dumpMs: number; restoreMs: number; verifyMs: number };
  rtoSeconds: number;
  rtoBudgetSeconds: number;
  tables: TableCheck[];
  rows: number;
  /** Platform tables of the source the copy's bootstrap does not have: not copied. */
  skipped: string[];
  history: { source: number; restored: number; equal: boolean };
  lints: { errors: number; warnings: number; findings: string[] };
}

const SAMPLE_ROWS = 1000;

export async function runDrill(o: DrillOptions): Promise<DrillReport> {
  if (sameDatabaseByUrl(o.databaseUrl, o.scratchDatabaseUrl))
    throw new DrillError(
      `scratch-database-url names the same server and database as database-url: the drill restores into a throwaway database, e.g. a services: postgres container`,
    );
  const problems: string[] = [];
  let backup: PlatformBackups | undefined;
  if (o.platform) {
    backup = await o.log.group('Platform backups', () =>
      checkPlatformBackups({
        ...o.platform!,
        maxBackupAgeMs: o.maxBackupAgeMs,
        requirePitr: o.requirePitr,
        log: o.log,
      }),
    );
    problems.push(...backup.problems);
  } else o.log.notice('No supabase-access-token and project-ref: the platform backups were not checked');

  const source = await openSourceSnapshot(o.databaseUrl, o.schemas);
  let work: string | undefined;
  let scratch: PreparedScratch | undefined;
  try {
    work = mkdtempSync(join(tmpdir(), 'wingman-drill-'));
    const tools = await findPgTools(source.serverMajor, o.pgDump);
    o.log.info(
      `Source: PostgreSQL ${source.serverVersion}, schemas ${source.schemas.join(', ')}; pg_dump ${tools.major} at ${tools.pgDump}`,
    );
    const clock = phaseClock();
    scratch = await clock.time('restorePrepareMs', () => prepareScratch(o.scratchDatabaseUrl, source, o.log));
    const sampleRows = o.sampleRows ?? SAMPLE_ROWS;
    const files = await clock.time('dumpMs', () => dump(tools, source, scratch!, work!, o.signal));
    // Counted in the snapshot while nothing else waits on it: not part of the recovery.
    const sourceStats = await source.stats(scratch.tables, sampleRows);
    await clock.time('restoreMs', () =>
      runPg({
        binary: tools.psql,
        args: ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '--single-transaction', ...files.flatMap((f) => ['-f', f])],
        url: o.scratchDatabaseUrl,
        env: { PGOPTIONS: '-c session_replication_role=replica' },
        what: 'the restore into scratch-database-url',
        signal: o.signal,
      }),
    );
    const verified = await clock.time('verifyMs', () => verify(o, source, scratch!, sourceStats, sampleRows));
    problems.push(...verified.problems);

    const rtoMs = clock.phases.restorePrepareMs + clock.phases.dumpMs + clock.phases.restoreMs + clock.phases.verifyMs;
    if (rtoMs > o.rtoBudgetMs)
      problems.push(
        `the recovery took ${formatDuration(rtoMs)} (dump ${formatDuration(clock.phases.dumpMs)}, restore ${formatDuration(clock.phases.restorePrepareMs + clock.phases.restoreMs)}, verify ${formatDuration(clock.phases.verifyMs)}), over rto-budget ${formatDuration(o.rtoBudgetMs)}`,
      );
    return {
      ok: problems.length === 0,
      problems,
      backup,
      source: { version: source.serverVersion },
      pgDump: { path: tools.pgDump, major: tools.major },
      phases: clock.phases,
      rtoSeconds: Math.round(rtoMs / 100) / 10,
      rtoBudgetSeconds: Math.round(o.rtoBudgetMs / 1000),
      tables: verified.tables,
      rows: verified.tables.reduce((n, t) => n + t.restoredRows, 0),
      skipped: scratch.skipped,
      history: verified.history,
      lints: verified.lints,
    };
  } finally {
    // The dump holds production rows: it never outlives the drill.
    if (work) rmSync(work, { recursive: true, force: true });
    await scratch?.client.end().catch(() => {});
    await source.close();
  }
}

function phaseClock() {
  const phases = { restorePrepareMs: 0, dumpMs: 0, restoreMs: 0, verifyMs: 0 };
  return {
    phases,
    async time<T>(phase: keyof typeof phases, fn: () => Promise<T>): Promise<T> {
      const started = performance.now();
      try {
        return await fn();
      } finally {
        phases[phase] = Math.round(performance.now() - started);
      }
    },
  };
}

/** The platform tables' rows, then the user schemas whole, then what migrations put on platform tables. */
async function dump(
  tools: PgTools,
  source: SourceSnapshot,
  scratch: PreparedScratch,
  work: string,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  // One failing dump stops the other, and both have ended before the caller removes their folder.
  const stop = new AbortController();
  const both = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  const common = ['--snapshot', source.snapshotId, '--no-owner', '--lock-wait-timeout=60000'];
  const files: string[] = [];
  const data = scratch.tables.filter((t) => t.kind === 'data');
  const jobs: Promise<void>[] = [];
  const run = (o: Omit<PgRun, 'signal'>) =>
    runPg({ ...o, signal: both }).catch((err: unknown) => {
      stop.abort(new Error('the other pg_dump failed'));
      throw err;
    });
  if (data.length) {
    const file = join(work, 'platform-data.sql');
    files.push(file);
    jobs.push(
      run({
        binary: tools.pgDump,
        args: [
          ...common,
          '--data-only',
          '--file',
          file,
          ...data.flatMap((t) => ['--table', `${ident(t.schema)}.${ident(t.name)}`]),
        ],
        url: source.url,
        what: 'pg_dump of the platform tables',
      }),
    );
  }
  const schemaFile = join(work, 'schemas.sql');
  files.push(schemaFile);
  jobs.push(
    run({
      binary: tools.pgDump,
      args: [
        ...common,
        '--no-publications',
        '--no-subscriptions',
        '--file',
        schemaFile,
        ...source.schemas.flatMap((s) => ['--schema', ident(s)]),
        ...source.extensions
          .filter((e) => source.schemas.includes(e.schema))
          .flatMap((e) => ['--extension', ident(e.name)]),
      ],
      url: source.url,
      what: 'pg_dump of the source',
    }),
  );
  const settled = await Promise.allSettled(jobs);
  const failures = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
  // The dump that failed first, not the one it stopped.
  const first = failures.find((e) => !/the other pg_dump failed/.test(e.message)) ?? failures[0];
  if (first) throw first;
  if (scratch.extras.length) {
    const file = join(work, 'platform-extras.sql');
    writeFileSync(file, `${scratch.extras.map((e) => e.sql).join('\n')}\n`, { mode: 0o600 });
    files.push(file);
  }
  return files;
}

async function verify(
  o: DrillOptions,
  source: SourceSnapshot,
  scratch: PreparedScratch,
  sourceStats: TableStats[],
  sampleRows: number,
): Promise<Pick<DrillReport, 'tables' | 'history' | 'lints' | 'problems'>> {
  const problems: string[] = [];
  const restored = await inStableSession(scratch.client, () => readStats(scratch.client, scratch.tables, sampleRows));
  const byName = new Map(restored.map((s) => [tableName(s), s]));
  const tables: TableCheck[] = sourceStats.map((s) => {
    const r = byName.get(tableName(s));
    const t = scratch.tables.find((x) => tableName(x) === tableName(s))!;
    return {
      table: tableName(s),
      kind: t.kind,
      sourceRows: s.rows,
      restoredRows: r?.rows ?? 0,
      sample: r?.checksum === s.checksum ? 'equal' : 'differs',
    };
  });
  const short = tables.filter((t) => t.sourceRows !== t.restoredRows);
  if (short.length)
    problems.push(
      `${short.length} table(s) did not restore whole: ${short.map((t) => `${t.table} (${t.sourceRows} rows in the source snapshot, ${t.restoredRows} restored)`).join(', ')}`,
    );
  const differs = tables.filter((t) => t.sourceRows === t.restoredRows && t.sample === 'differs');
  if (differs.length)
    problems.push(
      `${differs.length} table(s) restored with different rows (sample checksums differ): ${differs.map((t) => t.table).join(', ')}`,
    );

  const restoredHistory = (
    await scratch.client
      .query<{ version: string }>(`select version from supabase_migrations.schema_migrations order by version`)
      .catch(() => ({ rows: [] as { version: string }[] }))
  ).rows.map((r) => r.version);
  const equal = restoredHistory.join() === source.history.join();
  if (!equal)
    problems.push(
      `the migration history differs: ${source.history.length} migration(s) in the source, ${restoredHistory.length} in the copy`,
    );

  const present = new Set(source.schemas);
  const exposed = (o.exposedSchemas ?? ['public']).filter((s) => present.has(s));
  const lintResult = exposed.length
    ? await o.log.group('verify-schema on the copy', () =>
        verifySchema({ databaseUrl: o.scratchDatabaseUrl, exposedSchemas: exposed, log: o.log }),
      )
    : undefined;
  const errors = lintResult?.findings.filter((f) => f.level === 'error') ?? [];
  if (errors.length)
    problems.push(
      `verify-schema reports ${errors.length} error(s) on the restored copy: ${errors
        .slice(0, 3)
        .map((f) => f.message)
        .join('; ')}`,
    );
  return {
    tables,
    history: { source: source.history.length, restored: restoredHistory.length, equal },
    lints: {
      errors: errors.length,
      warnings: lintResult?.counts.warning ?? 0,
      findings: errors.map((f) => f.message),
    },
    problems,
  };
}

async function inStableSession<T>(client: pg.Client, fn: () => Promise<T>): Promise<T> {
  await client.query('begin');
  try {
    await client.query(STABLE_OUTPUT_SQL);
    return await fn();
  } finally {
    await client.query('commit').catch(() => {});
  }
}

// verify-schema: every check against one database, findings located at the migration that made the object.
import type { Log } from '@wingman/log';
import { connect, listMigrations, type SnapshotDifference } from '@wingman/migrations';
import { applyConfig, EMPTY_CONFIG, type SchemaConfig } from './config';
import { type CoverageRow, coverageFindings, coverageFor, coverageMatrix } from './coverage';
import type { probeDataApi } from './data-api-probe';
import type { Finding, Level, LintContext, RuleOutcome } from './findings';
import { allRules, runRules } from './lints/index';
import { MigrationIndex } from './locate';
import { probeRls } from './probe';

export interface VerifyOptions {
  databaseUrl: string;
  exposedSchemas: string[];
  /** Where exposedSchemas came from, for the error that names a missing one (default: the input). */
  exposedSchemasFrom?: string;
  /** Points findings at the statement that created the object; with a shadow database, the drift baseline. */
  migrationsDir?: string;
  shadowDatabaseUrl?: string;
  supabaseUrl?: string;
  anonKey?: string;
  config?: SchemaConfig;
  /** Run the workload lints too (unused_index, table_bloat). */
  workload?: boolean;
  log: Log;
}

export interface VerifyResult {
  findings: Finding[];
  ignored: { finding: Finding; reason: string }[];
  outcomes: RuleOutcome[];
  coverage: CoverageRow[];
  probe: Awaited<ReturnType<typeof probeRls>>['results'];
  dataApi?: Awaited<ReturnType<typeof probeDataApi>>['results'];
  drift?: SnapshotDifference[];
  counts: Record<Level, number>;
  durationMs: number;
}

const ORDER: Record<Level, number> = { error: 0, warning: 1, info: 2 };

export async function verifySchema(o: VerifyOptions): Promise<VerifyResult> {
  const started = Date.now();
  const index = o.migrationsDir ? new MigrationIndex((await listMigrations(o.migrationsDir)).migrations) : undefined;
  const client = await connect(o.databaseUrl, 'wingman-deploy verify-schema');
  const found: Finding[] = [];
  let outcomes: RuleOutcome[];
  let coverage: CoverageRow[];
  let probe: VerifyResult['probe'];
  let dataApi: VerifyResult['dataApi'];
  let drift: VerifyResult['drift'];
  try {
    // A misspelt schema would otherwise be checked as empty, and pass.
    const { rows: present } = await client.query<{ nspname: string }>(
      'select nspname from pg_namespace where nspname = any($1::text[])',
      [o.exposedSchemas],
    );
    const missing = o.exposedSchemas.filter((name) => !present.some((r) => r.nspname === name));
    if (missing.length)
      throw new Error(
        `${o.exposedSchemasFrom ?? "input 'exposed-schemas'"} names ${missing.map((m) => `'${m}'`).join(', ')}, which the database does not have: check the spelling against the API settings' exposed schemas`,
      );
    const ctx: LintContext = {
      exposedSchemas: o.exposedSchemas,
      splinterParity: o.config?.splinter_parity ?? false,
      query: async (sql, params = []) => (await client.query(sql, params)).rows,
    };
    outcomes = await o.log.group('Lints', () => runRules(ctx, { workload: o.workload }));
    for (const outcome of outcomes) if (outcome.status === 'ran') found.push(...outcome.findings);

    coverage = await o.log.group('Policy coverage', () => coverageMatrix(ctx));
    found.push(...coverageFindings(coverage));

    const rls = await o.log.group('Live RLS probe (rolled back)', () => probeRls(client, o.exposedSchemas));
    probe = rls.results;
    found.push(...rls.findings);
  } finally {
    await client.end().catch(() => {});
  }

  if (o.supabaseUrl && o.anonKey) {
    const tables = [
      ...new Map(coverage.map((r) => [`${r.schema}.${r.name}`, { schema: r.schema, name: r.name }])).values(),
    ];
    // Loaded only when asked for: the Data API client and the HTTP stack are most of the bundle.
    const { probeDataApi } = await import('./data-api-probe');
    const api = await o.log.group('Live Data API probe', () =>
      probeDataApi({
        supabaseUrl: o.supabaseUrl!,
        anonKey: o.anonKey!,
        tables,
        anonDenied: (schema, name) =>
          coverageFor(coverage, schema, name, 'anon', 'select')?.status.startsWith('denied') ?? false,
      }),
    );
    dataApi = api.results;
    found.push(...api.findings);
  }

  if (o.shadowDatabaseUrl) {
    if (!o.migrationsDir)
      throw new Error(`input 'shadow-database-url' needs 'migrations-dir': the migrations to build in it`);
    const { detectDrift } = await import('./drift');
    const d = await detectDrift({
      databaseUrl: o.databaseUrl,
      shadowDatabaseUrl: o.shadowDatabaseUrl,
      migrationsDir: o.migrationsDir,
      log: o.log,
    });
    drift = d.differences;
    found.push(...d.findings);
  }

  for (const f of found) if (index && !f.location) f.location = index.locate(f.object);
  const { findings, ignored } = applyConfig(found, o.config ?? EMPTY_CONFIG);
  findings.sort((a, b) => ORDER[a.level] - ORDER[b.level] || a.rule.localeCompare(b.rule));
  const counts: Record<Level, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.level]++;
  return { findings, ignored, outcomes, coverage, probe, dataApi, drift, counts, durationMs: Date.now() - started };
}

/** Rule metadata for reports: the splinter rules and verify-schema's own checks. */
export const ruleCatalog = () =>
  allRules.map((r) => ({ name: r.name, title: r.title, description: r.description, level: r.level }));

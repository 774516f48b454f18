import { existsSync } from 'node:fs';
import { type ActionContext, type Inputs, ReportedFailure } from '@wingman/action-kit';
import { readProjectConfig } from '@wingman/migrations/project-config';
import { writeSarif } from '@wingman/sarif';
import {
  type Finding,
  type Level,
  loadConfig,
  objectKey,
  renderCoverageMarkdown,
  ruleCatalog,
  toSarif,
  verifySchema,
} from '@wingman/schema';
import { SYSTEM_SCHEMAS } from '@wingman/supabase-platform';
import type { verifySchemaInputs } from './inputs';

const DEFAULT_CONFIG = '.github/verify-schema.yml';
const THRESHOLD: Record<string, Level[]> = {
  error: ['error'],
  warn: ['error', 'warning'],
  warning: ['error', 'warning'],
  info: ['error', 'warning', 'info'],
  none: [],
};

export async function run(ctx: ActionContext, inputs: Inputs<(typeof verifySchemaInputs)['spec']>): Promise<void> {
  const config = await loadConfig(inputs.configFile ?? DEFAULT_CONFIG, inputs.configFile !== undefined);
  const haveMigrations = existsSync(inputs.migrationsDir);
  if (!haveMigrations)
    ctx.log.warning(
      `migrations-dir ${inputs.migrationsDir} does not exist: findings will not point at the migration that created each object`,
    );
  if ((inputs.supabaseUrl === undefined) !== (inputs.anonKey === undefined))
    throw new Error(`inputs 'supabase-url' and 'anon-key' go together: set both for the Data API probe, or neither`);

  const exposed = await exposedSchemas(inputs.exposedSchemas);
  ctx.log.info(`Exposed schemas ${exposed.schemas.join(', ')} (from ${exposed.from})`);
  const result = await verifySchema({
    databaseUrl: inputs.databaseUrl,
    exposedSchemas: exposed.schemas,
    exposedSchemasFrom: exposed.from,
    migrationsDir: haveMigrations ? inputs.migrationsDir : undefined,
    shadowDatabaseUrl: inputs.shadowDatabaseUrl,
    supabaseUrl: inputs.supabaseUrl,
    anonKey: inputs.anonKey,
    config,
    workload: inputs.workloadLints,
    log: ctx.log,
  });

  for (const f of result.findings) {
    const text = `${f.rule}: ${f.message}${f.fix ? ` Fix: ${f.fix}` : ''}`;
    const where = f.location ? { file: f.location.file, line: f.location.line, title: f.rule } : { title: f.rule };
    if (f.level === 'error') ctx.log.error(text, where);
    else if (f.level === 'warning') ctx.log.warning(text, where);
    else ctx.log.info(`info ${text}`);
  }

  if (inputs.sarifFile) {
    const sarif = toSarif(result.findings, ruleCatalog(), {
      version: '1',
      informationUri: 'https://github.com/wingman-deploy/wingman-deploy/tree/main/actions/verify-schema',
    });
    await writeSarif(inputs.sarifFile, sarif, 'sarif-file');
  }

  ctx.setOutput('errors', result.counts.error);
  ctx.setOutput('warnings', result.counts.warning);
  ctx.setOutput('findings', result.findings);
  ctx.setOutput('sarif-file', inputs.sarifFile ?? '');
  report(ctx, result, inputs.failOn, exposed);

  const failing = result.findings.filter((f) => THRESHOLD[inputs.failOn]!.includes(f.level));
  if (failing.length)
    // Each finding has its own annotation already: the step fails without a second one for the same cause.
    throw new ReportedFailure(
      `verify-schema found ${failing.length} finding(s) at '${inputs.failOn}' or above (${result.counts.error} error(s), ${result.counts.warning} warning(s)): see the annotations and the job summary`,
    );
}

function where(f: Finding): string {
  return f.location ? `${f.location.file}:${f.location.line}` : '';
}

/** input → supabase/config.toml [api] schemas (platform schemas left out, lints never report on them) → public. */
async function exposedSchemas(input: string[] | undefined): Promise<{ schemas: string[]; from: string }> {
  if (input) return { schemas: input, from: "input 'exposed-schemas'" };
  const config = await readProjectConfig('.');
  const fromConfig = config?.apiSchemas.filter((name) => !SYSTEM_SCHEMAS.includes(name));
  if (config && fromConfig?.length) return { schemas: fromConfig, from: `${config.file} [api] schemas` };
  return { schemas: ['public'], from: 'the default' };
}

function report(
  ctx: ActionContext,
  result: Awaited<ReturnType<typeof verifySchema>>,
  failOn: string,
  exposed: { schemas: string[]; from: string },
) {
  const s = ctx.summary;
  const { error, warning, info } = result.counts;
  s.heading(`${error ? '❌' : warning ? '⚠️' : '✅'} verify-schema`);
  s.text(
    `${error} error(s), ${warning} warning(s), ${info} info in ${result.durationMs} ms (fail-on: ${failOn}); ` +
      `${result.outcomes.filter((o) => o.status === 'ran').length} lints ran, ${result.probe.length} table(s) probed live` +
      `${result.dataApi ? `, ${result.dataApi.length} read through the Data API` : ''}` +
      `${result.drift ? `, ${result.drift.length} drift difference(s)` : ''}; exposed schemas ${exposed.schemas.join(', ')} (from ${exposed.from}).`,
  );
  if (result.findings.length)
    s.table(
      ['level', 'rule', 'object', 'finding', 'fix', 'created at'],
      result.findings.map((f) => [
        f.level,
        f.rule,
        `${f.object.type} ${objectKey(f.object)}`,
        f.message,
        f.fix ?? '',
        where(f),
      ]),
    );
  if (result.coverage.length)
    s.details('Policy coverage (anon and authenticated)', renderCoverageMarkdown(result.coverage));
  const skipped = result.outcomes.filter((o) => o.status !== 'ran');
  if (skipped.length)
    s.details(
      'Lints not run',
      skipped.map((o) => `- ${o.rule}: ${o.status} (${'reason' in o ? o.reason : ''})`).join('\n'),
    );
  if (result.ignored.length)
    s.details(
      'Ignored by the config file',
      result.ignored.map((i) => `- ${i.finding.rule} on ${objectKey(i.finding.object)}: ${i.reason}`).join('\n'),
    );
}

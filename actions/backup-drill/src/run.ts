import { type ActionContext, type Inputs, ReportedFailure } from '@wingman/action-kit';
import { renderDrillMarkdown, runDrill } from '@wingman/backup';
import { startDeadline } from '@wingman/time';
import type { backupDrillInputs } from './inputs';

export async function run(ctx: ActionContext, inputs: Inputs<typeof backupDrillInputs.spec>): Promise<void> {
  if (inputs.projectRef && !inputs.supabaseAccessToken)
    throw new Error(
      "input 'supabase-access-token' is required with project-ref (or set SUPABASE_ACCESS_TOKEN): the platform's backups are read with it",
    );
  if (inputs.supabaseAccessToken && !inputs.projectRef)
    ctx.log.notice("input 'project-ref' is not set: the platform's backups were not checked, only the restore");
  const deadline = startDeadline(inputs.timeout, 'timeout', performance.timeOrigin);
  const report = await runDrill({
    databaseUrl: inputs.databaseUrl,
    scratchDatabaseUrl: inputs.scratchDatabaseUrl,
    schemas: inputs.schemas,
    exposedSchemas: inputs.exposedSchemas,
    platform:
      inputs.supabaseAccessToken && inputs.projectRef
        ? { accessToken: inputs.supabaseAccessToken, projectRef: inputs.projectRef, apiUrl: inputs.managementApiUrl }
        : undefined,
    maxBackupAgeMs: inputs.maxBackupAge,
    requirePitr: inputs.requirePitr,
    rtoBudgetMs: inputs.rtoBudget,
    pgDump: inputs.pgDump,
    signal: deadline.signal,
    log: ctx.log,
  });
  ctx.setOutput('rto-seconds', report.rtoSeconds);
  ctx.setOutput('tables', report.tables.length);
  ctx.setOutput('rows', report.rows);
  ctx.setOutput('backup-age-hours', report.backup?.backupAgeHours ?? '');
  ctx.setOutput('pitr-enabled', report.backup ? report.backup.pitrEnabled : '');
  ctx.setOutput('report', report);
  ctx.summary.text(renderDrillMarkdown(report));
  for (const p of report.problems) ctx.log.error(p, { title: 'backup-drill' });
  if (!report.ok)
    throw new ReportedFailure(`backup-drill: ${report.problems.length} problem(s), the first: ${report.problems[0]}`);
  ctx.log.info(
    `backup-drill: ${report.tables.length} tables and ${report.rows} rows restored and verified in ${report.rtoSeconds} s (budget ${report.rtoBudgetSeconds} s)`,
  );
}

import type { ActionContext, Inputs } from '@wingman/action-kit';
import { checkHealth, type HealthReport, renderHealthMarkdown, type TargetSpec, toJsonReport } from '@wingman/health';
import type { smokeHealthInputs } from './inputs';

export async function run(
  ctx: ActionContext,
  inputs: Inputs<(typeof smokeHealthInputs)['spec']>,
  { headers, targets }: { headers: Record<string, string>; targets: TargetSpec[] },
): Promise<void> {
  if (inputs.requestTimeout <= 0) throw new Error(`input 'request-timeout' must be more than 0, got 0; set e.g. 10s`);
  const errorRateBudget = Number(inputs.errorRateBudget.slice(0, -1)) / 100;
  if (errorRateBudget > 1)
    throw new Error(`input 'error-rate-budget' must be at most 100%, got ${inputs.errorRateBudget}`);

  let report: HealthReport | undefined;
  try {
    report = await checkHealth({
      targets,
      headers,
      waitTimeoutMs: inputs.waitTimeout,
      requestTimeoutMs: inputs.requestTimeout,
      samples: inputs.samples,
      concurrency: inputs.concurrency,
      p95BudgetMs: inputs.p95Budget,
      errorRateBudget,
      followRedirects: inputs.followRedirects,
      redirectOrigins: inputs.allowRedirectsTo,
      log: ctx.log,
    });
  } finally {
    writeOutputs(ctx, report);
  }

  ctx.summary.text(renderHealthMarkdown(report));
  if (!report.healthy) {
    // Each verdict is one error annotation: the first fails the step, the others are annotated beside it.
    for (const v of report.verdicts.slice(1)) ctx.log.error(v);
    const more = report.verdicts.length > 1 ? ` (and ${report.verdicts.length - 1} more: see the annotations)` : '';
    throw new Error(`${report.verdicts[0]}${more}`);
  }
}

/** Worst target's figures, so one number answers "was any target slow?". Empty when nothing was sampled. */
function writeOutputs(ctx: ActionContext, report: HealthReport | undefined): void {
  const sampled = report?.targets.filter((t) => t.latency) ?? [];
  const worst = (pick: (t: (typeof sampled)[number]) => number) =>
    sampled.length ? String(Math.round(Math.max(...sampled.map(pick)) * 10) / 10) : '';
  ctx.setOutput('healthy', report?.healthy ?? false);
  ctx.setOutput(
    'p50-ms',
    worst((t) => t.latency!.p50Ms),
  );
  ctx.setOutput(
    'p95-ms',
    worst((t) => t.latency!.p95Ms),
  );
  ctx.setOutput(
    'p99-ms',
    worst((t) => t.latency!.p99Ms),
  );
  const rated = report?.targets.filter((t) => t.samples > 0) ?? [];
  ctx.setOutput('error-rate', rated.length ? String(Math.max(...rated.map((t) => t.errorRate))) : '');
  ctx.setOutput('report', report ? JSON.stringify(toJsonReport(report)) : '');
}

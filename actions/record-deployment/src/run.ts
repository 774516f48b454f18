// Main step: inputs → @wingman/monitoring (a Datadog marker, monitors for the health URLs) → outputs,
// summary, and a loud warning (or, with fail-on-error, the step's failure) for a provider that failed.
import type { ActionContext, Inputs } from '@wingman/action-kit';
import { runLinks } from '@wingman/github';
import {
  datadogApiUrl,
  deployStatus,
  doraDeploymentId,
  type ProviderOutcome,
  type RecordDeploymentResult,
  recordDeployment,
} from '@wingman/monitoring';
import { formatDuration, startDeadline } from '@wingman/time';
import type { recordDeploymentInputs } from './inputs';
import { savePausedMonitors } from './paused-state';
import { resolveStartedAt } from './started-at';
import { writeSummary } from './summary';

type RecordInputs = Inputs<typeof recordDeploymentInputs.spec>;

/** http(s) URLs, checked here so a typo fails the step instead of becoming a monitor of nothing. */
function healthUrls(list: readonly string[] | undefined): string[] {
  for (const url of list ?? []) {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(url).protocol);
    } catch {
      // not a URL
    }
    if (!ok)
      throw new Error(`input 'health-urls' must list http(s) URLs, got "${url}"; e.g. https://api.example.com/health`);
  }
  return [...(list ?? [])];
}

function alertContacts(list: readonly string[] | undefined): number[] | undefined {
  if (!list) return undefined;
  return list.map((id) => {
    if (!/^\d+$/.test(id))
      throw new Error(
        `input 'alert-contacts' must list UptimeRobot alert contact ids (numbers), got "${id}"; the API lists them under GET /v3/user/alert-contacts`,
      );
    return Number(id);
  });
}

function intervalSeconds(ms: number): number {
  if (ms < 30_000 || ms % 1000 !== 0)
    throw new Error(
      `input 'monitor-interval' must be whole seconds, 30s at least (UptimeRobot's shortest check), got ${formatDuration(ms)}`,
    );
  return ms / 1000;
}

/** Every provider error, one line each, prefixed so a reader knows which tool it is about. */
export function providerErrors(result: Pick<RecordDeploymentResult, 'datadog' | 'uptimeRobot'>): string[] {
  const of = (o: ProviderOutcome<unknown>) => (o.state === 'failed' ? o.errors : []);
  return [...of(result.datadog), ...of(result.uptimeRobot)];
}

export async function run(ctx: ActionContext, inputs: RecordInputs): Promise<void> {
  const env = process.env;
  const status = inputs.status ? deployStatus(inputs.status) : undefined;
  const pause = inputs.pauseMonitors;
  const marker = Boolean(inputs.datadogApiKey) && !pause;
  if (marker && !status)
    throw new Error(
      "input 'status' is required to record a Datadog deploy marker: set it to succeeded, failed or rolled-back (or ${{ job.status }})",
    );
  // Checked only where they are used: a team without UptimeRobot is never failed by its inputs.
  const monitoring = Boolean(inputs.uptimerobotApiKey);
  const urls = monitoring ? healthUrls(inputs.healthUrls) : [...(inputs.healthUrls ?? [])];
  const contacts = monitoring ? alertContacts(inputs.alertContacts) : undefined;
  const interval = monitoring ? intervalSeconds(inputs.monitorInterval) : inputs.monitorInterval / 1000;
  const commit = inputs.commit ?? env.GITHUB_SHA;
  const version = inputs.version ?? commit;
  if (!version)
    throw new Error("input 'version' is empty and GITHUB_SHA is not set: set 'version' under the step's with:");

  // One deadline for the whole step: every call, retry and rate-limit wait.
  const deadline = startDeadline(inputs.timeout, 'timeout', performance.timeOrigin);
  const http = {
    signal: deadline.signal,
    onRetry: (r: { method: string; path: string; retry: number; delayMs: number; reason: string }) =>
      ctx.log.info(`${r.method} ${r.path}: ${r.reason}, retry ${r.retry} in ${formatDuration(r.delayMs)}`),
  };
  const githubToken = inputs.githubToken?.startsWith('${{') ? undefined : inputs.githubToken;
  const startedAt = marker
    ? await resolveStartedAt(ctx, { given: inputs.startedAt, githubToken, env, signal: deadline.signal })
    : new Date(Math.round(performance.timeOrigin));
  const links = runLinks(env);

  const result = await recordDeployment({
    service: inputs.service,
    environment: inputs.environment,
    version,
    versionGiven: inputs.version !== undefined,
    status,
    startedAt,
    deploymentId:
      links.repository && links.runId
        ? doraDeploymentId([links.repository, links.runId, links.attempt, inputs.service, inputs.environment])
        : undefined,
    commitSha: commit,
    repositoryUrl: links.repositoryUrl,
    runUrl: links.runUrl,
    commitUrl: links.commitUrl(commit),
    datadog: {
      apiKey: inputs.datadogApiKey,
      site: inputs.datadogSite,
      apiUrl: inputs.datadogApiUrl ?? datadogApiUrl(inputs.datadogSite),
    },
    uptimeRobot: {
      apiKey: inputs.uptimerobotApiKey,
      apiUrl: inputs.uptimerobotApiUrl,
      healthUrls: urls,
      intervalSeconds: interval,
      alertContacts: contacts,
      pause,
      // Saved before the first pause: the post step resumes them even if this step dies halfway.
      onPausing: savePausedMonitors,
    },
    log: ctx.log,
    http,
  });

  const dd = result.datadog;
  const ur = result.uptimeRobot;
  const markerValue = dd.state === 'skipped' ? undefined : dd.value;
  const monitors = ur.state === 'skipped' ? [] : (ur.value?.monitors ?? []);
  ctx.setOutput('datadog-deployment-id', markerValue?.deploymentId ?? '');
  ctx.setOutput('monitors', Object.fromEntries(monitors.map((m) => [m.url, { id: m.id, status: m.status }])));
  for (const note of markerValue?.notes ?? []) ctx.log.info(`Datadog: ${note}`);
  writeSummary(ctx.summary, { service: inputs.service, environment: inputs.environment, status, pause, result });

  const errors = providerErrors(result);
  if (!errors.length) return;
  if (inputs.failOnError) throw new Error(errors.join(' | '));
  // Loud on purpose: a revoked key must not leave the team without markers or monitors, unnoticed, for months.
  for (const e of errors)
    ctx.log.warning(`${e} (fail-on-error is false, so the deploy goes on)`, {
      title: e.startsWith('Datadog') ? 'Datadog not updated' : 'UptimeRobot not updated',
    });
}

// A deploy as Datadog shows it: a DORA Metrics deployment (deployment frequency, lead time, change failure
// rate) and an event in the event stream, which graphs overlay, tagged service, env and version so a
// latency jump lines up with the release that caused it.
import type { HttpClientOptions } from '@wingman/http';
import type { Log } from '@wingman/log';
import { formatDuration } from '@wingman/time';
import { MonitoringError } from '../errors';
import { epochNanoseconds } from '../int64-json';
import type { DeployStatus } from '../status';
import { DatadogApi, type DatadogEvent, type DoraDeployment } from './api';
import { type DatadogSite, hasDoraMetrics } from './site';

export interface MarkerOptions {
  apiUrl: string;
  apiKey: string;
  site: DatadogSite;
  service: string;
  environment: string;
  /** The version now running. */
  version: string;
  /** False when version is only the default (the workflow's commit), not what a rollback went back to. */
  versionGiven: boolean;
  status: DeployStatus;
  startedAt: Date;
  /** Default: now. */
  finishedAt?: Date;
  /** Our id for the DORA deployment (one per run attempt), so a repeated call names the same one. */
  deploymentId?: string;
  /** The workflow's commit (GITHUB_SHA) and repository, for the DORA deployment's git info (lead time). */
  commitSha?: string;
  repositoryUrl?: string;
  runUrl?: string;
  commitUrl?: string;
  log: Log;
  http?: Partial<HttpClientOptions>;
}

export interface MarkerResult {
  /** The DORA deployment's id; undefined when none was recorded (see notes). */
  deploymentId?: string;
  /** Datadog answered 202: accepted, processed later. */
  delayed: boolean;
  eventId?: string;
  eventUrl?: string;
  notes: string[];
  errors: string[];
}

const TITLE_LIMIT = 100;
const TEXT_LIMIT = 4000;
const MARKDOWN_OPEN = '%%% \n';
const MARKDOWN_CLOSE = '\n %%%';

const ALERT_TYPE: Record<DeployStatus, DatadogEvent['alert_type']> = {
  succeeded: 'success',
  failed: 'error',
  'rolled-back': 'warning',
  cancelled: 'warning',
};

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const shortVersion = (v: string) => (/^[0-9a-f]{40}$/.test(v) ? v.slice(0, 7) : v);

/** Datadog's tag rules: letters, digits, _ - : . / (others become _), at most 200 characters, lower case. */
export function datadogTag(key: string, value: string): string {
  return `${key}:${value}`
    .replace(/[^A-Za-z0-9_\-:./]/g, '_')
    .slice(0, 200)
    .toLowerCase();
}

/**
 * Our id for a DORA deployment, from what makes a deploy one (repository, run, attempt, service, environment),
 * in the characters Datadog allows (a-z, A-Z, 0-9, -, _, . and :; 16 to 128 of them).
 */
export function doraDeploymentId(parts: readonly string[]): string {
  const id = parts
    .map((p) => p.replace(/[^A-Za-z0-9\-_.]/g, '-'))
    .join(':')
    .slice(0, 128);
  return id.padEnd(16, '-');
}

export function eventTitle(
  o: Pick<MarkerOptions, 'service' | 'environment' | 'version' | 'status' | 'versionGiven'>,
): string {
  const v = shortVersion(o.version);
  const title = {
    succeeded: `Deployed ${o.service} ${v} to ${o.environment}`,
    failed: `Deploy failed: ${o.service} ${v} to ${o.environment}`,
    // The default version is the run's own commit: the one rolled back from, not to.
    'rolled-back': o.versionGiven
      ? `Rolled back ${o.service} in ${o.environment} to ${v}`
      : `Rolled back ${o.service} in ${o.environment} from ${v}`,
    cancelled: `Deploy cancelled: ${o.service} ${v} to ${o.environment}`,
  }[o.status];
  return clip(title, TITLE_LIMIT);
}

/** Markdown with the links first, so a cut for the 4000-character limit never loses them. */
export function eventText(o: MarkerOptions, finishedAt: Date): string {
  const links = [o.runUrl && `[Workflow run](${o.runUrl})`, o.commitUrl && `[Commit](${o.commitUrl})`].filter(Boolean);
  const lines = [
    `**${o.service}** ${o.version} → **${o.environment}**: ${o.status}`,
    ...(links.length ? [links.join(' · ')] : []),
    `Started ${o.startedAt.toISOString()}, finished ${finishedAt.toISOString()} (${formatDuration(finishedAt.getTime() - o.startedAt.getTime())}).`,
  ];
  const room = TEXT_LIMIT - MARKDOWN_OPEN.length - MARKDOWN_CLOSE.length;
  return `${MARKDOWN_OPEN}${clip(lines.join('\n\n'), room)}${MARKDOWN_CLOSE}`;
}

/**
 * The commit that now runs: the workflow's, except after a rollback, where it is the version rolled back
 * to when that version is a commit SHA (and unknown otherwise).
 */
function runningCommit(o: MarkerOptions): DoraDeployment['git'] {
  if (!o.repositoryUrl) return undefined;
  const sha = o.status === 'rolled-back' ? (/^[0-9a-f]{40}$/i.test(o.version) ? o.version : undefined) : o.commitSha;
  return sha ? { commit_sha: sha, repository_url: o.repositoryUrl } : undefined;
}

/** Why this deploy gets no DORA deployment, or undefined when it does. */
function noDoraReason(o: MarkerOptions): string | undefined {
  if (!hasDoraMetrics(o.site)) return `DORA Metrics is not available on ${o.site}: only the event was recorded`;
  if (o.status === 'failed' || o.status === 'cancelled')
    return `a ${o.status} deploy changed nothing that runs, so it is an event and not a DORA deployment`;
  if (o.status === 'rolled-back' && !o.versionGiven)
    return "rolled-back without 'version': the DORA deployment needs the version the rollback went back to, so only the event was recorded; set version to it";
  return undefined;
}

export async function recordMarker(o: MarkerOptions): Promise<MarkerResult> {
  const finishedAt = o.finishedAt ?? new Date();
  if (o.startedAt.getTime() > finishedAt.getTime())
    throw new MonitoringError(
      `started-at ${o.startedAt.toISOString()} is later than the deploy's end (${finishedAt.toISOString()}): set started-at to when the deploy began`,
      'Datadog',
    );
  const result: MarkerResult = { delayed: false, notes: [], errors: [] };
  const api = new DatadogApi({ apiUrl: o.apiUrl, apiKey: o.apiKey, site: o.site, http: o.http });
  // Each call on its own: one failing still leaves the other, unless the key itself was refused.
  const attempt = async (call: () => Promise<void>) => {
    try {
      await call();
    } catch (err) {
      if (err instanceof MonitoringError && err.isAuthFailure) throw err;
      result.errors.push(err instanceof Error ? err.message : String(err));
    }
  };
  try {
    const skip = noDoraReason(o);
    if (skip) result.notes.push(skip);
    else
      await attempt(async () => {
        const sent = await api.sendDeployment({
          service: o.service,
          started_at: epochNanoseconds(o.startedAt),
          finished_at: epochNanoseconds(finishedAt),
          env: o.environment,
          version: o.version,
          id: o.deploymentId,
          git: runningCommit(o),
        });
        result.deploymentId = sent.id;
        result.delayed = sent.delayed;
        if (sent.delayed)
          result.notes.push('Datadog accepted the DORA deployment with 202: it shows once Datadog catches up');
        o.log.info(`Datadog: DORA deployment ${sent.id} recorded${sent.delayed ? ' (delayed)' : ''}`);
      });
    await attempt(async () => {
      const event = await api.postEvent({
        title: eventTitle(o),
        text: eventText(o, finishedAt),
        tags: [
          datadogTag('service', o.service),
          datadogTag('env', o.environment),
          datadogTag('version', o.version),
          datadogTag('deployment_status', o.status),
        ],
        alert_type: ALERT_TYPE[o.status],
        date_happened: Math.floor(finishedAt.getTime() / 1000),
        aggregation_key: clip(`deploy:${o.service}:${o.environment}`, 100),
      });
      result.eventId = event.id;
      result.eventUrl = event.url;
      o.log.info(`Datadog: event ${event.id} posted${event.url ? `: ${event.url}` : ''}`);
    });
  } finally {
    await api.close();
  }
  return result;
}

// One deploy, recorded where a team watches: a marker in Datadog and a monitor for every health endpoint in
// UptimeRobot. A provider without a key is skipped with a notice (a team may use only one); a provider
// that fails is reported as such, never thrown, so the caller decides whether that fails the deploy.
import type { Log } from '@wingman/log';
import { type MarkerOptions, type MarkerResult, recordMarker } from './datadog/marker';
import type { DatadogSite } from './datadog/site';
import { outcomeOf, type ProviderOutcome } from './outcome';
import type { DeployStatus } from './status';
import { type MonitorSyncResult, syncMonitors } from './uptimerobot/sync';

/** The deploy as the marker describes it, plus each provider's own settings. */
export interface RecordDeploymentOptions extends Omit<MarkerOptions, 'apiUrl' | 'apiKey' | 'site' | 'status'> {
  /** Required for a Datadog marker. */
  status?: DeployStatus;
  datadog: { apiKey?: string; site: DatadogSite; apiUrl: string };
  uptimeRobot: {
    apiKey?: string;
    apiUrl: string;
    healthUrls: readonly string[];
    intervalSeconds: number;
    alertContacts?: readonly number[];
    /** Pause the monitors for the deploy (and record no marker: the deploy has not happened yet). */
    pause: boolean;
    onPausing?: (ids: number[]) => void;
    pageSize?: number;
  };
}

export interface RecordDeploymentResult {
  datadog: ProviderOutcome<MarkerResult>;
  uptimeRobot: ProviderOutcome<MonitorSyncResult>;
}

function skipped<T>(log: Log, reason: string): ProviderOutcome<T> {
  log.notice(reason, { title: 'record-deployment' });
  return { state: 'skipped', reason };
}

function datadogSkip(o: RecordDeploymentOptions): string | undefined {
  if (!o.datadog.apiKey) return 'Datadog skipped: no datadog-api-key (or DATADOG_API_KEY), so no deploy marker';
  if (o.uptimeRobot.pause)
    return 'Datadog skipped: with pause-monitors this step runs before the deploy; record the marker with a step after it';
  if (!o.status) return "Datadog skipped: no 'status' to record; set it to succeeded, failed or rolled-back";
  return undefined;
}

function uptimeRobotSkip(o: RecordDeploymentOptions): string | undefined {
  if (!o.uptimeRobot.apiKey)
    return 'UptimeRobot skipped: no uptimerobot-api-key (or UPTIMEROBOT_API_KEY), so no monitors';
  if (!o.uptimeRobot.healthUrls.length) return 'UptimeRobot skipped: no health-urls to monitor';
  return undefined;
}

export async function recordDeployment(o: RecordDeploymentOptions): Promise<RecordDeploymentResult> {
  const ddSkip = datadogSkip(o);
  const datadog: ProviderOutcome<MarkerResult> = ddSkip
    ? skipped(o.log, ddSkip)
    : await o.log.group('Datadog: deploy marker', () => {
        const { datadog: dd, uptimeRobot: _, ...deploy } = o;
        const marker: MarkerOptions = {
          ...deploy,
          apiUrl: dd.apiUrl,
          apiKey: dd.apiKey!,
          site: dd.site,
          status: o.status!,
        };
        return outcomeOf(() => recordMarker(marker));
      });
  const urSkip = uptimeRobotSkip(o);
  const u = o.uptimeRobot;
  const uptimeRobot: ProviderOutcome<MonitorSyncResult> = urSkip
    ? skipped(o.log, urSkip)
    : await o.log.group(`UptimeRobot: ${u.pause ? 'pause' : 'monitor'} ${u.healthUrls.length} health URL(s)`, () =>
        outcomeOf(() =>
          syncMonitors({
            apiUrl: u.apiUrl,
            apiKey: u.apiKey!,
            healthUrls: u.healthUrls,
            service: o.service,
            environment: o.environment,
            intervalSeconds: u.intervalSeconds,
            alertContacts: u.alertContacts,
            state: u.pause ? 'paused' : 'active',
            onPausing: u.onPausing,
            pageSize: u.pageSize,
            log: o.log,
            http: o.http,
          }),
        ),
      );
  return { datadog, uptimeRobot };
}

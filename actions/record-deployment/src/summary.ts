// The job summary: the marker's link, the monitors table, and what was skipped or failed.
import type { Summary } from '@wingman/action-kit';
import type { DeployStatus, RecordDeploymentResult, ResumeResult } from '@wingman/monitoring';

export interface SummaryInput {
  service: string;
  environment: string;
  status?: DeployStatus;
  pause: boolean;
  result: RecordDeploymentResult;
}

export function writeSummary(s: Summary, o: SummaryInput): void {
  const { datadog, uptimeRobot } = o.result;
  const failed = datadog.state === 'failed' || uptimeRobot.state === 'failed';
  s.heading(
    `${failed ? '⚠️' : '📍'} record-deployment: ${o.service} → ${o.environment}${o.pause ? ' (monitors paused for the deploy)' : o.status ? ` (${o.status})` : ''}`,
  );

  if (datadog.state === 'skipped') s.text(`**Datadog:** ${datadog.reason}.`);
  else {
    const v = datadog.value;
    const parts: string[] = [];
    if (v?.eventUrl) parts.push(`[deploy event](${v.eventUrl})`);
    else if (v?.eventId) parts.push(`event ${v.eventId}`);
    if (v?.deploymentId) parts.push(`DORA deployment \`${v.deploymentId}\`${v.delayed ? ' (accepted, delayed)' : ''}`);
    s.text(`**Datadog:** ${parts.join(' · ') || 'nothing recorded'}.`);
    if (v?.notes.length) s.list(v.notes);
  }

  if (uptimeRobot.state === 'skipped') s.text(`**UptimeRobot:** ${uptimeRobot.reason}.`);
  else {
    const monitors = uptimeRobot.value?.monitors ?? [];
    s.text('**UptimeRobot:**');
    if (monitors.length)
      s.table(
        ['health URL', 'monitor', 'status', 'change'],
        monitors.map((m) => [m.url, m.id, m.status, m.changes.join(', ') || 'none']),
      );
  }
  const errors = [
    ...(datadog.state === 'failed' ? datadog.errors : []),
    ...(uptimeRobot.state === 'failed' ? uptimeRobot.errors : []),
  ];
  if (errors.length) s.heading('Not updated', 3).list(errors);
}

export function writeResumeSummary(s: Summary, result: ResumeResult | undefined, errors: readonly string[]): void {
  s.heading(`${errors.length ? '⚠️' : '▶️'} record-deployment: monitors resumed after the deploy`);
  if (result?.resumed.length)
    s.table(
      ['monitor', 'status'],
      result.resumed.map((m) => [m.id, m.status]),
    );
  if (errors.length) s.heading('Still paused', 3).list([...errors]);
}

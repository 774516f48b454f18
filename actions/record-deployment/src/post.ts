// Post step (runs.post, post-if: always()): starts again the monitors main paused, whatever became of the
// job in between. A monitor left paused hides the next outage, so a failure here is a loud warning.
import type { ActionContext, Inputs } from '@wingman/action-kit';
import { outcomeOf, resumeMonitors } from '@wingman/monitoring';
import { startDeadline } from '@wingman/time';
import type { recordDeploymentInputs } from './inputs';
import { pausedMonitors } from './paused-state';
import { writeResumeSummary } from './summary';

type RecordInputs = Inputs<typeof recordDeploymentInputs.spec>;

export async function resume(ctx: ActionContext, inputs: RecordInputs): Promise<void> {
  const ids = pausedMonitors();
  let errors: readonly string[];
  let resumed: Awaited<ReturnType<typeof resumeMonitors>> | undefined;
  if (!inputs.uptimerobotApiKey) errors = ['no uptimerobot-api-key in the post step (or UPTIMEROBOT_API_KEY)'];
  else {
    const deadline = startDeadline(inputs.timeout, 'timeout', performance.timeOrigin);
    const outcome = await ctx.log.group(`UptimeRobot: resume ${ids.length} monitor(s)`, () =>
      outcomeOf(() =>
        resumeMonitors({
          apiUrl: inputs.uptimerobotApiUrl,
          apiKey: inputs.uptimerobotApiKey!,
          ids,
          log: ctx.log,
          http: { signal: deadline.signal },
        }),
      ),
    );
    resumed = outcome.state === 'skipped' ? undefined : outcome.value;
    errors = outcome.state === 'failed' ? outcome.errors : [];
  }
  writeResumeSummary(ctx.summary, resumed, errors);
  if (!errors.length) return;
  if (inputs.failOnError) throw new Error(errors.join(' | '));
  const left = ids.filter((id) => !resumed?.resumed.some((r) => r.id === id));
  for (const e of errors)
    ctx.log.warning(`${e}; monitor(s) ${left.join(', ')} may still be paused: start them in UptimeRobot`, {
      title: 'UptimeRobot monitors not resumed',
    });
}

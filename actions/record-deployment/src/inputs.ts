import { defineInputs, input } from '@wingman/action-kit/inputs';
// The two leaf modules only (no imports of their own): a bad input still fails before the HTTP client loads.
import { DATADOG_SITES } from '@wingman/monitoring/site';
import { STATUS_WORDS } from '@wingman/monitoring/status';

export const recordDeploymentInputs = defineInputs({
  service: input.string({
    description: 'The service deployed, as Datadog and the monitor names show it (e.g. wingmanmatch-api).',
    required: true,
  }),
  environment: input.string({
    description: 'The environment deployed to, e.g. production (the env tag in Datadog).',
    required: true,
  }),
  version: input.string({
    description:
      "The version now running (the version tag in Datadog). Default: input 'commit'. On rolled-back, set it to the version the rollback went back to: only then is the rollback a DORA deployment.",
  }),
  commit: input.commit({
    description:
      "The commit deployed: the marker's git commit and the event's commit link. Default: the workflow's commit (GITHUB_SHA); a workflow that deploys another ref passes the checked-out commit (actions/checkout's commit output).",
  }),
  'started-at': input.string({
    description:
      "When the deploy started (ISO 8601 or epoch seconds). Default: the start of this workflow run attempt, read from the GitHub API with github-token (needs actions: read on a private repository), else this step's start.",
  }),
  status: input.choice(STATUS_WORDS, {
    description:
      "How the deploy ended: succeeded, failed, rolled-back or cancelled; GitHub's job status words (success, failure: what ${{ job.status }} gives) are accepted too. Required for a Datadog marker.",
  }),
  'datadog-api-key': input.string({
    description:
      'Datadog API key (not an application key). Default: the DATADOG_API_KEY environment variable. Without one, Datadog is skipped with a notice.',
    secret: true,
    env: 'DATADOG_API_KEY',
  }),
  'datadog-site': input.choice(DATADOG_SITES, {
    description:
      'The Datadog site of your organisation: datadoghq.com (US1), us3.datadoghq.com, us5.datadoghq.com, datadoghq.eu, ap1.datadoghq.com, ap2.datadoghq.com, uk1.datadoghq.com, ddog-gov.com or us2.ddog-gov.com. Default: the DATADOG_SITE environment variable, else datadoghq.com.',
    default: 'datadoghq.com',
    env: 'DATADOG_SITE',
  }),
  'datadog-api-url': input.url({
    description: 'Datadog API base URL. Default: https://api.<datadog-site>.',
    protocols: ['https:', 'http:'],
  }),
  'uptimerobot-api-key': input.string({
    description:
      'UptimeRobot Main API key (v3, sent as a bearer token). Default: the UPTIMEROBOT_API_KEY environment variable. Without one, UptimeRobot is skipped with a notice.',
    secret: true,
    env: 'UPTIMEROBOT_API_KEY',
  }),
  'uptimerobot-api-url': input.url({
    description: 'UptimeRobot API base URL.',
    default: 'https://api.uptimerobot.com/v3',
    protocols: ['https:', 'http:'],
  }),
  'health-urls': input.list({
    description:
      'The health endpoints to watch around the clock (those smoke-health checks), separated by commas, spaces or newlines: each gets one HTTP monitor, created when missing.',
  }),
  'monitor-interval': input.duration({
    description: "How often UptimeRobot checks each health URL (30s at least; the FREE plan's shortest is 5m).",
    default: '5m',
  }),
  'alert-contacts': input.list({
    description:
      "UptimeRobot alert contact ids to notify, separated by commas, spaces or newlines. Empty: a monitor's contacts are left as they are (a new one gets none).",
  }),
  'pause-monitors': input.boolean({
    description:
      'Pause the monitors while the deploy runs: this step (before the deploy) pauses them and its post step starts them again at the end of the job, also when the job fails. No Datadog marker is recorded by such a step. Off by default: with zero-downtime deploys a pause hides real outages.',
    default: 'false',
  }),
  'fail-on-error': input.boolean({
    description:
      'Fail the step when Datadog or UptimeRobot cannot be updated. Default: a loud warning annotation, and the deploy goes on.',
    default: 'false',
  }),
  timeout: input.duration({
    description:
      'The whole step: every Datadog, UptimeRobot and GitHub call and every rate-limit wait end with it, so an outage never holds a deploy.',
    default: '2m',
  }),
  'github-token': input.string({
    description: "Token to read when this workflow run attempt started, for started-at's default.",
    default: '${{ github.token }}',
    secret: true,
  }),
});

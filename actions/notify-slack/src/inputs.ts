import { defineInputs, input } from '@wingman/action-kit/inputs';

export const notifySlackInputs = defineInputs({
  status: input.choice(['started', 'succeeded', 'failed', 'cancelled', 'rolled-back', 'success', 'failure'], {
    description:
      "The deploy status to show: started, succeeded, failed, cancelled or rolled-back; GitHub's job status words (success, failure, cancelled: what ${{ job.status }} gives) are accepted too.",
    required: true,
  }),
  'webhook-url': input.url({
    description:
      'Incoming webhook URL (posts only: no updates, no threads). Use either this or bot-token + channel. Default: the SLACK_WEBHOOK_URL environment variable, unless a bot token is given (input or SLACK_BOT_TOKEN).',
    secret: true,
    env: 'SLACK_WEBHOOK_URL',
    envUnless: ['bot-token', 'SLACK_BOT_TOKEN'],
    protocols: ['https:', 'http:'],
  }),
  'bot-token': input.string({
    description:
      'Bot User OAuth Token (xoxb-…) with chat:write: posts, updates the message in place (message-ts) and replies in its thread. Default: the SLACK_BOT_TOKEN environment variable, unless webhook-url is given.',
    secret: true,
    env: 'SLACK_BOT_TOKEN',
    envUnless: ['webhook-url'],
  }),
  channel: input.string({
    description:
      'With bot-token: the channel ID (C…) or #name. To update a message, pass the channel output of the step that posted it.',
  }),
  'message-ts': input.string({
    description:
      'With bot-token: update this message (the ts output of an earlier notify-slack step) instead of posting a new one.',
    pattern: /^\d+\.\d+$/,
    expected: 'a Slack message ts like 1714650000.123456 (the ts output of an earlier notify-slack step)',
  }),
  environment: input.string({
    description: 'The environment deployed to, e.g. production.',
  }),
  commit: input.commit({
    description:
      "The commit deployed, as the message names and links it. Default: the workflow's commit (GITHUB_SHA; on pull_request, the PR head); a workflow that deploys another ref passes the checked-out commit (actions/checkout's commit output).",
  }),
  title: input.string({
    description:
      'The message title. Default: "<repository name> → <environment>", a deploy ("Deploy succeeded"); a run with a title of its own (a rollback, a backup drill) says only "Succeeded".',
  }),
  details: input.yaml({
    description:
      'A JSON or YAML object of outputs from earlier steps (migrations applied, schema counts, release versions, deployment URLs, a smoke report), rendered as fields; URLs become buttons.',
  }),
  links: input.string({
    description: 'Extra buttons, one label=url per line. The run and the commit are always linked.',
  }),
  'mention-on-failure': input.string({
    description:
      'Who to mention on failed and rolled-back only: @here, @channel, a user ID (U…) or a user group ID (S…, or <!subteam^S…>).',
  }),
  'thread-details': input.boolean({
    description:
      'With bot-token, on failed and rolled-back: reply in the message’s thread with the mention and the full details.',
    default: 'true',
  }),
  payload: input.string({
    description:
      'A raw Slack message (JSON or YAML) to send instead of the built one; {placeholders} are filled from details and the run (status, environment, title, run_url, sha, …).',
  }),
  'started-at': input.string({
    description:
      'When the deploy started (ISO 8601 or epoch seconds), for the duration. Default: the time of the message being updated (message-ts).',
  }),
  timeout: input.duration({
    description:
      'The whole step: every Slack call and retry ends with it, so a Slack outage never holds a deploy (then the usual warning, or a failure with fail-on-error).',
    default: '30s',
  }),
  'fail-on-error': input.boolean({
    description:
      'Fail the step when the message cannot be delivered. Default: a loud warning annotation and delivered=false.',
    default: 'false',
  }),
  'api-url': input.url({
    description: 'Slack Web API base URL.',
    default: 'https://slack.com/api',
    protocols: ['https:', 'http:'],
  }),
});

import type { ActionContext, Inputs } from '@wingman/action-kit';
import {
  currentRunContext,
  type DetailLink,
  type NotifyResult,
  notify,
  parseStartedAt,
  webhookSecrets,
} from '@wingman/slack';
import { startDeadline } from '@wingman/time';
import type { notifySlackInputs } from './inputs';

type NotifyInputs = Inputs<(typeof notifySlackInputs)['spec']>;

/** `label=url` lines of the links input. */
export function parseLinks(raw: string | undefined): DetailLink[] {
  const links: DetailLink[] = [];
  for (const line of (raw ?? '').split(/\r?\n/)) {
    const text = line.trim();
    if (!text || text.startsWith('#')) continue;
    const m = /^(.+?)\s*=\s*(https?:\/\/\S+)$/i.exec(text);
    if (!m) throw new Error(`input 'links' line "${text}" must be label=https://…: one link per line`);
    links.push({ label: m[1]!.trim(), url: m[2]! });
  }
  return links;
}

export async function run(ctx: ActionContext, inputs: NotifyInputs): Promise<void> {
  // The whole URL is masked by the input reader; its path and secret segment leak just as well.
  if (inputs.webhookUrl) for (const s of webhookSecrets(inputs.webhookUrl)) ctx.addSecret(s);

  let details: Record<string, unknown> | undefined;
  if (inputs.details !== undefined && inputs.details !== null) {
    if (typeof inputs.details !== 'object' || Array.isArray(inputs.details))
      throw new Error(
        `input 'details' must be a JSON or YAML object of name: value pairs, got ${Array.isArray(inputs.details) ? 'a list' : JSON.stringify(inputs.details)}`,
      );
    details = inputs.details as Record<string, unknown>;
  }
  let startedAt: Date | undefined;
  if (inputs.startedAt) {
    startedAt = parseStartedAt(inputs.startedAt);
    if (!startedAt)
      throw new Error(
        `input 'started-at' must be an ISO 8601 time or epoch seconds, got "${inputs.startedAt}"; e.g. \${{ steps.start.outputs.started-at }}`,
      );
  }

  // ${{ job.status }} words, as every Slack action takes them.
  const status = inputs.status === 'success' ? 'succeeded' : inputs.status === 'failure' ? 'failed' : inputs.status;
  const result = await ctx.log.group(`Slack: ${status}`, () =>
    notify({
      status,
      context: currentRunContext(process.env, inputs.commit),
      environment: inputs.environment,
      title: inputs.title,
      details,
      links: parseLinks(inputs.links),
      mentionOnFailure: inputs.mentionOnFailure,
      threadDetails: inputs.threadDetails,
      payload: inputs.payload,
      webhookUrl: inputs.webhookUrl,
      botToken: inputs.botToken,
      channel: inputs.channel,
      messageTs: inputs.messageTs,
      apiUrl: inputs.apiUrl,
      startedAt,
      log: ctx.log,
      // One deadline for every call and retry of the step.
      http: { signal: startDeadline(inputs.timeout, 'timeout', performance.timeOrigin).signal },
    }),
  );

  ctx.setOutput('delivered', result.delivered);
  ctx.setOutput('ts', result.ts ?? '');
  ctx.setOutput('channel', result.channel ?? '');
  writeSummary(ctx, inputs, result);

  if (result.error) {
    const what = result.delivered
      ? 'the Slack thread reply was not delivered'
      : 'the Slack notification was NOT delivered';
    const message = `${what}: ${result.error.message}`;
    if (inputs.failOnError) throw new Error(message);
    // Loud on purpose: a broken webhook must not stay green and unnoticed for months.
    ctx.log.warning(`${message} (fail-on-error is false, so the step continues)`, {
      title: 'Slack notification not delivered',
    });
  } else if (result.delivered) {
    ctx.log.info(
      result.via === 'webhook'
        ? 'Slack: posted through the incoming webhook'
        : `Slack: ${result.action} message ${result.ts} in ${result.channel}${result.replyTs ? `, thread reply ${result.replyTs}` : ''}`,
    );
  }
}

function writeSummary(ctx: ActionContext, inputs: NotifyInputs, result: NotifyResult): void {
  const s = ctx.summary;
  s.heading(`${result.error && !result.delivered ? '⚠️' : '💬'} notify-slack: ${inputs.status}`);
  const rows: unknown[][] = [
    ['delivered', result.delivered ? 'yes' : 'no'],
    ['via', result.via === 'webhook' ? 'incoming webhook' : 'Web API (bot token)'],
  ];
  if (result.action) rows.push(['action', result.action]);
  if (result.channel) rows.push(['channel', result.channel]);
  if (result.ts) rows.push(['ts', result.ts]);
  if (result.replyTs) rows.push(['thread reply', result.replyTs]);
  if (result.error) rows.push(['error', result.error.message]);
  s.table(['', ''], rows);
  if (typeof result.message.text === 'string') s.text(`> ${result.message.text.replace(/\n/g, '\n> ')}`);
  if (result.warnings.length) s.heading('Warnings', 3).list(result.warnings);
}

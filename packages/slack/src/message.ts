// The deploy message: one Block Kit message per pipeline run, built from the status, the run context and
// the details of earlier steps, always within Block Kit's limits (content past a limit is cut with an
// ellipsis and a "see run" link, never refused by Slack).

import { formatDuration } from '@wingman/time';
import { type Block, type ButtonElement, blockTextLength, mrkdwn, plain, type SlackMessage } from './blocks';
import type { RunContext } from './context';
import { type DetailItem, type DetailLink, detailsAsCode, renderDetails } from './details';
import { LIMITS } from './limits';
import { ELLIPSIS, escapeMrkdwn, fitMrkdwn, fitPlain, link } from './text';

export const STATUSES = ['started', 'succeeded', 'failed', 'cancelled', 'rolled-back'] as const;
export type DeployStatus = (typeof STATUSES)[number];

export const STATUS_EMOJI: Record<DeployStatus, string> = {
  started: ':rocket:',
  succeeded: ':white_check_mark:',
  failed: ':x:',
  cancelled: ':no_entry_sign:',
  'rolled-back': ':rewind:',
};

const STATUS_WORDS: Record<DeployStatus, string> = {
  started: 'started',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
  'rolled-back': 'rolled back',
};

/**
 * "Deploy failed" under the default title (a deploy); a run with a title of its own (a rollback, a flag
 * change, a backup drill) is no deploy, so its message says only "Failed".
 */
function statusText(input: DeployMessageInput): string {
  const word = STATUS_WORDS[input.status];
  return input.title === undefined ? `Deploy ${word}` : `${word.charAt(0).toUpperCase()}${word.slice(1)}`;
}

/** Statuses that escalate: mentions are added and, with a bot token, details go into a thread reply. */
export function isFailure(status: DeployStatus): boolean {
  return status === 'failed' || status === 'rolled-back';
}

export interface DeployMessageInput {
  status: DeployStatus;
  context: RunContext;
  environment?: string;
  /** Default: "<repository name> → <environment>". */
  title?: string;
  /** Outputs of earlier steps, rendered as fields and sections. */
  details?: Record<string, unknown>;
  /** Extra buttons after the run and commit links. */
  links?: DetailLink[];
  /** Slack mention mrkdwn (see parseMentions); shown only on failed / rolled-back. */
  mention?: string;
  /** Time since the run started; shown when known. */
  durationMs?: number;
}

export function defaultTitle(context: RunContext, environment?: string): string {
  const name = context.repositoryName ?? context.repository ?? 'Deploy';
  return environment ? `${name} → ${environment}` : name;
}

function seeRun(context: RunContext): string {
  return context.runUrl ? ` <${context.runUrl}|see run>` : '';
}

function shortSha(sha: string | undefined): string | undefined {
  return sha ? sha.slice(0, 7) : undefined;
}

/** The two-column facts: environment, duration, commit, author, actor, run. */
function metaFields(input: DeployMessageInput): string[] {
  const { context: c } = input;
  const fields: string[] = [];
  if (input.environment) fields.push(`*Environment*\n${escapeMrkdwn(input.environment)}`);
  if (input.durationMs !== undefined)
    fields.push(
      `*${input.status === 'started' ? 'Running for' : 'Duration'}*\n${formatDuration(input.durationMs, 'compact')}`,
    );
  if (c.pullRequest) {
    const pr = c.pullRequest.url ? link(c.pullRequest.url, `#${c.pullRequest.number}`) : `#${c.pullRequest.number}`;
    fields.push(`*Pull request*\n${pr}${c.commitTitle ? ` ${escapeMrkdwn(c.commitTitle)}` : ''}`);
  } else if (c.sha) {
    const sha = shortSha(c.sha)!;
    const ref = c.commitUrl ? link(c.commitUrl, sha) : `\`${sha}\``;
    fields.push(`*Commit*\n${ref}${c.commitTitle ? ` ${escapeMrkdwn(c.commitTitle)}` : ''}`);
  }
  if (c.commitAuthor) fields.push(`*Author*\n${escapeMrkdwn(c.commitAuthor)}`);
  if (c.actor)
    fields.push(
      `*Triggered by*\n${escapeMrkdwn(c.actor)}${c.triggeringActor ? ` (re-run by ${escapeMrkdwn(c.triggeringActor)})` : ''}`,
    );
  if (c.runUrl) {
    const label = `${c.workflow ?? 'run'}${c.runNumber ? ` #${c.runNumber}` : ''}`;
    const attempt = c.runAttempt && c.runAttempt !== '1' ? ` (attempt ${c.runAttempt})` : '';
    fields.push(`*Run*\n${link(c.runUrl, label)}${attempt}`);
  }
  return fields.map((f) => fitMrkdwn(f, LIMITS.fieldText));
}

/** Run, commit / pull request, then detail links, then the `links` input. */
function allLinks(input: DeployMessageInput, detailLinks: DetailLink[]): DetailLink[] {
  const c = input.context;
  const out: DetailLink[] = [];
  if (c.runUrl) out.push({ label: 'View run', url: c.runUrl });
  if (c.pullRequest?.url) out.push({ label: `Pull request #${c.pullRequest.number}`, url: c.pullRequest.url });
  if (c.commitUrl) out.push({ label: `Commit ${shortSha(c.sha)}`, url: c.commitUrl });
  return [...out, ...detailLinks, ...(input.links ?? [])];
}

/** Buttons for the first 25 links; the rest as mrkdwn links in a section; URLs over 3000 characters dropped. */
function linkBlocks(links: DetailLink[], context: RunContext): Block[] {
  const usable = links.filter((l) => l.url.length <= LIMITS.buttonUrl);
  const buttons: ButtonElement[] = usable.slice(0, LIMITS.actionsElements).map((l, i) => ({
    type: 'button',
    text: plain(fitPlain(l.label, LIMITS.buttonText)),
    url: l.url,
    action_id: `wingman-link-${i}`,
    ...(i === 0 && context.runUrl && l.url === context.runUrl ? { style: 'primary' as const } : {}),
  }));
  const blocks: Block[] = [];
  if (buttons.length) blocks.push({ type: 'actions', elements: buttons });
  const rest = usable.slice(LIMITS.actionsElements);
  if (rest.length)
    blocks.push({
      type: 'section',
      text: mrkdwn(
        fitMrkdwn(
          `*More links*\n${rest.map((l) => link(l.url, l.label)).join(' · ')}`,
          LIMITS.sectionText,
          seeRun(context),
        ),
      ),
    });
  return blocks;
}

/**
 * Detail blocks within a budget of blocks and characters. Consecutive short items share a fields section
 * (10 at most); long ones get a section each. Returns the blocks and how many items did not fit.
 */
function detailBlocks(
  items: DetailItem[],
  maxBlocks: number,
  maxChars: number,
  suffix: string,
): { blocks: Block[]; omitted: number } {
  const blocks: Block[] = [];
  let chars = 0;
  let i = 0;
  while (i < items.length && blocks.length < maxBlocks) {
    const room = maxChars - chars;
    if (room < 200) break;
    const item = items[i]!;
    if (item.long) {
      const text = fitMrkdwn(`*${escapeMrkdwn(item.label)}*\n${item.text}`, Math.min(LIMITS.sectionText, room), suffix);
      blocks.push({ type: 'section', text: mrkdwn(text) });
      chars += text.length;
      i += 1;
      continue;
    }
    const fields: string[] = [];
    while (i < items.length && !items[i]!.long && fields.length < LIMITS.sectionFields) {
      const f = fitMrkdwn(`*${escapeMrkdwn(items[i]!.label)}*\n${items[i]!.text}`, LIMITS.fieldText, suffix);
      if (chars + f.length > maxChars) break;
      fields.push(f);
      chars += f.length;
      i += 1;
    }
    if (fields.length === 0) break;
    blocks.push({ type: 'section', fields: fields.map(mrkdwn) });
  }
  return { blocks, omitted: items.length - i };
}

function fallbackText(input: DeployMessageInput, title: string): string {
  const c = input.context;
  const parts = [`${STATUS_EMOJI[input.status]} ${escapeMrkdwn(title)}: ${statusText(input).toLowerCase()}`];
  if (input.mention && isFailure(input.status)) parts.push(input.mention);
  const commit = [shortSha(c.sha), c.commitTitle ? escapeMrkdwn(c.commitTitle) : undefined].filter(Boolean).join(' ');
  if (commit) parts.push(`— ${commit}${c.commitAuthor ? ` by ${escapeMrkdwn(c.commitAuthor)}` : ''}`);
  if (input.durationMs !== undefined && input.status !== 'started')
    parts.push(`in ${formatDuration(input.durationMs, 'compact')}`);
  return fitMrkdwn(parts.join(' '), LIMITS.fallbackText);
}

/** The deploy message for a status. Never exceeds a Block Kit limit, whatever the details hold. */
export function buildDeployMessage(input: DeployMessageInput): SlackMessage {
  const title = input.title ?? defaultTitle(input.context, input.environment);
  const suffix = seeRun(input.context);
  const fixed: Block[] = [
    { type: 'header', text: plain(fitPlain(`${STATUS_EMOJI[input.status]} ${title}`, LIMITS.headerText)) },
  ];
  const headline = `*${statusText(input)}*${input.mention && isFailure(input.status) ? `\n${input.mention}` : ''}`;
  fixed.push({ type: 'section', text: mrkdwn(fitMrkdwn(headline, LIMITS.sectionText, suffix)) });
  const meta = metaFields(input);
  if (meta.length) fixed.push({ type: 'section', fields: meta.slice(0, LIMITS.sectionFields).map(mrkdwn) });

  const rendered = renderDetails(input.details);
  const links = linkBlocks(allLinks(input, rendered.links), input.context);
  const used = [...fixed, ...links].reduce((n, b) => n + blockTextLength(b), 0);
  // Room for the details: the blocks left after the fixed ones, a divider and a possible "more" notice.
  const detailRoom = LIMITS.blocks - fixed.length - links.length - 2;
  const details = detailBlocks(rendered.items, detailRoom, LIMITS.totalBlockText - used, suffix);

  const blocks: Block[] = [...fixed];
  if (details.blocks.length || details.omitted) blocks.push({ type: 'divider' });
  blocks.push(...details.blocks);
  if (details.omitted)
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(
          `${ELLIPSIS} ${details.omitted} more detail${details.omitted === 1 ? '' : 's'} not shown:${suffix || ' see the run'}`,
        ),
      ],
    });
  blocks.push(...links);
  return { text: fallbackText(input, title), blocks };
}

/**
 * The failure reply posted in the message's thread (bot token only): the mention — a mention inside an
 * edited message notifies nobody, a new reply does — and the complete details as JSON.
 */
export function buildThreadReply(input: DeployMessageInput): SlackMessage {
  const title = input.title ?? defaultTitle(input.context, input.environment);
  const suffix = seeRun(input.context);
  const head = `${input.mention ? `${input.mention} ` : ''}*${statusText(input)}*${input.environment ? ` in ${escapeMrkdwn(input.environment)}` : ''}`;
  const blocks: Block[] = [];
  const details = input.details && Object.keys(input.details).length ? input.details : undefined;
  blocks.push({
    type: 'section',
    text: mrkdwn(
      fitMrkdwn(
        `${head}${details ? ': details from the run' : ': no details were passed;'}${suffix}`,
        LIMITS.sectionText,
      ),
    ),
  });
  if (details) {
    // Code-block chunks cut at line ends, each under the section limit, within the cumulative budget.
    const json = escapeMrkdwn(detailsAsCode(details));
    const chunkMax = LIMITS.sectionText - 8;
    const chunks: string[] = [];
    let current = '';
    for (const line of json.split('\n')) {
      const piece = line.length > chunkMax ? `${line.slice(0, chunkMax - 1)}${ELLIPSIS}` : line;
      if (current.length + piece.length + 1 > chunkMax) {
        chunks.push(current);
        current = '';
      }
      current = current ? `${current}\n${piece}` : piece;
    }
    if (current) chunks.push(current);
    let chars = blocks.reduce((n, b) => n + blockTextLength(b), 0);
    const maxChunks = LIMITS.blocks - 3;
    let shown = 0;
    for (const chunk of chunks) {
      if (shown >= maxChunks || chars + chunk.length + 8 > LIMITS.totalBlockText) break;
      blocks.push({ type: 'section', text: mrkdwn(`\`\`\`\n${chunk}\n\`\`\``) });
      chars += chunk.length + 8;
      shown += 1;
    }
    if (shown < chunks.length)
      blocks.push({
        type: 'context',
        elements: [mrkdwn(`${ELLIPSIS} the details are longer than one Slack message:${suffix || ' see the run'}`)],
      });
  }
  if (input.context.runUrl)
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: plain('View run'),
          url: input.context.runUrl,
          action_id: 'wingman-link-0',
          style: 'primary',
        },
      ],
    });
  const text = fitMrkdwn(
    `${input.mention ? `${input.mention} ` : ''}${escapeMrkdwn(title)}: ${statusText(input).toLowerCase()}, details in this thread`,
    LIMITS.fallbackText,
  );
  return { text, blocks };
}

export interface ParsedMentions {
  /** Space-separated mrkdwn mentions, or undefined when none. */
  mrkdwn?: string;
  /** Entries that are not mentions Slack understands (they would not notify anyone). */
  invalid: string[];
}

/**
 * `@here`, `@channel`, `<!subteam^S123>`, `<@U123>`, bare IDs `U123` / `W123` (users) and `S123` (user
 * groups), separated by spaces or commas. A plain `@name` does not notify in Block Kit text, so it is
 * reported as invalid instead of being posted silently.
 */
export function parseMentions(raw: string | undefined): ParsedMentions {
  const out: string[] = [];
  const invalid: string[] = [];
  for (const token of (raw ?? '').split(/[\s,]+/).filter(Boolean)) {
    const special = /^@?(here|channel|everyone)$/i.exec(token);
    if (special) out.push(`<!${special[1]!.toLowerCase()}>`);
    else if (/^<(@[UW][A-Z0-9]+|!subteam\^S[A-Z0-9]+|!here|!channel|!everyone)(\|[^>]*)?>$/.test(token))
      out.push(token);
    else if (/^[UW][A-Z0-9]{6,}$/.test(token)) out.push(`<@${token}>`);
    else if (/^S[A-Z0-9]{6,}$/.test(token)) out.push(`<!subteam^${token}>`);
    else invalid.push(token);
  }
  return { mrkdwn: out.length ? out.join(' ') : undefined, invalid };
}

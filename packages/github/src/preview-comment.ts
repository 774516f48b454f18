// A pull request's full-stack preview in one comment, edited in place: each part (database, backend,
// frontend, smoke) with its state, URL and a one-line detail, then the figures worth a glance.
import { z } from 'zod';

export type PartState = 'building' | 'ready' | 'failed' | 'skipped' | 'removed';

export interface PreviewPart {
  name: string;
  state: PartState;
  url?: string;
  /** One line: what it is (v42, wingman_pr_7) or why it failed. */
  detail?: string;
}

const partsShape = z.array(
  z.object({
    name: z.string().min(1),
    state: z.enum(['building', 'ready', 'failed', 'skipped', 'removed']),
    url: z.string().nullish(),
    detail: z.union([z.string(), z.number()]).nullish(),
  }),
);

/** The parts as a workflow writes them (YAML parsed), or a one-line reason they are not. */
export function parsePreviewParts(value: unknown): PreviewPart[] | { error: string } {
  const parsed = partsShape.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { error: `at ${issue.path.join('.') || 'the top'}: ${issue.message}` };
  }
  return parsed.data.map((p) => ({
    name: p.name,
    state: p.state,
    url: p.url || undefined,
    detail: p.detail === null || p.detail === undefined || p.detail === '' ? undefined : String(p.detail),
  }));
}

export const PREVIEW_COMMENT_MARKER = '<!-- wingman-deploy:preview -->';

const ICON: Record<PartState, string> = {
  building: '⏳',
  ready: '✅',
  failed: '❌',
  skipped: '⏭️',
  removed: '🧹',
};

/** "2026-12-05 20:31:07 UTC": the comment's Updated line. */
export function commentTime(now: Date): string {
  return now
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
}

/** The whole stack's state: any part failed, else building, else all removed, else ready. */
export function overallState(parts: PreviewPart[]): PartState {
  const live = parts.filter((p) => p.state !== 'skipped');
  if (live.some((p) => p.state === 'failed')) return 'failed';
  if (live.some((p) => p.state === 'building')) return 'building';
  if (live.length && live.every((p) => p.state === 'removed')) return 'removed';
  return 'ready';
}

const cell = (v: string | undefined) => (v ?? '').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').trim();

export function renderPreviewComment(
  o: { title: string; pr: number; sha?: string; runUrl?: string },
  parts: PreviewPart[],
  details: [string, string][],
  now = new Date(),
): string {
  const state = overallState(parts);
  const headline = {
    ready: 'is ready',
    building: 'is being built',
    failed: 'has a failed part',
    removed: 'was removed (the pull request is closed)',
    skipped: 'is ready',
  }[state];
  const lines = [
    PREVIEW_COMMENT_MARKER,
    `### ${ICON[state]} ${o.title} of #${o.pr} ${headline}`,
    '',
    '| part | state | URL | |',
    '|---|---|---|---|',
    ...parts.map((p) => `| ${cell(p.name)} | ${ICON[p.state]} ${p.state} | ${cell(p.url)} | ${cell(p.detail)} |`),
  ];
  const shown = details.filter(([, v]) => v.trim() !== '');
  if (shown.length) lines.push('', '| | |', '|---|---|', ...shown.map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`));
  const footer = [
    o.sha ? `Commit \`${o.sha.slice(0, 7)}\`` : undefined,
    `updated ${commentTime(now)}`,
    o.runUrl ? `[run](${o.runUrl})` : undefined,
  ].filter(Boolean);
  lines.push('', footer.join(' · '));
  return `${lines.join('\n')}\n`;
}

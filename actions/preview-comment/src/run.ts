import type { ActionContext, Inputs } from '@wingman/action-kit';
import {
  createGitHubClient,
  PREVIEW_COMMENT_MARKER,
  parsePreviewParts,
  readGitHubContext,
  renderPreviewComment,
} from '@wingman/github';
import type { previewCommentInputs } from './inputs';

export async function run(ctx: ActionContext, inputs: Inputs<typeof previewCommentInputs.spec>): Promise<void> {
  const parts = parsePreviewParts(inputs.parts);
  if ('error' in parts)
    throw new Error(
      `input 'parts' must be a list of {name, state, url, detail} with state building, ready, failed, skipped or removed; ${parts.error}`,
    );
  const details = detailRows(inputs.details);
  const gh = readGitHubContext();
  const pr = inputs.pullRequest ?? gh.pullRequest?.number;
  if (!pr)
    throw new Error(
      "input 'pull-request' is required outside a pull_request event: set it to the pull request's number",
    );
  const body = renderPreviewComment({ title: inputs.title, pr, sha: gh.sha, runUrl: gh.runUrl }, parts, details);
  const github = createGitHubClient({ token: inputs.githubToken, apiUrl: gh.apiUrl });
  try {
    const { created, comment } = await github.upsertIssueComment(
      { owner: gh.owner, repo: gh.repo },
      pr,
      PREVIEW_COMMENT_MARKER,
      body,
    );
    ctx.setOutput('comment-url', comment.html_url);
    ctx.log.info(`${created ? 'Commented on' : 'Updated the comment on'} #${pr}: ${comment.html_url}`);
    ctx.summary.text(body.replace(PREVIEW_COMMENT_MARKER, '').trim());
  } finally {
    await github.close();
  }
}

function detailRows(value: unknown): [string, string][] {
  if (value === undefined) return [];
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new Error('input \'details\' must be a JSON object of label to value, e.g. {"smoke P95 ms": "120"}');
  return Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, detailText(v)]);
}

/** A list (or a step output holding a JSON list, as run-migrations' applied-versions) as "a, b". */
function detailText(v: unknown): string {
  if (typeof v === 'string' && v.startsWith('[')) {
    try {
      const list: unknown = JSON.parse(v);
      if (Array.isArray(list)) return list.join(', ');
    } catch {
      // not JSON: shown as it is
    }
  }
  if (Array.isArray(v)) return v.join(', ');
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

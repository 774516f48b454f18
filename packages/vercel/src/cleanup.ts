// mode cleanup, when a pull request closes: remove its preview aliases from Vercel, mark the GitHub
// deployments deploy-vercel created for it inactive (GitHub then shows them as destroyed), and say so in
// the PR comment. Every step is idempotent: a second run finds nothing left and says so in notices.

import {
  commentTime,
  type GitHubClient,
  type GitHubDeployment,
  GitHubPermissionError,
  type IssueComment,
  isPermissionDenied,
  type RepoRef,
} from '@wingman/github';
import { HttpError } from '@wingman/http';
import type { Log } from '@wingman/log';
import type { VercelAlias, VercelApi, VercelProject } from './api';
import { explainVercelError } from './deploy';
import { commentMarker, previewEnvironment } from './preview';

export interface RemoveAliasesOptions {
  api: VercelApi;
  projectId: string;
  /** Rendered hostnames (renderAliases). */
  aliases: string[];
  log: Log;
}

export interface RemoveAliasesResult {
  project: VercelProject;
  removed: { alias: string; deploymentId: string | null }[];
  /** Aliases that did not exist (any more): nothing to do. */
  alreadyGone: string[];
}

const isNotFound = (err: unknown) => err instanceof HttpError && err.status === 404;

/**
 * Removes the aliases with DELETE /v2/aliases/{aliasId}. Each is looked up first and all are checked
 * before any is removed: an alias of another project, or one serving this project's production
 * deployment, is refused (a wrong template must not take production or a neighbour offline).
 */
export async function removeAliases(o: RemoveAliasesOptions): Promise<RemoveAliasesResult> {
  const { api, log } = o;
  let project: VercelProject;
  try {
    project = await api.getProject(o.projectId);
  } catch (err) {
    throw explainVercelError(err, o.projectId, api.teamId);
  }
  const productionId = project.targets?.production?.id;
  const found: VercelAlias[] = [];
  const alreadyGone: string[] = [];
  const refused: string[] = [];
  for (const alias of o.aliases) {
    let a: VercelAlias;
    try {
      a = await api.getAlias(alias);
    } catch (err) {
      if (isNotFound(err)) {
        alreadyGone.push(alias);
        log.notice(`alias ${alias} does not exist${api.teamId ? ` in team ${api.teamId}` : ''}: nothing to remove`);
        continue;
      }
      throw explainVercelError(err, o.projectId, api.teamId);
    }
    if (a.projectId && a.projectId !== project.id) {
      refused.push(`${alias} belongs to project ${a.projectId}, not ${project.name} (${project.id})`);
    } else if (productionId && a.deploymentId === productionId) {
      refused.push(`${alias} serves the production deployment ${productionId} of ${project.name}`);
    } else {
      found.push(a);
    }
  }
  if (refused.length) {
    throw new Error(
      `refusing to remove alias ${refused.join('; ')}: cleanup removes preview aliases of 'project-id' only; check 'aliases'`,
    );
  }
  const removed: RemoveAliasesResult['removed'] = [];
  for (const a of found) {
    try {
      await api.deleteAlias(a.uid || a.alias);
    } catch (err) {
      // Removed between the lookup and now (a concurrent cleanup): the outcome is the same.
      if (isNotFound(err)) {
        alreadyGone.push(a.alias);
        log.notice(`alias ${a.alias} was already removed`);
        continue;
      }
      throw explainVercelError(err, o.projectId, api.teamId);
    }
    removed.push({ alias: a.alias, deploymentId: a.deploymentId });
    log.info(`removed alias ${a.alias}${a.deploymentId ? ` (it pointed at ${a.deploymentId})` : ''}`);
  }
  return { project, removed, alreadyGone };
}

export interface PullRequestCleanupOptions {
  github: GitHubClient;
  repo: RepoRef;
  pr: number;
  projectId: string;
  projectName: string;
  log: Log;
  /** The aliases removed by this run, for the comment. */
  removedAliases: string[];
  now?: Date;
}

export interface PullRequestCleanupResult {
  /** GitHub deployment ids marked inactive by this run. */
  deactivated: number[];
  alreadyInactive: number[];
  commentUpdated: boolean;
  warnings: string[];
}

/** The payload deploy-vercel writes on its GitHub deployments (PullRequestReport.start). */
function payloadOf(d: GitHubDeployment): { vercelProjectId?: unknown; pullRequest?: unknown } {
  let p = d.payload;
  if (typeof p === 'string') {
    try {
      p = JSON.parse(p);
    } catch {
      return {};
    }
  }
  return p && typeof p === 'object' ? (p as { vercelProjectId?: unknown; pullRequest?: unknown }) : {};
}

const removedHeading = (projectName: string) => `### 🧹 Vercel preview of **${projectName}** was removed`;

export function renderRemovedComment(
  o: { projectId: string; projectName: string; pr: number },
  removedAliases: string[],
  now = new Date(),
): string {
  const rows: [string, string][] = removedAliases.map((a) => ['Removed alias', `~~https://${a}~~`]);
  rows.push(['Updated', commentTime(now)]);
  return `${[
    commentMarker(o.projectId),
    removedHeading(o.projectName),
    '',
    `Pull request #${o.pr} was closed: its preview aliases were removed and its GitHub deployments marked inactive.`,
    '',
    '| | |',
    '|---|---|',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
  ].join('\n')}\n`;
}

/**
 * Marks every GitHub deployment this action created for the PR inactive: they share the environment
 * `Preview – <project>` with other PRs' previews and have one `ref` per pushed commit, so they are found
 * by environment and told apart by their payload. Missing permissions are warnings; other errors throw.
 */
export async function cleanUpPullRequest(o: PullRequestCleanupOptions): Promise<PullRequestCleanupResult> {
  const { github, repo, log } = o;
  const environment = previewEnvironment(o.projectName);
  const result: PullRequestCleanupResult = {
    deactivated: [],
    alreadyInactive: [],
    commentUpdated: false,
    warnings: [],
  };
  const warn = (message: string) => {
    result.warnings.push(message);
    log.warning(message);
  };

  try {
    const mine = (await github.listDeployments(repo, { environment })).filter((d) => {
      const p = payloadOf(d);
      return p.pullRequest === o.pr && (p.vercelProjectId === undefined || p.vercelProjectId === o.projectId);
    });
    if (!mine.length) log.notice(`no GitHub deployments of #${o.pr} in environment '${environment}'`);
    for (const d of mine) {
      const latest = await github.latestDeploymentStatus(repo, d.id);
      if (latest?.state === 'inactive') {
        result.alreadyInactive.push(d.id);
        continue;
      }
      await github.createDeploymentStatus(repo, d.id, {
        state: 'inactive',
        description: `Pull request #${o.pr} closed: preview removed`,
        environment,
      });
      result.deactivated.push(d.id);
    }
    if (result.alreadyInactive.length) {
      log.notice(
        `GitHub deployment(s) ${result.alreadyInactive.join(', ')} of #${o.pr} were already inactive: nothing to do`,
      );
    }
    if (result.deactivated.length) {
      log.info(`marked GitHub deployment(s) ${result.deactivated.join(', ')} of #${o.pr} inactive`);
    }
  } catch (err) {
    if (!(err instanceof GitHubPermissionError)) throw err;
    warn(
      `GitHub refused to mark the deployments of #${o.pr} inactive (${err.status} ${err.cause.providerMessage ?? 'Forbidden'}): add \`permissions: deployments: write\` to the job`,
    );
  }

  // The comment is edited, never created: a PR that never had a preview gets no "removed" comment.
  try {
    const marker = commentMarker(o.projectId);
    const existing: IssueComment | undefined = (await github.listIssueComments(repo, o.pr)).find((c) =>
      c.body?.includes(marker),
    );
    if (existing?.body.includes(removedHeading(o.projectName)) && !o.removedAliases.length) {
      log.notice(`the comment on #${o.pr} already says the preview was removed`);
    } else if (existing) {
      await github.updateIssueComment(repo, existing.id, renderRemovedComment(o, o.removedAliases, o.now));
      result.commentUpdated = true;
      log.info(`updated the comment on #${o.pr}: ${existing.html_url}`);
    }
  } catch (err) {
    warn(
      err instanceof GitHubPermissionError
        ? err.message
        : isPermissionDenied(err)
          ? `GitHub refused to read the comments of #${o.pr} (403 ${err.providerMessage ?? 'Forbidden'}): add \`permissions: pull-requests: write\` to the job`
          : `GitHub: could not update the comment on #${o.pr}: ${(err as Error).message}`,
    );
  }
  return result;
}

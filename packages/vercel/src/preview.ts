// The pull-request side of a preview: one comment per project, edited in place (found by a hidden marker),
// and a GitHub Deployment whose statuses go in_progress → success with the preview URL, so GitHub shows
// "View deployment". GitHub problems never fail the deploy: they become warnings that say what to grant.

import { commentTime, type GitHubClient, GitHubPermissionError, type RepoRef } from '@wingman/github';
import type { Log } from '@wingman/log';
import type { VercelDeployment } from './api';
import { https } from './wait';

export interface PullRequestReportOptions {
  github: GitHubClient;
  repo: RepoRef;
  pr: number;
  sha: string;
  projectId: string;
  projectName: string;
  log: Log;
  /** Link to the workflow run, for the in_progress status. */
  runUrl?: string;
  /** False: the GitHub deployment only, no comment (another step writes the PR's one comment). */
  comment?: boolean;
}

export function commentMarker(projectId: string): string {
  return `<!-- wingman-deploy:deploy-vercel:${projectId} -->`;
}

/** The GitHub environment of a project's PR previews: shared by all PRs, told apart by the deployment payload. */
export function previewEnvironment(projectName: string): string {
  return `Preview – ${projectName}`;
}

export function renderComment(
  o: { projectId: string; projectName: string; sha: string },
  d: VercelDeployment | undefined,
  state: { ok: true; aliases: string[]; skipped: boolean } | { ok: false; error: string },
  now = new Date(),
): string {
  const rows: [string, string][] = [];
  if (d) rows.push(['Preview', https(d.url)]);
  if (state.ok) for (const a of state.aliases) rows.push(['Alias', `https://${a}`]);
  if (d?.inspectorUrl) rows.push(['Inspect', d.inspectorUrl]);
  rows.push(['Commit', `\`${o.sha.slice(0, 7)}\``]);
  rows.push(['Updated', commentTime(now)]);
  const head = state.ok
    ? `### ✅ Vercel preview of **${o.projectName}** is ready${state.skipped ? ' (reused the deployment of this commit)' : ''}`
    : `### ❌ Vercel preview of **${o.projectName}** failed`;
  const lines = [
    commentMarker(o.projectId),
    head,
    '',
    '| | |',
    '|---|---|',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
  ];
  if (!state.ok) lines.push('', `> ${state.error.replace(/\n/g, ' ')}`);
  return `${lines.join('\n')}\n`;
}

export class PullRequestReport {
  private deploymentId: number | undefined;
  private deploymentsDenied = false;
  readonly warnings: string[] = [];

  constructor(private readonly o: PullRequestReportOptions) {}

  get environment(): string {
    return previewEnvironment(this.o.projectName);
  }

  private warn(what: string, err: unknown): void {
    const message =
      err instanceof GitHubPermissionError ? err.message : `GitHub: could not ${what}: ${(err as Error).message}`;
    if (this.warnings.includes(message)) return;
    this.warnings.push(message);
    this.o.log.warning(message);
  }

  /** Creates the GitHub deployment and marks it in_progress. */
  async start(): Promise<void> {
    const { github, repo } = this.o;
    try {
      const d = await github.createDeployment(repo, {
        ref: this.o.sha,
        environment: this.environment,
        description: `Vercel preview of ${this.o.projectName}`,
        transientEnvironment: true,
        productionEnvironment: false,
        autoMerge: false,
        requiredContexts: [],
        payload: { vercelProjectId: this.o.projectId, pullRequest: this.o.pr },
      });
      this.deploymentId = d.id;
      await github.createDeploymentStatus(repo, d.id, {
        state: 'in_progress',
        description: 'Deploying to Vercel',
        logUrl: this.o.runUrl,
        environment: this.environment,
      });
    } catch (err) {
      if (err instanceof GitHubPermissionError) this.deploymentsDenied = true;
      this.warn('create the GitHub deployment', err);
    }
  }

  async succeed(d: VercelDeployment, aliases: string[], skipped: boolean): Promise<void> {
    const url = aliases[0] ? `https://${aliases[0]}` : https(d.url);
    await this.status('success', `Preview ready: ${url}`, url, d.inspectorUrl ?? undefined);
    await this.comment(renderComment(this.o, d, { ok: true, aliases, skipped }));
  }

  async fail(error: string, d?: VercelDeployment): Promise<void> {
    await this.status('failure', error, undefined, d?.inspectorUrl ?? this.o.runUrl);
    await this.comment(renderComment(this.o, d, { ok: false, error }));
  }

  private async status(state: 'success' | 'failure', description: string, environmentUrl?: string, logUrl?: string) {
    if (this.deploymentId === undefined || this.deploymentsDenied) return;
    try {
      await this.o.github.createDeploymentStatus(this.o.repo, this.deploymentId, {
        state,
        description,
        environment: this.environment,
        environmentUrl,
        logUrl,
      });
    } catch (err) {
      this.warn(`set the ${state} status of the GitHub deployment`, err);
    }
  }

  private async comment(body: string): Promise<void> {
    if (this.o.comment === false) return;
    try {
      const { created, comment } = await this.o.github.upsertIssueComment(
        this.o.repo,
        this.o.pr,
        commentMarker(this.o.projectId),
        body,
      );
      this.o.log.info(`${created ? 'commented on' : 'updated the comment on'} #${this.o.pr}: ${comment.html_url}`);
    } catch (err) {
      this.warn(`comment on pull request #${this.o.pr}`, err);
    }
  }
}

// deploy mode as a whole: the deployment and, on a pull request, what the pull request is told (a GitHub
// deployment started before the upload, then the outcome as its status and as the preview comment).
import type { GitHubClient, GitHubContext } from '@wingman/github';
import { type DeployOptions, type DeployResult, deploy, type GitInfo } from './deploy';
import { PullRequestReport } from './preview';
import { VercelDeployError } from './wait';

export interface ShipOptions extends Omit<DeployOptions, 'git'> {
  /** The runner's context: the commit Vercel records, and the pull request to report on. */
  context: GitHubContext;
  /** Given on a pull_request event with a github-token: the pull request is told about the deployment. */
  github?: GitHubClient;
  /** Hides secrets in the error the pull-request comment quotes. */
  redact: (text: string) => string;
  /** False: no PR comment of its own (the GitHub deployment is still recorded). */
  comment?: boolean;
}

/** The commit facts Vercel records with a deployment, from the runner's context. */
export function gitInfo(context: GitHubContext): GitInfo {
  return {
    sha: context.sha || undefined,
    branch: context.branch || undefined,
    commitMessage: context.commitMessage,
    owner: context.owner || undefined,
    repo: context.repo || undefined,
    prNumber: context.pullRequest?.number,
    actor: context.actor,
    serverUrl: context.serverUrl,
    repoVisibility: context.repositoryVisibility,
  };
}

async function startReport(o: ShipOptions, github: GitHubClient, pr: number): Promise<PullRequestReport> {
  // The project's name labels the comment and the GitHub environment; deploy() reports a missing project.
  const projectName = await o.api.getProject(o.projectId).then(
    (p) => p.name,
    () => o.projectId,
  );
  const report = new PullRequestReport({
    github,
    repo: { owner: o.context.owner, repo: o.context.repo },
    pr,
    sha: o.context.sha,
    projectId: o.projectId,
    projectName,
    log: o.log,
    runUrl: o.context.runUrl,
    comment: o.comment,
  });
  await o.log.group(`GitHub deployment for #${pr}`, () => report.start());
  return report;
}

/** Deploys; on a pull request, its report never fails the deploy (GitHub problems become warnings). */
export async function ship(o: ShipOptions): Promise<DeployResult> {
  const { context, github, redact, comment: _comment, ...options } = o;
  const pr = context.pullRequest?.number;
  const report = github && pr !== undefined ? await startReport(o, github, pr) : undefined;
  let result: DeployResult;
  try {
    result = await deploy({ ...options, git: gitInfo(context) });
  } catch (err) {
    if (report) {
      const d = err instanceof VercelDeployError ? err.deployment : undefined;
      await o.log.group(`Pull request #${pr}`, () => report.fail(redact((err as Error).message), d));
    }
    throw err;
  }
  if (report) {
    await o.log.group(`Pull request #${pr}`, () =>
      report.succeed(result.deployment, result.assignedAliases, result.skipped),
    );
  }
  return result;
}

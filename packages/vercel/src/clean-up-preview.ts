// cleanup mode as a whole: the preview's aliases come off Vercel first, then the closed pull request's
// GitHub deployments are marked inactive and its comment edited, under the project the aliases belonged to.
import type { GitHubClient, GitHubContext } from '@wingman/github';
import type { Log } from '@wingman/log';
import type { VercelApi } from './api';
import { cleanUpPullRequest, type PullRequestCleanupResult, type RemoveAliasesResult, removeAliases } from './cleanup';

export interface PreviewCleanupOptions {
  api: VercelApi;
  projectId: string;
  /** Rendered hostnames (renderAliases). */
  aliases: string[];
  /** The runner's context: the closed pull request. */
  context: GitHubContext;
  /** Given on a pull_request event with a github-token: the pull request's GitHub side is cleaned up too. */
  github?: GitHubClient;
  log: Log;
  /** Told as soon as the aliases are gone, before GitHub is asked: a GitHub failure after it cannot hide them. */
  onAliasesRemoved?: (removed: RemoveAliasesResult) => void;
}

export interface PreviewCleanupResult {
  aliases: RemoveAliasesResult;
  /** Present when the pull request's GitHub deployments were looked at. */
  github?: PullRequestCleanupResult;
  /** This run removed an alias or marked a GitHub deployment inactive. */
  changed: boolean;
}

export async function cleanUpPreview(o: PreviewCleanupOptions): Promise<PreviewCleanupResult> {
  const { api, log, github } = o;
  const aliases = await log.group(`Remove ${o.aliases.length} alias(es)`, () =>
    removeAliases({ api, projectId: o.projectId, aliases: o.aliases, log }),
  );
  o.onAliasesRemoved?.(aliases);
  const pr = o.context.pullRequest?.number;
  let gitHub: PullRequestCleanupResult | undefined;
  if (github && pr !== undefined) {
    gitHub = await log.group(`GitHub deployments of #${pr}`, () =>
      cleanUpPullRequest({
        github,
        repo: { owner: o.context.owner, repo: o.context.repo },
        pr,
        projectId: o.projectId,
        projectName: aliases.project.name,
        log,
        removedAliases: aliases.removed.map((r) => r.alias),
      }),
    );
  }
  const changed = aliases.removed.length > 0 || (gitHub?.deactivated.length ?? 0) > 0;
  return { aliases, github: gitHub, changed };
}

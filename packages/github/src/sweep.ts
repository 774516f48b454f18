// The daily sweep's one decision, for every kind of preview a pull request holds (a database, a
// review app, Vercel aliases): removed once the pull request is closed, kept while it is open, and
// kept and named when its state cannot be read (a sweep never removes what it is unsure about).
import type { Log } from '@wingman/log';
import type { GitHubClient, RepoRef } from './client';

export interface SweepResult {
  removed: number[];
  kept: number[];
  /** Pull requests whose state could not be read (kept). */
  unknown: number[];
}

export interface SweepOptions {
  /** Whether the pull request is open; a throw keeps its preview. */
  isOpen: (pr: number) => Promise<boolean>;
  /** Removes the closed pull request's preview. */
  remove: (pr: number) => Promise<void>;
  /** What a pull request holds, with its verb, for the warning: "its review app is". */
  what: string;
  log: Log;
  /** Filled as the sweep goes, so a report shows what was done before a removal failed. */
  result?: SweepResult;
}

export async function sweepClosedPullRequests(prs: Iterable<number>, o: SweepOptions): Promise<SweepResult> {
  const result: SweepResult = o.result ?? { removed: [], kept: [], unknown: [] };
  for (const pr of new Set(prs)) {
    let open: boolean;
    try {
      open = await o.isOpen(pr);
    } catch (err) {
      o.log.warning(`could not read pull request #${pr}, ${o.what} kept: ${(err as Error).message}`);
      result.unknown.push(pr);
      continue;
    }
    if (open) {
      result.kept.push(pr);
      continue;
    }
    await o.remove(pr);
    result.removed.push(pr);
  }
  return result;
}

/** isOpen for a sweep, read from GitHub (needs pull-requests: read). */
export const pullRequestIsOpen =
  (github: GitHubClient, repo: RepoRef) =>
  async (pr: number): Promise<boolean> =>
    (await github.getPullRequest(repo, pr)).state === 'open';

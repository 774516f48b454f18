// The commits between two SHAs from GitHub's compare API, for checkouts without history. Written here on
// @wingman/http because @wingman/github was not available yet; it is one GET with paging.
import { createHttpClient, type HttpClientOptions } from '@wingman/http';
import type { SentryCommit } from './api';

export interface GitHubSource {
  /** GITHUB_API_URL, e.g. https://api.github.com. */
  apiUrl: string;
  token?: string;
  /** owner/name */
  repository: string;
  http?: Partial<HttpClientOptions>;
}

interface CompareCommit {
  sha: string;
  commit: { message: string; author?: { name?: string; email?: string; date?: string } | null };
}

interface CompareResponse {
  status: string;
  total_commits: number;
  commits: CompareCommit[];
}

/** Longest range fetched: GitHub's compare returns at most 250 commits without paging anyway. */
const MAX_COMMITS = 250;
const PER_PAGE = 100;

/** Commits in base..head, newest first (the order Sentry takes them: the first is the release's head). */
export async function compareCommits(source: GitHubSource, base: string, head: string): Promise<SentryCommit[]> {
  const client = createHttpClient({
    baseUrl: source.apiUrl,
    token: source.token,
    provider: 'GitHub',
    headers: { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' },
    ...source.http,
  });
  try {
    const commits: CompareCommit[] = [];
    for (let page = 1; commits.length < MAX_COMMITS; page++) {
      const res = await client.get<CompareResponse>(
        `/repos/${source.repository}/compare/${encodeURIComponent(base)}...${encodeURIComponent(head)}`,
        { query: { per_page: PER_PAGE, page } },
      );
      commits.push(...res.commits);
      if (res.commits.length < PER_PAGE || commits.length >= res.total_commits) break;
    }
    return commits
      .slice(-MAX_COMMITS)
      .reverse()
      .map((c) => ({
        id: c.sha,
        repository: source.repository,
        message: c.commit.message,
        author_name: c.commit.author?.name,
        author_email: c.commit.author?.email,
        timestamp: c.commit.author?.date,
      }));
  } finally {
    await client.close();
  }
}

/** A push event's `commits` (oldest first in the payload), newest first. */
export function eventCommits(event: unknown, repository: string): SentryCommit[] {
  const list = (event as { commits?: unknown } | undefined)?.commits;
  if (!Array.isArray(list)) return [];
  return list
    .filter((c): c is Record<string, unknown> => !!c && typeof c === 'object' && typeof c.id === 'string')
    .map((c) => {
      const author = (c.author ?? {}) as { name?: string; email?: string };
      return {
        id: c.id as string,
        repository,
        message: typeof c.message === 'string' ? c.message : undefined,
        author_name: author.name,
        author_email: author.email,
        timestamp: typeof c.timestamp === 'string' ? c.timestamp : undefined,
      };
    })
    .reverse();
}

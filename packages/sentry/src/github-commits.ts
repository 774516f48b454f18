// The commits of a release when the checkout has no history, in the shape Sentry takes: from GitHub's
// compare API (through @wingman/github) or from the push event's payload.
import { createGitHubClient } from '@wingman/github';
import type { HttpClientOptions } from '@wingman/http';
import type { SentryCommit } from './api';

export interface GitHubSource {
  /** GITHUB_API_URL, e.g. https://api.github.com. */
  apiUrl: string;
  token?: string;
  /** owner/name */
  repository: string;
  http?: Partial<HttpClientOptions>;
}

/** Commits in base..head, newest first (the order Sentry takes them: the first is the release's head). */
export async function compareCommits(source: GitHubSource, base: string, head: string): Promise<SentryCommit[]> {
  const [owner = '', repo = ''] = source.repository.split('/');
  const github = createGitHubClient({ ...source.http, apiUrl: source.apiUrl, token: source.token });
  try {
    const commits = await github.compareCommits({ owner, repo }, base, head);
    return commits.reverse().map((c) => ({
      id: c.sha,
      repository: source.repository,
      message: c.commit.message,
      author_name: c.commit.author?.name,
      author_email: c.commit.author?.email,
      timestamp: c.commit.author?.date,
    }));
  } finally {
    await github.close();
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

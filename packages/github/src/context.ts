// What the runner tells an action about the event (env + GITHUB_EVENT_PATH), in one typed object.
import { readFileSync } from 'node:fs';

export interface PullRequestInfo {
  number: number;
  headSha: string;
  headRef: string;
  baseRef?: string;
  /** A pull request from a fork gets a read-only token: comments and deployments will be refused. */
  fromFork: boolean;
}

export interface GitHubContext {
  owner: string;
  repo: string;
  eventName: string;
  /** The commit being deployed: the PR head on pull_request events (GITHUB_SHA is the merge commit there). */
  sha: string;
  /** Branch name: the PR head branch on pull_request events, GITHUB_REF_NAME otherwise. */
  branch: string;
  pullRequest?: PullRequestInfo;
  commitMessage?: string;
  actor?: string;
  serverUrl: string;
  apiUrl: string;
  /** Link to this workflow run, when the run id is known. */
  runUrl?: string;
  repositoryVisibility?: string;
}

/**
 * The context of a step that deploys another commit than the run's own (a workflow given a `ref`): that
 * commit is the one reported; the event's branch and commit message describe the run's commit, so they go.
 * GITHUB_SHA is the run's own too: on pull_request, what actions/checkout gives is that merge commit,
 * and the context keeps the PR head it reports.
 */
export function deploying(
  context: GitHubContext,
  commit: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): GitHubContext {
  if (!commit || commit === context.sha || commit === env.GITHUB_SHA) return context;
  return { ...context, sha: commit, branch: '', commitMessage: undefined };
}

/**
 * The event payload at GITHUB_EVENT_PATH. A missing, unreadable or non-object file gives {}: the environment
 * still has the basics, and a step must not fail over what only enriches its report.
 */
export function readEvent(path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  try {
    const event: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return event && typeof event === 'object' && !Array.isArray(event) ? (event as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

type Env = Record<string, string | undefined>;

const set = (v: string | undefined) => (v?.trim() ? v.trim() : undefined);

/** The run as links: the one place they are built, for every report, message and marker that links back. */
export interface RunLinks {
  /** Without a trailing slash. */
  serverUrl: string;
  /** owner/name */
  repository?: string;
  repositoryUrl?: string;
  runId?: string;
  /** "1" for a first attempt. */
  attempt: string;
  /** This attempt's page: a re-run links to what it did, not to the first attempt. */
  runUrl?: string;
  commitUrl(sha: string | undefined): string | undefined;
}

/** From the runner's environment; `repository` stands in when GITHUB_REPOSITORY is unset (the event's). */
export function runLinks(env: Env = process.env, repository = set(env.GITHUB_REPOSITORY)): RunLinks {
  const serverUrl = (set(env.GITHUB_SERVER_URL) ?? 'https://github.com').replace(/\/+$/, '');
  const repositoryUrl = repository ? `${serverUrl}/${repository}` : undefined;
  const runId = set(env.GITHUB_RUN_ID);
  const attempt = set(env.GITHUB_RUN_ATTEMPT) ?? '1';
  return {
    serverUrl,
    repository,
    repositoryUrl,
    runId,
    attempt,
    runUrl:
      repositoryUrl && runId
        ? `${repositoryUrl}/actions/runs/${runId}${attempt !== '1' ? `/attempts/${attempt}` : ''}`
        : undefined,
    commitUrl: (sha) => (repositoryUrl && sha ? `${repositoryUrl}/commit/${sha}` : undefined),
  };
}

export function readGitHubContext(env: NodeJS.ProcessEnv = process.env): GitHubContext {
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/');
  const event = readEvent(env.GITHUB_EVENT_PATH);
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  const pr = event.pull_request as
    | {
        number?: number;
        head?: { sha?: string; ref?: string; repo?: { full_name?: string } | null };
        base?: { ref?: string; repo?: { full_name?: string } };
      }
    | undefined;
  const pullRequest: PullRequestInfo | undefined =
    pr && typeof pr.number === 'number'
      ? {
          number: pr.number,
          headSha: pr.head?.sha ?? env.GITHUB_SHA ?? '',
          headRef: pr.head?.ref ?? env.GITHUB_HEAD_REF ?? '',
          baseRef: pr.base?.ref,
          fromFork:
            !!pr.head?.repo?.full_name &&
            pr.head.repo.full_name !== (pr.base?.repo?.full_name ?? env.GITHUB_REPOSITORY),
        }
      : undefined;
  const head = event.head_commit as { message?: string } | undefined;
  const links = runLinks(env);
  const repository = event.repository as { visibility?: string; private?: boolean } | undefined;
  return {
    owner,
    repo,
    eventName,
    sha: pullRequest?.headSha || env.GITHUB_SHA || '',
    branch: pullRequest?.headRef || env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME || '',
    pullRequest,
    commitMessage: head?.message,
    actor: env.GITHUB_ACTOR,
    serverUrl: links.serverUrl,
    apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
    runUrl: links.runUrl,
    repositoryVisibility:
      repository?.visibility ??
      (repository?.private === undefined ? undefined : repository.private ? 'private' : 'public'),
  };
}

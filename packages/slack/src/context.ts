// What the message says about the run: repository, commit, actor, links. Read from the runner's
// environment and the event payload (GITHUB_EVENT_PATH), so no GitHub API call is needed.
import { readEvent, runLinks } from '@wingman/github';

export interface RunContext {
  /** owner/name */
  repository?: string;
  /** The repository's name (for the default title). */
  repositoryName?: string;
  serverUrl: string;
  runId?: string;
  runNumber?: string;
  runAttempt?: string;
  workflow?: string;
  runUrl?: string;
  sha?: string;
  commitUrl?: string;
  /** First line of the commit message (push) or the pull request title. */
  commitTitle?: string;
  commitAuthor?: string;
  actor?: string;
  /** Who re-ran the workflow, when not the actor. */
  triggeringActor?: string;
  eventName?: string;
  pullRequest?: { number: number; url?: string };
  /** Git ref name (branch or tag). */
  refName?: string;
}

type Env = Record<string, string | undefined>;

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function firstLine(text: string | undefined): string | undefined {
  return text?.split(/\r?\n/)[0]?.trim() || undefined;
}

/**
 * `commit`: the commit a step deploys when it is not the run's own (a workflow given a ref); the event's
 * commit title and author describe the run's commit, so they go.
 */
export function runContextFrom(env: Env, event: Record<string, unknown>, commit?: string): RunContext {
  const links = runLinks(env, str(env.GITHUB_REPOSITORY) ?? str(obj(event.repository)?.full_name));
  const repository = links.repository;
  const pr = obj(event.pull_request);
  const headCommit = obj(event.head_commit);

  let sha = str(env.GITHUB_SHA);
  let commitTitle: string | undefined;
  let commitAuthor: string | undefined;
  let pullRequest: RunContext['pullRequest'];
  if (pr) {
    // A PR run's GITHUB_SHA is the merge commit; the head is what the author pushed.
    sha = str(obj(pr.head)?.sha) ?? sha;
    commitTitle = firstLine(str(pr.title));
    commitAuthor = str(obj(pr.user)?.login);
    const number = typeof pr.number === 'number' ? pr.number : typeof event.number === 'number' ? event.number : 0;
    pullRequest = { number, url: str(pr.html_url) };
  } else if (headCommit) {
    const author = obj(headCommit.author);
    sha = sha ?? str(headCommit.id);
    commitTitle = firstLine(str(headCommit.message));
    commitAuthor = str(author?.name) ?? str(author?.username);
  } else {
    // workflow_run carries the triggering run's head commit.
    const wrCommit = obj(obj(event.workflow_run)?.head_commit);
    if (wrCommit) {
      commitTitle = firstLine(str(wrCommit.message));
      commitAuthor = str(obj(wrCommit.author)?.name);
    }
  }
  // GITHUB_SHA is the run's own commit too (on pull_request, the merge commit actions/checkout gives).
  if (commit && commit !== sha && commit !== str(env.GITHUB_SHA)) {
    sha = commit;
    if (!pr) commitTitle = commitAuthor = undefined;
  }

  const actor = str(env.GITHUB_ACTOR);
  const triggering = str(env.GITHUB_TRIGGERING_ACTOR);
  return {
    repository,
    repositoryName: repository?.split('/')[1] ?? str(obj(event.repository)?.name),
    serverUrl: links.serverUrl,
    runId: links.runId,
    runNumber: str(env.GITHUB_RUN_NUMBER),
    runAttempt: str(env.GITHUB_RUN_ATTEMPT),
    workflow: str(env.GITHUB_WORKFLOW),
    runUrl: links.runUrl,
    sha,
    commitUrl: links.commitUrl(sha),
    commitTitle,
    commitAuthor,
    actor,
    triggeringActor: triggering && triggering !== actor ? triggering : undefined,
    eventName: str(env.GITHUB_EVENT_NAME),
    pullRequest,
    refName: str(env.GITHUB_REF_NAME),
  };
}

/** The context of the current step: process.env and its event payload. */
export function currentRunContext(env: Env = process.env, commit?: string): RunContext {
  return runContextFrom(env, readEvent(env.GITHUB_EVENT_PATH), commit);
}

// When the deploy started, for the DORA deployment's started_at. GitHub gives a job no environment variable
// for the run's start, so the default is the run attempt's run_started_at from the GitHub API (a re-run is a
// new attempt and a new deploy). Without it (no token, or a private repository's token without
// `actions: read`), this step's own start, with a notice.
import type { ActionContext } from '@wingman/action-kit';
import { createGitHubClient } from '@wingman/github';
import { parseInstant } from '@wingman/time';

export interface StartedAtOptions {
  /** The started-at input. */
  given?: string;
  githubToken?: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
}

export function parseStartedAtInput(value: string): Date {
  const at = parseInstant(value);
  if (!at)
    throw new Error(
      `input 'started-at' must be an ISO 8601 time or epoch seconds, got "${value}"; or leave it empty for the run's start`,
    );
  return at;
}

export async function resolveStartedAt(ctx: ActionContext, o: StartedAtOptions): Promise<Date> {
  if (o.given) return parseStartedAtInput(o.given);
  const [owner, repo] = (o.env.GITHUB_REPOSITORY ?? '').split('/');
  const runId = o.env.GITHUB_RUN_ID;
  const stepStart = new Date(Math.round(performance.timeOrigin));
  if (!owner || !repo || !runId || !o.githubToken) {
    ctx.log.notice(
      "started-at: this step's start (no workflow run to ask GitHub about); set started-at for the deploy's",
    );
    return stepStart;
  }
  const gh = createGitHubClient({ token: o.githubToken, apiUrl: o.env.GITHUB_API_URL, signal: o.signal, retries: 1 });
  try {
    const attempt = await gh.getWorkflowRunAttempt({ owner, repo }, runId, o.env.GITHUB_RUN_ATTEMPT ?? '1');
    const at = parseInstant(attempt.run_started_at ?? '');
    if (at) return at;
    throw new Error(`the run has no run_started_at (got ${JSON.stringify(attempt.run_started_at)})`);
  } catch (err) {
    ctx.log.notice(
      `started-at: this step's start, since the run's start could not be read (${err instanceof Error ? err.message : err}); set started-at, or give the job 'permissions: actions: read'`,
    );
    return stepStart;
  } finally {
    await gh.close();
  }
}

// Errors a user reads: one line naming the Sentry step (or input), what Sentry said, what to do.

export type SentryStep = 'new' | 'set-commits' | 'sourcemaps inject' | 'sourcemaps upload' | 'deploy' | 'finalize';

export class SentryReleaseError extends Error {
  override name = 'SentryReleaseError';
  constructor(
    message: string,
    /** The step that failed; undefined for a problem with the inputs found before any step ran. */
    readonly step?: SentryStep,
    /** HTTP status Sentry answered with, when known. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** A hint for the statuses a user can act on. */
export function hintFor(status: number | undefined): string {
  if (status === 401) return 'check the auth-token input: it must be a valid Sentry auth token (not a DSN)';
  if (status === 403)
    return 'the auth-token lacks access: it needs the project:releases (or project:write) scope for this org';
  if (status === 404) return 'check the org and projects inputs (slugs, not display names) and the url input';
  if (status !== undefined && status >= 500) return 'Sentry is failing; re-run the job later';
  return 'fix the cause above and re-run; the action is safe to re-run';
}

// GitHub's error bodies and the permission failures an action should warn about rather than fail on.
import { type ErrorParser, HttpError, RateLimitError } from '@wingman/http';

/**
 * GitHub answers `{message, documentation_url, errors: [{resource, field, code, message}], status}`.
 * The first validation error is appended so "Validation Failed" says what failed.
 */
export const githubErrorParser: ErrorParser = (_status, body) => {
  if (typeof body === 'string') return { message: body.split('\n')[0]?.trim() || undefined };
  if (!body || typeof body !== 'object') return undefined;
  const b = body as { message?: unknown; errors?: unknown };
  let message = typeof b.message === 'string' ? b.message : undefined;
  if (Array.isArray(b.errors) && b.errors.length > 0) {
    const first = b.errors[0] as string | { message?: string; field?: string; code?: string; resource?: string };
    const detail =
      typeof first === 'string'
        ? first
        : (first.message ?? [first.resource, first.field, first.code].filter(Boolean).join(' '));
    if (detail) message = message ? `${message}: ${detail}` : detail;
  }
  return { message };
};

/**
 * The token lacks a permission (403 "Resource not accessible by integration", or 404 on a private
 * resource the token cannot see). Callers that do optional work (a PR comment) warn on this.
 */
export class GitHubPermissionError extends Error {
  override name = 'GitHubPermissionError';
  constructor(
    message: string,
    readonly status: number,
    override readonly cause: HttpError,
  ) {
    super(message);
  }
}

/** True for a 403 that is a missing permission (not a rate limit). */
export function isPermissionDenied(err: unknown): err is HttpError {
  return err instanceof HttpError && !(err instanceof RateLimitError) && err.status === 403;
}

/**
 * Re-throws a permission failure as GitHubPermissionError naming the permission the workflow needs,
 * anything else unchanged.
 */
export function explainPermission(err: unknown, what: string, permission: string): never {
  if (isPermissionDenied(err)) {
    throw new GitHubPermissionError(
      `GitHub refused to ${what} (403 ${err.providerMessage ?? 'Forbidden'}): add \`permissions: ${permission}\` to the job, ` +
        'or run on a pull request from this repository (forks get a read-only token)',
      403,
      err,
    );
  }
  throw err;
}

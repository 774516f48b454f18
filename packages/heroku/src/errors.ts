// What a user reads when Heroku says no: one line naming the app or resource, Heroku's own {id, message},
// and what to do. The HTTP client's typed errors carry status, id (code) and message; this maps them.
import { HttpError, RateLimitError, RequestError, TimeoutError } from '@wingman/http';

export class HerokuError extends Error {
  override name = 'HerokuError';
  constructor(
    message: string,
    /** Heroku's error id (unauthorized, two_factor, not_found, invalid_params …) or our own reason. */
    readonly id?: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

function said(err: HttpError): string {
  return `${err.status} ${err.code ?? 'error'}${err.providerMessage ? `: ${err.providerMessage}` : ''}`;
}

/** Turns a failed Platform API call into a HerokuError; `what` names the call ("create a build of app x"). */
export function translateError(err: unknown, what: string, app: string): Error {
  if (err instanceof HerokuError) return err;
  if (!(err instanceof RequestError)) return err instanceof Error ? err : new Error(String(err));
  if (!(err instanceof HttpError)) {
    // NetworkError or TimeoutError: the client's message already says which host and what to check.
    const stopped = err instanceof TimeoutError && err.code === 'DEADLINE';
    return new HerokuError(
      `${stopped ? 'Heroku API did not answer' : 'Heroku API unreachable'} while trying to ${what}: ${err.message}`,
      'network',
    );
  }
  const id = err.code;
  // Not Heroku answering: the client's message names the URL and the input to check.
  if (id === 'not_the_api') return new HerokuError(`could not ${what}: ${err.message}`, id, err.status);
  if (err.status === 401) {
    return new HerokuError(
      `Heroku API key invalid or expired (${said(err)}) while trying to ${what}; create a long-lived key with \`heroku authorizations:create\` and store it in the api-key secret`,
      id,
      401,
    );
  }
  if (err.status === 403 && id === 'two_factor') {
    return new HerokuError(
      `Heroku requires a second factor to ${what} (${said(err)}); use an authorization token from \`heroku authorizations:create\`, which is pre-authorized, instead of a session API key`,
      id,
      403,
    );
  }
  if (err.status === 403) {
    return new HerokuError(
      `Heroku refused to ${what} (${said(err)}); give the API key's account deploy access to app '${app}'`,
      id,
      403,
    );
  }
  if (err.status === 404 && (err.body as { resource?: string } | undefined)?.resource === 'app') {
    return new HerokuError(
      `Heroku app '${app}' not found (${said(err)}); check the app input (name or id) and that the API key's account can see it — this action never creates apps`,
      id,
      404,
    );
  }
  if (err instanceof RateLimitError) {
    return new HerokuError(
      `Heroku API rate limit reached while trying to ${what} (${said(err)}); the account's 4500 request tokens refill at about 75 a minute: retry in a few minutes`,
      id,
      429,
    );
  }
  return new HerokuError(`Heroku refused to ${what} (${said(err)})`, id, err.status);
}

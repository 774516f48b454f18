// Typed errors of the HTTP client. Every string stored here was redacted before construction, so
// message, stack, JSON.stringify(err) and util.inspect(err) never show a credential.
import { STATUS_CODES } from 'node:http';

interface RequestErrorInit {
  provider?: string;
  method: string;
  /** Path (with query) relative to the base URL, already redacted. */
  path: string;
  attempts: number;
}

/** Base of every error the client throws. */
export class RequestError extends Error {
  readonly provider: string | undefined;
  readonly method: string;
  readonly path: string;
  /** How many times the request was sent (1 = no retry). */
  readonly attempts: number;

  constructor(message: string, init: RequestErrorInit) {
    super(message);
    this.name = new.target.name;
    this.provider = init.provider;
    this.method = init.method;
    this.path = init.path;
    this.attempts = init.attempts;
  }

  toJSON(): Record<string, unknown> {
    // Own enumerable fields only: no cause, no stack, nothing that was not redacted.
    return { name: this.name, message: this.message, ...Object.fromEntries(Object.entries(this)) };
  }
}

export interface HttpErrorInit extends RequestErrorInit {
  status: number;
  /** Provider error code, e.g. Heroku `id`, Vercel `error.code`, Slack `error`. */
  code?: string;
  /** Provider error message, e.g. Heroku `message`, Sentry `detail`. */
  providerMessage?: string;
  requestId?: string;
  /** The response body (parsed JSON or text), redacted. */
  body?: unknown;
  /** Extra sentence telling the user what to do. */
  hint?: string;
}

function label(provider: string | undefined): string {
  return provider ? `${provider} API` : 'HTTP';
}

function attemptsText(attempts: number): string {
  return attempts > 1 ? ` after ${attempts} attempts` : '';
}

/** The server answered with a status the caller did not expect. */
export class HttpError extends RequestError {
  readonly status: number;
  readonly code: string | undefined;
  readonly providerMessage: string | undefined;
  readonly requestId: string | undefined;
  readonly body: unknown;

  constructor(init: HttpErrorInit) {
    const what = init.code ?? STATUS_CODES[init.status] ?? 'error';
    const message =
      init.code === 'not_the_api'
        ? // Not an API error at all: the answer came from something else (a wrong base URL).
          `${label(init.provider)} ${init.method} ${init.path} ${init.providerMessage}: ${init.hint}`
        : `${label(init.provider)} ${init.method} ${init.path} failed: ${init.status} ${what}` +
          (init.providerMessage ? ` — ${init.providerMessage}` : '') +
          attemptsText(init.attempts) +
          (init.requestId ? ` (request id ${init.requestId})` : '') +
          (init.hint ? `; ${init.hint}` : '');
    super(message, init);
    this.status = init.status;
    this.code = init.code;
    this.providerMessage = init.providerMessage;
    this.requestId = init.requestId;
    this.body = init.body;
  }
}

export interface RateLimitErrorInit extends HttpErrorInit {
  /** How long the server asked to wait, when it said so. */
  retryAfterMs?: number;
}

/** The server rate-limited the request and retrying was not possible within the limits. */
export class RateLimitError extends HttpError {
  readonly retryAfterMs: number | undefined;

  constructor(init: RateLimitErrorInit) {
    super(init);
    this.retryAfterMs = init.retryAfterMs;
  }
}

export interface TimeoutErrorInit extends RequestErrorInit {
  timeoutMs: number;
  /** Replaces the default message (the step's deadline says which input to raise). */
  message?: string;
  /** undici code: UND_ERR_HEADERS_TIMEOUT, UND_ERR_BODY_TIMEOUT or UND_ERR_CONNECT_TIMEOUT. */
  code: string;
  origin: string;
}

/** No (complete) answer within the per-request timeout. */
export class TimeoutError extends RequestError {
  readonly timeoutMs: number;
  readonly code: string;

  constructor(init: TimeoutErrorInit) {
    super(
      init.message ??
        `${label(init.provider)} ${init.method} ${init.path} timed out: no response within ${init.timeoutMs} ms` +
          `${attemptsText(init.attempts)}; check that ${init.origin} is reachable or raise the timeout`,
      init,
    );
    this.timeoutMs = init.timeoutMs;
    this.code = init.code;
  }
}

export interface NetworkErrorInit extends RequestErrorInit {
  /** System or undici code: ECONNRESET, ECONNREFUSED, UND_ERR_SOCKET, … */
  code: string;
  /** The underlying error's message, redacted. */
  detail: string;
  origin: string;
}

/** The connection failed or broke before a complete response arrived. */
export class NetworkError extends RequestError {
  readonly code: string;
  readonly detail: string;

  constructor(init: NetworkErrorInit) {
    super(
      `${label(init.provider)} ${init.method} ${init.path} failed: network error ${init.code} (${init.detail})` +
        `${attemptsText(init.attempts)}; check that ${init.origin} is reachable`,
      init,
    );
    this.code = init.code;
    this.detail = init.detail;
  }
}

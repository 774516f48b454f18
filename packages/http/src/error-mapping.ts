// A failed request turned into the package's typed errors. Pure: everything, the clock included, comes in
// as arguments, and every string is redacted before it reaches an error, so no message, stack or JSON
// ever shows a credential.
import { type Redactor, redactValue } from '@wingman/log';
import { DeadlineExceeded } from '@wingman/time';
import { defaultErrorParser, type ErrorParser, type ProviderError } from './error-parser';
import { HttpError, NetworkError, RateLimitError, type RequestError, TimeoutError } from './errors';
import type { AnswerProblem } from './response-body';
import { type HeaderMap, header, isRateLimited, serverRequestedDelayMs } from './retry-policy';

/** The request an error is about, as its message shows it. */
export interface FailedRequest {
  readonly provider: string | undefined;
  readonly method: string;
  /** Path with query, already redacted. */
  readonly path: string;
  readonly attempts: number;
  /** The client's origin as configured; redacted when shown. */
  readonly origin: string;
  /** The client's secrets plus this request's own Authorization. */
  readonly redact: Redactor;
}

/** The client settings that shape error messages. */
export interface ErrorSettings {
  readonly errorParser: ErrorParser;
  /** Lower-case response headers holding a request id, first match wins. */
  readonly requestIdHeaders: readonly string[];
  readonly maxRetryAfterMs: number;
  /** The base URL without its trailing slash, as "does not look like the API" names it. */
  readonly apiHref: string;
  /** The input that set the base URL, named in the same messages. */
  readonly baseUrlInput: string;
}

/** What the server answered, body read in full. */
export interface Answer {
  readonly status: number;
  readonly headers: HeaderMap;
  readonly raw: Buffer;
}

/** An answer with a status the caller did not expect. */
export interface FailedAnswer extends Answer {
  /** Set when the server asked to wait longer than maxRetryAfterMs, so the request was not retried. */
  readonly overCapMs: number | undefined;
}

const TIMEOUT_CODES = ['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT'];
const MAX_MESSAGE_LENGTH = 300;

/** One line of at most MAX_MESSAGE_LENGTH characters: a provider's message may be a whole HTML page. */
export function truncate(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_MESSAGE_LENGTH ? `${oneLine.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : oneLine;
}

export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function requestIdOf(headers: HeaderMap, names: readonly string[], redact: Redactor): string | undefined {
  for (const h of names) {
    const v = header(headers, h);
    if (v) return redact(v);
  }
  return undefined;
}

/** The body as the provider sent it: JSON when it parses, else the text, undefined when empty. */
function errorBody(raw: Buffer): unknown {
  const text = raw.toString('utf8');
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A provider's parser that throws must not hide the HTTP error: the default parser reads the body instead. */
function providerError(parser: ErrorParser, status: number, body: unknown): ProviderError | undefined {
  try {
    return parser(status, body);
  } catch {
    return defaultErrorParser(status, body);
  }
}

/** An unexpected status: RateLimitError for a rate limit, else HttpError with a hint for 401, 403 and waits over the cap. */
export function responseError(req: FailedRequest, res: FailedAnswer, settings: ErrorSettings, now: number): HttpError {
  const { status, headers, overCapMs } = res;
  const { redact } = req;
  const body = errorBody(res.raw);
  const parsed = providerError(settings.errorParser, status, body);
  const init = {
    provider: req.provider,
    method: req.method,
    path: req.path,
    attempts: req.attempts,
    status,
    code: parsed?.code ? truncate(redact(parsed.code)) : undefined,
    providerMessage: parsed?.message ? truncate(redact(parsed.message)) : undefined,
    requestId: requestIdOf(headers, settings.requestIdHeaders, redact),
    body: redactValue(body, redact),
  };
  const name = req.provider ? `${req.provider} ` : '';
  const rateLimited = isRateLimited(status, headers);
  if (rateLimited || overCapMs !== undefined) {
    const retryAfterMs = overCapMs ?? serverRequestedDelayMs(status, headers, now);
    const wait = retryAfterMs !== undefined ? `${Math.ceil(retryAfterMs / 1000)} s` : undefined;
    const hint =
      overCapMs !== undefined
        ? `the API asked to wait ${wait}, longer than the ${Math.ceil(settings.maxRetryAfterMs / 1000)} s this client waits (maxRetryAfterMs): retry later`
        : `rate limited${wait ? `, the API asked to wait ${wait}` : ''}: retry later or make fewer ${name}API calls`;
    return rateLimited ? new RateLimitError({ ...init, retryAfterMs, hint }) : new HttpError({ ...init, hint });
  }
  let hint: string | undefined;
  if (status === 401) hint = `check that the ${name}API token is valid and not expired`;
  else if (status === 403) hint = `check that the ${name}API token has access to this resource`;
  return new HttpError({ ...init, hint });
}

/** No (complete) answer: TimeoutError for undici's timeouts, NetworkError for the rest. */
export function transportError(err: unknown, req: FailedRequest, perAttemptTimeoutMs: number): RequestError {
  if (err instanceof HttpError) return err;
  const code = errorCode(err) ?? 'UNKNOWN';
  const { provider, method, path, attempts } = req;
  const origin = req.redact(req.origin);
  if (TIMEOUT_CODES.includes(code)) {
    return new TimeoutError({ provider, method, path, attempts, timeoutMs: perAttemptTimeoutMs, code, origin });
  }
  const detail = truncate(req.redact(errorMessage(err))) ?? code;
  return new NetworkError({ provider, method, path, attempts, code, detail, origin });
}

/**
 * The step's deadline fired (`fired` is the aborted signal, if any): one line that names the input to raise.
 * Undefined when the failure had nothing to do with it.
 */
export function deadlineError(
  err: unknown,
  fired: { readonly reason: unknown } | undefined,
  req: FailedRequest,
): TimeoutError | undefined {
  const reason = fired?.reason ?? err;
  if (!fired && !(err instanceof DeadlineExceeded)) return undefined;
  const d = reason instanceof DeadlineExceeded ? reason : undefined;
  const { provider, method, path, attempts } = req;
  const origin = req.redact(req.origin);
  return new TimeoutError({
    provider,
    method,
    path,
    attempts,
    timeoutMs: d?.ms ?? 0,
    code: 'DEADLINE',
    origin,
    message: d
      ? `${provider ? `${provider} API` : 'HTTP'} ${method} ${path} stopped: ${d.message} with no answer from ${origin}${attempts > 1 ? ` after ${attempts} attempts` : ''}; raise '${d.input}' or check that the API answers`
      : undefined,
  });
}

/** The request's own deadlineMs ran out (retries and body included). */
export function requestDeadlineError(req: FailedRequest, deadlineMs: number): TimeoutError {
  const { provider, method, path, attempts } = req;
  const origin = req.redact(req.origin);
  return new TimeoutError({ provider, method, path, attempts, timeoutMs: deadlineMs, code: 'DEADLINE', origin });
}

/**
 * Why a request got no answer, checked in this order: the step's deadline (`fired`), the request's deadlineMs
 * (`deadlineMs` is passed only when it ran out), then the connection itself.
 */
export function unansweredError(
  err: unknown,
  req: FailedRequest,
  fired: { readonly reason: unknown } | undefined,
  deadlineMs: number | undefined,
  perAttemptTimeoutMs: number,
): RequestError {
  const stopped = deadlineError(err, fired, req);
  if (stopped) return stopped;
  if (deadlineMs !== undefined) return requestDeadlineError(req, deadlineMs);
  return transportError(err, req, perAttemptTimeoutMs);
}

/** A 2xx answer that cannot be the API's: a body that is not JSON, or one from something else (a wrong base URL). */
export function answerError(
  req: FailedRequest,
  res: Answer,
  problem: AnswerProblem,
  settings: ErrorSettings,
): HttpError {
  const { redact } = req;
  const init = {
    provider: req.provider,
    method: req.method,
    path: req.path,
    attempts: req.attempts,
    status: res.status,
    requestId: requestIdOf(res.headers, settings.requestIdHeaders, redact),
  };
  if (problem.problem === 'invalid_json') {
    return new HttpError({
      ...init,
      code: 'invalid_json',
      providerMessage: truncate(redact(`response is not valid JSON: ${res.raw.toString('utf8')}`)),
      hint: 'the API answered with an unexpected body; check baseUrl',
    });
  }
  return new HttpError({
    ...init,
    code: 'not_the_api',
    providerMessage: problem.what,
    hint: `this does not look like the ${req.provider ?? 'expected'} API at ${redact(settings.apiHref)}: check '${settings.baseUrlInput}'`,
  });
}

// Whether a failed attempt is tried again, and after how long. Pure: the clock and the jitter source come
// in as arguments, so every branch can be tested without a server or a timer.
import { errorCode } from './error-mapping';
import { HttpError, NetworkError, TimeoutError } from './errors';
import {
  backoffDelayMs,
  type HeaderMap,
  IDEMPOTENT_METHODS,
  isRateLimited,
  isRetryableError,
  isRetryableStatus,
  serverRequestedDelayMs,
} from './retry-policy';

/** A failed attempt as undici's retry handler reports it: a failed answer's status and headers, or an error code. */
export interface AttemptFailure {
  readonly status: number | undefined;
  readonly headers: HeaderMap | undefined;
  /** 'UND_ERR_REQ_RETRY' for a failed answer, else the system or undici code (ECONNRESET, …). */
  readonly code: string | undefined;
}

/** What the request allows. */
export interface RetryAllowance {
  readonly idempotent: boolean;
  /** The response headers arrived: a body that breaks after them is not resumed (undici would send a Range request). */
  readonly responseStarted: boolean;
  /** Retries after the first attempt. */
  readonly maxRetries: number;
}

export interface BackoffLimits {
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  /** Longest server-requested wait the client sleeps through. */
  readonly maxRetryAfterMs: number;
}

/** Retry after delayMs, or give up; overCapMs: the server asked to wait longer than maxRetryAfterMs. */
export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number }
  | { readonly retry: false; readonly overCapMs?: number };

const GIVE_UP: RetryDecision = { retry: false };

export function attemptFailure(err: Error): AttemptFailure {
  return {
    status: (err as { statusCode?: number }).statusCode,
    headers: (err as { headers?: HeaderMap }).headers,
    code: errorCode(err),
  };
}

/** "503" / "ECONNRESET", as RetryInfo.reason shows it. */
export function retryReason(failure: AttemptFailure): string {
  return String(failure.status ?? failure.code);
}

/** GET, PUT, DELETE … by their nature; POST and PATCH only when the caller says so or sends an Idempotency-Key. */
export function isIdempotent(
  method: string,
  declared: boolean | undefined,
  idempotencyKey: string | undefined,
): boolean {
  return declared ?? (IDEMPOTENT_METHODS.includes(method) || idempotencyKey !== undefined);
}

/**
 * The decision for attempt number `attempt` (counting from 1) that just failed. A server-requested wait
 * (Retry-After, rate-limit reset) is honoured as given, or the request fails when it exceeds maxRetryAfterMs;
 * otherwise the wait is an exponential backoff with full jitter from `random`.
 */
export function decideRetry(
  failure: AttemptFailure,
  attempt: number,
  allowance: RetryAllowance,
  limits: BackoffLimits,
  now: number,
  random: () => number,
): RetryDecision {
  const { status, headers, code } = failure;
  if (allowance.responseStarted || attempt > allowance.maxRetries) return GIVE_UP;
  const retryable =
    status !== undefined && code === 'UND_ERR_REQ_RETRY'
      ? // A rate limit means the server did not act on the request, so even a POST may be repeated.
        isRetryableStatus(status, headers) && (allowance.idempotent || isRateLimited(status, headers))
      : isRetryableError(code, allowance.idempotent);
  if (!retryable) return GIVE_UP;
  const requested = status !== undefined ? serverRequestedDelayMs(status, headers, now) : undefined;
  if (requested === undefined) {
    return { retry: true, delayMs: backoffDelayMs(attempt, limits.minDelayMs, limits.maxDelayMs, random) };
  }
  if (requested > limits.maxRetryAfterMs) return { retry: false, overCapMs: requested };
  return { retry: true, delayMs: requested };
}

/**
 * The wait before retrying a streamed-body request whose attempt `attempt` threw `err`, or undefined to
 * give up. Decided on the typed error alone (its headers are gone): always a backoff, and only a 429
 * counts as a rate limit that a non-idempotent request may repeat.
 */
export function streamRetryDelay(
  err: unknown,
  attempt: number,
  idempotent: boolean,
  maxRetries: number,
  limits: BackoffLimits,
  random: () => number,
): number | undefined {
  const retryable =
    err instanceof HttpError
      ? isRetryableStatus(err.status, undefined) && (idempotent || err.status === 429)
      : err instanceof NetworkError || err instanceof TimeoutError
        ? isRetryableError(err.code, idempotent)
        : false;
  if (!retryable || attempt > maxRetries) return undefined;
  return backoffDelayMs(attempt, limits.minDelayMs, limits.maxDelayMs, random);
}

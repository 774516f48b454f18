// Pure retry decisions: which failures are worth another try and how long to wait before it.

export type HeaderMap = Record<string, string | string[] | undefined>;

export const IDEMPOTENT_METHODS = ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE'];

/** Errors where the request may not have reached the server or the answer was lost: worth a retry. */
export const RETRYABLE_ERROR_CODES = [
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET', // "other side closed" / socket hang up
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
];

/** Errors that prove nothing was sent, so even a non-idempotent request can be repeated safely. */
const NOT_SENT_ERROR_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'];

export function header(headers: HeaderMap | undefined, name: string): string | undefined {
  const v = headers?.[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** 429, or GitHub's primary-limit form: 403 with X-RateLimit-Remaining: 0. */
export function isRateLimited(status: number, headers: HeaderMap | undefined): boolean {
  if (status === 429) return true;
  return status === 403 && header(headers, 'x-ratelimit-remaining') === '0';
}

/** 501 and 505 say the server will never do this; the other 5xx are usually transient. */
export function isRetryableStatus(status: number, headers: HeaderMap | undefined): boolean {
  if (status === 408 || isRateLimited(status, headers)) return true;
  return status >= 500 && status <= 599 && status !== 501 && status !== 505;
}

export function isRetryableError(code: string | undefined, idempotent: boolean): boolean {
  if (!code) return false;
  return idempotent ? RETRYABLE_ERROR_CODES.includes(code) : NOT_SENT_ERROR_CODES.includes(code);
}

function parseSeconds(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value.trim());
  return Number.isFinite(n) ? n : undefined;
}

/** `reset=N` from the structured IETF `RateLimit` header (`limit=100, remaining=0, reset=30`). */
function structuredReset(value: string | undefined): number | undefined {
  const m = value ? /(?:^|[,;\s])reset=(\d+(?:\.\d+)?)/i.exec(value) : null;
  return m ? Number(m[1]) : undefined;
}

/** A reset instant in epoch ms or s, or (small numbers) a delta in seconds: turned into ms from now. */
function resetToDelay(value: number, now: number): number {
  if (value > 1e12) return value - now; // epoch milliseconds
  if (value > 1e9) return value * 1000 - now; // epoch seconds (GitHub, Vercel, Sentry)
  return value * 1000; // delta seconds
}

/**
 * How long the server asked the client to wait, in ms, or undefined when it did not say.
 * Retry-After (seconds or HTTP-date) counts for any status; the rate-limit reset headers only when the
 * response is a rate limit, since many APIs send X-RateLimit-Reset on every response.
 */
export function serverRequestedDelayMs(
  status: number,
  headers: HeaderMap | undefined,
  now: number,
): number | undefined {
  const retryAfter = header(headers, 'retry-after');
  if (retryAfter !== undefined) {
    const seconds = parseSeconds(retryAfter);
    if (seconds !== undefined) return Math.max(0, seconds * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  if (!isRateLimited(status, headers)) return undefined;
  const delta = parseSeconds(header(headers, 'ratelimit-reset')) ?? structuredReset(header(headers, 'ratelimit'));
  if (delta !== undefined) return Math.max(0, delta * 1000);
  const reset =
    parseSeconds(header(headers, 'x-ratelimit-reset')) ?? parseSeconds(header(headers, 'x-sentry-rate-limit-reset'));
  if (reset !== undefined) return Math.max(0, resetToDelay(reset, now));
  return undefined;
}

/** Exponential backoff with full jitter: uniform in [0, min(max, min * 2^(retry-1))]. retry counts from 1. */
export function backoffDelayMs(retry: number, minDelayMs: number, maxDelayMs: number, random: () => number): number {
  const ceiling = Math.min(maxDelayMs, minDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(random() * ceiling);
}

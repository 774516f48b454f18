// The retry decisions on their own: no server, no timer; the clock and the jitter are arguments.
import { describe, expect, it } from '@jest/globals';
import { HttpError, NetworkError, TimeoutError } from '../src/errors';
import {
  type AttemptFailure,
  attemptFailure,
  type BackoffLimits,
  decideRetry,
  isIdempotent,
  type RetryAllowance,
  retryReason,
  streamRetryDelay,
} from '../src/retry-decision';

const NOW = Date.UTC(2026, 0, 1, 0, 0, 0);
const LIMITS: BackoffLimits = { minDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 60_000 };
const half = () => 0.5;
const GET: RetryAllowance = { idempotent: true, responseStarted: false, maxRetries: 4 };
const POST: RetryAllowance = { idempotent: false, responseStarted: false, maxRetries: 4 };

/** A failed answer as undici's retry handler reports it. */
const answered = (status: number, headers: Record<string, string> = {}): AttemptFailure => ({
  status,
  headers,
  code: 'UND_ERR_REQ_RETRY',
});
const broken = (code: string): AttemptFailure => ({ status: undefined, headers: undefined, code });

describe('decideRetry', () => {
  it('retries a transient 5xx of a GET after a jittered exponential backoff', () => {
    expect(decideRetry(answered(503), 1, GET, LIMITS, NOW, half)).toEqual({ retry: true, delayMs: 50 });
    expect(decideRetry(answered(500), 3, GET, LIMITS, NOW, half)).toEqual({ retry: true, delayMs: 200 });
    expect(decideRetry(answered(502), 4, GET, LIMITS, NOW, () => 1)).toEqual({ retry: true, delayMs: 800 });
  });

  it('does not retry 501, 505 or client errors', () => {
    for (const status of [400, 401, 403, 404, 409, 422, 501, 505]) {
      expect(decideRetry(answered(status), 1, GET, LIMITS, NOW, half)).toEqual({ retry: false });
    }
  });

  it('gives up once the attempt number passes maxRetries', () => {
    const twoRetries = { ...GET, maxRetries: 2 };
    expect(decideRetry(answered(503), 2, twoRetries, LIMITS, NOW, half).retry).toBe(true);
    expect(decideRetry(answered(503), 3, twoRetries, LIMITS, NOW, half)).toEqual({ retry: false });
    expect(decideRetry(answered(503), 1, { ...GET, maxRetries: 0 }, LIMITS, NOW, half)).toEqual({ retry: false });
  });

  it('never retries once the response headers arrived (a body cut off mid-way is not resumed)', () => {
    const started = { ...GET, responseStarted: true };
    expect(decideRetry(broken('ECONNRESET'), 1, started, LIMITS, NOW, half)).toEqual({ retry: false });
    expect(decideRetry(answered(503), 1, started, LIMITS, NOW, half)).toEqual({ retry: false });
  });

  it('does not retry a POST on 500 or on a reset, since the server may have acted on it', () => {
    expect(decideRetry(answered(500), 1, POST, LIMITS, NOW, half)).toEqual({ retry: false });
    expect(decideRetry(broken('ECONNRESET'), 1, POST, LIMITS, NOW, half)).toEqual({ retry: false });
    expect(decideRetry(broken('UND_ERR_SOCKET'), 1, POST, LIMITS, NOW, half)).toEqual({ retry: false });
    expect(decideRetry(broken('UND_ERR_HEADERS_TIMEOUT'), 1, POST, LIMITS, NOW, half)).toEqual({ retry: false });
  });

  it('retries a POST whose connection was never made, and any request on a reset when idempotent', () => {
    expect(decideRetry(broken('ECONNREFUSED'), 1, POST, LIMITS, NOW, half)).toEqual({ retry: true, delayMs: 50 });
    expect(decideRetry(broken('ENOTFOUND'), 2, POST, LIMITS, NOW, half)).toEqual({ retry: true, delayMs: 100 });
    expect(decideRetry(broken('ECONNRESET'), 1, GET, LIMITS, NOW, half)).toEqual({ retry: true, delayMs: 50 });
    expect(decideRetry(broken('ERR_INVALID_ARG_TYPE'), 1, GET, LIMITS, NOW, half)).toEqual({ retry: false });
  });

  it('retries a rate-limited POST: the server did not act on it', () => {
    expect(decideRetry(answered(429), 1, POST, LIMITS, NOW, half)).toEqual({ retry: true, delayMs: 50 });
    const githubLimit = answered(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 + 3) });
    expect(decideRetry(githubLimit, 1, POST, LIMITS, NOW, half)).toEqual({ retry: true, delayMs: 3000 });
  });

  it('waits exactly what the server asked, read against the given now', () => {
    expect(decideRetry(answered(429, { 'retry-after': '2' }), 1, GET, LIMITS, NOW, half)).toEqual({
      retry: true,
      delayMs: 2000,
    });
    const date = answered(503, { 'retry-after': new Date(NOW + 7000).toUTCString() });
    expect(decideRetry(date, 1, GET, LIMITS, NOW, half)).toEqual({ retry: true, delayMs: 7000 });
    expect(decideRetry(date, 1, GET, LIMITS, NOW + 2000, half)).toEqual({ retry: true, delayMs: 5000 });
    const reset = answered(429, { 'x-ratelimit-reset': String(NOW / 1000 + 12) });
    expect(decideRetry(reset, 1, GET, LIMITS, NOW, half)).toEqual({ retry: true, delayMs: 12_000 });
  });

  it('does not retry a 429 whose Retry-After is beyond maxRetryAfterMs, and reports the asked wait', () => {
    const far = answered(429, { 'retry-after': '120' });
    expect(decideRetry(far, 1, GET, LIMITS, NOW, half)).toEqual({ retry: false, overCapMs: 120_000 });
    expect(decideRetry(far, 1, POST, LIMITS, NOW, half)).toEqual({ retry: false, overCapMs: 120_000 });
    const atCap = answered(429, { 'retry-after': '60' });
    expect(decideRetry(atCap, 1, GET, LIMITS, NOW, half)).toEqual({ retry: true, delayMs: 60_000 });
    const farReset = answered(429, { 'x-ratelimit-reset': String(NOW / 1000 + 61) });
    expect(decideRetry(farReset, 1, GET, LIMITS, NOW, half)).toEqual({ retry: false, overCapMs: 61_000 });
  });

  it('checks the attempt limit before the wait: a far Retry-After on the last attempt reports no overCapMs', () => {
    const far = answered(429, { 'retry-after': '120' });
    expect(decideRetry(far, 5, GET, LIMITS, NOW, half)).toEqual({ retry: false });
  });

  it('does not call for jitter when the server named the wait', () => {
    const random = () => {
      throw new Error('random was called');
    };
    expect(decideRetry(answered(429, { 'retry-after': '1' }), 1, GET, LIMITS, NOW, random)).toEqual({
      retry: true,
      delayMs: 1000,
    });
  });
});

describe('attemptFailure and retryReason', () => {
  it("read undici's failed answer (statusCode, headers) and its network errors (code)", () => {
    const failedAnswer = Object.assign(new Error('Request failed'), {
      code: 'UND_ERR_REQ_RETRY',
      statusCode: 503,
      headers: { 'retry-after': '1' },
    });
    const failure = attemptFailure(failedAnswer);
    expect(failure).toEqual({ status: 503, headers: { 'retry-after': '1' }, code: 'UND_ERR_REQ_RETRY' });
    expect(retryReason(failure)).toBe('503');
    const reset = attemptFailure(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    expect(reset).toEqual({ status: undefined, headers: undefined, code: 'ECONNRESET' });
    expect(retryReason(reset)).toBe('ECONNRESET');
    expect(attemptFailure(new Error('odd')).code).toBeUndefined();
  });
});

describe('isIdempotent', () => {
  it('trusts the method unless the caller declares otherwise or sends an Idempotency-Key', () => {
    for (const m of ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE'])
      expect(isIdempotent(m, undefined, undefined)).toBe(true);
    expect(isIdempotent('POST', undefined, undefined)).toBe(false);
    expect(isIdempotent('PATCH', undefined, undefined)).toBe(false);
    expect(isIdempotent('POST', undefined, 'k-1')).toBe(true);
    expect(isIdempotent('POST', true, undefined)).toBe(true);
    expect(isIdempotent('GET', false, undefined)).toBe(false);
    expect(isIdempotent('POST', false, 'k-1')).toBe(false);
  });
});

describe('streamRetryDelay', () => {
  const init = { provider: 'Test', method: 'PUT', path: '/blob', attempts: 1 };
  const status = (s: number) => new HttpError({ ...init, status: s });
  const network = (code: string) => new NetworkError({ ...init, code, detail: code, origin: 'http://x.test' });

  it('backs off on a transient status for an idempotent request, and only on 429 otherwise', () => {
    expect(streamRetryDelay(status(502), 1, true, 4, LIMITS, half)).toBe(50);
    expect(streamRetryDelay(status(503), 2, true, 4, LIMITS, half)).toBe(100);
    expect(streamRetryDelay(status(502), 1, false, 4, LIMITS, half)).toBeUndefined();
    expect(streamRetryDelay(status(429), 1, false, 4, LIMITS, half)).toBe(50);
    expect(streamRetryDelay(status(404), 1, true, 4, LIMITS, half)).toBeUndefined();
    expect(streamRetryDelay(status(501), 1, true, 4, LIMITS, half)).toBeUndefined();
  });

  it('has no headers to go on: a 403 is never taken for a rate limit', () => {
    expect(streamRetryDelay(status(403), 1, true, 4, LIMITS, half)).toBeUndefined();
  });

  it('retries network errors like the undici path: any for idempotent, never-sent ones for the rest', () => {
    expect(streamRetryDelay(network('ECONNRESET'), 1, true, 4, LIMITS, half)).toBe(50);
    expect(streamRetryDelay(network('ECONNRESET'), 1, false, 4, LIMITS, half)).toBeUndefined();
    expect(streamRetryDelay(network('ECONNREFUSED'), 1, false, 4, LIMITS, half)).toBe(50);
    const timeout = new TimeoutError({ ...init, timeoutMs: 100, code: 'UND_ERR_HEADERS_TIMEOUT', origin: 'x' });
    expect(streamRetryDelay(timeout, 1, true, 4, LIMITS, half)).toBe(50);
  });

  it("never retries past the step's deadline, an unknown error or the attempt limit", () => {
    const deadline = new TimeoutError({ ...init, timeoutMs: 0, code: 'DEADLINE', origin: 'x' });
    expect(streamRetryDelay(deadline, 1, true, 4, LIMITS, half)).toBeUndefined();
    expect(streamRetryDelay(new Error('boom'), 1, true, 4, LIMITS, half)).toBeUndefined();
    expect(streamRetryDelay(status(503), 2, true, 2, LIMITS, half)).toBe(100);
    expect(streamRetryDelay(status(503), 3, true, 2, LIMITS, half)).toBeUndefined();
  });
});

import { describe, expect, it } from '@jest/globals';
import {
  backoffDelayMs,
  defaultErrorParser,
  isRetryableError,
  isRetryableStatus,
  serverRequestedDelayMs,
} from '../src/index';

describe('retry policy', () => {
  const now = Date.UTC(2026, 0, 1, 0, 0, 0);

  it('retries 408, 429, transient 5xx and GitHub-style 403 rate limits only', () => {
    for (const s of [408, 429, 500, 502, 503, 504, 599]) expect(isRetryableStatus(s, {})).toBe(true);
    for (const s of [400, 401, 403, 404, 409, 422, 501, 505]) expect(isRetryableStatus(s, {})).toBe(false);
    expect(isRetryableStatus(403, { 'x-ratelimit-remaining': '0' })).toBe(true);
    expect(isRetryableStatus(403, { 'x-ratelimit-remaining': '12' })).toBe(false);
  });

  it('retries network errors for idempotent requests, and only never-sent ones otherwise', () => {
    expect(isRetryableError('ECONNRESET', true)).toBe(true);
    expect(isRetryableError('UND_ERR_SOCKET', true)).toBe(true);
    expect(isRetryableError('UND_ERR_HEADERS_TIMEOUT', true)).toBe(true);
    expect(isRetryableError('ECONNRESET', false)).toBe(false);
    expect(isRetryableError('ECONNREFUSED', false)).toBe(true);
    expect(isRetryableError('ERR_INVALID_ARG', true)).toBe(false);
    expect(isRetryableError(undefined, true)).toBe(false);
  });

  it('reads the server-requested wait from Retry-After and rate-limit reset headers', () => {
    expect(serverRequestedDelayMs(503, { 'retry-after': '2' }, now)).toBe(2000);
    expect(serverRequestedDelayMs(503, { 'retry-after': '0.5' }, now)).toBe(500);
    expect(serverRequestedDelayMs(429, { 'retry-after': new Date(now + 9000).toUTCString() }, now)).toBe(9000);
    expect(serverRequestedDelayMs(429, { 'retry-after': new Date(now - 9000).toUTCString() }, now)).toBe(0);
    expect(serverRequestedDelayMs(429, { 'x-ratelimit-reset': String(now / 1000 + 30) }, now)).toBe(30_000);
    expect(serverRequestedDelayMs(429, { 'x-ratelimit-reset': String(now + 1500) }, now)).toBe(1500);
    expect(serverRequestedDelayMs(429, { 'ratelimit-reset': '15' }, now)).toBe(15_000);
    expect(serverRequestedDelayMs(429, { ratelimit: 'limit=100, remaining=0, reset=8' }, now)).toBe(8000);
    expect(serverRequestedDelayMs(429, { 'x-sentry-rate-limit-reset': String(now / 1000 + 4) }, now)).toBe(4000);
    // Reset headers ride on every response; they only mean "wait" on a rate limit.
    expect(serverRequestedDelayMs(503, { 'x-ratelimit-reset': String(now / 1000 + 30) }, now)).toBeUndefined();
    expect(serverRequestedDelayMs(429, {}, now)).toBeUndefined();
    expect(serverRequestedDelayMs(429, { 'retry-after': 'soon' }, now)).toBeUndefined();
  });

  it('backs off exponentially with full jitter up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, 100, 1000, () => 1))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelayMs(3, 100, 1000, () => 0)).toBe(0);
    expect(backoffDelayMs(3, 100, 1000, () => 0.25)).toBe(100);
  });
});

describe('defaultErrorParser', () => {
  it('maps Heroku, Vercel, Slack, Sentry, GitHub and OAuth bodies', () => {
    expect(defaultErrorParser(422, { id: 'invalid_params', message: 'Bad' })).toEqual({
      code: 'invalid_params',
      message: 'Bad',
    });
    expect(defaultErrorParser(400, { error: { code: 'forbidden', message: 'No' } })).toEqual({
      code: 'forbidden',
      message: 'No',
    });
    expect(defaultErrorParser(200, { ok: false, error: 'channel_not_found' })).toEqual({
      code: 'channel_not_found',
      message: undefined,
    });
    expect(defaultErrorParser(404, { detail: 'Not found' })).toEqual({ code: undefined, message: 'Not found' });
    expect(defaultErrorParser(422, { message: 'Validation Failed', errors: [{ message: 'x' }] })).toEqual({
      code: undefined,
      message: 'Validation Failed',
    });
    expect(defaultErrorParser(422, { errors: [{ detail: 'first problem' }] })).toEqual({
      code: undefined,
      message: 'first problem',
    });
    expect(defaultErrorParser(400, { error: 'invalid_grant', error_description: 'Expired' })).toEqual({
      code: 'invalid_grant',
      message: 'Expired',
    });
    expect(defaultErrorParser(502, 'Bad gateway\n<html>')).toEqual({ message: 'Bad gateway' });
    expect(defaultErrorParser(500, undefined)).toBeUndefined();
  });
});

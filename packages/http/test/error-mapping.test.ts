// The error mapping on its own: a failed request in, the typed error out, with every secret redacted.
import { describe, expect, it } from '@jest/globals';
import { createRedactor } from '@wingman/log';
import { DeadlineExceeded } from '@wingman/time';
import {
  answerError,
  deadlineError,
  type ErrorSettings,
  type FailedRequest,
  responseError,
  transportError,
  truncate,
  unansweredError,
} from '../src/error-mapping';
import { defaultErrorParser } from '../src/error-parser';
import { HttpError, NetworkError, RateLimitError, TimeoutError } from '../src/errors';

const SECRET = 'tok-5e3c7a9b1d';
const NOW = Date.UTC(2026, 0, 1, 0, 0, 0);
const REQ: FailedRequest = {
  provider: 'Heroku',
  method: 'GET',
  path: '/apps/a',
  attempts: 1,
  origin: 'https://api.test',
  redact: createRedactor([SECRET]),
};
const SETTINGS: ErrorSettings = {
  errorParser: defaultErrorParser,
  requestIdHeaders: ['x-request-id', 'request-id'],
  maxRetryAfterMs: 60_000,
  apiHref: 'https://api.test/v1',
  baseUrlInput: 'api-url',
};

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const answer = (status: number, raw: Buffer, headers: Record<string, string> = {}, overCapMs?: number) => ({
  status,
  headers,
  raw,
  overCapMs,
});

describe('responseError', () => {
  it("names the provider's code and message, the attempts and the request id", () => {
    const err = responseError(
      { ...REQ, attempts: 3 },
      answer(503, json({ id: 'unavailable', message: 'Try later' }), { 'request-id': 'r-2', 'x-request-id': 'r-1' }),
      SETTINGS,
      NOW,
    );
    expect(err).toBeInstanceOf(HttpError);
    expect(err).not.toBeInstanceOf(RateLimitError);
    expect(err.message).toBe(
      'Heroku API GET /apps/a failed: 503 unavailable — Try later after 3 attempts (request id r-1)',
    );
    expect(err).toMatchObject({ status: 503, code: 'unavailable', requestId: 'r-1', attempts: 3 });
  });

  it('makes a 429 a RateLimitError with the wait the server asked for', () => {
    const err = responseError(REQ, answer(429, json({ id: 'rate_limit' }), { 'retry-after': '5' }), SETTINGS, NOW);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).retryAfterMs).toBe(5000);
    expect(err.message).toContain(
      '; rate limited, the API asked to wait 5 s: retry later or make fewer Heroku API calls',
    );
    const silent = responseError(REQ, answer(429, Buffer.alloc(0)), SETTINGS, NOW);
    expect((silent as RateLimitError).retryAfterMs).toBeUndefined();
    expect(silent.message).toContain('; rate limited: retry later or make fewer Heroku API calls');
  });

  it('reads a reset instant against the given now, not the clock', () => {
    const headers = { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 + 30) };
    const err = responseError(REQ, answer(403, Buffer.alloc(0), headers), SETTINGS, NOW);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).retryAfterMs).toBe(30_000);
    expect(
      (responseError(REQ, answer(403, Buffer.alloc(0), headers), SETTINGS, NOW + 10_000) as RateLimitError)
        .retryAfterMs,
    ).toBe(20_000);
  });

  it('says a wait over maxRetryAfterMs was not sat through, as RateLimitError only for a rate limit', () => {
    const limited = responseError(REQ, answer(429, Buffer.alloc(0), {}, 120_000), SETTINGS, NOW);
    expect(limited).toBeInstanceOf(RateLimitError);
    expect((limited as RateLimitError).retryAfterMs).toBe(120_000);
    expect(limited.message).toContain(
      '; the API asked to wait 120 s, longer than the 60 s this client waits (maxRetryAfterMs): retry later',
    );
    const busy = responseError(REQ, answer(503, Buffer.alloc(0), { 'retry-after': '120' }, 120_000), SETTINGS, NOW);
    expect(busy).not.toBeInstanceOf(RateLimitError);
    expect(busy.message).toContain('the API asked to wait 120 s, longer than the 60 s this client waits');
  });

  it('hints at the token on 401 and 403', () => {
    expect(responseError(REQ, answer(401, Buffer.alloc(0)), SETTINGS, NOW).message).toContain(
      '; check that the Heroku API token is valid and not expired',
    );
    expect(responseError({ ...REQ, provider: undefined }, answer(403, Buffer.alloc(0)), SETTINGS, NOW).message).toBe(
      'HTTP GET /apps/a failed: 403 Forbidden; check that the API token has access to this resource',
    );
    expect(responseError(REQ, answer(404, Buffer.alloc(0)), SETTINGS, NOW).message).toBe(
      'Heroku API GET /apps/a failed: 404 Not Found',
    );
  });

  it('redacts the code, message, request id and body, and keeps a text body as text', () => {
    const body = { id: `bad-${SECRET}`, message: `token ${SECRET} refused`, echo: [SECRET] };
    const err = responseError(REQ, answer(401, json(body), { 'x-request-id': SECRET }), SETTINGS, NOW);
    expect(err).toMatchObject({
      code: 'bad-***',
      providerMessage: 'token *** refused',
      requestId: '***',
      body: { id: 'bad-***', message: 'token *** refused', echo: ['***'] },
    });
    expect(JSON.stringify(err)).not.toContain(SECRET);
    const text = responseError(REQ, answer(502, Buffer.from(`Bad gateway ${SECRET}\n<html>`)), SETTINGS, NOW);
    expect(text.body).toBe('Bad gateway ***\n<html>');
    expect(text.providerMessage).toBe('Bad gateway ***');
  });

  it("falls back to the default parser when the provider's parser throws", () => {
    const settings = {
      ...SETTINGS,
      errorParser: () => {
        throw new Error('parser bug');
      },
    };
    const err = responseError(REQ, answer(422, json({ id: 'invalid_params', message: 'Bad' })), settings, NOW);
    expect(err).toMatchObject({ code: 'invalid_params', providerMessage: 'Bad' });
  });

  it('keeps a long provider message to one line of 300 characters', () => {
    const err = responseError(REQ, answer(500, json({ message: `a\n  b ${'x'.repeat(400)}` })), SETTINGS, NOW);
    expect(err.providerMessage).toHaveLength(300);
    expect(err.providerMessage).toMatch(/^a b x+…$/);
    expect(truncate(undefined)).toBeUndefined();
    expect(truncate('  short\ttext ')).toBe('short text');
  });
});

describe('transportError', () => {
  it("makes undici's timeouts a TimeoutError with the per-attempt timeout", () => {
    const err = transportError(
      Object.assign(new Error('Headers Timeout'), { code: 'UND_ERR_HEADERS_TIMEOUT' }),
      { ...REQ, attempts: 2 },
      100,
    );
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.message).toBe(
      'Heroku API GET /apps/a timed out: no response within 100 ms after 2 attempts; check that https://api.test is reachable or raise the timeout',
    );
  });

  it('makes the rest a NetworkError with the redacted detail, UNKNOWN when there is no code', () => {
    const reset = transportError(Object.assign(new Error(`reset near ${SECRET}`), { code: 'ECONNRESET' }), REQ, 100);
    expect(reset).toBeInstanceOf(NetworkError);
    expect(reset).toMatchObject({ code: 'ECONNRESET', detail: 'reset near ***' });
    expect(reset.message).toBe(
      'Heroku API GET /apps/a failed: network error ECONNRESET (reset near ***); check that https://api.test is reachable',
    );
    expect(transportError('weird', REQ, 100)).toMatchObject({ code: 'UNKNOWN', detail: 'weird' });
  });

  it('redacts secrets in the origin', () => {
    const err = transportError({ code: 'ECONNREFUSED' }, { ...REQ, origin: `https://${SECRET}.api.test` }, 100);
    expect(err.message).toContain('check that https://***.api.test is reachable');
  });

  it('passes an HttpError on as it is', () => {
    const http = new HttpError({ method: 'GET', path: '/x', attempts: 1, status: 500 });
    expect(transportError(http, REQ, 100)).toBe(http);
  });
});

describe('deadlineError', () => {
  const ranOut = new DeadlineExceeded(400, 'wait-timeout');

  it("names the step's input to raise when its deadline fired", () => {
    const err = deadlineError(new Error('aborted'), { reason: ranOut }, { ...REQ, attempts: 2 });
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ code: 'DEADLINE', timeoutMs: 400 });
    expect(err?.message).toBe(
      "Heroku API GET /apps/a stopped: the step's 'wait-timeout' (400 ms) ran out with no answer from https://api.test after 2 attempts; raise 'wait-timeout' or check that the API answers",
    );
    expect(deadlineError(ranOut, undefined, REQ)?.message).toContain("raise 'wait-timeout'");
  });

  it('is undefined when no deadline was involved', () => {
    expect(deadlineError(new Error('socket hang up'), undefined, REQ)).toBeUndefined();
  });

  it("reports another abort of the request's signal as a DEADLINE timeout of 0 ms", () => {
    const err = deadlineError(new Error('aborted'), { reason: new Error('caller gave up') }, REQ);
    expect(err).toMatchObject({ code: 'DEADLINE', timeoutMs: 0 });
    expect(err?.message).toContain('timed out: no response within 0 ms');
  });
});

describe('unansweredError', () => {
  const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

  it("prefers the step's deadline, then the request's deadlineMs, then the transport error", () => {
    const fired = { reason: new DeadlineExceeded(400, 'timeout') };
    expect(unansweredError(reset, REQ, fired, 350, 100).message).toContain("the step's 'timeout' (400 ms) ran out");
    const own = unansweredError(reset, REQ, undefined, 350, 100);
    expect(own).toMatchObject({ code: 'DEADLINE', timeoutMs: 350 });
    expect(own.message).toContain('no response within 350 ms');
    expect(unansweredError(reset, REQ, undefined, undefined, 100)).toBeInstanceOf(NetworkError);
  });
});

describe('answerError', () => {
  const ok = (raw: string, headers: Record<string, string> = {}) => ({ status: 200, headers, raw: Buffer.from(raw) });

  it('reports a body that is not valid JSON, redacted', () => {
    const err = answerError(
      REQ,
      ok(`<html>${SECRET}`, { 'x-request-id': 'r-9' }),
      { problem: 'invalid_json' },
      SETTINGS,
    );
    expect(err).toMatchObject({ status: 200, code: 'invalid_json', requestId: 'r-9' });
    expect(err.message).toBe(
      'Heroku API GET /apps/a failed: 200 invalid_json — response is not valid JSON: <html>*** (request id r-9); the API answered with an unexpected body; check baseUrl',
    );
  });

  it("says the answer is not the provider's API and names the input that set the URL", () => {
    const what = 'answered text/html, not JSON';
    const err = answerError(
      REQ,
      ok('<html>'),
      { problem: 'not_the_api', what },
      { ...SETTINGS, baseUrlInput: 'heroku-api-url' },
    );
    expect(err.code).toBe('not_the_api');
    expect(err.message).toBe(
      "Heroku API GET /apps/a answered text/html, not JSON: this does not look like the Heroku API at https://api.test/v1: check 'heroku-api-url'",
    );
    const anonymous = answerError({ ...REQ, provider: undefined }, ok(''), { problem: 'not_the_api', what }, SETTINGS);
    expect(anonymous.message).toContain('does not look like the expected API at');
  });
});

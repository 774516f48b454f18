// The client against the real Simulator base over 127.0.0.1 sockets.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
// Straight to the simulator module: the testkit index also loads the embedded Postgres harness.
import { Simulator } from '@wingman/testkit/simulator';
import { startDeadline } from '@wingman/time';
import {
  createHttpClient,
  type HttpClient,
  type HttpClientOptions,
  HttpError,
  NetworkError,
  RateLimitError,
  type RetryInfo,
  TimeoutError,
} from '../src/index';

const TOKEN = 'hrku-tok-9f8e7d6c5b4a';

async function caught(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the request to fail');
}

describe('createHttpClient against the simulator', () => {
  let sim: Simulator;
  const clients: HttpClient[] = [];

  function client(extra: Partial<HttpClientOptions> = {}): HttpClient {
    const c = createHttpClient({ baseUrl: sim.url, minDelayMs: 1, maxDelayMs: 5, provider: 'Heroku', ...extra });
    clients.push(c);
    return c;
  }

  beforeEach(async () => {
    sim = new Simulator({ name: 'Heroku' });
    await sim.start();
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await sim.stop();
  });

  it('sends token, headers, query and JSON body and returns status, headers and parsed body', async () => {
    sim.route('POST', '/apps/:app/builds', (req) => ({
      status: 201,
      headers: { 'x-custom': 'c1' },
      body: { id: 'b-1', app: req.params.app, echo: req.body, query: req.query },
    }));
    const c = client({
      token: TOKEN,
      userAgent: 'wingman-test/1',
      headers: { Accept: 'application/vnd.heroku+json; version=3' },
    });
    const res = await c.request<{ id: string; app: string; echo: unknown; query: unknown }>(
      'POST',
      '/apps/my-app/builds',
      {
        query: { page: 2, tags: ['a', 'b'], skip: undefined },
        body: { source_blob: { url: 'https://x.test/s.tgz' } },
        headers: { 'X-Extra': '1' },
      },
    );
    expect(res.status).toBe(201);
    expect(res.attempts).toBe(1);
    expect(res.headers['x-custom']).toBe('c1');
    expect(res.body).toEqual({
      id: 'b-1',
      app: 'my-app',
      echo: { source_blob: { url: 'https://x.test/s.tgz' } },
      query: { page: '2', tags: 'b' },
    });
    const [rec] = sim.requests;
    expect(rec?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(rec?.headers['user-agent']).toBe('wingman-test/1');
    expect(rec?.headers.accept).toBe('application/vnd.heroku+json; version=3');
    expect(rec?.headers['content-type']).toBe('application/json');
    expect(rec?.headers['x-extra']).toBe('1');
    expect(sim.requests).toHaveLength(1);
  });

  it('offers get/post/put/patch/delete that return the body, and keeps a base path prefix', async () => {
    sim.route('*', '/api/things/:id', (req) => ({ status: 200, body: { method: req.method, body: req.body ?? null } }));
    const c = client({ baseUrl: `${sim.url}/api/` });
    expect(await c.get('/things/1')).toEqual({ method: 'GET', body: null });
    expect(await c.post('/things/1', { a: 1 })).toEqual({ method: 'POST', body: { a: 1 } });
    expect(await c.put('things/1', { b: 2 })).toEqual({ method: 'PUT', body: { b: 2 } });
    expect(await c.patch('/things/1', { c: 3 })).toEqual({ method: 'PATCH', body: { c: 3 } });
    expect(await c.delete('/things/1')).toEqual({ method: 'DELETE', body: null });
    expect(sim.requests.map((r) => r.path)).toEqual(Array(5).fill('/api/things/1'));
  });

  it('accepts listed non-2xx statuses and reads text and raw bodies', async () => {
    sim.route('GET', '/maybe', () => ({ status: 404, body: { id: 'not_found' } }));
    sim.route('GET', '/text', () => ({ status: 200, body: 'hello' }));
    sim.route('PUT', '/upload', (req) => ({ status: 200, body: req.rawBody }));
    const c = client();
    const res = await c.request('GET', '/maybe', { expectedStatus: [200, 404] });
    expect(res).toMatchObject({ status: 404, body: { id: 'not_found' } });
    expect(await c.get('/text')).toBe('hello');
    const bytes = await c.request<Buffer>('PUT', '/upload', {
      rawBody: new Uint8Array([7, 8, 9]),
      headers: { 'content-type': 'application/octet-stream' },
      responseType: 'buffer',
    });
    expect([...bytes.body]).toEqual([7, 8, 9]);
  });

  it('follows same-origin absolute URLs (pagination links) and refuses other origins', async () => {
    sim.route('GET', '/items', (req) => ({ status: 200, body: { page: req.query.page } }));
    const c = client({ token: TOKEN });
    expect(await c.get(`${sim.url}/items?page=2`)).toEqual({ page: '2' });
    const err = await caught(c.get('https://elsewhere.invalid/items'));
    expect(err.message).toContain('refuses https://elsewhere.invalid');
    expect(sim.requests).toHaveLength(1);
  });

  it('retries 500 and 503 with backoff and succeeds; the simulator saw every attempt', async () => {
    sim.route('GET', '/apps/a', () => ({ status: 200, body: { name: 'a' } }));
    sim.inject('GET', '/apps/a', { status: 500 });
    sim.inject('GET', '/apps/a', { status: 503, body: { id: 'unavailable' } }, { times: 2 });
    const retries: RetryInfo[] = [];
    const c = client({ onRetry: (i) => retries.push(i) });
    const res = await c.request('GET', '/apps/a');
    expect(res.body).toEqual({ name: 'a' });
    expect(res.attempts).toBe(4);
    expect(sim.requestsTo('GET', '/apps/a')).toHaveLength(4);
    expect(retries.map((r) => [r.retry, r.reason])).toEqual([
      [1, '500'],
      [2, '503'],
      [3, '503'],
    ]);
  });

  it('gives up after the configured retries with the final answer as HttpError', async () => {
    sim.route('GET', '/apps/a', () => ({ status: 200, body: {} }));
    sim.inject('GET', '/apps/a', { status: 503, body: { id: 'unavailable', message: 'Try later' } }, { times: 10 });
    const err = await caught(client({ retries: 2 }).get('/apps/a'));
    expect(err).toBeInstanceOf(HttpError);
    expect(err).not.toBeInstanceOf(RateLimitError);
    const e = err as HttpError;
    expect(e.status).toBe(503);
    expect(e.attempts).toBe(3);
    expect(e.code).toBe('unavailable');
    expect(e.message).toMatch(
      /^Heroku API GET \/apps\/a failed: 503 unavailable — Try later after 3 attempts \(request id sim-\d+\)$/,
    );
    expect(sim.requests).toHaveLength(3);
  });

  it('uses exponential backoff with full jitter through the injected sleep', async () => {
    sim.route('GET', '/x', () => ({ status: 200, body: {} }));
    sim.inject('GET', '/x', { status: 502 }, { times: 4 });
    const waits: number[] = [];
    const c = client({
      minDelayMs: 100,
      maxDelayMs: 300,
      random: () => 0.5,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    await c.get('/x');
    expect(waits).toEqual([50, 100, 150, 150]);
  });

  it('retries after ECONNRESET and a dropped connection', async () => {
    sim.route('GET', '/apps/a', () => ({ status: 200, body: { ok: true } }));
    sim.inject('GET', '/apps/a', { reset: true }, { times: 2 });
    const res = await client().request('GET', '/apps/a');
    expect(res.body).toEqual({ ok: true });
    expect(res.attempts).toBe(3);
    expect(sim.requests).toHaveLength(3);
  });

  it('reports a connection that keeps resetting as NetworkError', async () => {
    sim.inject('GET', '/apps/a', { reset: true }, { times: 5 });
    const err = await caught(client({ retries: 1 }).get('/apps/a'));
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).code).toBe('ECONNRESET');
    expect((err as NetworkError).attempts).toBe(2);
    expect(err.message).toContain('Heroku API GET /apps/a failed: network error ECONNRESET');
    expect(err.message).toContain(`check that ${sim.url} is reachable`);
    expect(sim.requests).toHaveLength(2);
  });

  it('reports a refused connection as NetworkError after retrying', async () => {
    const dead = new Simulator();
    const url = await dead.start();
    await dead.stop();
    const retries: RetryInfo[] = [];
    const err = await caught(client({ baseUrl: url, retries: 2, onRetry: (i) => retries.push(i) }).get('/x'));
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).code).toBe('ECONNREFUSED');
    expect((err as NetworkError).attempts).toBe(3);
    expect(retries).toHaveLength(2);
  });

  it('honours Retry-After in seconds on 429 (measured between the recorded requests)', async () => {
    sim.route('GET', '/apps', () => ({ status: 200, body: [] }));
    sim.inject('GET', '/apps', { status: 429, headers: { 'Retry-After': '1' }, body: { id: 'rate_limit' } });
    const t0 = Date.now();
    await client({ minDelayMs: 1, maxDelayMs: 2 }).get('/apps');
    const [first, second] = sim.requests;
    expect(second!.time - first!.time).toBeGreaterThanOrEqual(950);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('honours Retry-After as an HTTP-date and the rate-limit reset headers', async () => {
    const now = Date.UTC(2026, 10, 27, 12, 0, 0);
    sim.route('GET', '/x', () => ({ status: 200, body: {} }));
    sim.inject('GET', '/x', { status: 503, headers: { 'Retry-After': new Date(now + 7000).toUTCString() } });
    sim.inject('GET', '/x', { status: 429, headers: { 'X-RateLimit-Reset': String(now / 1000 + 12) } });
    sim.inject('GET', '/x', { status: 429, headers: { 'RateLimit-Reset': '4' } });
    sim.inject('GET', '/x', {
      status: 403,
      headers: { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(now / 1000 + 3) },
    });
    const waits: number[] = [];
    const c = client({
      now: () => now,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    await c.get('/x');
    expect(waits).toEqual([7000, 12000, 4000, 3000]);
    expect(sim.requests).toHaveLength(5);
  });

  it('fails with RateLimitError at once when the server asks to wait longer than maxRetryAfterMs', async () => {
    sim.inject(
      'GET',
      '/apps',
      { status: 429, headers: { 'Retry-After': '120' }, body: { id: 'rate_limit' } },
      { times: 3 },
    );
    const t0 = Date.now();
    const err = await caught(client({ maxRetryAfterMs: 1000 }).get('/apps'));
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(err).toBeInstanceOf(RateLimitError);
    const e = err as RateLimitError;
    expect(e.status).toBe(429);
    expect(e.retryAfterMs).toBe(120_000);
    expect(e.attempts).toBe(1);
    expect(e.message).toContain('the API asked to wait 120 s, longer than the 1 s this client waits');
    expect(sim.requests).toHaveLength(1);
  });

  it('fails with RateLimitError when 429 persists through all retries', async () => {
    sim.inject(
      'GET',
      '/apps',
      { status: 429, body: { id: 'rate_limit', message: 'Your account reached the API limit.' } },
      { times: 9 },
    );
    const err = await caught(client({ retries: 2 }).get('/apps'));
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).attempts).toBe(3);
    expect(err.message).toContain('429 rate_limit — Your account reached the API limit. after 3 attempts');
    expect(sim.requests).toHaveLength(3);
  });

  it.each([400, 401, 404, 409, 422])('does not retry %i', async (status) => {
    sim.inject('GET', '/apps/a', { status, body: { id: `e${status}`, message: 'nope' } }, { times: 5 });
    const err = await caught(client().get('/apps/a'));
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(status);
    expect((err as HttpError).attempts).toBe(1);
    expect(sim.requests).toHaveLength(1);
  });

  it('does not retry a plain POST on 500 or a reset, since the server may have acted on it', async () => {
    sim.inject('POST', '/apps/a/builds', { status: 500 }, { times: 5 });
    const err = await caught(client().post('/apps/a/builds', { x: 1 }));
    expect((err as HttpError).status).toBe(500);
    expect(sim.requests).toHaveLength(1);

    sim.clearFaults();
    sim.clearRequests();
    sim.inject('POST', '/apps/a/builds', { reset: true }, { times: 5 });
    const reset = await caught(client().post('/apps/a/builds', { x: 1 }));
    expect(reset).toBeInstanceOf(NetworkError);
    expect(sim.requests).toHaveLength(1);
  });

  it('retries a POST marked idempotent or carrying an Idempotency-Key, replaying the body', async () => {
    sim.route('POST', '/deployments', (req) => ({ status: 200, body: { got: req.body } }));
    sim.inject('POST', '/deployments', { status: 500 }, { times: 2 });
    expect(await client().post('/deployments', { n: 1 }, { idempotent: true })).toEqual({ got: { n: 1 } });
    expect(sim.requests.map((r) => r.body)).toEqual([{ n: 1 }, { n: 1 }, { n: 1 }]);

    sim.clearRequests();
    sim.inject('POST', '/deployments', { reset: true });
    const res = await client().request('POST', '/deployments', {
      body: { n: 2 },
      headers: { 'Idempotency-Key': 'k-1' },
    });
    expect(res.attempts).toBe(2);
    expect(sim.requests).toHaveLength(2);
  });

  it('retries a POST on 429, which the server rejected without acting', async () => {
    sim.route('POST', '/chat.postMessage', () => ({ status: 200, body: { ok: true } }));
    sim.inject('POST', '/chat.postMessage', { status: 429, headers: { 'Retry-After': '0' } });
    expect(await client().post('/chat.postMessage', { text: 'hi' })).toEqual({ ok: true });
    expect(sim.requests).toHaveLength(2);
  });

  // undici checks headersTimeout/bodyTimeout on a ~0.5 s tick, so a 100 ms timeout fires within about 1 s.
  it('does not resume a body cut off mid-way (no Range retry): NetworkError after one request', async () => {
    // The simulator only answers whole bodies, so a bare server sends half of one and drops the socket.
    let hits = 0;
    const raw = createServer((req, res) => {
      hits += 1;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"partial":');
      setTimeout(() => req.socket.destroy(), 20);
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', () => r()));
    try {
      const { port } = raw.address() as AddressInfo;
      const err = await caught(client({ baseUrl: `http://127.0.0.1:${port}` }).get('/big'));
      expect(err).toBeInstanceOf(NetworkError);
      expect((err as NetworkError).attempts).toBe(1);
      expect(hits).toBe(1);
    } finally {
      raw.closeAllConnections();
      await new Promise((r) => raw.close(r));
    }
  });

  it('raises TimeoutError when no answer comes within timeoutMs on every attempt', async () => {
    sim.route('GET', '/slow', () => ({ status: 200, body: {} }));
    sim.inject('GET', '/slow', { delayMs: 2500 }, { times: 5 });
    const t0 = Date.now();
    const err = await caught(client({ timeoutMs: 100, retries: 1 }).get('/slow'));
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(err).toBeInstanceOf(TimeoutError);
    const e = err as TimeoutError;
    expect(e.timeoutMs).toBe(100);
    expect(e.attempts).toBe(2);
    expect(e.message).toBe(
      `Heroku API GET /slow timed out: no response within 100 ms after 2 attempts; check that ${sim.url} is reachable or raise the timeout`,
    );
    expect(sim.requests).toHaveLength(2);
  });

  it("stops a request that never answers at the step's deadline, whatever the per-attempt timeout and retries", async () => {
    // A socket that accepts and never answers (the provider hangs): 30 s × 5 attempts without a deadline.
    const hang = createServer(() => {});
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(hang.address() as AddressInfo).port}`;
    try {
      const deadline = startDeadline(400);
      const t0 = Date.now();
      const err = await caught(
        createHttpClient({
          baseUrl: url,
          provider: 'Heroku',
          timeoutMs: 30_000,
          retries: 4,
          signal: deadline.signal,
        }).get('/apps'),
      );
      const took = Date.now() - t0;
      expect(took).toBeGreaterThanOrEqual(380);
      expect(took).toBeLessThan(1000);
      expect(err).toBeInstanceOf(TimeoutError);
      expect((err as TimeoutError).code).toBe('DEADLINE');
      expect(err.message).toBe(
        `Heroku API GET /apps stopped: the step's 'timeout' (400 ms) ran out with no answer from ${url}; raise 'timeout' or check that the API answers`,
      );
    } finally {
      hang.closeAllConnections();
      await new Promise<void>((r) => hang.close(() => r()));
    }
  });

  it('ends a retry wait at the deadline instead of sleeping through it', async () => {
    sim.route('GET', '/busy', () => ({ status: 503, body: { message: 'busy' } }));
    const deadline = startDeadline(300, 'wait-timeout');
    const t0 = Date.now();
    const err = await caught(
      createHttpClient({
        baseUrl: sim.url,
        provider: 'Vercel',
        minDelayMs: 10_000,
        maxDelayMs: 10_000,
        random: () => 1,
        signal: deadline.signal,
      }).get('/busy'),
    );
    expect(Date.now() - t0).toBeLessThan(1500);
    expect((err as TimeoutError).code).toBe('DEADLINE');
    expect(err.message).toMatch(/^Vercel API GET \/busy stopped: the step's 'wait-timeout' \(300 ms\) ran out/);
    expect(sim.requests).toHaveLength(1);
  });

  it('retries a timed-out GET and succeeds on the next attempt; per-request timeout overrides', async () => {
    sim.route('GET', '/slow', () => ({ status: 200, body: { ok: 1 } }));
    sim.inject('GET', '/slow', { delayMs: 2500 });
    const c = client({ timeoutMs: 5000 });
    const t0 = Date.now();
    const res = await c.request('GET', '/slow', { timeoutMs: 80 });
    expect(res.body).toEqual({ ok: 1 });
    expect(res.attempts).toBe(2);
    expect(Date.now() - t0).toBeLessThan(2500);
  });

  it('turns provider error bodies into typed fields through an errorParser', async () => {
    sim.route('POST', '/apps/:app/builds', () => ({
      status: 422,
      headers: { 'X-Request-Id': 'abc' },
      body: { id: 'invalid_params', message: 'Build requires a source URL' },
    }));
    const herokuParser = (_status: number, body: unknown) => {
      const b = body as { id?: string; message?: string };
      return { code: b.id, message: b.message };
    };
    const err = await caught(client({ errorParser: herokuParser }).post('/apps/my-app/builds', {}));
    expect(err).toBeInstanceOf(HttpError);
    const e = err as HttpError;
    expect(e.message).toBe(
      'Heroku API POST /apps/my-app/builds failed: 422 invalid_params — Build requires a source URL (request id abc)',
    );
    expect(e).toMatchObject({
      status: 422,
      code: 'invalid_params',
      providerMessage: 'Build requires a source URL',
      method: 'POST',
      path: '/apps/my-app/builds',
      requestId: 'abc',
      provider: 'Heroku',
      body: { id: 'invalid_params', message: 'Build requires a source URL' },
    });
  });

  it('parses Vercel, Slack and Sentry error shapes with the default parser', async () => {
    sim.route('GET', '/vercel', () => ({
      status: 400,
      body: { error: { code: 'bad_request', message: 'Invalid teamId' } },
    }));
    sim.route('GET', '/slack', () => ({ status: 403, body: { ok: false, error: 'not_in_channel' } }));
    sim.route('GET', '/sentry', () => ({ status: 404, body: { detail: 'The requested resource does not exist' } }));
    sim.route('GET', '/plain', () => ({ status: 400, body: 'Bad thing happened\nstack...' }));
    const c = client({ provider: undefined });
    const v = (await caught(c.get('/vercel'))) as HttpError;
    expect([v.code, v.providerMessage]).toEqual(['bad_request', 'Invalid teamId']);
    expect(v.message).toMatch(/^HTTP GET \/vercel failed: 400 bad_request — Invalid teamId \(request id sim-\d+\)$/);
    const s = (await caught(c.get('/slack'))) as HttpError;
    expect([s.code, s.providerMessage]).toEqual(['not_in_channel', undefined]);
    expect(s.message).toContain('; check that the API token has access to this resource');
    const sentry = (await caught(c.get('/sentry'))) as HttpError;
    expect(sentry.message).toContain('404 Not Found — The requested resource does not exist');
    const plain = (await caught(c.get('/plain'))) as HttpError;
    expect(plain.providerMessage).toBe('Bad thing happened');
  });

  it('reports a 2xx body that is not valid JSON', async () => {
    sim.route('GET', '/broken', () => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '<html>',
    }));
    const err = (await caught(client().get('/broken'))) as HttpError;
    expect(err).toBeInstanceOf(HttpError);
    expect(err.code).toBe('invalid_json');
    expect(err.message).toContain('response is not valid JSON: <html>');
  });

  it('redacts the token, Authorization value and extra secrets from messages, bodies and serialized errors', async () => {
    const extra = 'vercel-secret-abcdef';
    sim.route('GET', '/apps/:app', (req) => ({
      status: 401,
      body: {
        id: 'unauthorized',
        message: `Invalid credentials: ${req.headers.authorization} (also ${extra}) at https://user:pa55word@git.test/repo`,
        echo: { auth: req.headers.authorization, encoded: encodeURIComponent(TOKEN) },
      },
    }));
    const c = client({ token: TOKEN, secrets: [extra] });
    const err = (await caught(c.get('/apps/a', { query: { access_token: 'q-token-1234', page: 1 } }))) as HttpError;
    expect(err).toBeInstanceOf(HttpError);
    const views = [
      err.message,
      String(err.stack),
      JSON.stringify(err),
      inspect(err, { depth: 10 }),
      JSON.stringify(err.body),
    ];
    for (const text of views) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(extra);
      expect(text).not.toContain('pa55word');
      expect(text).not.toContain('q-token-1234');
    }
    expect(err.message).toBe(
      'Heroku API GET /apps/a?access_token=***&page=1 failed: 401 unauthorized — Invalid credentials: *** (also ***) at https://***@git.test/repo' +
        ` (request id ${err.requestId}); check that the Heroku API token is valid and not expired`,
    );
    expect(err.body).toEqual({
      id: 'unauthorized',
      message: 'Invalid credentials: *** (also ***) at https://***@git.test/repo',
      echo: { auth: '***', encoded: '***' },
    });
    expect(JSON.parse(JSON.stringify(err))).toMatchObject({
      name: 'HttpError',
      status: 401,
      path: '/apps/a?access_token=***&page=1',
    });
    expect(c.redact(`token=${TOKEN}`)).toBe('token=***');
  });

  it('redacts a per-request Authorization header too', async () => {
    sim.route('GET', '/me', (req) => ({ status: 403, body: { message: `denied for ${req.headers.authorization}` } }));
    const err = await caught(client().get('/me', { headers: { Authorization: 'Basic dXNlcjpwYXNzd29yZA==' } }));
    expect(err.message).toContain('denied for ***');
    expect(err.message).not.toContain('dXNlcjpwYXNzd29yZA==');
  });

  it('rejects a baseUrl that is not an absolute http(s) URL with a clear message', () => {
    expect(() => createHttpClient({ baseUrl: 'api.heroku.com' })).toThrow(
      'HTTP client baseUrl "api.heroku.com" is not an absolute URL; expected e.g. https://api.example.com',
    );
    expect(() => createHttpClient({ baseUrl: 'ftp://x.test' })).toThrow('must use http or https');
  });
});

// The client's retries against the real Simulator base over 127.0.0.1 sockets: what is retried, how long
// it waits, and when it gives up.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { Simulator } from '@wingman/testkit/simulator';
import { HttpError, NetworkError, RateLimitError, type RetryInfo } from '../src/index';
import { caught, simulatorFixture } from './fixture';

describe('createHttpClient retries against the simulator', () => {
  const fx = simulatorFixture();
  const client = fx.client;

  it('retries 500 and 503 with backoff and succeeds; the simulator saw every attempt', async () => {
    fx.sim.route('GET', '/apps/a', () => ({ status: 200, body: { name: 'a' } }));
    fx.sim.inject('GET', '/apps/a', { status: 500 });
    fx.sim.inject('GET', '/apps/a', { status: 503, body: { id: 'unavailable' } }, { times: 2 });
    const retries: RetryInfo[] = [];
    const c = client({ onRetry: (i) => retries.push(i) });
    const res = await c.request('GET', '/apps/a');
    expect(res.body).toEqual({ name: 'a' });
    expect(res.attempts).toBe(4);
    expect(fx.sim.requestsTo('GET', '/apps/a')).toHaveLength(4);
    expect(retries.map((r) => [r.retry, r.reason])).toEqual([
      [1, '500'],
      [2, '503'],
      [3, '503'],
    ]);
  });

  it('gives up after the configured retries with the final answer as HttpError', async () => {
    fx.sim.route('GET', '/apps/a', () => ({ status: 200, body: {} }));
    fx.sim.inject('GET', '/apps/a', { status: 503, body: { id: 'unavailable', message: 'Try later' } }, { times: 10 });
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
    expect(fx.sim.requests).toHaveLength(3);
  });

  it('uses exponential backoff with full jitter through the injected sleep', async () => {
    fx.sim.route('GET', '/x', () => ({ status: 200, body: {} }));
    fx.sim.inject('GET', '/x', { status: 502 }, { times: 4 });
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
    fx.sim.route('GET', '/apps/a', () => ({ status: 200, body: { ok: true } }));
    fx.sim.inject('GET', '/apps/a', { reset: true }, { times: 2 });
    const res = await client().request('GET', '/apps/a');
    expect(res.body).toEqual({ ok: true });
    expect(res.attempts).toBe(3);
    expect(fx.sim.requests).toHaveLength(3);
  });

  it('reports a connection that keeps resetting as NetworkError', async () => {
    fx.sim.inject('GET', '/apps/a', { reset: true }, { times: 5 });
    const err = await caught(client({ retries: 1 }).get('/apps/a'));
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).code).toBe('ECONNRESET');
    expect((err as NetworkError).attempts).toBe(2);
    expect(err.message).toContain('Heroku API GET /apps/a failed: network error ECONNRESET');
    expect(err.message).toContain(`check that ${fx.sim.url} is reachable`);
    expect(fx.sim.requests).toHaveLength(2);
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
    fx.sim.route('GET', '/apps', () => ({ status: 200, body: [] }));
    fx.sim.inject('GET', '/apps', { status: 429, headers: { 'Retry-After': '1' }, body: { id: 'rate_limit' } });
    const t0 = Date.now();
    await client({ minDelayMs: 1, maxDelayMs: 2 }).get('/apps');
    const [first, second] = fx.sim.requests;
    expect(second!.time - first!.time).toBeGreaterThanOrEqual(950);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('honours Retry-After as an HTTP-date and the rate-limit reset headers', async () => {
    const now = Date.UTC(2026, 10, 27, 12, 0, 0);
    fx.sim.route('GET', '/x', () => ({ status: 200, body: {} }));
    fx.sim.inject('GET', '/x', { status: 503, headers: { 'Retry-After': new Date(now + 7000).toUTCString() } });
    fx.sim.inject('GET', '/x', { status: 429, headers: { 'X-RateLimit-Reset': String(now / 1000 + 12) } });
    fx.sim.inject('GET', '/x', { status: 429, headers: { 'RateLimit-Reset': '4' } });
    fx.sim.inject('GET', '/x', {
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
    expect(fx.sim.requests).toHaveLength(5);
  });

  it('fails with RateLimitError at once when the server asks to wait longer than maxRetryAfterMs', async () => {
    fx.sim.inject(
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
    expect(fx.sim.requests).toHaveLength(1);
  });

  it('fails with RateLimitError when 429 persists through all retries', async () => {
    fx.sim.inject(
      'GET',
      '/apps',
      { status: 429, body: { id: 'rate_limit', message: 'Your account reached the API limit.' } },
      { times: 9 },
    );
    const err = await caught(client({ retries: 2 }).get('/apps'));
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).attempts).toBe(3);
    expect(err.message).toContain('429 rate_limit — Your account reached the API limit. after 3 attempts');
    expect(fx.sim.requests).toHaveLength(3);
  });

  it.each([400, 401, 404, 409, 422])('does not retry %i', async (status) => {
    fx.sim.inject('GET', '/apps/a', { status, body: { id: `e${status}`, message: 'nope' } }, { times: 5 });
    const err = await caught(client().get('/apps/a'));
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(status);
    expect((err as HttpError).attempts).toBe(1);
    expect(fx.sim.requests).toHaveLength(1);
  });

  it('does not retry a plain POST on 500 or a reset, since the server may have acted on it', async () => {
    fx.sim.inject('POST', '/apps/a/builds', { status: 500 }, { times: 5 });
    const err = await caught(client().post('/apps/a/builds', { x: 1 }));
    expect((err as HttpError).status).toBe(500);
    expect(fx.sim.requests).toHaveLength(1);

    fx.sim.clearFaults();
    fx.sim.clearRequests();
    fx.sim.inject('POST', '/apps/a/builds', { reset: true }, { times: 5 });
    const reset = await caught(client().post('/apps/a/builds', { x: 1 }));
    expect(reset).toBeInstanceOf(NetworkError);
    expect(fx.sim.requests).toHaveLength(1);
  });

  it('retries a POST marked idempotent or carrying an Idempotency-Key, replaying the body', async () => {
    fx.sim.route('POST', '/deployments', (req) => ({ status: 200, body: { got: req.body } }));
    fx.sim.inject('POST', '/deployments', { status: 500 }, { times: 2 });
    expect(await client().post('/deployments', { n: 1 }, { idempotent: true })).toEqual({ got: { n: 1 } });
    expect(fx.sim.requests.map((r) => r.body)).toEqual([{ n: 1 }, { n: 1 }, { n: 1 }]);

    fx.sim.clearRequests();
    fx.sim.inject('POST', '/deployments', { reset: true });
    const res = await client().request('POST', '/deployments', {
      body: { n: 2 },
      headers: { 'Idempotency-Key': 'k-1' },
    });
    expect(res.attempts).toBe(2);
    expect(fx.sim.requests).toHaveLength(2);
  });

  it('retries a POST on 429, which the server rejected without acting', async () => {
    fx.sim.route('POST', '/chat.postMessage', () => ({ status: 200, body: { ok: true } }));
    fx.sim.inject('POST', '/chat.postMessage', { status: 429, headers: { 'Retry-After': '0' } });
    expect(await client().post('/chat.postMessage', { text: 'hi' })).toEqual({ ok: true });
    expect(fx.sim.requests).toHaveLength(2);
  });

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
});

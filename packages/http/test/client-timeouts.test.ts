// The client's timeouts against the real Simulator base over 127.0.0.1 sockets: per attempt, and the step's deadline.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { startDeadline } from '@wingman/time';
import { createHttpClient, TimeoutError } from '../src/index';
import { caught, simulatorFixture } from './fixture';

describe('createHttpClient timeouts against the simulator', () => {
  const fx = simulatorFixture();
  const client = fx.client;

  // undici checks headersTimeout/bodyTimeout on a ~0.5 s tick, so a 100 ms timeout fires within about 1 s.
  it('raises TimeoutError when no answer comes within timeoutMs on every attempt', async () => {
    fx.sim.route('GET', '/slow', () => ({ status: 200, body: {} }));
    fx.sim.inject('GET', '/slow', { delayMs: 2500 }, { times: 5 });
    const t0 = Date.now();
    const err = await caught(client({ timeoutMs: 100, retries: 1 }).get('/slow'));
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(err).toBeInstanceOf(TimeoutError);
    const e = err as TimeoutError;
    expect(e.timeoutMs).toBe(100);
    expect(e.attempts).toBe(2);
    expect(e.message).toBe(
      `Heroku API GET /slow timed out: no response within 100 ms after 2 attempts; check that ${fx.sim.url} is reachable or raise the timeout`,
    );
    expect(fx.sim.requests).toHaveLength(2);
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
    fx.sim.route('GET', '/busy', () => ({ status: 503, body: { message: 'busy' } }));
    const deadline = startDeadline(300, 'wait-timeout');
    const t0 = Date.now();
    const err = await caught(
      createHttpClient({
        baseUrl: fx.sim.url,
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
    expect(fx.sim.requests).toHaveLength(1);
  });

  it('retries a timed-out GET and succeeds on the next attempt; per-request timeout overrides', async () => {
    fx.sim.route('GET', '/slow', () => ({ status: 200, body: { ok: 1 } }));
    fx.sim.inject('GET', '/slow', { delayMs: 2500 });
    const c = client({ timeoutMs: 5000 });
    const t0 = Date.now();
    const res = await c.request('GET', '/slow', { timeoutMs: 80 });
    expect(res.body).toEqual({ ok: 1 });
    expect(res.attempts).toBe(2);
    expect(Date.now() - t0).toBeLessThan(2500);
  });
});

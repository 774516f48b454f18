// expectedStatus: 'any' and deadlineMs, the two options a health probe needs: every answer returned as is,
// and one limit for the whole request including a slowly trickled body.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createHttpClient, type HttpClient, TimeoutError } from '../src/index';

describe('expectedStatus any and deadlineMs', () => {
  let server: Server;
  let base: string;
  let hits = 0;
  const clients: HttpClient[] = [];

  beforeEach(async () => {
    hits = 0;
    server = createServer((req, res) => {
      hits += 1;
      if (req.url === '/down') {
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"starting"}');
      } else if (req.url === '/moved') {
        res.writeHead(302, { location: '/elsewhere' }).end();
      } else if (req.url === '/trickle') {
        // Headers at once, then a chunk every 100 ms: never idle long enough for timeoutMs to fire.
        res.writeHead(200, { 'content-type': 'text/plain' });
        let n = 0;
        const t = setInterval(() => {
          n += 1;
          if (n >= 20 || res.destroyed) {
            clearInterval(t);
            res.end();
          } else res.write('x');
        }, 100);
      } else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  function client(): HttpClient {
    const c = createHttpClient({ baseUrl: base, minDelayMs: 1, maxDelayMs: 2 });
    clients.push(c);
    return c;
  }

  it("'any' returns 5xx and 3xx answers with their body and headers, without retrying or throwing", async () => {
    const c = client();
    const down = await c.request('GET', '/down', { expectedStatus: 'any', retries: 0 });
    expect(down).toMatchObject({ status: 503, body: { status: 'starting' }, attempts: 1 });
    const moved = await c.request('GET', '/moved', { expectedStatus: 'any', retries: 0 });
    expect(moved.status).toBe(302);
    expect(moved.headers.location).toBe('/elsewhere');
    expect(hits).toBe(2);
  });

  it('deadlineMs stops a body that trickles past it, where timeoutMs alone would not', async () => {
    const c = client();
    const t0 = Date.now();
    const err = await c
      .request('GET', '/trickle', { timeoutMs: 1000, deadlineMs: 350, retries: 0, responseType: 'text' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    const took = Date.now() - t0;
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).code).toBe('DEADLINE');
    expect((err as TimeoutError).message).toContain('no response within 350 ms');
    expect(took).toBeGreaterThanOrEqual(340);
    expect(took).toBeLessThan(1500);
  });

  it('a request that ends within its deadline is unaffected (fractional milliseconds are fine)', async () => {
    const res = await client().request('GET', '/ok', { deadlineMs: 1999.6, timeoutMs: 1999.6, responseType: 'text' });
    expect(res).toMatchObject({ status: 200, body: 'ok' });
  });
});

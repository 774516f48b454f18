// The scripted health-check target, over real 127.0.0.1 sockets (node:http client, no keep-alive surprises).
import { request } from 'node:http';
import { afterEach, describe, expect, it } from '@jest/globals';
import { behaviours, HttpTarget, lognormalDelays, seededRandom, uniformDelays } from '../src/http-target';

interface Got {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  ms: number;
}

function get(url: string, headers: Record<string, string> = {}, timeoutMs = 2000): Promise<Got> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
          ms: performance.now() - t0,
        }),
      );
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', reject);
    req.end();
  });
}

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
  throw new Error('expected the request to fail');
}

describe('HttpTarget', () => {
  let target: HttpTarget;
  afterEach(async () => {
    await target.stop();
  });

  it('answers routes with JSON, 404s elsewhere, records requests with their headers and applied delay', async () => {
    target = new HttpTarget({ routes: { '/health': behaviours.ok({ status: 'ok', db: { latency_ms: 3 } }) } });
    await target.start();
    expect(target.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ok = await get(target.at('/health?x=1'), { 'x-probe': 'a' });
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(ok.body)).toEqual({ status: 'ok', db: { latency_ms: 3 } });
    const missing = await get(target.at('/nope'));
    expect(missing.status).toBe(404);
    expect(target.requests.map((r) => [r.path, r.status])).toEqual([
      ['/health', 200],
      ['/nope', 404],
    ]);
    expect(target.requestsTo('/health')[0]!.headers['x-probe']).toBe('a');
    expect(target.appliedDelays('/health')).toHaveLength(1);
  });

  it('refuses connections while booting, then answers 503 until healthy', async () => {
    target = new HttpTarget({
      refuseForMs: 300,
      routes: { '/health': behaviours.healthyAfter(600) },
    });
    await target.start();
    expect(await failure(get(target.at('/health')))).toBe('ECONNREFUSED');
    await new Promise((r) => setTimeout(r, 350));
    const starting = await get(target.at('/health'));
    expect(starting.status).toBe(503);
    expect(JSON.parse(starting.body)).toEqual({ status: 'starting' });
    await new Promise((r) => setTimeout(r, 300));
    expect((await get(target.at('/health'))).status).toBe(200);
  });

  it('plays a sequence then repeats, flaps by pattern, redirects, requires a bypass header', async () => {
    target = new HttpTarget({
      routes: {
        '/seq': behaviours.sequence([{ status: 500 }, { status: 502 }], behaviours.ok()),
        '/flap': behaviours.flapping(['up', 'down', 'down']),
        '/old': behaviours.redirect('/seq', 301),
        '/protected': behaviours.requireHeader('x-vercel-protection-bypass', 's3cret-bypass'),
      },
    });
    await target.start();
    const seq = [];
    for (let i = 0; i < 4; i++) seq.push((await get(target.at('/seq'))).status);
    expect(seq).toEqual([500, 502, 200, 200]);
    const flap = [];
    for (let i = 0; i < 6; i++) flap.push((await get(target.at('/flap'))).status);
    expect(flap).toEqual([200, 503, 503, 200, 503, 503]);
    const moved = await get(target.at('/old'));
    expect([moved.status, moved.headers.location]).toEqual([301, '/seq']);
    const denied = await get(target.at('/protected'));
    expect(denied.status).toBe(401);
    expect(denied.body).toContain('Authentication Required');
    expect((await get(target.at('/protected'), { 'x-vercel-protection-bypass': 'wrong' })).status).toBe(401);
    expect((await get(target.at('/protected'), { 'x-vercel-protection-bypass': 's3cret-bypass' })).status).toBe(200);
  });

  it('hangs until the client gives up (nothing recorded as answered), and stop() does not wait for it', async () => {
    target = new HttpTarget({ routes: { '/hang': behaviours.hang(), '/every2': behaviours.hangEvery(2) } });
    await target.start();
    expect(await failure(get(target.at('/hang'), {}, 200))).toBe('TIMEOUT');
    expect((await get(target.at('/every2'))).status).toBe(200);
    expect(await failure(get(target.at('/every2'), {}, 200))).toBe('TIMEOUT');
    expect(target.requestsTo('/hang')[0]!.status).toBeUndefined();
    expect(target.appliedDelays('/hang')).toEqual([]);
    const pending = get(target.at('/hang'), {}, 5000);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 50));
    await target.stop();
    expect(await failure(pending)).toMatch(/ECONNRESET|socket hang up/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('delays headers and body; the applied delay is measured to the last byte', async () => {
    target = new HttpTarget({
      routes: {
        '/slow': () => ({ status: 200, body: 'done', delayMs: 80 }),
        '/slow-body': () => ({ status: 200, body: 'tail', bodyDelayMs: 120 }),
      },
    });
    await target.start();
    const slow = await get(target.at('/slow'));
    expect(slow.ms).toBeGreaterThanOrEqual(79);
    const slowBody = await get(target.at('/slow-body'));
    expect(slowBody.body).toBe('tail');
    expect(slowBody.ms).toBeGreaterThanOrEqual(119);
    const [a, b] = target.appliedDelays();
    expect(a).toBeGreaterThanOrEqual(79);
    expect(a).toBeLessThanOrEqual(slow.ms);
    expect(b).toBeGreaterThanOrEqual(119);
    expect(b).toBeLessThanOrEqual(slowBody.ms);
  });

  it('seeded samplers are reproducible and follow their distribution', () => {
    const r1 = seededRandom(7);
    const r2 = seededRandom(7);
    const xs = Array.from({ length: 5 }, () => r1());
    expect(Array.from({ length: 5 }, () => r2())).toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);

    const draws = Array.from({ length: 20_000 }, lognormalDelays({ medianMs: 50, sigma: 0.4, seed: 3 })).sort(
      (a, b) => a - b,
    );
    // Median 50, P95 = 50·e^(0.4·1.645) ≈ 96.4 for a log-normal.
    expect(draws[10_000]!).toBeGreaterThan(48.5);
    expect(draws[10_000]!).toBeLessThan(51.5);
    expect(draws[19_000]!).toBeGreaterThan(93);
    expect(draws[19_000]!).toBeLessThan(100);
    const uni = Array.from({ length: 10_000 }, uniformDelays({ minMs: 10, maxMs: 20, seed: 5 }));
    expect(Math.min(...uni)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...uni)).toBeLessThan(20);
  });
});

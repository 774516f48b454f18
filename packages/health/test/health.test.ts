// checkHealth against real local targets (HttpTarget over 127.0.0.1), with short clocks.
import { afterEach, describe, expect, it } from '@jest/globals';
import { RecordingLog } from '@wingman/log';
import { behaviours, HttpTarget } from '@wingman/testkit/http-target';
import { parse as parseYaml } from 'yaml';
import { checkHealth, type HealthOptions } from '../src/health';
import { Prober, redirectAllowed } from '../src/probe';
import { renderHealthMarkdown, toJsonReport } from '../src/report';
import { parseTargets } from '../src/targets';

const targets: HttpTarget[] = [];
async function serve(options: ConstructorParameters<typeof HttpTarget>[0]): Promise<HttpTarget> {
  const t = new HttpTarget(options);
  targets.push(t);
  await t.start();
  return t;
}
afterEach(async () => {
  await Promise.all(targets.splice(0).map((t) => t.stop()));
});

function run(url: string | unknown, extra: Partial<HealthOptions> = {}) {
  const log = new RecordingLog();
  const specs = typeof url === 'string' ? parseTargets({ url }) : parseTargets({ targets: url });
  const promise = checkHealth({
    targets: specs,
    waitTimeoutMs: 3000,
    requestTimeoutMs: 1000,
    samples: 20,
    concurrency: 5,
    p95BudgetMs: 2000,
    errorRateBudget: 0.01,
    followRedirects: true,
    pollMinMs: 20,
    pollMaxMs: 100,
    log,
    ...extra,
  });
  return promise.then((report) => ({ report, log }));
}

/** Most requests the target had in flight at once. */
function peakConcurrency(t: HttpTarget): number {
  const events = t.requests
    .filter((r) => r.appliedMs !== undefined)
    .flatMap((r) => [
      [r.atMs, 1],
      [r.atMs + r.appliedMs! - 0.5, -1],
    ])
    .sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let cur = 0;
  let peak = 0;
  for (const [, d] of events) {
    cur += d!;
    peak = Math.max(peak, cur);
  }
  return peak;
}

describe('readiness', () => {
  it('waits through refused connections and 503s, logging every attempt with its reason in a group', async () => {
    const t = await serve({ refuseForMs: 250, routes: { '/health': behaviours.healthyAfter(500) } });
    const { report, log } = await run(t.at('/health'), { samples: 10 });
    expect(report.healthy).toBe(true);
    const r = report.targets[0]!;
    expect(r.ready).toBe(true);
    expect(r.readyAfterMs!).toBeGreaterThanOrEqual(500);
    expect(log.messages('group')[0]).toBe(`Readiness: GET ${t.url}/health`);
    const attempts = log.messages('info').filter((m) => m.startsWith('attempt '));
    expect(attempts.length).toBe(r.attempts);
    expect(attempts[0]).toMatch(/^attempt 1 at \d+ ms: connection refused \(ECONNREFUSED\) — retrying in \d+ ms$/);
    expect(attempts.some((m) => /: status 503, expected 200-299: \{"status":"starting"\} — retrying in/.test(m))).toBe(
      true,
    );
    expect(attempts[attempts.length - 1]).toMatch(/^attempt \d+ at .*: ready — 200 in \d+ ms$/);
    // Backoff: the polls do not hammer the target.
    expect(r.attempts).toBeLessThan(15);
    expect(r.samples).toBe(10);
    expect(t.requestsTo('/health').filter((q) => q.status === 200)).toHaveLength(11);
  });

  it('500, then 404 from a router that does not know the release yet, then 200: ready on the third poll', async () => {
    const t = await serve({
      routes: { '/h': behaviours.sequence([{ status: 500, body: 'boom' }, { status: 404 }], behaviours.ok()) },
    });
    const { report, log } = await run(t.at('/h'), { samples: 5 });
    expect(report.healthy).toBe(true);
    expect(report.targets[0]!.attempts).toBe(3);
    expect(log.messages('info').filter((m) => m.includes('retrying in'))).toEqual([
      expect.stringContaining('status 500, expected 200-299: boom'),
      expect.stringContaining('status 404, expected 200-299: (empty body)'),
    ]);
  });

  it('400 and 405 are not retried: they will not change by waiting', async () => {
    const t = await serve({ routes: { '/h': () => ({ status: 405, body: { error: 'method not allowed' } }) } });
    const { report } = await run(t.at('/h'));
    expect(report.targets[0]).toMatchObject({ attempts: 1, ready: false, refused: true });
    expect(report.verdicts).toEqual([
      `${t.url}/h failed its contract: status 405, expected 200-299: {"error":"method not allowed"}`,
    ]);
  });

  it('wrong JSON: polls until wait-timeout, then names the assertion and the actual value', async () => {
    const t = await serve({ routes: { '/h': behaviours.ok({ status: 'degraded', db: { latency_ms: 900 } }) } });
    const { report } = await run([{ url: t.at('/h'), 'expect-json': ['$.status == "ok"', '$.db.latency_ms < 500'] }], {
      waitTimeoutMs: 400,
    });
    expect(report.healthy).toBe(false);
    const r = report.targets[0]!;
    expect(r.ready).toBe(false);
    expect(r.attempts).toBeGreaterThan(2);
    expect(report.verdicts).toEqual([
      `${t.url}/h never became ready within 400 ms (${r.attempts} attempts); last: $.status == "ok" failed: actual "degraded"; $.db.latency_ms < 500 failed: actual 900`,
    ]);
    expect(r.samples).toBe(0);
  });

  it('a request that hangs past request-timeout is a timeout, retried until wait-timeout', async () => {
    const t = await serve({ routes: { '/h': behaviours.hang() } });
    const t0 = Date.now();
    const { report } = await run(t.at('/h'), { requestTimeoutMs: 150, waitTimeoutMs: 500 });
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(report.verdicts[0]).toMatch(
      new RegExp(`^${t.url}/h never became ready within 500 ms \\(\\d attempts\\); last: timed out after \\d+ ms$`),
    );
    expect(report.targets[0]!.attempts).toBeGreaterThanOrEqual(2);
  });

  it('a protected target (401 without the bypass header) fails at once with a hint; with the header it passes', async () => {
    const SECRET = 'byp4ss-s3cret-value';
    const t = await serve({ routes: { '/h': behaviours.requireHeader('x-vercel-protection-bypass', SECRET) } });
    const denied = await run(t.at('/h'));
    expect(denied.report.targets[0]!.attempts).toBe(1);
    expect(denied.report.verdicts[0]).toBe(
      `${t.url}/h failed its contract: status 401, expected 200-299: <!doctype html><title>Authentication Required</title><p>This deployment is protected.</p>` +
        " (a protected deployment, e.g. Vercel Deployment Protection, answers 401 without the bypass: pass 'x-vercel-protection-bypass: <secret>' in input 'headers')",
    );
    const ok = await run(t.at('/h'), { headers: { 'x-vercel-protection-bypass': SECRET } });
    expect(ok.report.healthy).toBe(true);
    const everything =
      JSON.stringify(toJsonReport(ok.report)) + renderHealthMarkdown(ok.report) + ok.log.messages().join('\n');
    expect(everything).not.toContain(SECRET);
    const wrong = await run(t.at('/h'), { headers: { 'x-vercel-protection-bypass': 'wrong-value' } });
    expect(wrong.report.verdicts[0]).toContain('the target refuses the headers sent: check their values');
  });

  it('follows redirects (latency covers every hop); with follow-redirects false a redirect fails at once', async () => {
    const t = await serve({
      routes: {
        '/old': () => ({ status: 301, headers: { location: '/health' }, delayMs: 40 }),
        '/health': () => ({ status: 200, body: { status: 'ok' }, delayMs: 40 }),
      },
    });
    const { report, log } = await run(t.at('/old'), { samples: 4 });
    expect(report.healthy).toBe(true);
    expect(report.targets[0]!.latency!.minMs).toBeGreaterThanOrEqual(80);
    expect(log.messages('info').find((m) => m.includes('ready'))).toContain(`after 1 redirect(s) to ${t.url}/health`);
    const stay = await run(t.at('/old'), { followRedirects: false });
    expect(stay.report.targets[0]!.attempts).toBe(1);
    expect(stay.report.verdicts[0]).toBe(
      `${t.url}/old failed its contract: status 301 (Location: /health), expected 200-299: (empty body)`,
    );
  });

  it('refuses a redirect to another origin unless allowed, and never carries the shared headers there', async () => {
    const other = await serve({ routes: { '/landing': behaviours.ok() } });
    const t = await serve({ routes: { '/go': behaviours.redirect(other.at('/landing')) } });
    const headers = { 'x-vercel-protection-bypass': 'abc-secret' };
    const refused = await run(t.at('/go'), { samples: 0, headers });
    expect(refused.report.targets[0]!.attempts).toBe(1);
    expect(refused.report.verdicts).toEqual([
      `${t.url}/go failed its contract: redirect to another origin ${other.url} is not followed (allow it with allow-redirects-to: ${other.url}, or check that origin itself)`,
    ]);
    expect(other.requests).toHaveLength(0);
    const { report } = await run(t.at('/go'), { samples: 0, headers, redirectOrigins: [`${other.url}/`] });
    expect(report.healthy).toBe(true);
    expect(t.requests[0]!.headers['x-vercel-protection-bypass']).toBe('abc-secret');
    expect(other.requests[0]!.headers['x-vercel-protection-bypass']).toBeUndefined();
  });

  it('checks several targets in order, sends method, headers and body', async () => {
    const t = await serve({
      routes: {
        '/a': behaviours.ok(),
        '/b': (req) => ({
          status: req.method === 'POST' && req.body === '{"ping":1}' ? 201 : 400,
          body: req.headers['x-t'] ?? '',
        }),
      },
    });
    const { report } = await run(
      parseYaml(`
- ${t.at('/a')}
- url: ${t.at('/b')}
  method: POST
  headers: { x-t: hello }
  body: { ping: 1 }
  expect-status: 201
  expect-body: ^hello$`),
      { samples: 3 },
    );
    expect(report.verdicts).toEqual([]);
    expect(report.targets.map((r) => [r.url, r.samples, r.errors])).toEqual([
      [`${t.url}/a`, 3, 0],
      [`${t.url}/b`, 3, 0],
    ]);
  });
});

describe('latency sample and verdicts', () => {
  it('times each request to the last body byte, at the asked concurrency, nearest-rank percentiles', async () => {
    const t = await serve({ routes: { '/h': () => ({ status: 200, body: { status: 'ok' }, bodyDelayMs: 60 }) } });
    const { report, log } = await run(t.at('/h'), { samples: 20, concurrency: 5 });
    const l = report.targets[0]!.latency!;
    // The first wave (5 requests, one per connection) is the warm-up: not in the percentiles.
    expect(l.count).toBe(15);
    expect(report.targets[0]!.warmup).toMatchObject({ requests: 5 });
    // Timers may fire a fraction of a millisecond early against performance.now().
    expect(l.minMs).toBeGreaterThanOrEqual(59);
    expect(l.p95Ms).toBeLessThan(200);
    expect(peakConcurrency(t)).toBe(5);
    expect(log.messages('group')[1]).toBe(`Latency: 20 requests to ${t.url}/h at concurrency 5`);
    // Each request took at least what the server applied to it, so the same holds for every order statistic;
    // the tight accuracy bound is measured in bench/smoke-health.bench.ts, away from a busy test runner.
    const applied = t
      .appliedDelays('/h')
      .slice(6)
      .sort((a, b) => a - b);
    expect(l.p95Ms).toBeGreaterThanOrEqual(applied[14]! - 1);
    expect(l.p95Ms).toBeLessThan(applied[14]! + 60);
  });

  it('cold instances met by the first concurrent wave are the warm-up: shown, counted for errors, not budgeted', async () => {
    // A connection stands for an instance: its first request is a cold start (300 ms), one of them fails.
    let cold = 0;
    const t = await serve({
      routes: {
        '/h': (req) => {
          if (!req.firstOnConnection) return { status: 200, body: 'ok', delayMs: 5 };
          cold += 1;
          return cold === 3 ? { status: 503, body: 'cold start failed' } : { status: 200, body: 'ok', delayMs: 300 };
        },
      },
    });
    const { report, log } = await run(t.at('/h'), {
      samples: 20,
      concurrency: 5,
      p95BudgetMs: 100,
      errorRateBudget: 0.1,
    });
    const r = report.targets[0]!;
    expect(cold).toBeGreaterThanOrEqual(5);
    expect(r.latency!.count).toBe(15);
    expect(r.latency!.p95Ms).toBeLessThan(100);
    expect(r.warmup!.maxMs).toBeGreaterThanOrEqual(299);
    expect(r.errors).toBe(1);
    expect(report.healthy).toBe(true);
    expect(log.messages('info').join('\n')).toMatch(
      /warm-up: the first 5 requests .* took up to 3\d\d ms; their errors count/,
    );
    expect(toJsonReport(report).targets[0]).toMatchObject({ warmupRequests: 5, errors: 1 });
    // One connection at a time meets no new instance: nothing is set aside.
    const serial = await run(t.at('/h'), { samples: 20, concurrency: 1, p95BudgetMs: 100, errorRateBudget: 0.1 });
    expect(serial.report.targets[0]!.warmup).toBeUndefined();
    expect(serial.report.targets[0]!.latency!.count).toBe(20);
  });

  it('slow enough to break the P95 budget: the verdict names the target and both numbers', async () => {
    let n = 0;
    const t = await serve({ routes: { '/h': () => ({ status: 200, body: 'ok', delayMs: n++ === 0 ? 0 : 120 }) } });
    const { report } = await run(t.at('/h'), { samples: 10, concurrency: 10, p95BudgetMs: 50 });
    expect(report.healthy).toBe(false);
    const p95 = report.targets[0]!.latency!.p95Ms;
    expect(p95).toBeGreaterThanOrEqual(120);
    expect(report.verdicts).toEqual([`P95 ${Math.round(p95)} ms > budget 50 ms on ${t.url}/h`]);
  });

  it('flapping: ready on the first up, then the error rate over the sample breaks the budget', async () => {
    const t = await serve({ routes: { '/h': behaviours.flapping(['up', 'down', 'up', 'up']) } });
    const { report } = await run(t.at('/h'), { samples: 20, concurrency: 1 });
    const r = report.targets[0]!;
    expect(r.attempts).toBe(1);
    expect(r.errors).toBe(5);
    expect(r.errorRate).toBe(0.25);
    expect(r.failures).toEqual([
      { label: '503', count: 5, example: 'status 503, expected 200-299: {"status":"unavailable"}' },
    ]);
    expect(report.verdicts).toEqual([
      `error rate 25% (5/20) > budget 1% on ${t.url}/h; most common: status 503, expected 200-299: {"status":"unavailable"} (5×)`,
    ]);
    // 503s answered: they have a latency and count in the percentiles.
    expect(r.latency!.count).toBe(20);
  });

  it('requests hanging past request-timeout during the sample count as errors without a latency, never retried', async () => {
    const t = await serve({ routes: { '/h': behaviours.hangEvery(4) } });
    const { report } = await run(t.at('/h'), {
      samples: 12,
      concurrency: 4,
      requestTimeoutMs: 200,
      errorRateBudget: 0.5,
    });
    const r = report.targets[0]!;
    // Poll 1 + 12 samples = requests 1..13 on the route; every 4th hangs: 4, 8, 12. The first four sent
    // are the warm-up (concurrency 4): their latencies are not in the percentiles, their errors count.
    expect(r.errors).toBe(3);
    expect(r.failures[0]).toMatchObject({ label: 'timeout', count: 3, example: 'timed out after 200 ms' });
    // The client may put a later request on the wire before the fourth: the hang falls in or after it.
    expect([5, 6]).toContain(r.latency!.count);
    expect(r.warmup?.requests).toBe(4);
    expect(t.requestsTo('/h')).toHaveLength(13);
    expect(report.healthy).toBe(true);
  });

  it('summary: a table row per target and a Mermaid xychart-beta histogram; the JSON report has every figure', async () => {
    const t = await serve({ routes: { '/h': behaviours.ok() } });
    const { report } = await run(t.at('/h'), { samples: 10 });
    const md = renderHealthMarkdown(report);
    expect(md).toMatch(/^## ✅ smoke-health\n/);
    expect(md).toMatch(
      new RegExp(
        `\\| GET ${t.url}/h \\| ✅ 200 \\| \\d+ ms \\(1 attempt\\) \\| \\d+ ms \\| \\d+ ms \\| \\d+ ms \\| 0 \\(0%\\) \\| 10 \\|`,
      ),
    );
    expect(md).toContain('```mermaid\nxychart-beta\n  title "GET');
    expect(md).toMatch(/ {2}x-axis "latency \(ms\)" \["\d+–\d+"/);
    expect(md).toMatch(/ {2}bar \[[\d, ]+\]/);
    const bars = JSON.parse(/bar (\[[\d, ]+\])/.exec(md)![1]!) as number[];
    expect(bars.reduce((a, b) => a + b, 0)).toBe(10);
    const json = toJsonReport(report);
    expect(json.targets[0]).toMatchObject({ url: `${t.url}/h`, healthy: true, samples: 10, errors: 0, errorRate: 0 });
    expect(json.targets[0]!.p95Ms).toBeGreaterThan(0);
    expect(json.budgets).toEqual({ p95Ms: 2000, errorRate: 0.01 });
  });
});

describe('Prober', () => {
  it('allows a redirect to the same origin, http→https on the same host and default ports, and listed origins', () => {
    const u = (s: string) => new URL(s);
    const from = u('http://api.example.com/health');
    expect(redirectAllowed(from, u('http://api.example.com/v2/health'), [])).toBe(true);
    expect(redirectAllowed(from, u('https://api.example.com/health'), [])).toBe(true);
    expect(redirectAllowed(from, u('https://api.example.com:8443/health'), [])).toBe(false);
    expect(redirectAllowed(u('https://api.example.com/'), u('http://api.example.com/'), [])).toBe(false);
    expect(redirectAllowed(from, u('https://login.example.com/sso'), [])).toBe(false);
    expect(redirectAllowed(from, u('https://login.example.com/sso'), ['https://login.example.com'])).toBe(true);
    expect(redirectAllowed(from, u('https://login.example.com/sso'), ['https://other.example.com', 'not a url'])).toBe(
      false,
    );
    expect(redirectAllowed(from, u('https://anywhere.example/'), ['*'])).toBe(true);
  });

  it('never retries inside a sample and reports connection refused as such', async () => {
    const t = await serve({});
    const url = t.at('/h');
    await t.stop();
    const p = new Prober({ requestTimeoutMs: 500, followRedirects: true });
    const r = await p.probe(parseTargets({ url })[0]!);
    await p.close();
    expect(r).toMatchObject({ ok: false, kind: 'network', label: 'ECONNREFUSED', retryable: true });
    expect(r.failures).toEqual(['connection refused (ECONNREFUSED)']);
  });

  it('stops after 10 redirects', async () => {
    const t = await serve({ routes: { '/loop': behaviours.redirect('/loop') } });
    const p = new Prober({ requestTimeoutMs: 2000, followRedirects: true });
    const r = await p.probe(parseTargets({ url: t.at('/loop') })[0]!);
    await p.close();
    expect(r).toMatchObject({ ok: false, kind: 'redirect', redirects: 10, retryable: false });
    expect(t.requests).toHaveLength(11);
  });
});

// The smoke-health bundle, run the way the runner runs it, against scripted local targets (HttpTarget).
import { afterEach, describe, expect, it } from '@jest/globals';
import { type ActionResult, behaviours, HttpTarget, nodeRuntimes, runAction, visible } from '@wingman/testkit';

const runtimes = nodeRuntimes().filter((r) => r.name === 'node20' || r.name === 'node24');
const SECRET = 'vpb_9fK2xQ7sLm4TzR8w';

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

function smoke(inputs: Record<string, string | undefined>, node: (typeof runtimes)[number] | string = 'node24') {
  return runAction('smoke-health', { node, inputs: { 'wait-timeout': '5s', samples: '20', ...inputs } });
}

const errorLines = (r: ActionResult) => r.annotations.filter((a) => a.level === 'error').map((a) => a.message);

it('runs on both Node 20 and Node 24', () => {
  expect(runtimes.map((r) => r.name)).toEqual(['node20', 'node24']);
});

describe('credentials in targets: headers', () => {
  it('masks the values of Authorization, Cookie, X-*-Token, *-Secret, *-Key and the protection bypass everywhere, not the others', async () => {
    const secrets = {
      authorization: 'Bearer tok_Authz8f3k2j9',
      cookie: 'session=ck_7hd92kslq0',
      'x-internal-token': 'xit_4m2n8b7v',
      'x-client-secret': 'cs_9q8w7e6r',
      'x-api-key': 'ak_1z2x3c4v5b',
      'x-vercel-protection-bypass': 'vpb_targetOnly42',
    };
    const t = await serve({ routes: { '/h': behaviours.ok({ status: 'ok' }) } });
    const yamlHeaders = Object.entries({ ...secrets, accept: 'application/json' })
      .map(([k, v]) => `    ${k}: "${v}"`)
      .join('\n');
    const r = await smoke({ targets: `- url: ${t.at('/h')}\n  headers:\n${yamlHeaders}\n`, samples: '3' });
    expect(r.exitCode).toBe(0);
    expect(r.masks).toEqual(expect.arrayContaining(Object.values(secrets)));
    expect(r.masks).not.toContain('application/json');
    // Nothing a reader sees (log, summary, outputs) holds a credential.
    for (const value of Object.values(secrets)) expect(visible(r)).not.toContain(value);
  });
});

describe.each(runtimes)('smoke-health bundle on $name', (node) => {
  it('waits for a protected target that boots (refused, then 503), checks its contract, measures, reports; the bypass secret is masked and never printed', async () => {
    const t = await serve({
      // Long enough to outlast the bundle's start on a busy machine, so the first poll is refused.
      refuseForMs: 1500,
      routes: {
        '/health': behaviours.requireHeader(
          'x-vercel-protection-bypass',
          SECRET,
          // A 503 after the refusals, however late the first poll comes (a clock-based boot raced the
          // bundle's start on a loaded machine and sometimes answered 200 first).
          behaviours.sequence(
            [{ status: 503, body: { status: 'starting' } }],
            behaviours.ok({ status: 'ok', db: { latency_ms: 4 } }),
          ),
        ),
      },
    });
    const r = await smoke(
      {
        targets: `- url: ${t.at('/health')}\n  expect-json:\n    - $.status == "ok"\n    - $.db.latency_ms < 500\n  expect-headers:\n    content-type: application/json\n`,
        headers: `x-vercel-protection-bypass: ${SECRET}\nx-trace: trace-7781`,
      },
      node,
    );
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.outputs.healthy).toBe('true');
    for (const o of ['p50-ms', 'p95-ms', 'p99-ms']) expect(Number(r.outputs[o])).toBeGreaterThan(0);
    expect(Number(r.outputs['p50-ms'])).toBeLessThanOrEqual(Number(r.outputs['p95-ms']));
    expect(r.outputs['error-rate']).toBe('0');
    const report = JSON.parse(r.outputs.report!);
    expect(report).toMatchObject({ healthy: true, verdicts: [], budgets: { p95Ms: 2000, errorRate: 0.01 } });
    expect(report.targets[0]).toMatchObject({
      url: `${t.url}/health`,
      ready: true,
      samples: 20,
      errors: 0,
      status: 200,
    });
    // Refused while booting, then a 503, then healthy: the action waited through all of it.
    const seen = t.requestsTo('/health');
    expect(seen.slice(0, 2).map((q) => q.status)).toEqual([503, 200]);
    expect(seen[1]!.atMs).toBeGreaterThanOrEqual(1500);
    expect(report.targets[0].readyAfterMs).toBeGreaterThan(0);
    // Every readiness attempt is logged inside the readiness group with its reason.
    expect(r.commands.filter((c) => c.command === 'group').map((c) => c.message)).toEqual([
      `Readiness: GET ${t.url}/health`,
      `Latency: 20 requests to ${t.url}/health at concurrency 5`,
    ]);
    expect(r.stdout).toMatch(/attempt 1 at \d+ ms: connection refused \(ECONNREFUSED\) — retrying in/);
    expect(r.stdout).toMatch(/: status 503, expected 200-299: \{"status":"starting"\} — retrying in/);
    expect(r.stdout).toMatch(/: ready — 200 in \d+ ms/);
    // The summary: table row and a Mermaid histogram.
    expect(r.summary).toMatch(/## ✅ smoke-health/);
    expect(r.summary).toMatch(
      new RegExp(
        `\\| GET ${t.url}/health \\| ✅ 200 \\| [\\d.]+ (ms|s) \\(\\d+ attempts\\) \\| \\d+ ms \\| \\d+ ms \\| \\d+ ms \\| 0 \\(0%\\) \\| 20 \\|`,
      ),
    );
    expect(r.summary).toMatch(
      /```mermaid\nxychart-beta\n {2}title "GET http:\/\/127\.0\.0\.1:\d+\/health — \d+ answers"\n {2}x-axis "latency \(ms\)" \[/,
    );
    // The secret reached the target, was masked, and appears nowhere.
    expect(t.requestsTo('/health').at(-1)!.headers['x-vercel-protection-bypass']).toBe(SECRET);
    expect(r.masks).toEqual(expect.arrayContaining([SECRET, 'trace-7781']));
    expect(visible(r)).not.toContain(SECRET);
  });
});

describe('smoke-health bundle: failures a deployment meets', () => {
  it('500 then 200: retried until ready, then healthy', async () => {
    const t = await serve({
      routes: {
        '/h': behaviours.sequence(
          [
            { status: 500, body: 'boom' },
            { status: 500, body: 'boom' },
          ],
          behaviours.ok(),
        ),
      },
    });
    const r = await smoke({ url: t.at('/h'), samples: '5' });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.outputs.report!).targets[0]).toMatchObject({ attempts: 3, ready: true, samples: 5 });
    expect(r.stdout.match(/status 500, expected 200-299: boom — retrying/g)).toHaveLength(2);
  });

  it('flapping: ready, then the error rate breaks the budget; the step fails naming the target, rate and cause', async () => {
    const t = await serve({ routes: { '/h': behaviours.flapping(['up', 'down', 'up', 'up']) } });
    const r = await smoke({ url: t.at('/h') });
    expect(r.exitCode).toBe(1);
    const verdict = `error rate 25% (5/20) > budget 1% on ${t.url}/h; most common: status 503, expected 200-299: {"status":"unavailable"} (5×)`;
    expect(errorLines(r)).toEqual([verdict]);
    expect(r.outputs).toMatchObject({ healthy: 'false', 'error-rate': '0.25' });
    // The one-line reason, for a later step that reports it (a PR comment, Slack).
    expect(r.outputs.error).toBe(verdict);
    expect(r.summary).toMatch(/## ❌ smoke-health/);
    expect(r.summary).toContain(`- ${verdict}`);
    expect(r.summary).toContain('- 5× status 503, expected 200-299: {"status":"unavailable"}');
  });

  it('wrong JSON: never ready within wait-timeout; the failure names the assertion and the actual value', async () => {
    const t = await serve({ routes: { '/h': behaviours.ok({ status: 'degraded', detail: 'x'.repeat(5000) }) } });
    const r = await smoke({
      targets: JSON.stringify([{ url: t.at('/h'), 'expect-json': '$.status == "ok"' }]),
      'wait-timeout': '1s',
    });
    expect(r.exitCode).toBe(1);
    const report = JSON.parse(r.outputs.report!);
    expect(errorLines(r)).toEqual([
      `${t.url}/h never became ready within 1 s (${report.targets[0].attempts} attempts); last: $.status == "ok" failed: actual "degraded"`,
    ]);
    expect(r.outputs).toMatchObject({ healthy: 'false', 'p95-ms': '', 'error-rate': '' });
    expect(r.summary).toMatch(/\| ❌ never ready \(200\) \|/);
    expect(r.stdout).not.toContain('x'.repeat(300));
  });

  it('redirects are followed by default; with follow-redirects false the redirect fails at once with its Location', async () => {
    const t = await serve({ routes: { '/old': behaviours.redirect('/health', 301), '/health': behaviours.ok() } });
    const followed = await smoke({ url: t.at('/old'), samples: '5' });
    expect(followed.exitCode).toBe(0);
    expect(followed.stdout).toContain(`after 1 redirect(s) to ${t.url}/health`);
    const stay = await smoke({ url: t.at('/old'), 'follow-redirects': 'false' });
    expect(stay.exitCode).toBe(1);
    expect(errorLines(stay)).toEqual([
      `${t.url}/old failed its contract: status 301 (Location: /health), expected 200-299: (empty body)`,
    ]);
    expect(JSON.parse(stay.outputs.report!).targets[0].attempts).toBe(1);
  });

  it('hanging past request-timeout: each poll times out, the step fails when wait-timeout ends', async () => {
    const t = await serve({ routes: { '/h': behaviours.hang() } });
    const r = await smoke({ url: t.at('/h'), 'request-timeout': '300ms', 'wait-timeout': '1s' });
    expect(r.exitCode).toBe(1);
    expect(r.durationMs).toBeLessThan(8000);
    expect(errorLines(r)[0]).toMatch(
      new RegExp(`^${t.url}/h never became ready within 1 s \\(\\d attempts\\); last: timed out after 300 ms$`),
    );
    expect(r.stdout).toMatch(/attempt 1 at \d+ ms: timed out after 300 ms — retrying in/);
  });

  it('slow enough to break the P95 budget: the verdict gives P95, the budget and the target', async () => {
    const t = await serve({ routes: { '/slow': () => ({ status: 200, body: 'ok', delayMs: 150 }) } });
    const r = await smoke({ url: t.at('/slow'), samples: '10', concurrency: '10', 'p95-budget': '100ms' });
    expect(r.exitCode).toBe(1);
    const p95 = Number(r.outputs['p95-ms']);
    expect(p95).toBeGreaterThanOrEqual(149);
    // The message rounds the exact P95; the output carries it to 0.1 ms (168.49 → "168.5" there, 168 here).
    const lines = errorLines(r);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^P95 \\d+ ms > budget 100 ms on ${t.url}/slow$`))]);
    expect(Math.abs(Number(/^P95 (\d+) ms/.exec(lines[0]!)![1]) - p95)).toBeLessThanOrEqual(1);
    expect(r.summary).toMatch(/\| ❌ P95 over budget \|/);
    expect(r.summary).toContain(`**smoke-health failed:** ${lines[0]}`);
  });

  it('several failing targets: one error annotation per verdict, the step fails on the first', async () => {
    const t = await serve({
      routes: { '/slow': () => ({ status: 200, body: 'ok', delayMs: 120 }), '/gone': () => ({ status: 410 }) },
    });
    const r = await smoke({ targets: `[${t.at('/slow')}, ${t.at('/gone')}]`, samples: '5', 'p95-budget': '50ms' });
    expect(r.exitCode).toBe(1);
    const errors = errorLines(r);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBe(`${t.url}/gone failed its contract: status 410, expected 200-299: (empty body)`);
    expect(errors[1]).toMatch(
      new RegExp(`^P95 \\d+ ms > budget 50 ms on ${t.url}/slow \\(and 1 more: see the annotations\\)$`),
    );
    const report = JSON.parse(r.outputs.report!);
    expect(report.targets.map((x: { healthy: boolean }) => x.healthy)).toEqual([false, false]);
    expect(r.summary).toMatch(/\| ❌ refused \(410\) \|/);
  });

  it('a protected target without the bypass header fails at once with a hint', async () => {
    const t = await serve({ routes: { '/h': behaviours.requireHeader('x-vercel-protection-bypass', SECRET) } });
    const r = await smoke({ url: t.at('/h') });
    expect(r.exitCode).toBe(1);
    expect(errorLines(r)[0]).toMatch(
      /failed its contract: status 401, expected 200-299: <!doctype html>.*pass 'x-vercel-protection-bypass: <secret>' in input 'headers'\)$/,
    );
    expect(JSON.parse(r.outputs.report!).targets[0].attempts).toBe(1);
  });

  it("Vercel Deployment Protection's login page never passes, whatever status the contract accepts, and names the bypass", async () => {
    const t = await serve({ routes: { '/h': behaviours.vercelProtected(SECRET) } });
    const r = await smoke({ targets: `- url: ${t.at('/h')}\n  expect-status: 200-499` });
    expect(r.exitCode).toBe(1);
    expect(errorLines(r)[0]).toBe(
      `${t.url}/h failed its contract: protected deployment: ${t.url}/h answers 401 from Vercel Deployment Protection; pass the bypass header: 'x-vercel-protection-bypass: <secret>' in input 'headers'`,
    );
    expect(JSON.parse(r.outputs.report!).targets[0].attempts).toBe(1);
    const passed = await smoke({ url: t.at('/h'), headers: `x-vercel-protection-bypass: ${SECRET}` });
    expect(passed.exitCode).toBe(0);
  });

  it('a secret the target echoes back in a failing body is still never printed', async () => {
    const t = await serve({
      routes: {
        '/h': (req) => ({ status: 500, body: { error: `bad bypass ${req.headers['x-vercel-protection-bypass']}` } }),
      },
    });
    const r = await smoke({
      url: t.at('/h'),
      headers: `x-vercel-protection-bypass: ${SECRET}`,
      'wait-timeout': '300ms',
    });
    expect(r.exitCode).toBe(1);
    expect(errorLines(r)[0]).toContain('status 500, expected 200-299: {"error":"bad bypass ***"}');
    expect(visible(r)).not.toContain(SECRET);
  });

  it('a target that echoes the bypass header base64-encoded never gets it printed either', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const t = await serve({
      routes: {
        '/h': (req) => ({
          status: 500,
          body: {
            seen: b64(String(req.headers['x-vercel-protection-bypass'])),
            authorization: b64(`Bearer ${req.headers['x-vercel-protection-bypass']}`),
          },
        }),
      },
    });
    const r = await smoke({
      url: t.at('/h'),
      headers: `x-vercel-protection-bypass: ${SECRET}`,
      'wait-timeout': '300ms',
    });
    expect(r.exitCode).toBe(1);
    expect(errorLines(r)[0]).toContain('{"seen":"***","authorization":"***"}');
    for (const form of [b64(SECRET), b64(SECRET).replace(/=+$/, ''), b64(`Bearer ${SECRET}`), SECRET])
      expect(visible(r)).not.toContain(form);
  });

  it('bad inputs fail with one line naming the input, before any request', async () => {
    const rate = await smoke({ url: 'http://127.0.0.1:9/h', 'error-rate-budget': 'one' });
    expect(rate.exitCode).toBe(1);
    expect(errorLines(rate)).toEqual([`input 'error-rate-budget' must be a percentage like 1% or 0.5%, got "one"`]);
    const none = await smoke({});
    expect(errorLines(none)).toEqual([
      "nothing to check: set input 'url' (one health URL) or 'targets' (a YAML or JSON list of {url, expect-*})",
    ]);
    const bad = await smoke({ targets: '- url: http://127.0.0.1:9/h\n  expect-json: $.status = ok' });
    expect(errorLines(bad)[0]).toMatch(
      /^input 'targets' item 1\.expect-json\[0\] "\$\.status = ok": expected an operator/,
    );
    const headers = await smoke({ url: 'http://127.0.0.1:9/h', headers: `just-a-secret-${SECRET}` });
    expect(errorLines(headers)).toEqual([
      `input 'headers' line 1 must be "Name: value" (e.g. "x-vercel-protection-bypass: \${{ secrets.BYPASS }}")`,
    ]);
    expect(visible(headers)).not.toContain(SECRET);
  });
});

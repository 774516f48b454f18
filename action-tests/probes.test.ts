// Faults a provider can put an action in, probed on the committed bundles as the runner runs them.
// A provider that accepts the connection and never answers must not hold a step past its timeout:
// every request, retry and poll inherits one deadline (once it took 30 s × 5 attempts per request).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { REPO_ROOT, runAction, sentryCliBinary } from '@wingman/testkit';

const TIMEOUT_S = 6;
const LIMIT_MS = TIMEOUT_S * 1000 * 1.1;

let hang: Server;
let url: string;
beforeAll(async () => {
  hang = createServer(() => {
    // accept, read, never answer
  });
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(hang.address() as AddressInfo).port}`;
});
afterAll(async () => {
  hang.closeAllConnections();
  await new Promise<void>((r) => hang.close(() => r()));
});

const errors = (r: Awaited<ReturnType<typeof runAction>>) =>
  r.annotations.filter((a) => a.level === 'error').map((a) => a.message);

describe('a provider that never answers ends the step at its timeout (+10 %)', () => {
  it('deploy-heroku', async () => {
    const r = await runAction('deploy-heroku', {
      cwd: REPO_ROOT,
      inputs: {
        'api-key': 'hrku-probe',
        app: 'probe',
        'app-dir': 'examples/wingmanmatch/backend',
        version: 'abc1234',
        'api-url': url,
        timeout: `${TIMEOUT_S}s`,
      },
    });
    expect(r.exitCode).toBe(1);
    expect(r.durationMs).toBeLessThan(LIMIT_MS);
    expect(errors(r)).toEqual([expect.stringMatching(/stopped: the step's 'timeout' \(6 s\) ran out/)]);
  }, 30_000);

  it('deploy-vercel', async () => {
    const r = await runAction('deploy-vercel', {
      cwd: REPO_ROOT,
      inputs: {
        token: 'vercel-probe',
        'project-id': 'prj_probe',
        'output-dir': 'examples/wingmanmatch/frontend/public',
        'api-url': url,
        timeout: `${TIMEOUT_S}s`,
      },
    });
    expect(r.exitCode).toBe(1);
    expect(r.durationMs).toBeLessThan(LIMIT_MS);
    expect(errors(r).join('\n')).toMatch(/stopped: the step's 'timeout' \(6 s\) ran out/);
  }, 30_000);

  it('notify-slack (a warning, never a failed deploy)', async () => {
    const r = await runAction('notify-slack', {
      cwd: REPO_ROOT,
      inputs: {
        'bot-token': 'xoxb-probe',
        channel: 'C0PROBE',
        status: 'started',
        'api-url': `${url}/api`,
        timeout: `${TIMEOUT_S}s`,
      },
    });
    expect(r.exitCode).toBe(0);
    expect(r.durationMs).toBeLessThan(LIMIT_MS);
    expect(r.outputs.delivered).toBe('false');
    expect(r.annotations.find((a) => a.level === 'warning')?.message).toMatch(/NOT delivered.*ran out/);
  }, 30_000);

  it('sentry-release (sentry-cli is stopped too)', async () => {
    const r = await runAction('sentry-release', {
      cwd: REPO_ROOT,
      inputs: {
        'auth-token': 'sntrys_probe',
        org: 'acme',
        projects: 'backend',
        url,
        'cli-path': sentryCliBinary(),
        'set-commits': 'skip',
        timeout: `${TIMEOUT_S}s`,
      },
      env: { SENTRY_LOAD_DOTENV: '0', SENTRY_HTTP_MAX_RETRIES: '0' },
    });
    expect(r.exitCode).toBe(1);
    expect(r.durationMs).toBeLessThan(LIMIT_MS);
    expect(errors(r).join('\n')).toMatch(/ran out/);
  }, 30_000);
});

describe('a server that is not the provider (a wrong api-url) is named as such', () => {
  let other: Server;
  let otherUrl: string;
  let answer: { type: string; body: string } = {
    type: 'text/html',
    body: '<html><body>Welcome to nginx!</body></html>',
  };
  beforeAll(async () => {
    other = createServer((_req, res) => res.writeHead(200, { 'content-type': answer.type }).end(answer.body));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => other.close(() => r()));
  });

  const heroku = () =>
    runAction('deploy-heroku', {
      cwd: REPO_ROOT,
      inputs: {
        'api-key': 'hrku-probe',
        app: 'probe',
        'app-dir': 'examples/wingmanmatch/backend',
        version: 'abc1234',
        'api-url': otherUrl,
        timeout: '20s',
      },
    });
  const vercel = () =>
    runAction('deploy-vercel', {
      cwd: REPO_ROOT,
      inputs: {
        token: 'vercel-probe',
        'project-id': 'prj_probe',
        'output-dir': 'examples/wingmanmatch/frontend/public',
        'api-url': otherUrl,
        timeout: '20s',
      },
    });

  it.each([
    ['an HTML page', 'text/html', '<html><body>Welcome to nginx!</body></html>', /answered text\/html, not JSON/],
    [
      'JSON of another shape',
      'application/json',
      '{"hello":"world"}',
      /answered without the expected 'id' \(Invalid input: expected string, received undefined\)/,
    ],
  ])(
    'deploy-heroku and deploy-vercel, answered with %s',
    async (_what, type, body, detail) => {
      answer = { type, body };
      for (const [name, r] of [
        ['Heroku', await heroku()],
        ['Vercel', await vercel()],
      ] as const) {
        expect(r.exitCode).toBe(1);
        const shown = errors(r);
        expect(shown).toHaveLength(1);
        expect(shown[0]).toMatch(detail);
        expect(shown[0]).toContain(`this does not look like the ${name} API at ${otherUrl}: check 'api-url'`);
        expect(r.durationMs).toBeLessThan(10_000); // no waiting out the timeout
      }
    },
    60_000,
  );
});

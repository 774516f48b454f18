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

// Faults a provider can put an action in, probed on the committed bundles as the runner runs them.
// A provider that accepts the connection and never answers must not hold a step past its timeout:
// every request, retry and poll inherits one deadline (once it took 30 s × 5 attempts per request).

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  HerokuSim,
  REPO_ROOT,
  runAction,
  SentrySimulator,
  SlackSimulator,
  sentryCliBinary,
  VercelSimulator,
} from '@wingman/testkit';

// Long enough that 10 % (1 s) also covers Node's start and exit on a loaded machine: with 6 s, 600 ms was
// once not enough for the whole process, which is what a user waits for.
const TIMEOUT_S = 10;
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
    expect(errors(r)).toEqual([expect.stringMatching(/stopped: the step's 'timeout' \(10 s\) ran out/)]);
  }, 30_000);

  it('deploy-vercel', async () => {
    const r = await runAction('deploy-vercel', {
      cwd: REPO_ROOT,
      inputs: {
        token: 'vercel-probe',
        'project-id': 'prj_probe',
        'output-dir': 'examples/wingmanmatch/frontend/public',
        static: 'true',
        'api-url': url,
        timeout: `${TIMEOUT_S}s`,
      },
    });
    expect(r.exitCode).toBe(1);
    expect(r.durationMs).toBeLessThan(LIMIT_MS);
    expect(errors(r).join('\n')).toMatch(/stopped: the step's 'timeout' \(10 s\) ran out/);
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
        static: 'true',
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

describe('a database that accepts the connection and never answers ends the step at the connect timeout', () => {
  let silent: NetServer;
  let port: number;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    silent = createNetServer((socket) => {
      // accept, never speak the protocol
      sockets.push(socket);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    port = (silent.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  });
  it.each(['run-migrations', 'verify-schema'])(
    '%s',
    async (action) => {
      const r = await runAction(action, {
        cwd: REPO_ROOT,
        inputs: {
          'database-url': `postgres://postgres:pw@127.0.0.1:${port}/postgres`,
          'migrations-dir': 'examples/wingmanmatch/supabase/migrations',
          'rollbacks-dir': 'examples/wingmanmatch/supabase/rollbacks',
        },
        timeoutMs: 40_000,
      });
      expect(r.exitCode).toBe(1);
      expect(r.durationMs).toBeLessThan(15_000 * 1.1 + 1_000);
      expect(errors(r)).toEqual([
        expect.stringMatching(
          /could not connect to the database at 127\.0\.0\.1:\d+: .*timeout.*; check 'database-url'/i,
        ),
      ]);
    },
    45_000,
  );
});

describe('429 with Retry-After is waited out, then the step goes on', () => {
  it('deploy-heroku, deploy-vercel, notify-slack and sentry-release', async () => {
    const heroku = new HerokuSim({ token: 'hrku-429', buildMs: 30, releasePhaseMs: 10 });
    const vercel = new VercelSimulator({ token: 'vercel-429', stepMs: 10 });
    const slack = new SlackSimulator({ botToken: 'xoxb-429' });
    const sentry = new SentrySimulator({ token: 'sntry-429', org: 'acme', projects: ['backend'] });
    await Promise.all([heroku.start(), vercel.start(), slack.start(), sentry.start()]);
    try {
      heroku.addApp('probe');
      const projectId = vercel.addProject({ name: 'probe' }).id;
      const channel = slack.addChannel({ name: 'deploys' }).id;
      const limited = (body: unknown) => ({ status: 429, headers: { 'retry-after': '1' }, body });
      heroku.inject('GET', '/apps/:app', limited({ id: 'rate_limit', message: 'slow down' }));
      vercel.inject('GET', '/v9/projects/:id', limited({ error: { code: 'rate_limited', message: 'slow down' } }));
      slack.inject('POST', '/api/chat.postMessage', limited({ ok: false, error: 'ratelimited' }));
      sentry.inject('GET', '/api/0/organizations/:org/releases/:version/', limited({ detail: 'slow down' }));
      const home = mkdtempSync(join(tmpdir(), 'wingman-429-'));
      const runs = await Promise.all([
        runAction('deploy-heroku', {
          cwd: REPO_ROOT,
          inputs: {
            'api-key': 'hrku-429',
            app: 'probe',
            'app-dir': 'examples/wingmanmatch/backend',
            version: 'abc',
            'api-url': heroku.url,
          },
        }),
        runAction('deploy-vercel', {
          cwd: REPO_ROOT,
          inputs: {
            token: 'vercel-429',
            'project-id': projectId,
            'output-dir': 'examples/wingmanmatch/frontend/public',
            static: 'true',
            'api-url': vercel.url,
          },
        }),
        runAction('notify-slack', {
          cwd: REPO_ROOT,
          inputs: {
            'bot-token': 'xoxb-429',
            channel,
            status: 'started',
            'api-url': `${slack.url}/api`,
            'fail-on-error': 'true',
          },
        }),
        runAction('sentry-release', {
          cwd: REPO_ROOT,
          env: { HOME: home, SENTRY_LOAD_DOTENV: '0', SENTRY_HTTP_MAX_RETRIES: '0' },
          inputs: {
            'auth-token': 'sntry-429',
            org: 'acme',
            projects: 'backend',
            url: sentry.url,
            release: 'r-429',
            'set-commits': 'skip',
            'cli-path': sentryCliBinary(),
          },
        }),
      ]);
      expect(runs.map((r) => r.exitCode)).toEqual([0, 0, 0, 0]);
      const gap = (times: number[]) => times[1]! - times[0]!;
      expect(gap(heroku.requestsTo('GET', '/apps/:app').map((q) => q.time))).toBeGreaterThanOrEqual(950);
      expect(gap(vercel.requestsTo('GET', '/v9/projects/:id').map((q) => q.time))).toBeGreaterThanOrEqual(950);
      expect(gap(slack.requestsTo('POST', '/api/chat.postMessage').map((q) => q.time))).toBeGreaterThanOrEqual(950);
      expect(
        gap(sentry.requestsTo('GET', '/api/0/organizations/:org/releases/:version/').map((q) => q.time)),
      ).toBeGreaterThanOrEqual(950);
      rmSync(home, { recursive: true, force: true });
    } finally {
      await Promise.all([heroku.stop(), vercel.stop(), slack.stop(), sentry.stop()]);
    }
  }, 60_000);
});

describe('Slack and Sentry: a server that is not theirs is named as such', () => {
  it('notify-slack (a warning) and sentry-release', async () => {
    const page = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Welcome</html>'),
    );
    await new Promise<void>((r) => page.listen(0, '127.0.0.1', r));
    const pageUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
    try {
      const slack = await runAction('notify-slack', {
        cwd: REPO_ROOT,
        inputs: { 'bot-token': 'xoxb-x', channel: 'C1', status: 'started', 'api-url': `${pageUrl}/api` },
      });
      expect(slack.exitCode).toBe(0);
      expect(slack.annotations.find((a) => a.level === 'warning')?.message).toMatch(
        /does not look like the Slack API at/,
      );
      const home = mkdtempSync(join(tmpdir(), 'wingman-shape-'));
      const sentry = await runAction('sentry-release', {
        cwd: REPO_ROOT,
        env: { HOME: home, SENTRY_LOAD_DOTENV: '0', SENTRY_HTTP_MAX_RETRIES: '0' },
        inputs: {
          'auth-token': 'sntry-x',
          org: 'acme',
          projects: 'backend',
          url: pageUrl,
          release: 'r',
          'set-commits': 'skip',
          'cli-path': sentryCliBinary(),
        },
      });
      rmSync(home, { recursive: true, force: true });
      expect(sentry.exitCode).toBe(1);
      expect(errors(sentry).join('\n')).toMatch(/does not look like the Sentry API at .*: check 'url'/);
    } finally {
      await new Promise<void>((r) => page.close(() => r()));
    }
  }, 30_000);
});

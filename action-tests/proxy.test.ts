// Self-hosted runners behind a proxy: the one HTTP client goes through HTTPS_PROXY / HTTP_PROXY (a
// CONNECT tunnel), leaves NO_PROXY hosts alone, and trusts a private CA from NODE_EXTRA_CA_CERTS, the
// way GitHub's own toolkit does. Every provider client reaches its simulator through it. Run through a
// bundle, as the runner runs it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  GitHubSimulator,
  HerokuSim,
  HttpTarget,
  isolatedSentryCliEnv,
  runAction,
  SentrySimulator,
  SlackSimulator,
  sentryCliBinary,
  startDataApi,
  startPostgres,
  type TestDatabase,
  VercelSimulator,
} from '@wingman/testkit';

/**
 * A forward proxy, recording each target: CONNECT tunnels (what undici's proxy agent opens for http and
 * https alike) and absolute-form requests (what curl-based tools such as sentry-cli send for http://).
 */
async function connectProxy() {
  const tunnels: string[] = [];
  const server: Server = createServer((req, res) => {
    let target: URL;
    try {
      target = new URL(req.url!);
    } catch {
      res.writeHead(400).end();
      return;
    }
    tunnels.push(target.host);
    const upstream = request(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req, socket, head) => {
    tunnels.push(req.url!);
    const [host, port] = req.url!.split(':');
    const upstream = connect(Number(port), host!, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

let proxy: Awaited<ReturnType<typeof connectProxy>>;
let slack: SlackSimulator;
const work = mkdtempSync(join(tmpdir(), 'wm-proxy-'));
beforeAll(async () => {
  proxy = await connectProxy();
  slack = new SlackSimulator();
  await slack.start();
  slack.addChannel({ id: 'C0DEPLOYS', name: 'deploys' });
});
afterAll(async () => {
  await Promise.all([proxy.stop(), slack.stop()]);
  rmSync(work, { recursive: true, force: true });
});

const notify = (env: Record<string, string>, inputs: Record<string, string>) =>
  runAction('notify-slack', { env, inputs: { status: 'succeeded', environment: 'production', ...inputs } });

describe('behind a proxy', () => {
  it('reaches the provider through the CONNECT proxy named by HTTPS_PROXY/HTTP_PROXY, in either case', async () => {
    const origin = new URL(slack.apiUrl).host;
    const cases: Record<string, string>[] = [
      { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url },
      { https_proxy: proxy.url, http_proxy: proxy.url },
    ];
    for (const env of cases) {
      proxy.tunnels.length = 0;
      const r = await notify(env, { 'bot-token': slack.botToken, channel: '#deploys', 'api-url': slack.apiUrl });
      expect(r.exitCode).toBe(0);
      expect(proxy.tunnels).toContain(origin);
    }
  });

  it('takes the Heroku Platform API through it too (one HTTP client for every provider)', async () => {
    const heroku = new HerokuSim({ token: 'hrku-proxy-key', buildMs: 50, releasePhaseMs: 50, promotionMs: 50 });
    await heroku.start();
    try {
      heroku.addApp('wm-api');
      heroku.seedDeploy('wm-api', 'a'.repeat(40));
      heroku.seedDeploy('wm-api', 'b'.repeat(40));
      proxy.tunnels.length = 0;
      const r = await runAction('deploy-heroku', {
        cwd: work,
        env: { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url },
        inputs: { 'api-key': 'hrku-proxy-key', app: 'wm-api', 'api-url': heroku.url, mode: 'rollback' },
      });
      expect(r.exitCode).toBe(0);
      expect(proxy.tunnels).toContain(new URL(heroku.url).host);
    } finally {
      await heroku.stop();
    }
  });

  it('goes direct to a NO_PROXY host', async () => {
    proxy.tunnels.length = 0;
    const r = await notify(
      { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' },
      { 'bot-token': slack.botToken, channel: '#deploys', 'api-url': slack.apiUrl },
    );
    expect(r.exitCode).toBe(0);
    expect(proxy.tunnels).toEqual([]);
  });

  it('trusts a private CA through NODE_EXTRA_CA_CERTS, and only then, through the proxy', async () => {
    // A CA and a server certificate for 127.0.0.1, as a company's TLS-inspecting proxy or internal host has.
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: work, stdio: 'pipe' });
    ssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=wingman test CA',
    );
    ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
      '-subj',
      '/CN=127.0.0.1',
    );
    writeFileSync(join(work, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
    ssl(
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.pem',
      '-days',
      '2',
      '-extfile',
      'san.ext',
    );
    const hooks: string[] = [];
    const https = createHttpsServer(
      { key: readFileSync(join(work, 'server.key')), cert: readFileSync(join(work, 'server.pem')) },
      (req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          hooks.push(body);
          res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        });
      },
    );
    await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
    const { port } = https.address() as { port: number };
    const hook = `https://127.0.0.1:${port}/services/T0/B0/secret0hook`;
    try {
      proxy.tunnels.length = 0;
      const untrusted = await notify({ HTTPS_PROXY: proxy.url }, { 'webhook-url': hook });
      // notify-slack never fails a deploy over Slack: it reports the message undelivered, and why.
      expect(untrusted.outputs.delivered).toBe('false');
      expect(untrusted.stdout).toMatch(/certificate/i);
      expect(hooks).toEqual([]);
      const trusted = await notify(
        { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: join(work, 'ca.pem') },
        { 'webhook-url': hook },
      );
      expect(trusted.exitCode).toBe(0);
      expect(trusted.outputs.delivered).toBe('true');
      expect(hooks).toHaveLength(1);
      expect(proxy.tunnels).toContain(`127.0.0.1:${port}`);
    } finally {
      await new Promise<void>((r) => https.close(() => r()));
    }
  });
});

describe('every provider client through the proxy', () => {
  const viaProxy = { HTTPS_PROXY: '', HTTP_PROXY: '' };
  beforeAll(() => {
    viaProxy.HTTPS_PROXY = proxy.url;
    viaProxy.HTTP_PROXY = proxy.url;
  });
  const reached = (url: string) => expect(proxy.tunnels).toContain(new URL(url).host);

  it('Vercel: deploy-vercel', async () => {
    const vercel = new VercelSimulator({ token: 'vercel-proxy-token', stepMs: 5 });
    await vercel.start();
    try {
      const project = vercel.addProject({ name: 'wm-web' });
      const earlier = vercel.seedProduction(project.id);
      proxy.tunnels.length = 0;
      const r = await runAction('deploy-vercel', {
        cwd: work,
        env: viaProxy,
        inputs: {
          token: 'vercel-proxy-token',
          'project-id': project.id,
          mode: 'promote',
          deployment: earlier.id,
          'api-url': vercel.url,
        },
      });
      expect(r.exitCode).toBe(0);
      reached(vercel.url);
    } finally {
      await vercel.stop();
    }
  });

  it('Sentry: sentry-release (its REST calls; sentry-cli reads the same variables)', async () => {
    const sentry = new SentrySimulator({ token: 'sntry-proxy-token', org: 'acme', projects: ['backend'] });
    await sentry.start();
    const home = join(work, 'sentry-home');
    mkdirSync(home, { recursive: true });
    try {
      proxy.tunnels.length = 0;
      const r = await runAction('sentry-release', {
        cwd: work,
        env: { ...isolatedSentryCliEnv(home), ...viaProxy },
        inputs: {
          'auth-token': 'sntry-proxy-token',
          org: 'acme',
          projects: 'backend',
          url: sentry.url,
          release: 'proxy-1.0.0',
          'set-commits': 'skip',
          'cli-path': sentryCliBinary(),
        },
      });
      expect(r.exitCode).toBe(0);
      expect(sentry.releases.has('proxy-1.0.0')).toBe(true);
      reached(sentry.url);
    } finally {
      await sentry.stop();
    }
  });

  describe('with a database', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await startPostgres();
      const client = await db.connect();
      await client.query(
        'create table public.notes (id int primary key, body text); alter table public.notes enable row level security;',
      );
      await client.end();
    });
    afterAll(async () => {
      await db.stop();
    });

    it('GitHub: run-migrations comments the lint on the pull request', async () => {
      const github = new GitHubSimulator({ token: 'ghs_proxyTest000000000000001' });
      await github.start();
      const repo = join(work, 'lint-repo');
      mkdirSync(join(repo, 'supabase/migrations'), { recursive: true });
      writeFileSync(
        join(repo, 'supabase/migrations/20260101000000_index.sql'),
        'create index notes_body_idx on public.notes (body);\n',
      );
      try {
        github.addPullRequest('acme/app', 3, { sha: 'c'.repeat(40), ref: 'feature/x' });
        proxy.tunnels.length = 0;
        const r = await runAction('run-migrations', {
          cwd: repo,
          eventName: 'pull_request',
          event: {
            action: 'opened',
            number: 3,
            pull_request: {
              number: 3,
              head: { sha: 'c'.repeat(40), ref: 'feature/x', repo: { full_name: 'acme/app' } },
              base: { ref: 'main' },
            },
            repository: { full_name: 'acme/app' },
          },
          env: { ...viaProxy, GITHUB_API_URL: github.url, GITHUB_REPOSITORY: 'acme/app' },
          inputs: {
            'database-url': db.url,
            'dry-run': 'true',
            'lint-small-table-rows': '0',
            'github-token': 'ghs_proxyTest000000000000001',
          },
        });
        expect(r.exitCode).toBe(0);
        expect(github.comments('acme/app', 3)).toHaveLength(1);
        reached(github.url);
      } finally {
        await github.stop();
      }
    });

    it('the Data API: verify-schema probes it through supabase-js on a proxy-aware fetch', async () => {
      const api = await startDataApi({ databaseUrl: db.url });
      try {
        proxy.tunnels.length = 0;
        const r = await runAction('verify-schema', {
          cwd: work,
          env: viaProxy,
          inputs: { 'database-url': db.url, 'supabase-url': api.url, 'anon-key': api.anonKey },
        });
        expect(api.requests.some((q) => q.url.includes('/rest/v1/notes'))).toBe(true);
        expect(r.stdout).toContain('Live Data API probe');
        reached(api.url);
        // NO_PROXY: the same probe goes direct.
        proxy.tunnels.length = 0;
        await runAction('verify-schema', {
          cwd: work,
          env: { ...viaProxy, NO_PROXY: '127.0.0.1' },
          inputs: { 'database-url': db.url, 'supabase-url': api.url, 'anon-key': api.anonKey },
        });
        expect(proxy.tunnels).toEqual([]);
      } finally {
        await api.stop();
      }
    });
  });

  it('health targets: smoke-health', async () => {
    const target = new HttpTarget({ routes: { '/health': () => ({ status: 200, body: { status: 'ok' } }) } });
    await target.start();
    try {
      proxy.tunnels.length = 0;
      const r = await runAction('smoke-health', {
        cwd: work,
        env: viaProxy,
        inputs: { url: target.at('/health'), samples: '3', 'wait-timeout': '5s' },
      });
      expect(r.exitCode).toBe(0);
      reached(target.url);
    } finally {
      await target.stop();
    }
  });
});

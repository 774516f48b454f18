// The deploy-vercel bundle, run as the runner runs it, against the Vercel and GitHub simulators.
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  DEFAULT_REPOSITORY,
  GitHubSimulator,
  nodeRuntimes,
  runAction,
  VercelSimulator,
  visible,
} from '@wingman/testkit';
import { cleanup, nextApp, prebuiltOutput, tempDir, write } from '../packages/vercel/test/helpers';

const TOKEN = 'vercel_bundle_test_token_9f8e7d6c5b4a';
const GH_TOKEN = 'ghs_bundleTestInstallationToken00000001';
const TEAM = 'team_wingmanBundle0000000000000';
const SHA_A = 'aaaaaaa1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const SHA_B = 'bbbbbbb2bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const runtimes = nodeRuntimes().filter((r) => r.name === 'node20' || r.name === 'node24');

afterAll(() => cleanup());

function pushEvent(sha: string): Record<string, unknown> {
  return {
    ref: 'refs/heads/main',
    after: sha,
    head_commit: { id: sha, message: 'Ship match scores\n\nlonger body' },
    repository: { full_name: DEFAULT_REPOSITORY, private: true },
    sender: { login: 'octocat' },
  };
}

function prEvent(sha: string, number = 7, action = 'synchronize'): Record<string, unknown> {
  const repo = { full_name: DEFAULT_REPOSITORY, private: true };
  return {
    action,
    number,
    pull_request: {
      number,
      head: { sha, ref: 'feature/Match-Score', repo },
      base: { ref: 'main', repo },
    },
    repository: repo,
    sender: { login: 'octocat' },
  };
}

describe('deploy-vercel bundle', () => {
  let vercel: VercelSimulator;
  let github: GitHubSimulator;
  let projectId: string;
  let workspace: string;

  beforeEach(async () => {
    vercel = new VercelSimulator({ token: TOKEN, teams: [{ id: TEAM, slug: 'wingman' }], stepMs: 40 });
    github = new GitHubSimulator({ token: GH_TOKEN });
    await Promise.all([vercel.start(), github.start()]);
    projectId = vercel.addProject({
      name: 'wingmanmatch-web',
      teamId: TEAM,
      domains: [{ name: 'wingmanmatch.app' }],
    }).id;
    github.addPullRequest(DEFAULT_REPOSITORY, 7, { sha: SHA_A, ref: 'feature/Match-Score' });
    github.addPullRequest(DEFAULT_REPOSITORY, 7, { sha: SHA_B, ref: 'feature/Match-Score' });
    workspace = tempDir('deploy-vercel-ws-');
    prebuiltOutput(workspace);
  });
  afterEach(async () => {
    await Promise.all([vercel.stop(), github.stop()]);
  });

  const run = (
    inputs: Record<string, string | undefined>,
    options: { event?: Record<string, unknown>; eventName?: string; node?: (typeof runtimes)[number] } = {},
  ) =>
    runAction('deploy-vercel', {
      node: options.node,
      cwd: workspace,
      event: options.event ?? pushEvent(SHA_A),
      eventName: options.eventName ?? 'push',
      env: { GITHUB_API_URL: github.url },
      timeoutMs: 30_000,
      inputs: { token: TOKEN, 'project-id': projectId, 'team-id': TEAM, 'api-url': vercel.url, ...inputs },
    });

  it('runs on both Node 20 and Node 24', () => {
    expect(runtimes.map((r) => r.name)).toEqual(['node20', 'node24']);
  });

  describe.each(runtimes)('on $name', (node) => {
    it('deploys, re-deploys a one-file change uploading one file, and skips an already deployed commit', async () => {
      const first = await run({}, { node });
      expect(first.stderr).toBe('');
      expect(first.exitCode).toBe(0);
      const id = first.outputs['deployment-id']!;
      expect(id).toMatch(/^dpl_/);
      expect(first.outputs).toMatchObject({
        'ready-state': 'READY',
        skipped: 'false',
        'previous-production-deployment-id': '',
      });
      expect(first.outputs.url).toMatch(/^https:\/\/wingmanmatch-web-[a-z0-9]+-wingman\.vercel\.app$/);
      expect(first.outputs['inspector-url']).toBe(`https://vercel.com/wingman/wingmanmatch-web/${id.slice(4)}`);
      expect(JSON.parse(first.outputs.aliases!)).toContain('wingmanmatch-web-git-main-wingman.vercel.app');
      expect(first.masks).toContain(TOKEN);
      expect(first.stdout.replace(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);
      expect(first.summary).toMatch(/✅ deploy-vercel: preview/);
      expect(first.summary).toMatch(/8 file\(s\), 8 uploaded/);
      expect(first.stdout).toContain('Deployment completed');
      expect(vercel.requestsTo('POST', '/v2/files')).toHaveLength(8);

      write(`${workspace}/.vercel/output`, 'static/index.html', '<h1>v2</h1>');
      vercel.clearRequests();
      const second = await run({}, { node, event: pushEvent(SHA_B) });
      expect(second.exitCode).toBe(0);
      expect(second.outputs['deployment-id']).not.toBe(id);
      expect(second.summary).toMatch(/8 file\(s\), 1 uploaded/);
      const uploads = vercel.requestsTo('POST', '/v2/files');
      expect(uploads).toHaveLength(1);
      expect((uploads[0]!.body as Buffer).toString()).toBe('<h1>v2</h1>');

      vercel.clearRequests();
      const again = await run({}, { node, event: pushEvent(SHA_B) });
      expect(again.exitCode).toBe(0);
      expect(again.outputs).toMatchObject({ skipped: 'true', 'deployment-id': second.outputs['deployment-id'] });
      expect(vercel.requestsTo('POST', '/v13/deployments')).toHaveLength(0);
    });
  });

  it("fails on a build ERROR with Vercel's message, still setting the outputs", async () => {
    vercel.queueOutcome({
      state: 'ERROR',
      errorCode: 'BUILD_FAILED',
      errorMessage: 'Command "npm run build" exited with 1',
    });
    const r = await run({});
    expect(r.exitCode).toBe(1);
    expect(r.annotations).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: expect.stringMatching(
          /failed: BUILD_FAILED: Command "npm run build" exited with 1; build logs: https:\/\/vercel.com\//,
        ),
      }),
    );
    expect(r.outputs['ready-state']).toBe('ERROR');
    expect(r.outputs['deployment-id']).toMatch(/^dpl_/);
    expect(r.summary).toMatch(/❌ deploy-vercel/);
    expect(r.stdout).toContain('[stderr] Error: Command "npm run build" exited with 1');
  });

  it('fails on a CANCELED deployment and on an alias error', async () => {
    vercel.queueOutcome({ state: 'CANCELED' });
    const canceled = await run({});
    expect(canceled.exitCode).toBe(1);
    expect(canceled.outputs['ready-state']).toBe('CANCELED');
    expect(canceled.annotations[0]!.message).toMatch(/was canceled before it was ready/);

    vercel.addProject({
      name: 'unverified',
      teamId: TEAM,
      domains: [{ name: 'new.wingmanmatch.app', verified: false }],
    });
    const aliasErr = await run({ 'project-id': 'unverified', target: 'production' });
    expect(aliasErr.exitCode).toBe(1);
    expect(aliasErr.annotations[0]!.message).toMatch(
      /is READY but its aliases failed: DOMAIN_NOT_VERIFIED: The domain new.wingmanmatch.app is not verified/,
    );
  });

  it('stages production without the domains, then promote switches traffic and reports the previous deployment', async () => {
    const live = await run({ target: 'production' });
    expect(live.exitCode).toBe(0);
    const liveId = live.outputs['deployment-id']!;
    expect(vercel.productionOf(projectId)).toBe(liveId);

    write(`${workspace}/.vercel/output`, 'static/index.html', 'staged');
    const staged = await run({ target: 'production', staged: 'true' }, { event: pushEvent(SHA_B) });
    expect(staged.exitCode).toBe(0);
    const stagedId = staged.outputs['deployment-id']!;
    expect(staged.outputs['previous-production-deployment-id']).toBe(liveId);
    expect(vercel.productionOf(projectId)).toBe(liveId);
    expect(vercel.aliasTarget('wingmanmatch.app')).toBe(liveId);
    expect(staged.summary).toMatch(/Promote it with `mode: promote` and `deployment: dpl_/);

    const promoted = await run({ mode: 'promote', deployment: stagedId });
    expect(promoted.exitCode).toBe(0);
    expect(promoted.outputs).toMatchObject({
      'deployment-id': stagedId,
      'previous-production-deployment-id': liveId,
      skipped: 'false',
    });
    expect(vercel.productionOf(projectId)).toBe(stagedId);
    expect(vercel.aliasTarget('wingmanmatch.app')).toBe(stagedId);
  });

  it('rolls back to the previous production deployment', async () => {
    const a = await run({ target: 'production' });
    write(`${workspace}/.vercel/output`, 'static/index.html', 'bad release');
    const b = await run({ target: 'production' }, { event: pushEvent(SHA_B) });
    expect(vercel.productionOf(projectId)).toBe(b.outputs['deployment-id']);
    const r = await run({ mode: 'rollback' });
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({
      'deployment-id': a.outputs['deployment-id'],
      'previous-production-deployment-id': b.outputs['deployment-id'],
    });
    expect(vercel.productionOf(projectId)).toBe(a.outputs['deployment-id']);
    expect(vercel.requestsTo('POST', '/v1/projects/:p/rollback/:d')[0]!.query.teamId).toBe(TEAM);
  });

  it('on a pull request: comments once and edits it, with GitHub deployment statuses in_progress then success', async () => {
    const inputs = { 'github-token': GH_TOKEN, aliases: 'pr-{pr}-wingmanmatch.vercel.app' };
    const first = await run(inputs, { event: prEvent(SHA_A), eventName: 'pull_request' });
    expect(first.exitCode).toBe(0);
    expect(first.masks).toContain(GH_TOKEN);
    const comments = github.comments(DEFAULT_REPOSITORY, 7);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain(`<!-- wingman-deploy:deploy-vercel:${projectId} -->`);
    expect(comments[0]!.body).toContain(first.outputs.url!);
    expect(comments[0]!.body).toContain('https://pr-7-wingmanmatch.vercel.app');
    expect(comments[0]!.body).toContain('`aaaaaaa`');
    expect(vercel.aliasTarget('pr-7-wingmanmatch.vercel.app')).toBe(first.outputs['deployment-id']);

    const [deployment] = github.deployments(DEFAULT_REPOSITORY);
    expect(deployment).toMatchObject({
      sha: SHA_A,
      transient_environment: true,
      production_environment: false,
      environment: 'Preview – wingmanmatch-web',
    });
    expect(deployment!.request).toEqual({ auto_merge: false, required_contexts: [] });
    const statuses = github.statuses(DEFAULT_REPOSITORY, deployment!.id);
    expect(statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(statuses[1]!.environment_url).toBe('https://pr-7-wingmanmatch.vercel.app');

    write(`${workspace}/.vercel/output`, 'static/index.html', 'pushed again');
    const second = await run(inputs, { event: prEvent(SHA_B), eventName: 'pull_request' });
    expect(second.exitCode).toBe(0);
    const after = github.comments(DEFAULT_REPOSITORY, 7);
    expect(after).toHaveLength(1);
    expect(after[0]!.id).toBe(comments[0]!.id);
    expect(after[0]!.body).toContain(second.outputs.url!);
    expect(after[0]!.body).toContain('`bbbbbbb`');
    expect(github.deployments(DEFAULT_REPOSITORY)).toHaveLength(2);
  });

  it('warns, and still succeeds, when the token lacks pull-requests and deployments write', async () => {
    github.permissions = { issues: 'read', pullRequests: 'read', deployments: 'read' };
    const r = await run({ 'github-token': GH_TOKEN }, { event: prEvent(SHA_A), eventName: 'pull_request' });
    expect(r.exitCode).toBe(0);
    expect(r.outputs['ready-state']).toBe('READY');
    const warnings = r.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/Resource not accessible by integration.*permissions: pull-requests: write/),
        expect.stringMatching(/permissions: deployments: write/),
      ]),
    );
    expect(github.comments(DEFAULT_REPOSITORY, 7)).toHaveLength(0);
  });

  describe('mode cleanup (pull request closed)', () => {
    const inputs = { 'github-token': GH_TOKEN, aliases: 'pr-{pr}-wingmanmatch.vercel.app' };
    const closed = { event: prEvent(SHA_B, 7, 'closed'), eventName: 'pull_request' };
    const previewTwice = async () => {
      const a = await run(inputs, { event: prEvent(SHA_A), eventName: 'pull_request' });
      write(`${workspace}/.vercel/output`, 'static/index.html', 'pushed again');
      const b = await run(inputs, { event: prEvent(SHA_B), eventName: 'pull_request' });
      expect([a.exitCode, b.exitCode]).toEqual([0, 0]);
      return b;
    };

    it.each(runtimes)(
      'on $name: removes the alias, marks both deployments of the PR inactive, edits the comment; again is a no-op',
      async (node) => {
        const b = await previewTwice();
        expect(vercel.aliasTarget('pr-7-wingmanmatch.vercel.app')).toBe(b.outputs['deployment-id']);
        const deployments = github.deployments(DEFAULT_REPOSITORY);
        expect(deployments).toHaveLength(2);

        const r = await run({ ...inputs, mode: 'cleanup' }, { ...closed, node });
        expect(r.stderr).toBe('');
        expect(r.exitCode).toBe(0);
        expect(vercel.aliasTarget('pr-7-wingmanmatch.vercel.app')).toBeUndefined();
        const del = vercel.requestsTo('DELETE', '/v2/aliases/:id');
        expect(del).toHaveLength(1);
        expect(del[0]!.query.teamId).toBe(TEAM);
        for (const d of deployments) {
          expect(github.statuses(DEFAULT_REPOSITORY, d.id).at(-1)!.state).toBe('inactive');
        }
        expect(JSON.parse(r.outputs.aliases!)).toEqual(['pr-7-wingmanmatch.vercel.app']);
        expect(JSON.parse(r.outputs['inactive-deployments']!).sort()).toEqual(deployments.map((d) => d.id).sort());
        expect(r.outputs).toMatchObject({ skipped: 'false', 'deployment-id': '', url: '' });
        expect(r.summary).toMatch(/✅ deploy-vercel cleanup: wingmanmatch-web #7/);
        expect(r.summary).toContain('pr-7-wingmanmatch.vercel.app (was dpl_');
        expect(r.summary).toMatch(/GitHub deployments marked inactive \| \d+, \d+/);
        const [comment] = github.comments(DEFAULT_REPOSITORY, 7);
        expect(comment!.body).toContain('### 🧹 Vercel preview of **wingmanmatch-web** was removed');
        expect(comment!.body).toContain('~~https://pr-7-wingmanmatch.vercel.app~~');
        expect(r.masks).toEqual(expect.arrayContaining([TOKEN, GH_TOKEN]));

        vercel.clearRequests();
        github.clearRequests();
        const again = await run({ ...inputs, mode: 'cleanup' }, { ...closed, node });
        expect(again.exitCode).toBe(0);
        expect(again.outputs).toMatchObject({ skipped: 'true', aliases: '[]', 'inactive-deployments': '[]' });
        expect(vercel.requestsTo('DELETE')).toHaveLength(0);
        expect(github.requestsTo('POST')).toHaveLength(0);
        expect(github.requestsTo('PATCH')).toHaveLength(0);
        const notices = again.annotations.filter((a) => a.level === 'notice').map((a) => a.message);
        expect(notices).toEqual([
          `alias pr-7-wingmanmatch.vercel.app does not exist in team ${TEAM}: nothing to remove`,
          expect.stringMatching(/^GitHub deployment\(s\) \d+, \d+ of #7 were already inactive: nothing to do$/),
          'the comment on #7 already says the preview was removed',
        ]);
        expect(again.annotations.filter((a) => a.level !== 'notice')).toEqual([]);
        expect(again.summary).toContain('Nothing left to clean up');
      },
    );

    it('warns, and still removes the alias, when the token lacks deployments: write', async () => {
      await previewTwice();
      github.permissions = { issues: 'write', pullRequests: 'write', deployments: 'read' };
      const r = await run({ ...inputs, mode: 'cleanup' }, closed);
      expect(r.exitCode).toBe(0);
      expect(vercel.aliasTarget('pr-7-wingmanmatch.vercel.app')).toBeUndefined();
      const warnings = r.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
      expect(warnings).toEqual([
        'GitHub refused to mark the deployments of #7 inactive (403 Resource not accessible by integration): add `permissions: deployments: write` to the job',
      ]);
      for (const d of github.deployments(DEFAULT_REPOSITORY)) {
        expect(github.statuses(DEFAULT_REPOSITORY, d.id).at(-1)!.state).toBe('success');
      }
      expect(r.outputs['inactive-deployments']).toBe('[]');
      expect(r.summary).toContain('permissions: deployments: write');
    });

    it('refuses to remove the production domain, and fails when there is nothing to clean up', async () => {
      const live = await run({ target: 'production' });
      expect(live.exitCode).toBe(0);
      const r = await run({ mode: 'cleanup', aliases: 'wingmanmatch.app' }, closed);
      expect(r.exitCode).toBe(1);
      expect(r.annotations[0]!.message).toMatch(
        /refusing to remove alias wingmanmatch.app serves the production deployment dpl_\w+ of wingmanmatch-web/,
      );
      expect(vercel.aliasTarget('wingmanmatch.app')).toBe(live.outputs['deployment-id']);
      expect(vercel.requestsTo('DELETE')).toHaveLength(0);

      const nothing = await run({ mode: 'cleanup' }, closed);
      expect(nothing.exitCode).toBe(1);
      expect(nothing.annotations[0]!.message).toMatch(/mode cleanup has nothing to do: set 'aliases'/);
    });
  });

  it('waits out a 429 rate limit until x-ratelimit-reset', async () => {
    vercel.rateLimit('POST', '/v13/deployments', 1, 1000);
    const r = await run({});
    expect(r.exitCode).toBe(0);
    const creates = vercel.requestsTo('POST', '/v13/deployments');
    expect(creates).toHaveLength(3);
    expect(creates[2]!.time).toBeGreaterThanOrEqual(Math.ceil((creates[0]!.time + 1000) / 1000) * 1000 - 50);
    expect(r.stdout).toMatch(/retrying POST \/v13\/deployments\?teamId=team_wingmanBundle\S* in \d+ ms \(429\)/);
  });

  it('survives connections dropped during upload', async () => {
    vercel.inject('POST', '/v2/files', { reset: true }, { times: 3 });
    const r = await run({});
    expect(r.exitCode).toBe(0);
    expect(vercel.requestsTo('POST', '/v2/files')).toHaveLength(11);
    expect(vercel.storedShas(TEAM)).toHaveLength(8);
    expect(r.stdout).toMatch(/retrying POST \/v2\/files\S* in \d+ ms \(ECONNRESET\)/);
  });

  it.each([
    [
      'after Vercel created it: the deployment is found and followed, not created twice',
      { resetAfterHandling: true } as const,
      1,
    ],
    ['before Vercel acted: it is created once more', { reset: true } as const, 2],
  ])('a connection reset on POST /v13/deployments %s', async (_what, fault, posts) => {
    expect((await run({})).exitCode).toBe(0); // Vercel has every file: the next create succeeds at once
    const before = vercel.deployments.size;
    vercel.clearRequests();
    vercel.inject('POST', '/v13/deployments', fault);
    const r = await run({ force: 'true' });
    expect(r.exitCode).toBe(0);
    expect(vercel.requestsTo('POST', '/v13/deployments')).toHaveLength(posts);
    expect(vercel.deployments.size).toBe(before + 1);
    expect(r.outputs['deployment-id']).toBe([...vercel.deployments.keys()].at(-1));
    expect(r.annotations.find((a) => a.level === 'warning')?.message).toMatch(
      posts === 1
        ? /after Vercel had created it: following dpl_/
        : /Vercel has none from this attempt: creating it again/,
    );
  });

  it('fails fast on a bad input, naming it', async () => {
    const r = await run({ 'team-id': 'wingman' });
    expect(r.exitCode).toBe(1);
    expect(r.annotations[0]!.message).toMatch(/input 'team-id' must be a team id like team_…/);
    expect(vercel.requests).toHaveLength(0);
  });
});

describe('deploy-vercel bundle: builds from source', () => {
  let vercel: VercelSimulator;
  let workspace: string;
  const BYPASS = 'bundle-bypass-secret-0123456789abcdef';

  beforeEach(async () => {
    vercel = new VercelSimulator({ token: TOKEN, teams: [{ id: TEAM, slug: 'wingman' }], stepMs: 30 });
    await vercel.start();
    workspace = tempDir('deploy-vercel-src-');
    // A small Next.js-shaped app, with what must never leave the runner.
    nextApp(workspace);
    write(workspace, '.env.production', 'STRIPE_KEY=sk_live_secret');
  });
  afterEach(async () => {
    await vercel.stop();
  });

  const run = (projectId: string, inputs: Record<string, string> = {}) =>
    runAction('deploy-vercel', {
      cwd: workspace,
      event: pushEvent(SHA_A),
      eventName: 'push',
      timeoutMs: 30_000,
      inputs: { token: TOKEN, 'project-id': projectId, 'team-id': TEAM, 'api-url': vercel.url, ...inputs },
    });
  const web = () => vercel.addProject({ name: 'web', teamId: TEAM, installCommand: 'npm ci' }).id;

  it('builds a Next.js-shaped app on Vercel, never uploads .env, hides env values, and re-deploys with 0 uploads', async () => {
    const projectId = web();
    const env = 'API_URL=https://backend-pr-7.herokuapp.com';
    const buildEnv =
      'NEXT_PUBLIC_API_URL=https://backend-pr-7.herokuapp.com\nNEXT_PUBLIC_SENTRY_DSN=https://dsn-public-4242@sentry.example/1';
    const first = await run(projectId, { env, 'build-env': buildEnv });
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    const d = vercel.deployment(first.outputs['deployment-id']!)!;
    expect(d.prebuilt).toBe(false);
    expect(d.files.map((f) => f.file).sort()).toEqual([
      'app/page.tsx',
      'next.config.mjs',
      'package.json',
      'public/index.html',
    ]);
    expect(vercel.storedShas(TEAM)).toHaveLength(4);
    expect(d.projectSettings.installCommand).toBe('npm ci');
    expect(d.buildEnv.NEXT_PUBLIC_API_URL).toBe('https://backend-pr-7.herokuapp.com');
    // The values reached Vercel and nothing a person can read.
    for (const value of ['https://backend-pr-7.herokuapp.com', 'https://dsn-public-4242@sentry.example/1']) {
      expect(first.masks).toContain(value);
      expect(visible(first)).not.toContain(value);
    }
    // The build log streamed; the summary names the held-back files, the commit and the digest.
    expect(first.stdout).toContain('Running "install" command: `npm ci`...');
    expect(first.stdout).toMatch(/::warning::held back \.env: an environment file/);
    expect(first.summary).toContain('.env (an environment file (.env*))');
    expect(first.summary).toContain('.env.production');
    expect(first.summary).toContain(SHA_A);
    expect(first.summary).toContain(first.outputs['source-digest']!);

    const again = await run(projectId, { env, 'build-env': buildEnv, force: 'true' });
    expect(again.exitCode).toBe(0);
    expect(again.outputs['deployment-id']).not.toBe(first.outputs['deployment-id']);
    expect(vercel.requestsTo('POST', '/v2/files')).toHaveLength(4); // all from the first deploy
    expect(again.stdout).toContain('Vercel already had every file: nothing uploaded');
    expect(again.outputs['source-digest']).toBe(first.outputs['source-digest']);
  });

  it('fails a broken build with its error line and the inspector URL', async () => {
    const projectId = web();
    vercel.queueOutcome({
      state: 'ERROR',
      errorCode: 'BUILD_FAILED',
      errorMessage: 'Command "npm run build" exited with 1',
      log: ['> next build', 'Failed to compile.', './app/page.tsx:1:40', "Type error: Cannot find name 'Match'."],
    });
    const r = await run(projectId);
    expect(r.exitCode).toBe(1);
    const error = r.annotations.find((a) => a.level === 'error')!;
    expect(error.message).toMatch(
      /failed: BUILD_FAILED: Command "npm run build" exited with 1 — Type error: Cannot find name 'Match'\.; build logs: https:\/\/vercel\.com\/wingman\/web\//,
    );
    expect(r.stdout).toContain('  ./app/page.tsx:1:40');
    expect(r.outputs['ready-state']).toBe('ERROR');
  });

  it('refuses a folder with no build setup instead of publishing it', async () => {
    const projectId = web();
    write(workspace, 'package.json', JSON.stringify({ name: 'web', scripts: { start: 'node server.mjs' } }));
    const r = await run(projectId);
    expect(r.exitCode).toBe(1);
    expect(r.annotations.find((a) => a.level === 'error')!.message).toMatch(/has nothing to build/);
    expect(vercel.requestsTo('POST', '/v13/deployments')).toHaveLength(0);
    expect(vercel.requestsTo('POST', '/v2/files')).toHaveLength(0);
  });

  it('hands smoke-health the bypass header of a protected preview, and smoke-health refuses the login page without it', async () => {
    await vercel.stop();
    vercel = new VercelSimulator({
      token: TOKEN,
      teams: [{ id: TEAM, slug: 'wingman' }],
      stepMs: 30,
      serveDeployments: true,
    });
    await vercel.start();
    const projectId = vercel.addProject({
      name: 'web',
      teamId: TEAM,
      protection: 'previews',
      bypassSecrets: [BYPASS],
    }).id;
    const deployed = await run(projectId, { 'bypass-secret': BYPASS });
    expect(deployed.exitCode).toBe(0);
    const header = deployed.outputs['protection-bypass']!;
    expect(header).toBe(`x-vercel-protection-bypass: ${BYPASS}`);
    const smoke = (headers?: string) =>
      runAction('smoke-health', {
        cwd: workspace,
        timeoutMs: 30_000,
        inputs: { url: deployed.outputs.url!, 'wait-timeout': '2s', samples: '3', ...(headers ? { headers } : {}) },
      });
    const refused = await smoke();
    expect(refused.exitCode).toBe(1);
    expect(refused.annotations.find((a) => a.level === 'error')!.message).toMatch(/protected deployment/);
    const passed = await smoke(header);
    expect(passed.exitCode).toBe(0);
  });
});

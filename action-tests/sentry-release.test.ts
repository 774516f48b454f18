// The sentry-release bundle, run as the runner runs it, with the real sentry-cli binary (the devDependency's,
// through cli-path) against the Sentry simulator; and the runtime installer against a loopback registry.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { silentLog } from '@wingman/log';
import { npmRegistry, platformPackage, verifyIntegrity } from '@wingman/sentry';
import {
  defaultPushEvent,
  isolatedSentryCliEnv,
  type NpmRegistrySim,
  nodeRuntimes,
  REPO_ROOT,
  runAction,
  SentrySimulator,
  Simulator,
  sentryCliBinary,
  startNpmRegistry,
} from '@wingman/testkit';
import { installSentryCli } from '../actions/sentry-release/src/install';

const TOKEN = 'sentry-sim-plain-token-7d41c9';
const GH_TOKEN = 'ghs_wingmanTestkitFakeInstallationToken0';
const REPO = 'wingman-org/app';
const CLI = sentryCliBinary();
const runtimes = nodeRuntimes().filter((r) => r.name === 'node20' || r.name === 'node24');
const tmp: string[] = [];

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tmp.push(d);
  return d;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, HOME: cwd, GIT_CONFIG_NOSYSTEM: '1' },
  }).trim();
}

// A repository with four commits; workspaces are clones of it (full or shallow) with a built dist/.
let template: string;
let shas: string[]; // newest first
let messages: Record<string, string>;

beforeAll(() => {
  template = tempDir('sentry-template-');
  git(template, 'init', '-q', '-b', 'main');
  git(template, 'config', 'user.email', 'dev@wingman.test');
  git(template, 'config', 'user.name', 'Dev');
  for (const n of [1, 2, 3, 4]) {
    writeFileSync(join(template, `file${n}.ts`), `export const n = ${n};\n`);
    git(template, 'add', '.');
    git(template, 'commit', '-q', '-m', `change ${n}`);
  }
  shas = git(template, 'log', '--format=%H').split('\n');
  messages = Object.fromEntries(shas.map((s) => [s, git(template, 'log', '-1', '--format=%B', s).trim()]));
});

afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

function workspace(kind: 'full' | 'shallow'): string {
  const dir = join(tempDir('sentry-ws-'), 'app');
  execFileSync('git', ['clone', '-q', ...(kind === 'shallow' ? ['--depth', '1'] : []), `file://${template}`, dir]);
  git(dir, 'remote', 'set-url', 'origin', `https://github.com/${REPO}.git`);
  // Build output: a minified script and its source map per app (URLs are relative to each path: distinct names).
  for (const [app, name] of [
    ['backend', 'server'],
    ['frontend', 'app'],
  ] as const) {
    mkdirSync(join(dir, app, 'dist'), { recursive: true });
    writeFileSync(
      join(dir, app, 'dist', `${name}.js`),
      `function ${app}(){console.log("${app}")}${app}();\n//# sourceMappingURL=${name}.js.map\n`,
    );
    writeFileSync(
      join(dir, app, 'dist', `${name}.js.map`),
      JSON.stringify({
        version: 3,
        file: `${name}.js`,
        sources: [`../src/${app}.ts`],
        sourcesContent: [`function ${app}() { console.log('${app}'); }\n${app}();\n`],
        names: [app],
        mappings: 'AAAA,SAASA',
      }),
    );
  }
  return dir;
}

function pushEvent(sha: string, commits: string[] = [sha]): Record<string, unknown> {
  const event = defaultPushEvent(REPO, sha);
  const base = (event.commits as Record<string, unknown>[])[0]!;
  // The payload lists commits oldest first.
  event.commits = [...commits].reverse().map((id) => ({ ...base, id, message: messages[id] ?? 'change' }));
  event.head_commit = (event.commits as unknown[]).at(-1);
  return event;
}

let sentry: SentrySimulator;
let home: string;

beforeEach(async () => {
  sentry = new SentrySimulator({ token: TOKEN, org: 'acme', projects: ['backend', 'frontend'] });
  await sentry.start();
  home = tempDir('sentry-home-');
});

afterEach(async () => {
  await sentry.stop();
});

interface RunOptions {
  inputs?: Record<string, string | undefined>;
  env?: Record<string, string | undefined>;
  event?: Record<string, unknown>;
  cwd: string;
  node?: (typeof runtimes)[number];
}

function run(options: RunOptions) {
  return runAction('sentry-release', {
    node: options.node,
    cwd: options.cwd,
    event: options.event ?? pushEvent(shas[0]!),
    inputs: {
      'auth-token': TOKEN,
      org: 'acme',
      projects: 'backend, frontend',
      url: sentry.url,
      'cli-path': CLI,
      ...options.inputs,
    },
    env: { ...isolatedSentryCliEnv(home), ...options.env },
  });
}

it('runs on both Node 20 and Node 24', () => {
  expect(runtimes.map((r) => r.name)).toEqual(['node20', 'node24']);
});

it('refuses \'projects\' that names no project (" , ") before sentry-cli runs', async () => {
  const res = await run({ cwd: workspace('full'), inputs: { projects: ' , ' } });
  expect(res.exitCode).toBe(1);
  expect(res.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
    `input 'projects' must be at least one name, separated by commas, spaces or newlines, got ","`,
  ]);
  expect(sentry.requests).toHaveLength(0);
});

describe.each(runtimes)('sentry-release bundle on $name', (node) => {
  it('creates the release for two projects with commits from git, source maps for both, a deploy marker, and finalizes, in that order', async () => {
    const cwd = workspace('full');
    const res = await run({
      node,
      cwd,
      inputs: { environment: 'production', sourcemaps: 'backend/dist\nfrontend/dist', release: 'app@1.4.0' },
    });
    expect(res.stderr).toBe('');
    expect(res.exitCode).toBe(0);
    expect(res.outputs).toEqual({
      release: 'app@1.4.0',
      'release-url': `${sentry.url}/organizations/acme/releases/app%401.4.0/`,
    });

    const rel = sentry.release('app@1.4.0')!;
    expect(rel.projects).toEqual(['backend', 'frontend']);
    // sentry-cli's own discovery from the full history: all four commits, HEAD first.
    expect(rel.commits.map((c) => c.id)).toEqual(shas);
    expect(rel.commits[0]).toMatchObject({
      message: expect.stringMatching(/^change 4/),
      author_email: 'dev@wingman.test',
    });
    const expectedFiles = ['~/app.js', '~/app.js.map', '~/server.js', '~/server.js.map'];
    for (const project of ['backend', 'frontend']) {
      const files = sentry.filesFor(project, 'app@1.4.0');
      expect(files.map((f) => f.url).sort()).toEqual(expectedFiles);
      // Debug ids were injected before the upload: every file carries one.
      expect(files.every((f) => /^[0-9a-f-]{36}$/.test(f.debugId ?? ''))).toBe(true);
    }
    expect(readFileSync(join(cwd, 'frontend/dist/app.js'), 'utf8')).toMatch(/\/\/# debugId=[0-9a-f-]{36}/);
    expect(rel.deploys).toHaveLength(1);
    expect(rel.deploys[0]).toMatchObject({
      environment: 'production',
      name: 'deploy #42',
      url: `https://github.com/${REPO}/actions/runs/11223344556/attempts/1`,
    });
    expect(rel.dateReleased).not.toBeNull();

    // Sentry's order: new → set-commits → sourcemaps → deploy → finalize.
    const at = (method: string, path: string, pick: (b: Record<string, unknown>) => boolean = () => true) =>
      sentry.requests.findIndex(
        (r) =>
          r.method === method && decodeURIComponent(r.path) === path && pick((r.body ?? {}) as Record<string, unknown>),
      );
    // Our reads encode the '@' of the version, sentry-cli does not: both are the same resource.
    const releasePath = '/api/0/organizations/acme/releases/app@1.4.0/';
    const order = [
      at('POST', '/api/0/organizations/acme/releases/'),
      at('PUT', releasePath, (b) => 'commits' in b),
      at('POST', '/api/0/organizations/acme/chunk-upload/'),
      at('POST', `${releasePath}deploys/`),
      at('PUT', releasePath, (b) => 'dateReleased' in b),
    ];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // The bundle is assembled after its chunks arrived and before the deploy marker.
    const assembles = sentry.requests.flatMap((r, i) => (r.path.endsWith('/artifactbundle/assemble/') ? [i] : []));
    expect(assembles.some((i) => i > order[2]! && i < order[3]!)).toBe(true);
    // Every request carried the token; it never shows in the output.
    expect(sentry.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(res.masks).toContain(TOKEN);
    expect(res.stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain(TOKEN);

    expect(res.summary).toContain(
      `Release [app@1.4.0](${sentry.url}/organizations/acme/releases/app%401.4.0/) created, finalized.`,
    );
    expect(res.summary).toMatch(/Commits associated: 4 — local git history/);
    expect(res.summary).toMatch(/\| backend \| 4: ~\/app\.js, ~\/server\.js, ~\/app\.js\.map, ~\/server\.js\.map \|/);
    expect(res.summary).toMatch(/\| frontend \| 4: /);
    expect(res.summary).toMatch(/Deploy environment: \*\*production\*\*/);
  });
});

describe('sentry-release bundle (node24)', () => {
  it('is idempotent: a re-run creates, associates and uploads nothing again; a new run attempt adds one deploy', async () => {
    const cwd = workspace('full');
    const inputs = { environment: 'production', sourcemaps: 'frontend/dist' };
    const first = await run({ cwd, inputs });
    expect(first.exitCode).toBe(0);
    const chunkPosts = () => sentry.requestsTo('POST', '/api/0/organizations/acme/chunk-upload/').length;
    expect(chunkPosts()).toBe(1);

    const again = await run({ cwd, inputs });
    expect(again.exitCode).toBe(0);
    const rel = sentry.release(shas[0]!)!;
    expect(rel.creations).toBe(1);
    expect(sentry.requestsTo('POST', '/api/0/organizations/acme/releases/')).toHaveLength(1);
    expect(rel.commitWrites).toBe(1);
    expect(rel.commits).toHaveLength(4);
    expect(rel.deploys).toHaveLength(1);
    expect(chunkPosts()).toBe(1); // the bundle's chunks were already on the server
    expect(sentry.filesFor('frontend', shas[0]!)).toHaveLength(2);
    expect(again.outputs.release).toBe(shas[0]);
    expect(again.summary).toMatch(/Commits associated: 4 — earlier run \(already associated\)/);
    expect(again.summary).toMatch(/already recorded for this run attempt/);
    expect(again.summary).toMatch(/\(already finalized\)/);

    const retry = await run({ cwd, inputs, env: { GITHUB_RUN_ATTEMPT: '2' } });
    expect(retry.exitCode).toBe(0);
    expect(rel.deploys.map((d) => d.url)).toEqual([
      `https://github.com/${REPO}/actions/runs/11223344556/attempts/1`,
      `https://github.com/${REPO}/actions/runs/11223344556/attempts/2`,
    ]);
    expect(rel.deploys[1]!.name).toBe('deploy #42 attempt 2');
  });

  describe('on a shallow clone', () => {
    let github: Simulator;
    beforeEach(async () => {
      github = new Simulator({ name: 'GitHub', token: GH_TOKEN });
      // GitHub's compare API over the template's real history (oldest first, as GitHub lists them).
      github.route('GET', '/repos/:owner/:repo/compare/:range', (req) => {
        const [base, head] = (req.params.range ?? '').split('...');
        if (`${req.params.owner}/${req.params.repo}` !== REPO || !shas.includes(base!) || !shas.includes(head!))
          return { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
        const range = shas.slice(shas.indexOf(head!), shas.indexOf(base!)).reverse();
        return {
          status: 200,
          body: {
            status: 'ahead',
            ahead_by: range.length,
            total_commits: range.length,
            commits: range.map((sha) => ({
              sha,
              commit: {
                message: messages[sha],
                author: { name: 'Dev', email: 'dev@wingman.test', date: '2026-11-02T10:00:00Z' },
              },
            })),
          },
        };
      });
      await github.start();
    });
    afterEach(async () => {
      await github.stop();
    });

    it("takes the range since the previous release from GitHub's compare API, with a notice, instead of sentry-cli's wrong one", async () => {
      sentry.addRelease('previous', {
        commits: [{ id: shas[2]!, repository: REPO }],
        dateCreated: new Date(Date.now() - 60_000),
      });
      const cwd = workspace('shallow');
      expect(git(cwd, 'rev-parse', '--is-shallow-repository')).toBe('true');
      const res = await run({ cwd, env: { GITHUB_API_URL: github.url } });
      expect(res.exitCode).toBe(0);
      // shas[2] was the previous release's head: this release is the two commits after it, newest first.
      expect(sentry.release(shas[0]!)!.commits).toEqual([
        expect.objectContaining({
          id: shas[0],
          repository: REPO,
          message: 'change 4',
          author_email: 'dev@wingman.test',
        }),
        expect.objectContaining({ id: shas[1], repository: REPO, message: 'change 3' }),
      ]);
      const compare = github.requestsTo('GET', '/repos/:owner/:repo/compare/:range');
      expect(compare).toHaveLength(1);
      expect(compare[0]!.path).toBe(`/repos/${REPO}/compare/${shas[2]}...${shas[0]}`);
      expect(compare[0]!.headers.authorization).toBe(`Bearer ${GH_TOKEN}`);
      const notice = res.annotations.find((a) => a.level === 'notice');
      expect(notice?.message).toMatch(/shallow.*2 commit\(s\) taken from GitHub's compare API/);
      expect(notice?.message).toMatch(/fetch-depth: 0/);
      expect(res.summary).toMatch(/Commits associated: 2 — GitHub's compare API \(shallow checkout\)/);
    });

    it("falls back to the push event's commits when no earlier release has commits, or when the compare API fails; never fails the deploy", async () => {
      const cwd = workspace('shallow');
      const event = pushEvent(shas[0]!, [shas[0]!, shas[1]!]);
      const first = await run({ cwd, event, env: { GITHUB_API_URL: github.url }, inputs: { release: 'r1' } });
      expect(first.exitCode).toBe(0);
      expect(sentry.release('r1')!.commits.map((c) => c.id)).toEqual([shas[0], shas[1]]);
      expect(github.requests).toHaveLength(0); // no base to compare from
      expect(first.annotations.find((a) => a.level === 'notice')?.message).toMatch(
        /push event's commits \(no earlier release has commits\)/,
      );

      // r1 now has commits; a base GitHub does not know (force-pushed away) makes compare 404.
      sentry.release('r1')!.commits = [{ id: 'f'.repeat(40), repository: REPO }];
      const second = await run({ cwd, event, env: { GITHUB_API_URL: github.url }, inputs: { release: 'r2' } });
      expect(second.exitCode).toBe(0);
      expect(github.requests).toHaveLength(1);
      expect(sentry.release('r2')!.commits.map((c) => c.id)).toEqual([shas[0], shas[1]]);
      expect(second.annotations).toContainEqual(
        expect.objectContaining({
          level: 'warning',
          message: expect.stringMatching(/GitHub compare .* failed: .*404/),
        }),
      );
    });

    it('keeps the deploy going when Sentry refuses the commits, with a warning', async () => {
      const cwd = workspace('shallow');
      sentry.inject('PUT', '/api/0/organizations/acme/releases/:version/', {
        status: 409,
        body: { detail: 'Release commits are currently being processed' },
      });
      const res = await run({ cwd, env: { GITHUB_API_URL: github.url }, inputs: { environment: 'staging' } });
      expect(res.exitCode).toBe(0);
      expect(res.annotations).toContainEqual(
        expect.objectContaining({
          level: 'warning',
          message: expect.stringMatching(/commits were not associated .*Release commits are currently being processed/),
        }),
      );
      expect(sentry.release(shas[0]!)!.deploys).toHaveLength(1);
      expect(sentry.release(shas[0]!)!.dateReleased).not.toBeNull();
    });
  });

  it('fails on a refused token at the first step, naming it and what Sentry said, with nothing created', async () => {
    const cwd = workspace('full');
    const res = await run({ cwd, inputs: { 'auth-token': 'not-the-token-123', environment: 'production' } });
    expect(res.exitCode).toBe(1);
    const error = res.annotations.find((a) => a.level === 'error');
    expect(error?.message).toMatch(/^Sentry step 'new' failed: Invalid token \(http status: 401/);
    expect(error?.message).toMatch(/check the auth-token input/);
    expect(sentry.releases.size).toBe(0);
    expect(res.summary).toMatch(/❌ sentry-release/);
    expect(res.masks).toContain('not-the-token-123');
    expect(res.stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain('not-the-token-123');
    expect(res.outputs.release).toBe(shas[0]);
  });

  it('fails on a Sentry 5xx naming the step and the message; later steps do not run', async () => {
    const cwd = workspace('full');
    sentry.inject('POST', '/api/0/organizations/acme/artifactbundle/assemble/', {
      status: 500,
      body: { detail: 'Internal Error' },
    });
    const res = await run({ cwd, inputs: { environment: 'production', sourcemaps: 'backend/dist' } });
    expect(res.exitCode).toBe(1);
    expect(res.annotations.find((a) => a.level === 'error')?.message).toMatch(
      /^Sentry step 'sourcemaps upload' \(sentry-cli sourcemaps upload\) failed: API request failed: Internal Error \(http status: 500\); Sentry is failing; re-run the job later$/,
    );
    const rel = sentry.release(shas[0]!)!;
    expect(rel.commits).toHaveLength(4); // the steps before it ran
    expect(rel.deploys).toHaveLength(0);
    expect(rel.dateReleased).toBeNull();
    expect(res.summary).toMatch(/Commits associated: 4/);
    expect(res.summary).toMatch(/sourcemaps inject: debug ids injected/);

    // sentry-cli retries a 503 on its own (SENTRY_HTTP_MAX_RETRIES), so a short outage passes.
    sentry.inject('POST', '/api/0/organizations/acme/releases/:version/deploys/', {
      status: 503,
      body: 'upstream unavailable',
    });
    const retried = await run({ cwd, inputs: { environment: 'production' }, env: { SENTRY_HTTP_MAX_RETRIES: '1' } });
    expect(retried.exitCode).toBe(0);
    expect(sentry.requestsTo('POST', '/api/0/organizations/acme/releases/:version/deploys/')).toHaveLength(2);
    expect(rel.deploys).toHaveLength(1);

    // Without retries left, the 503 fails the deploy step by name.
    sentry.inject('POST', '/api/0/organizations/acme/releases/:version/deploys/', {
      status: 503,
      body: 'upstream unavailable',
    });
    const failed = await run({ cwd, inputs: { environment: 'production' }, env: { GITHUB_RUN_ATTEMPT: '3' } });
    expect(failed.exitCode).toBe(1);
    expect(failed.annotations.find((a) => a.level === 'error')?.message).toMatch(
      /^Sentry step 'deploy' .*unknown error \(http status: 503\); Sentry is failing/,
    );
  });

  it('refuses bad inputs before talking to Sentry', async () => {
    const cwd = workspace('full');
    const bad = await run({ cwd, inputs: { 'set-commits': 'main' } });
    expect(bad.exitCode).toBe(1);
    expect(bad.annotations[0]?.message).toBe(
      `input 'set-commits' must be 'auto', 'skip' or repo@sha[..sha], got "main"`,
    );
    const missing = await run({ cwd, inputs: { sourcemaps: 'build/out' } });
    expect(missing.exitCode).toBe(1);
    expect(missing.annotations[0]?.message).toMatch(/^input 'sourcemaps': build\/out does not exist in /);
    expect(sentry.requests).toHaveLength(0);
  });

  it('without cli-path, installs the pinned sentry-cli from the npm-registry input (integrity-checked) and releases with it', async () => {
    // The devDependency's binary, packed as the registry serves @sentry/cli-linux-x64 (package/bin/sentry-cli).
    const registry = await startNpmRegistry({
      name: platformPackage().name,
      version: '3.8.0',
      files: { 'bin/sentry-cli': { content: readFileSync(CLI), mode: 0o755 } },
    });
    try {
      const res = await run({
        cwd: workspace('full'),
        inputs: { 'cli-path': undefined, 'npm-registry': registry.url },
      });
      expect(res.exitCode).toBe(0);
      expect(res.stdout).toMatch(
        /Installing sentry-cli 3\.8\.0 \(@sentry\/cli-linux-x64\) from http:\/\/127\.0\.0\.1:\d+/,
      );
      expect(registry.requests.map((r) => r.path)).toEqual([
        '/@sentry%2fcli-linux-x64/3.8.0',
        '/tarballs/cli-linux-x64-3.8.0.tgz',
      ]);
      expect(sentry.release(shas[0]!)?.commits).toHaveLength(4);
    } finally {
      await registry.stop();
    }
  });

  it('keeps dist/sentry-release under 2 MB, with no sentry-cli binary in it', () => {
    const dir = join(REPO_ROOT, 'dist', 'sentry-release');
    const files = readdirSync(dir);
    const total = files.reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
    expect(total).toBeLessThan(2 * 1024 * 1024);
    expect(files.every((f) => f.endsWith('.js') || f === 'package.json')).toBe(true);
  });
});

describe('sentry-cli runtime install', () => {
  let registry: NpmRegistrySim;
  let work: string;
  let tarball: Buffer;
  const saved = { cache: process.env.RUNNER_TOOL_CACHE, temp: process.env.RUNNER_TEMP };

  beforeEach(async () => {
    work = tempDir('sentry-install-');
    process.env.RUNNER_TOOL_CACHE = join(work, 'tool-cache');
    process.env.RUNNER_TEMP = join(work, 'temp');
    mkdirSync(process.env.RUNNER_TOOL_CACHE);
    mkdirSync(process.env.RUNNER_TEMP);
    // An npm package tarball as the registry serves it: package/bin/sentry-cli inside a .tgz.
    registry = await startNpmRegistry({
      name: '@sentry/cli-linux-x64',
      version: '9.9.9',
      files: {
        'package.json': { content: '{"name":"@sentry/cli-linux-x64","version":"9.9.9"}' },
        'bin/sentry-cli': { content: '#!/bin/sh\necho "sentry-cli 9.9.9"\n', mode: 0o755 },
      },
    });
    tarball = registry.tarball;
  });

  afterEach(async () => {
    await registry.stop();
    process.env.RUNNER_TOOL_CACHE = saved.cache;
    process.env.RUNNER_TEMP = saved.temp;
  });

  const install = () =>
    installSentryCli({ version: '9.9.9', registry: registry.url, log: silentLog, platform: 'linux', arch: 'x64' });

  it('downloads, verifies and caches the platform package, then reuses the tool cache', async () => {
    const binary = await install();
    expect(binary).toBe(join(process.env.RUNNER_TOOL_CACHE!, 'sentry-cli', '9.9.9', 'x64', 'bin', 'sentry-cli'));
    expect(execFileSync(binary, { encoding: 'utf8' }).trim()).toBe('sentry-cli 9.9.9');
    expect(registry.requests.map((r) => r.path)).toEqual([
      '/@sentry%2fcli-linux-x64/9.9.9',
      '/tarballs/cli-linux-x64-9.9.9.tgz',
    ]);
    expect(await install()).toBe(binary);
    expect(registry.requests).toHaveLength(2); // the second step of the runner found it in the cache
  });

  it('refuses a tampered tarball and caches nothing', async () => {
    const evil = join(work, 'evil');
    mkdirSync(join(evil, 'package', 'bin'), { recursive: true });
    writeFileSync(join(evil, 'package', 'bin', 'sentry-cli'), '#!/bin/sh\necho pwned\n');
    execFileSync('tar', ['czf', join(work, 'evil.tgz'), '-C', evil, 'package']);
    registry.serve(readFileSync(join(work, 'evil.tgz')));
    await expect(install()).rejects.toThrow(
      /^@sentry\/cli-linux-x64@9\.9\.9 \(http:\/\/127\.0\.0\.1:\d+\/tarballs\/cli-linux-x64-9\.9\.9\.tgz\) failed its integrity check: the registry says sha512-.*, the download is sha512-.*; it was corrupted or tampered with/,
    );
    expect(existsSync(join(process.env.RUNNER_TOOL_CACHE!, 'sentry-cli'))).toBe(false);
  });

  it('names the package and registry when the version does not exist', async () => {
    await expect(
      installSentryCli({
        version: '0.0.1',
        registry: registry.url,
        log: silentLog,
        platform: 'linux',
        arch: 'x64',
        http: { retries: 0 },
      }),
    ).rejects.toThrow(
      /^sentry-cli 0\.0\.1: could not read @sentry\/cli-linux-x64@0\.0\.1 from the npm registry http:\/\/127\.0\.0\.1:\d+ \(.*404.*\); check cli-version and npm-registry$/,
    );
  });

  it('verifies with the strongest hash given and refuses registries that give no usable one', async () => {
    const file = join(work, 'pkg.tgz');
    writeFileSync(file, tarball);
    const sha512 = createHash('sha512').update(tarball).digest('base64');
    const sha256 = createHash('sha256').update(tarball).digest('base64');
    await expect(verifyIntegrity(file, `sha256-${sha256} sha512-${sha512}`, 'pkg')).resolves.toBeUndefined();
    await expect(verifyIntegrity(file, `sha256-${sha256} sha512-${sha256}`, 'pkg')).rejects.toThrow(/integrity check/);
    await expect(verifyIntegrity(file, 'sha1-abc', 'pkg')).rejects.toThrow(/no sha512\/sha384\/sha256 integrity/);
  });

  it('picks the binary package for the platform and the registry from input, npm config or the public default', () => {
    expect(platformPackage('linux', 'x64')).toEqual({ name: '@sentry/cli-linux-x64', binary: 'bin/sentry-cli' });
    expect(platformPackage('linux', 'arm64').name).toBe('@sentry/cli-linux-arm64');
    expect(platformPackage('darwin', 'arm64').name).toBe('@sentry/cli-darwin');
    expect(platformPackage('win32', 'x64')).toEqual({ name: '@sentry/cli-win32-x64', binary: 'bin/sentry-cli.exe' });
    expect(() => platformPackage('sunos', 'x64')).toThrow(/no binary package for sunos\/x64/);
    expect(npmRegistry('http://127.0.0.1:4873/', {})).toBe('http://127.0.0.1:4873');
    expect(npmRegistry(undefined, { npm_config_registry: 'https://npm.corp.test/' })).toBe('https://npm.corp.test');
    expect(npmRegistry(undefined, {})).toMatch(/^https:\/\/registry\.[a-z]+\.org$/);
  });
});

// The deploy-heroku bundle, run the way the runner runs it, against the Heroku simulator.
import { randomFillSync } from 'node:crypto';
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
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { HerokuSim, nodeRuntimes, REPO_ROOT, type RunActionOptions, runAction, visible } from '@wingman/testkit';

const KEY = 'hrku-bundle-5ecret-key-7d1c9e2a';
const SHA = '6113728f27ae82c7b1a177c8d03f9e96e0adf246';
const OLD = 'f00dfeed00000000000000000000000000000000';
const runtimes = nodeRuntimes().filter((r) => r.name === 'node20' || r.name === 'node24');
const node24 = runtimes.find((r) => r.name === 'node24')!;
const tmp: string[] = [];

afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

function workspace(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'wm-heroku-ws-'));
  tmp.push(dir);
  const all = {
    'backend/package.json': '{"name":"wingmanmatch-api"}',
    'backend/server.js': 'require("http").createServer().listen(process.env.PORT)',
    'backend/Procfile': 'release: node migrate.js\nweb: node server.js\n',
    'backend/.gitignore': 'node_modules\n',
    'backend/node_modules/left-pad/index.js': 'x',
    'frontend/index.html': '<html></html>',
    ...files,
  };
  for (const [name, content] of Object.entries(all)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

describe('deploy-heroku bundle', () => {
  let sim: HerokuSim;

  beforeEach(async () => {
    sim = new HerokuSim({ token: KEY, buildMs: 300, releasePhaseMs: 200, promotionMs: 100 });
    await sim.start();
  });
  afterEach(async () => {
    await sim.stop();
  });

  const run = (inputs: Record<string, string | undefined>, options: Partial<RunActionOptions> = {}) =>
    runAction('deploy-heroku', {
      node: node24,
      cwd: options.cwd ?? workspace(),
      ...options,
      inputs: { 'api-key': KEY, app: 'wm-api', 'api-url': sim.url, ...inputs },
    });

  it('runs on both Node 20 and Node 24', () => {
    expect(runtimes.map((r) => r.name)).toEqual(['node20', 'node24']);
  });

  describe.each(runtimes)('on $name', (node) => {
    it('deploys app-dir: build and release phase streamed into groups, outputs, summary, key masked and never on disk', async () => {
      const app = sim.addApp('wm-api');
      sim.seedDeploy('wm-api', OLD);
      const home = mkdtempSync(join(tmpdir(), 'wm-home-'));
      tmp.push(home);
      const result = await run(
        { 'app-dir': 'backend' },
        { node, env: { GITHUB_SHA: SHA, HOME: home }, keepTemp: true },
      );
      tmp.push(result.runnerTemp);
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      const build = sim.builds('wm-api').at(-1)!;
      const release = sim.currentRelease('wm-api')!;
      expect(result.outputs).toEqual({
        'release-id': release.id,
        'release-version': 'v4',
        'previous-release-version': 'v3',
        'build-id': build.id,
        'app-url': app.web_url,
        skipped: 'false',
        maintenance: 'off',
        'config-changes': '',
        removed: '',
      });
      // The version defaults to GITHUB_SHA; only the backend folder went up, without node_modules.
      expect(build.source_blob.version).toBe(SHA);
      expect(sim.uploads[0]?.entries.sort()).toEqual(['.gitignore', 'Procfile', 'package.json', 'server.js']);
      const groups = result.commands.filter((c) => c.command === 'group').map((c) => c.message);
      expect(groups).toEqual(['Packing backend', 'Uploading the source', `Build ${build.id}`, 'Release phase of v4']);
      expect(result.stdout).toMatch(/::group::Build [\s\S]*-----> Node\.js app detected[\s\S]*::endgroup::/);
      expect(result.stdout).toMatch(/::group::Release phase of v4\nRunning release command\.\.\.\n/);
      expect(result.summary).toMatch(/✅ deploy-heroku: wm-api deploy succeeded/);
      for (const row of [
        /\| app \| \[wm-api\]\(https:\/\/wm-api-[0-9a-f]+\.herokuapp\.com\/\) \|/,
        /\| mode \| deploy \|/,
        new RegExp(`\\| build \\| \`${build.id}\` \\|`),
        /\| release \| v4 \(Deploy 6113728f\) \|/,
        /\| previous release \(rollback target\) \| v3 \|/,
        /\| duration \| \d+(\.\d+)? m?s \|/,
        /\| activity \| \[dashboard\]\(https:\/\/dashboard\.heroku\.com\/apps\/wm-api\/activity\) \|/,
      ])
        expect(result.summary).toMatch(row);
      expect(result.masks).toContain(KEY);
      expect(visible(result)).not.toContain(KEY);
      // Never on disk: no ~/.netrc, nothing in HOME or RUNNER_TEMP holds the key, the tarball was removed.
      expect(existsSync(join(home, '.netrc'))).toBe(false);
      const files = (d: string): string[] =>
        readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? files(join(d, f)) : [join(d, f)]));
      for (const f of [...files(home), ...files(result.runnerTemp)]) expect(readFileSync(f, 'utf8')).not.toContain(KEY);
      expect(files(result.runnerTemp).filter((f) => f.endsWith('.tgz'))).toEqual([]);
      // The upload carried no key; the API calls all carried the v3 media type.
      expect(sim.uploads[0]?.authorization).toBeUndefined();
      expect(new Set(sim.requests.map((r) => r.headers.accept))).toEqual(
        new Set(['application/vnd.heroku+json; version=3']),
      );
    });
  });

  it('a re-run skips the version already released, with a notice; force deploys it again', async () => {
    sim.addApp('wm-api');
    sim.seedDeploy('wm-api', OLD);
    sim.seedDeploy('wm-api', SHA);
    const again = await run({ version: SHA });
    expect(again.exitCode).toBe(0);
    expect(again.outputs).toMatchObject({
      skipped: 'true',
      'release-version': 'v4',
      'previous-release-version': 'v3',
      'build-id': '',
    });
    expect(again.annotations).toContainEqual({
      level: 'notice',
      title: 'deploy-heroku',
      message: `wm-api: v4 already runs a build of ${SHA}; skipped`,
    });
    expect(again.summary).toMatch(/⏭️ deploy-heroku: wm-api deploy skipped/);
    expect(sim.requestsTo('POST', '/apps/:app/builds')).toHaveLength(0);

    const forced = await run({ version: SHA, force: 'true' });
    expect(forced.exitCode).toBe(0);
    expect(forced.outputs).toMatchObject({
      skipped: 'false',
      'release-version': 'v5',
      'previous-release-version': 'v4',
    });
    expect(sim.requestsTo('POST', '/apps/:app/builds')).toHaveLength(1);
  });

  it('fails a failed build with the last lines of its output; outputs still name the build and the release to keep', async () => {
    sim.addApp('wm-api');
    sim.seedDeploy('wm-api', OLD);
    sim.nextBuild('wm-api', {
      outcome: 'failed',
      output: [
        '-----> Installing dependencies',
        'npm ERR! code ERESOLVE',
        ' !     Push rejected, failed to compile Node.js app.',
      ],
    });
    const result = await run({ version: SHA });
    expect(result.exitCode).toBe(1);
    const errors = result.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(
      /^Heroku build [0-9a-f-]+ of app 'wm-api' failed; v3 keeps running; last lines of the build output: -----> Installing dependencies \| npm ERR! code ERESOLVE \| ! {5}Push rejected, failed to compile Node\.js app\.; see https:\/\/dashboard\.heroku\.com\/apps\/wm-api\/activity$/,
    );
    expect(result.outputs).toMatchObject({
      'build-id': sim.builds('wm-api').at(-1)!.id,
      'release-version': '',
      'previous-release-version': 'v3',
    });
    expect(result.summary).toMatch(/❌ deploy-heroku: wm-api deploy failed/);
    expect(result.summary).toMatch(/deploy-heroku failed:\*\* Heroku build/);
    expect(sim.currentRelease('wm-api')?.version).toBe(3);
  });

  it('fails when the release phase fails, though the build succeeded', async () => {
    sim.addApp('wm-api');
    sim.seedDeploy('wm-api', OLD);
    sim.nextReleasePhase('wm-api', {
      outcome: 'failed',
      output: ['Running migrations', 'ERROR: column "score" does not exist'],
    });
    const result = await run({ version: SHA, 'app-dir': 'backend' });
    expect(result.exitCode).toBe(1);
    expect(result.annotations.find((a) => a.level === 'error')?.message).toMatch(
      /^Heroku release v4 of app 'wm-api' failed in its release phase; v3 keeps running; last lines of its output: Running migrations \| ERROR: column "score" does not exist/,
    );
    expect(result.outputs).toMatchObject({ 'release-version': 'v4', 'previous-release-version': 'v3' });
    expect(sim.currentRelease('wm-api')?.version).toBe(3);
  });

  it('promotes the staging slug to the production stage of its pipeline', async () => {
    sim.addApp('wm-staging');
    sim.addApp('wm-prod');
    const staged = sim.seedDeploy('wm-staging', SHA, { releasePhase: true });
    sim.seedDeploy('wm-prod', OLD);
    sim.addPipeline('wingmanmatch', [
      { app: 'wm-staging', stage: 'staging' },
      { app: 'wm-prod', stage: 'production' },
    ]);
    const result = await run({ app: 'wm-staging', mode: 'promote', 'pipeline-stage': 'production' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      skipped: 'false',
      'release-version': 'v4',
      'previous-release-version': 'v3',
    });
    expect(sim.currentRelease('wm-prod')?.slug).toEqual(staged.slug);
    // The URL to smoke-test is production's, where the promoted release now serves.
    expect(result.outputs['app-url']).toBe(sim.app('wm-prod')!.web_url);
    expect(result.summary).toMatch(/\| wm-prod \| succeeded \| v4 \| v3 \|/);
    expect(result.stdout).toMatch(/::group::Release phase of v4/);
  });

  it('refuses promote without a pipeline-stage, before calling Heroku', async () => {
    const result = await run({ mode: 'promote' });
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]?.message).toMatch(/^input 'pipeline-stage' is required for mode promote/);
    expect(sim.requests).toHaveLength(0);
  });

  it('rolls back to the previous release, and to a named version (skipped when already there)', async () => {
    sim.addApp('wm-api');
    sim.seedDeploy('wm-api', 'a'.repeat(40)); // v3
    sim.seedDeploy('wm-api', 'b'.repeat(40)); // v4
    sim.seedDeploy('wm-api', 'c'.repeat(40)); // v5
    const previous = await run({ mode: 'rollback' });
    expect(previous.exitCode).toBe(0);
    expect(previous.outputs).toMatchObject({
      'release-version': 'v6',
      'previous-release-version': 'v5',
      skipped: 'false',
    });
    expect(sim.currentRelease('wm-api')?.description).toBe('Rollback to v4');
    expect(previous.summary).toMatch(/\| rolled back to \| v4 \(Deploy bbbbbbbb\) \|/);

    const named = await run({ mode: 'rollback', to: 'v3' });
    expect(named.exitCode).toBe(0);
    expect(named.outputs).toMatchObject({ 'release-version': 'v7', 'previous-release-version': 'v6' });
    expect(sim.currentRelease('wm-api')?.description).toBe('Rollback to v3');
    const rerun = await run({ mode: 'rollback', to: '3' });
    expect(rerun.outputs).toMatchObject({ skipped: 'true', 'release-version': 'v7' });
    expect(sim.releases('wm-api')).toHaveLength(7);
  });

  it('refuses to roll back to a release that is not eligible, saying why', async () => {
    sim.addApp('wm-api');
    sim.seedDeploy('wm-api', 'a'.repeat(40)); // v3
    sim.seedDeploy('wm-api', 'b'.repeat(40)); // v4
    sim.setEligible('wm-api', 3, false);
    const result = await run({ mode: 'rollback', to: 'v3' });
    expect(result.exitCode).toBe(1);
    expect(result.annotations.find((a) => a.level === 'error')?.message).toMatch(
      /^Heroku release v3 of app 'wm-api' is not eligible for rollback \(eligible_for_rollback is false: Heroku cannot restore its slug and config/,
    );
    expect(sim.requestsTo('POST', '/apps/:app/releases')).toHaveLength(0);
  });

  it('rides out a 429 storm and a dropped connection mid-poll', async () => {
    sim.addApp('wm-api');
    const rateLimited = { status: 429, body: { id: 'rate_limit', message: 'Your account reached the API rate limit' } };
    sim.inject('GET', '/apps/:app', rateLimited, { times: 2 });
    sim.inject('GET', '/apps/:app/builds/:build', rateLimited, { times: 6 });
    sim.inject('GET', '/apps/:app/releases/:release', { reset: true }, { times: 2 });
    sim.dropStreams(1);
    const result = await run({ version: SHA, 'app-dir': 'backend' }, { timeoutMs: 90_000 });
    expect(result.exitCode).toBe(0);
    expect(result.outputs['release-version']).toBe('v3');
    expect(sim.requestsTo('GET', '/apps/:app/builds/:build').length).toBeGreaterThanOrEqual(7);
    // The storm outlasted the HTTP client's retries once; the wait went on instead of failing the deploy.
    expect(result.annotations).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        message: expect.stringMatching(/429 rate_limit: Your account reached the API rate limit\).*; still waiting$/),
      }),
    );
    // Each build line shown once although the stream was cut and resumed.
    expect(result.stdout.match(/-----> Node\.js app detected/g)).toHaveLength(1);
  }, 90_000);

  it.each([
    [
      'after Heroku created the build: it is found and followed, not created twice',
      { resetAfterHandling: true } as const,
      1,
    ],
    ['before Heroku acted: the build is created once more', { reset: true } as const, 2],
  ])('a connection reset on POST /builds %s', async (_what, fault, posts) => {
    sim.addApp('wm-api');
    sim.inject('POST', '/apps/:app/builds', fault);
    const result = await run({ version: SHA, 'app-dir': 'backend' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs['release-version']).toBe('v3');
    expect(sim.requestsTo('POST', '/apps/:app/builds')).toHaveLength(posts);
    expect(sim.builds('wm-api')).toHaveLength(1);
    expect(result.annotations.find((a) => a.level === 'warning')?.message).toMatch(
      posts === 1
        ? /after Heroku had created it: following build /
        : /Heroku has none for this upload: creating it again/,
    );
  });

  it.each([
    [
      'after Heroku created the rollback release: it is followed, not made twice',
      { resetAfterHandling: true } as const,
      1,
    ],
    ['before Heroku acted: the rollback is made once more', { reset: true } as const, 2],
  ])('a connection reset on the rollback POST /releases %s', async (_what, fault, posts) => {
    sim.addApp('wm-api');
    sim.seedDeploy('wm-api', 'a'.repeat(40));
    sim.seedDeploy('wm-api', 'b'.repeat(40));
    const before = sim.releases('wm-api').length;
    sim.inject('POST', '/apps/:app/releases', fault);
    const r = await run({ mode: 'rollback' });
    expect(r.exitCode).toBe(0);
    expect(sim.releases('wm-api')).toHaveLength(before + 1); // exactly one rollback release
    expect(sim.currentRelease('wm-api')?.description).toMatch(/^Rollback to v/);
    expect(sim.requestsTo('POST', '/apps/:app/releases')).toHaveLength(posts);
  });

  it('retries POST /sources after a dropped connection (an unused upload URL is harmless)', async () => {
    sim.addApp('wm-api');
    sim.inject('POST', '/sources', { reset: true });
    const r = await run({ version: SHA, 'app-dir': 'backend' });
    expect(r.exitCode).toBe(0);
    expect(sim.requestsTo('POST', '/sources')).toHaveLength(2);
  });

  it('times out a build that takes longer than timeout, saying it may still finish', async () => {
    sim.addApp('wm-api');
    sim.nextBuild('wm-api', { durationMs: 20_000 });
    const result = await run({ version: SHA, timeout: '2s' });
    expect(result.exitCode).toBe(1);
    expect(result.durationMs).toBeLessThan(10_000);
    expect(result.annotations.find((a) => a.level === 'error')?.message).toMatch(
      /^Heroku build [0-9a-f-]+ of app 'wm-api' still pending after 2 s \(timeout\); it may still finish and release: watch https:\/\/dashboard\.heroku\.com\/apps\/wm-api\/activity, or raise timeout$/,
    );
  });

  it('fails on an unknown app without creating it, and on a bad key without showing it', async () => {
    const missing = await run({ app: 'wm-typo', version: SHA });
    expect(missing.exitCode).toBe(1);
    expect(missing.annotations[0]?.message).toMatch(
      /^Heroku app 'wm-typo' not found \(404 not_found: Couldn't find that app\.\)/,
    );
    expect(sim.requestsTo('POST')).toHaveLength(0);
    sim.addApp('wm-api');
    const badKey = 'hrku-revoked-key-00000000';
    const bad = await run({ 'api-key': badKey, version: SHA });
    expect(bad.exitCode).toBe(1);
    expect(bad.annotations[0]?.message).toMatch(
      /^Heroku API key invalid or expired \(401 unauthorized: Invalid credentials provided\.\)/,
    );
    expect(visible(bad)).not.toContain(badKey);
  });

  it('a 401 that echoes the credential encoded (base64 of "Bearer <key>", of ":<key>", base64url) never shows it', async () => {
    sim.addApp('wm-api');
    const b64 = (t: string) => Buffer.from(t).toString('base64');
    const b64url = (t: string) => Buffer.from(t).toString('base64url');
    const echoes = [b64(`Bearer ${KEY}`), b64(`:${KEY}`), b64url(KEY), b64(KEY).replace(/=+$/, '')];
    sim.inject('GET', '/apps/:app', {
      status: 401,
      body: { id: 'unauthorized', message: `Invalid credentials provided: ${echoes.join(' ')}` },
    });
    const r = await run({ version: SHA });
    expect(r.exitCode).toBe(1);
    expect(r.annotations[0]?.message).toMatch(
      /^Heroku API key invalid or expired \(401 unauthorized: Invalid credentials provided: \*\*\*/,
    );
    for (const form of echoes) {
      expect(visible(r)).not.toContain(form);
      // Registered with the runner's masker too, so whatever else prints it is masked by GitHub.
      expect(r.masks).toContain(form);
    }
  });

  it('rejects a malformed input before any request', async () => {
    const result = await run({ app: 'Not An App!' });
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]?.message).toBe(
      `input 'app' must be a Heroku app name (lowercase letters, digits and dashes) or an app id (UUID), got "Not An App!"`,
    );
    expect(result.outputs.error).toBe(result.annotations[0]?.message);
    expect(sim.requests).toHaveLength(0);
  });

  it('deploys a 300 MB directory with the action’s peak memory under 150 MB', async () => {
    sim.addApp('wm-api');
    const dir = workspace();
    const assets = join(dir, 'backend', 'assets');
    mkdirSync(assets, { recursive: true });
    const chunk = Buffer.alloc(10 * 1024 * 1024);
    for (let i = 0; i < 30; i++) {
      randomFillSync(chunk); // incompressible, so the tarball is as big as the directory
      writeFileSync(join(assets, `blob-${i}.bin`), chunk);
    }
    // The bundle runs inside a wrapper that records the process's own peak RSS when it exits.
    const wrapper = join(dir, 'peak-rss.mjs');
    const rssFile = join(dir, 'peak-rss.txt');
    writeFileSync(
      wrapper,
      `import { writeFileSync } from 'node:fs';
process.on('exit', () => writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));
await import(${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'dist', 'deploy-heroku', 'index.js')).href)});
`,
    );
    const result = await run({ version: SHA, 'app-dir': 'backend' }, { cwd: dir, script: wrapper, timeoutMs: 120_000 });
    rmSync(assets, { recursive: true, force: true });
    expect(result.exitCode).toBe(0);
    const upload = sim.uploads[0]!;
    expect(upload.invalid).toBeUndefined();
    expect(upload.size).toBeGreaterThan(300 * 1024 * 1024);
    const peakMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
    expect(peakMb).toBeGreaterThan(30); // a real measurement, not an empty file
    expect(peakMb).toBeLessThan(150);
  }, 120_000);
});

// deploy / promote / rollback against the Heroku simulator over real sockets.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { RecordingLog } from '@wingman/log';
import { HerokuSim } from '@wingman/testkit/heroku-sim';
import {
  deleteReviewApp,
  deploy,
  deployReviewApp,
  type HerokuOptions,
  HerokuRunError,
  planConfig,
  promote,
  rollback,
  setMaintenance,
} from '../src/index';

const KEY = 'hrku-5ecret-api-key-0123456789';
const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const tmp: string[] = [];
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

function appDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'wm-heroku-app-'));
  tmp.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

async function failure(p: Promise<unknown>): Promise<HerokuRunError> {
  try {
    await p;
  } catch (err) {
    return err as HerokuRunError;
  }
  throw new Error('expected a failure');
}

describe('Heroku deploy / promote / rollback', () => {
  let sim: HerokuSim;
  let log: RecordingLog;
  let base: () => HerokuOptions;

  beforeEach(async () => {
    sim = new HerokuSim({ token: KEY, buildMs: 120, releasePhaseMs: 80, promotionMs: 60 });
    await sim.start();
    log = new RecordingLog();
    base = () => ({
      apiKey: KEY,
      app: 'wm-api',
      apiUrl: sim.url,
      log,
      timeoutMs: 10_000,
      pollMs: 20,
      maxPollMs: 100,
      http: { minDelayMs: 1, maxDelayMs: 5 },
    });
  });
  afterEach(async () => {
    await sim.stop();
  });

  it('deploys: uploads a checked gzip tar, builds, streams the output, waits for the release phase', async () => {
    const app = sim.addApp('wm-api');
    sim.seedDeploy('wm-api', 'old0000000000000000000000000000000000000');
    const dir = appDir({
      'package.json': '{"name":"api"}',
      Procfile: 'release: node migrate.js\nweb: node server.js\n',
      'server.js': 'console.log(1)',
      '.gitignore': 'node_modules\n*.log\n',
      'node_modules/x/index.js': 'x',
      'debug.log': 'noise',
      'secret/notes.txt': 'left out by exclude',
    });
    const report = await deploy({ ...base(), appDir: dir, version: SHA, exclude: ['secret/'] });
    expect(report).toMatchObject({
      mode: 'deploy',
      app: 'wm-api',
      appId: app.id,
      appUrl: app.web_url,
      activityUrl: 'https://dashboard.heroku.com/apps/wm-api/activity',
      skipped: false,
      release: { version: 4 },
      previousRelease: { version: 3 },
    });
    // The upload went to the blob host without the API key, checked as a gzip tar with the build's checksum.
    const [upload] = sim.uploads;
    expect(upload?.invalid).toBeUndefined();
    expect(upload?.authorization).toBeUndefined();
    expect(upload?.contentType).toBeUndefined();
    expect(upload?.contentLength).toBe(String(upload?.size));
    expect(upload?.entries.sort()).toEqual(['.gitignore', 'Procfile', 'package.json', 'server.js']);
    expect(report.source?.sha256).toBe(upload?.sha256);
    const build = sim.builds('wm-api').at(-1)!;
    expect(build.source_blob).toMatchObject({ version: SHA, checksum: `SHA256:${upload?.sha256}` });
    expect(build.id).toBe(report.buildId);
    // The Procfile's release: made a release phase; the release is current only after it succeeded.
    const current = sim.currentRelease('wm-api')!;
    expect(current.version).toBe(4);
    expect(current.output_stream_url).not.toBeNull();
    expect(log.messages('info')).toEqual(
      expect.arrayContaining(['-----> Node.js app detected', 'Migrations are up to date.']),
    );
    expect(log.messages('group')).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Build /), 'Release phase of v4']),
    );
    // Every API call carried the v3 media type and the key.
    for (const r of sim.requests) {
      expect(r.headers.accept).toBe('application/vnd.heroku+json; version=3');
      expect(r.headers.authorization).toBe(`Bearer ${KEY}`);
    }
  });

  it('skips when the current release already runs a build of this version, unless forced', async () => {
    sim.addApp('wm-api');
    sim.seedDeploy('wm-api', 'old0000000000000000000000000000000000000');
    sim.seedDeploy('wm-api', SHA);
    const dir = appDir({ 'index.js': '1' });
    const skipped = await deploy({ ...base(), appDir: dir, version: SHA });
    expect(skipped).toMatchObject({ skipped: true, release: { version: 4 }, previousRelease: { version: 3 } });
    expect(skipped.skipReason).toMatch(/v4 already runs a build of a1b2c3d4/);
    expect(sim.requestsTo('POST', '/sources')).toHaveLength(0);
    expect(sim.requestsTo('POST', '/apps/:app/builds')).toHaveLength(0);

    const forced = await deploy({ ...base(), appDir: dir, version: SHA, force: true });
    expect(forced).toMatchObject({ skipped: false, release: { version: 5 }, previousRelease: { version: 4 } });
    expect(sim.requestsTo('POST', '/apps/:app/builds')).toHaveLength(1);
  });

  it('fails a failed build with the last lines of its output, and nothing is released', async () => {
    sim.addApp('wm-api');
    sim.nextBuild('wm-api', {
      outcome: 'failed',
      output: [
        '-----> Node.js app detected',
        'npm ERR! missing script: build',
        ' !     Push rejected, failed to compile Node.js app.',
      ],
    });
    const err = await failure(deploy({ ...base(), appDir: appDir({ 'a.js': '1' }), version: SHA }));
    expect(err).toBeInstanceOf(HerokuRunError);
    expect(err.id).toBe('build_failed');
    expect(err.message).toMatch(
      /^Heroku build [0-9a-f-]+ of app 'wm-api' failed; v2 keeps running; last lines of the build output: .*npm ERR! missing script: build \| ! {5}Push rejected/,
    );
    expect(err.report.buildId).toBeDefined();
    expect(sim.currentRelease('wm-api')?.version).toBe(2);
  });

  it('fails when the release phase fails, naming the release that keeps running', async () => {
    sim.addApp('wm-api');
    sim.seedDeploy('wm-api', 'old0000000000000000000000000000000000000');
    sim.nextReleasePhase('wm-api', {
      outcome: 'failed',
      output: ['Running migrations', 'ERROR: relation "users" already exists'],
    });
    const err = await failure(
      deploy({ ...base(), appDir: appDir({ Procfile: 'release: ./migrate\nweb: npm start\n' }), version: SHA }),
    );
    expect(err.id).toBe('release_failed');
    expect(err.message).toMatch(
      /release v4 of app 'wm-api' failed in its release phase; v3 keeps running; last lines of its output: Running migrations \| ERROR: relation "users" already exists/,
    );
    expect(err.report.release?.version).toBe(4);
    expect(sim.currentRelease('wm-api')?.version).toBe(3);
  });

  it('names a missing app and never creates one; a bad key fails as invalid or expired', async () => {
    const missing = await failure(deploy({ ...base(), app: 'wm-typo', appDir: appDir({ 'a.js': '1' }), version: SHA }));
    expect(missing.message).toMatch(
      /^Heroku app 'wm-typo' not found \(404 not_found: Couldn't find that app\.\);.*never creates apps/,
    );
    expect(sim.requestsTo('POST')).toHaveLength(0);
    sim.addApp('wm-api');
    const bad = await failure(
      deploy({ ...base(), apiKey: 'wrong-key-123', appDir: appDir({ 'a.js': '1' }), version: SHA }),
    );
    expect(bad.message).toMatch(/API key invalid or expired \(401 unauthorized: Invalid credentials provided\.\)/);
    expect(bad.message).not.toContain('wrong-key-123');
  });

  it('says the API is unreachable when nothing answers at api-url', async () => {
    const err = await failure(
      deploy({
        ...base(),
        apiUrl: 'http://127.0.0.1:1',
        http: { retries: 1, minDelayMs: 1, maxDelayMs: 2 },
        appDir: appDir({ 'a.js': '1' }),
        version: SHA,
      }),
    );
    expect(err.message).toMatch(/^Heroku API unreachable while trying to read app 'wm-api': .*ECONNREFUSED/);
    expect(err.id).toBe('network');
  });

  it('reports two_factor and 422 with Heroku’s id and message', async () => {
    sim.addApp('wm-2fa', { twoFactor: true });
    const tf = await failure(deploy({ ...base(), app: 'wm-2fa', appDir: appDir({ 'a.js': '1' }), version: SHA }));
    expect(tf.message).toMatch(/requires a second factor .*403 two_factor: A second authentication factor/);
    sim.addApp('wm-api');
    sim.inject('POST', '/apps/:app/builds', {
      status: 422,
      body: { id: 'invalid_params', message: 'Build stack heroku-18 is no longer supported.' },
    });
    const unproc = await failure(deploy({ ...base(), appDir: appDir({ 'a.js': '1' }), version: SHA }));
    expect(unproc.message).toBe(
      "Heroku refused to create a build of app 'wm-api' (422 invalid_params: Build stack heroku-18 is no longer supported.)",
    );
  });

  it('resumes a dropped output stream and rides out a dropped connection while polling', async () => {
    sim.addApp('wm-api');
    sim.dropStreams(1);
    sim.inject('GET', '/apps/:app/builds/:build', { reset: true }, { times: 2 });
    const report = await deploy({ ...base(), appDir: appDir({ 'a.js': '1' }), version: SHA });
    expect(report.release?.version).toBe(3);
    const lines = log.messages('info');
    // Every build line exactly once despite the reconnect.
    expect(lines.filter((l) => l === '-----> Building on the Heroku-24 stack')).toHaveLength(1);
    expect(lines.filter((l) => l === '-----> Launching...')).toHaveLength(1);
  });

  it('times out a build that stays pending, saying it may still finish', async () => {
    sim.addApp('wm-api');
    sim.nextBuild('wm-api', { durationMs: 5_000 });
    const started = Date.now();
    const err = await failure(deploy({ ...base(), timeoutMs: 600, appDir: appDir({ 'a.js': '1' }), version: SHA }));
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(err.id).toBe('timeout');
    expect(err.message).toMatch(
      /still pending after 600 ms \(timeout\); it may still finish and release: watch https:\/\/dashboard\.heroku\.com\/apps\/wm-api\/activity/,
    );
  });

  it('paces requests when RateLimit-Remaining runs low instead of running into 429', async () => {
    // Time runs 60x faster here: the simulator refills 75 tokens a second, the client sleeps 1/60 of its waits.
    await sim.stop();
    sim = new HerokuSim({ token: KEY, buildMs: 120, refillPerMinute: 75 * 60 });
    await sim.start();
    sim.addApp('wm-api');
    sim.setRateLimitRemaining(4);
    const slept: number[] = [];
    const report = await deploy({
      ...base(),
      apiUrl: sim.url,
      sleep: async (ms) => {
        slept.push(ms);
        await new Promise((r) => setTimeout(r, ms / 60));
      },
      appDir: appDir({ 'a.js': '1' }),
      version: SHA,
    });
    expect(report.release?.version).toBe(3);
    expect(sim.rateLimited).toBe(0);
    // The first pause covers the deficit below the floor of 20 at Heroku's 800 ms a token (the simulator
    // refills meanwhile, so the count left is 3 or a little more).
    const left = Number(/\((\d+) requests left\)/.exec(log.messages('warning')[0] ?? '')?.[1]);
    expect(left).toBeGreaterThanOrEqual(3);
    expect(left).toBeLessThan(20);
    expect(slept[0]).toBe((20 - left) * 800);
    expect(log.messages('warning')).toEqual([expect.stringMatching(/rate limit nearly used up \(\d+ requests left\)/)]);
  });

  it('retries through a 429 storm', async () => {
    sim.addApp('wm-api');
    sim.inject(
      'GET',
      '/apps/:app/builds/:build',
      { status: 429, body: { id: 'rate_limit', message: 'Your account reached the API rate limit' } },
      { times: 3 },
    );
    const report = await deploy({ ...base(), appDir: appDir({ 'a.js': '1' }), version: SHA });
    expect(report.release?.version).toBe(3);
    expect(sim.requestsTo('GET', '/apps/:app/builds/:build').length).toBeGreaterThanOrEqual(4);
  });

  it('promotes the exact slug of staging to every production app and waits for their release phase', async () => {
    sim.addApp('wm-staging');
    sim.addApp('wm-prod');
    sim.addApp('wm-prod-eu');
    const staged = sim.seedDeploy('wm-staging', SHA, { releasePhase: true });
    sim.seedDeploy('wm-prod', 'old0000000000000000000000000000000000000');
    sim.addPipeline('wm', [
      { app: 'wm-staging', stage: 'staging' },
      { app: 'wm-prod', stage: 'production' },
      { app: 'wm-prod-eu', stage: 'production' },
    ]);
    const report = await promote({ ...base(), app: 'wm-staging', stage: 'production' });
    expect(report).toMatchObject({
      skipped: false,
      version: SHA,
      release: { version: 4 },
      previousRelease: { version: 3 },
    });
    expect(report.targets?.map((t) => [t.app, t.status, t.release?.version, t.previousRelease?.version])).toEqual([
      ['wm-prod', 'succeeded', 4, 3],
      ['wm-prod-eu', 'succeeded', 3, 2],
    ]);
    for (const app of ['wm-prod', 'wm-prod-eu']) {
      expect(sim.currentRelease(app)?.slug?.id).toBe(staged.slug?.id);
      expect(sim.currentRelease(app)?.output_stream_url).not.toBeNull(); // the release phase ran there
    }
    const body = sim.requestsTo('POST', '/pipeline-promotions')[0]?.body as { source: { release: { id: string } } };
    expect(body.source.release.id).toBe(staged.id);
    // A re-run promotes nothing.
    const again = await promote({ ...base(), app: 'wm-staging', stage: 'production', commit: SHA });
    expect(again.skipped).toBe(true);
    expect(sim.requestsTo('POST', '/pipeline-promotions')).toHaveLength(1);
  });

  it("refuses to promote a slug of another commit than the run's (another deploy reached staging meanwhile)", async () => {
    sim.addApp('wm-staging');
    sim.addApp('wm-prod');
    sim.seedDeploy('wm-staging', SHA);
    const later = 'b'.repeat(40);
    sim.seedDeploy('wm-staging', later);
    sim.addPipeline('wm', [
      { app: 'wm-staging', stage: 'staging' },
      { app: 'wm-prod', stage: 'production' },
    ]);
    const refused = await failure(promote({ ...base(), app: 'wm-staging', stage: 'production', commit: SHA }));
    expect(refused.message).toBe(
      `Heroku app 'wm-staging' v4 runs a slug of ${later}, not of ${SHA}, the commit this run deploys (another deploy reached wm-staging since): deploy ${SHA} to wm-staging again, or promote from the run of ${later}`,
    );
    expect(sim.requestsTo('POST', '/pipeline-promotions')).toHaveLength(0);
    const promoted = await promote({ ...base(), app: 'wm-staging', stage: 'production', commit: later });
    expect(promoted).toMatchObject({ skipped: false, version: later });
  });

  it('fails a promotion on the target’s error and refuses an app outside a pipeline or a stage with no apps', async () => {
    sim.addApp('wm-staging');
    sim.addApp('wm-prod');
    sim.addApp('wm-alone');
    sim.seedDeploy('wm-staging', SHA);
    sim.addPipeline('wm', [
      { app: 'wm-staging', stage: 'staging' },
      { app: 'wm-prod', stage: 'production' },
    ]);
    sim.failPromotionsTo('wm-prod', 'User does not have access to that app');
    const failed = await failure(promote({ ...base(), app: 'wm-staging', stage: 'production' }));
    expect(failed.message).toMatch(
      /promotion [0-9a-f-]+ from 'wm-staging' failed for wm-prod: User does not have access to that app/,
    );
    const alone = await failure(promote({ ...base(), app: 'wm-alone', stage: 'production' }));
    expect(alone.message).toMatch(/'wm-alone' is not in a pipeline/);
    const none = await failure(promote({ ...base(), app: 'wm-staging', stage: 'review' }));
    expect(none.message).toMatch(/has no app in stage 'review' \(stages with apps: staging, production\)/);
  });

  it('rolls back to the previous eligible release, paging releases newest first with Range', async () => {
    sim.addApp('wm-api');
    for (let i = 0; i < 30; i++) sim.seedDeploy('wm-api', `v${String(i).padStart(39, '0')}`);
    // v32 is current; v8..v31 are not eligible, so "previous" is v7 — on the second page of 25 (v32..v8).
    for (let v = 8; v <= 31; v++) sim.setEligible('wm-api', v, false);
    const report = await rollback({ ...base(), to: 'previous' });
    expect(report).toMatchObject({
      release: { version: 33 },
      previousRelease: { version: 32 },
      rollbackTarget: { version: 7 },
    });
    expect(sim.currentRelease('wm-api')).toMatchObject({ version: 33, description: 'Rollback to v7' });
    const ranges = sim.requestsTo('GET', '/apps/:app/releases').map((r) => r.headers.range);
    expect(ranges[0]).toBe('version ..; max=25, order=desc');
    expect(ranges).toContain('version ]8..; max=25, order=desc');
  });

  it('rolls back to a named version, skips when already there, and refuses an ineligible one saying why', async () => {
    sim.addApp('wm-api');
    sim.seedDeploy('wm-api', `a${'0'.repeat(39)}`, { releasePhase: true }); // v3
    sim.seedDeploy('wm-api', `b${'0'.repeat(39)}`); // v4
    sim.seedDeploy('wm-api', `c${'0'.repeat(39)}`); // v5
    const report = await rollback({ ...base(), to: 3 });
    expect(report).toMatchObject({
      release: { version: 6 },
      rollbackTarget: { version: 3 },
      previousRelease: { version: 5 },
    });
    expect(log.messages('group')).toContain('Release phase of v6'); // the rollback ran the release phase
    const again = await rollback({ ...base(), to: 3 });
    expect(again).toMatchObject({ skipped: true, release: { version: 6 } });
    expect(again.skipReason).toBe('v6 is already a rollback to v3');
    sim.setEligible('wm-api', 4, false);
    const refused = await failure(rollback({ ...base(), to: 4 }));
    expect(refused.message).toMatch(
      /release v4 of app 'wm-api' is not eligible for rollback \(eligible_for_rollback is false/,
    );
    const missing = await failure(rollback({ ...base(), to: 99 }));
    expect(missing.message).toMatch(/has no release v99 \(current is v6\)/);
    expect(sim.releases('wm-api')).toHaveLength(6);
  });
  it('config-vars: one PATCH of what differs before the build, so the build’s release carries them', async () => {
    sim.addApp('wm-api');
    sim.seedDeploy('wm-api', 'old0000000000000000000000000000000000000'); // v3
    sim.seedConfig('wm-api', { NODE_ENV: 'production', RESEND_API_KEY: 're_old', LEGACY_FLAG: '1' });
    sim.addAddon('wm-api', 'heroku-postgresql-curved-12345', { DATABASE_URL: 'postgres://u:p@h/db' });
    const configVars = { NODE_ENV: 'production', RESEND_API_KEY: 're_new_0123456789', REDIS_URL: 'rediss://r:6379' };
    const report = await deploy({ ...base(), appDir: appDir({ 'a.js': '1' }), version: SHA, configVars });
    expect(report.config).toMatchObject({
      added: ['REDIS_URL'],
      changed: ['RESEND_API_KEY'],
      removed: [],
      unchanged: 1,
    });
    // v4 is the config release (current slug), v5 the build's: it runs the new code with the new config.
    expect(report.config?.release).toMatchObject({
      version: 4,
      description: 'Set RESEND_API_KEY, REDIS_URL config vars',
    });
    expect(report).toMatchObject({ release: { version: 5 }, previousRelease: { version: 3 } });
    const patches = sim.requestsTo('PATCH', '/apps/:app/config-vars');
    expect(patches.map((r) => r.body)).toEqual([{ RESEND_API_KEY: 're_new_0123456789', REDIS_URL: 'rediss://r:6379' }]);
    expect(sim.currentRelease('wm-api')?.config).toEqual({
      NODE_ENV: 'production',
      RESEND_API_KEY: 're_new_0123456789',
      LEGACY_FLAG: '1',
      DATABASE_URL: 'postgres://u:p@h/db',
      REDIS_URL: 'rediss://r:6379',
    });
    expect(log.messages().join('\n')).not.toMatch(/re_new|re_old|rediss|postgres:\/\//);
    expect(log.messages('info')).toContain('Config vars: added REDIS_URL; changed RESEND_API_KEY; 1 unchanged');

    // The same set again: no PATCH, no config release; the build is skipped as already running.
    const again = await deploy({ ...base(), appDir: appDir({ 'a.js': '1' }), version: SHA, configVars });
    expect(again).toMatchObject({ skipped: true, config: { added: [], changed: [], unchanged: 3 } });
    expect(again.config?.release).toBeUndefined();
    expect(sim.requestsTo('PATCH', '/apps/:app/config-vars')).toHaveLength(1);
    expect(sim.releases('wm-api')).toHaveLength(5);

    // A changed value with the build already running: the config release is what this run shipped.
    const changed = await deploy({
      ...base(),
      appDir: appDir({ 'a.js': '1' }),
      version: SHA,
      configVars: { ...configVars, NODE_ENV: 'staging' },
    });
    expect(changed).toMatchObject({ skipped: false, release: { version: 6 }, previousRelease: { version: 5 } });
    expect(sim.requestsTo('POST', '/apps/:app/builds')).toHaveLength(1);
  });

  it('config-vars prune removes what the list lacks, never an add-on’s vars; setting an add-on’s var is refused', async () => {
    sim.addApp('wm-api');
    sim.seedDeploy('wm-api', SHA); // v3, already running this version
    sim.seedConfig('wm-api', { KEEP: 'k', OLD_ONE: 'x', OLD_TWO: 'y' });
    sim.addAddon('wm-api', 'heroku-redis-round-777', { REDIS_URL: 'rediss://r' });
    const report = await deploy({
      ...base(),
      appDir: appDir({ 'a.js': '1' }),
      version: SHA,
      configVars: { KEEP: 'k' },
      prune: true,
    });
    expect(report.config).toMatchObject({ added: [], changed: [], removed: ['OLD_ONE', 'OLD_TWO'], unchanged: 1 });
    expect(sim.requestsTo('PATCH', '/apps/:app/config-vars')[0]!.body).toEqual({ OLD_ONE: null, OLD_TWO: null });
    expect(sim.app('wm-api')!.config).toEqual({ KEEP: 'k', REDIS_URL: 'rediss://r' });
    expect(report.release?.description).toBe('Remove OLD_ONE, OLD_TWO config vars');

    const clash = await failure(
      deploy({ ...base(), appDir: appDir({ 'a.js': '1' }), version: SHA, configVars: { REDIS_URL: 'rediss://mine' } }),
    );
    expect(clash.message).toBe(
      "input 'config-vars' sets REDIS_URL, which add-on heroku-redis-round-777 of app 'wm-api' owns and Heroku will not overwrite: remove REDIS_URL from config-vars",
    );
    expect(sim.requestsTo('PATCH', '/apps/:app/config-vars')).toHaveLength(1);
  });

  it('config-vars: the config release runs the current slug’s release phase; its failure stops the deploy', async () => {
    sim.addApp('wm-api');
    sim.seedDeploy('wm-api', 'old0000000000000000000000000000000000000', { releasePhase: true }); // v3
    sim.nextReleasePhase('wm-api', {
      outcome: 'failed',
      output: ['Running migrations', 'ERROR: missing RESEND_API_KEY'],
    });
    const err = await failure(
      deploy({ ...base(), appDir: appDir({ 'a.js': '1' }), version: SHA, configVars: { RESEND_API_KEY: 're_x_0123' } }),
    );
    expect(err.id).toBe('release_failed');
    expect(err.message).toMatch(/release v4 of app 'wm-api' failed in its release phase; v3 keeps running/);
    expect(sim.requestsTo('POST', '/apps/:app/builds')).toHaveLength(0);
    expect(log.messages('group')).toContain('Release phase of v4');
  });

  it('planConfig: names what changes, and sends null only for removals', () => {
    const plan = planConfig(
      { A: '1', B: '2', C: '3', ADDON_URL: 'x' },
      { A: '1', B: '20', D: '4' },
      true,
      new Set(['ADDON_URL']),
    );
    expect(plan).toEqual({
      added: ['D'],
      changed: ['B'],
      removed: ['C'],
      unchanged: 1,
      patch: { B: '20', D: '4', C: null },
    });
    expect(planConfig({ A: '1' }, { A: '1' }, false, new Set()).patch).toEqual({});
    // An empty value is a value: it differs from a missing one.
    expect(planConfig({}, { E: '' }, false, new Set())).toMatchObject({ added: ['E'], patch: { E: '' } });
  });

  it('maintenance: on and off through PATCH /apps, re-run safe; a deploy into maintenance says so', async () => {
    sim.addApp('wm-api');
    const on = await setMaintenance({ ...base(), on: true });
    expect(on).toMatchObject({ mode: 'maintenance', skipped: false, maintenance: true });
    expect(sim.app('wm-api')!.maintenance).toBe(true);
    expect(sim.requestsTo('PATCH', '/apps/:app').map((r) => r.body)).toEqual([{ maintenance: true }]);
    const again = await setMaintenance({ ...base(), on: true });
    expect(again).toMatchObject({ skipped: true, skipReason: 'maintenance mode is already on', maintenance: true });
    expect(sim.requestsTo('PATCH', '/apps/:app')).toHaveLength(1);
    await deploy({ ...base(), appDir: appDir({ 'a.js': '1' }), version: SHA });
    expect(log.messages('notice')).toContain(
      'wm-api is in maintenance mode: the new release serves only once it is turned off',
    );
    const off = await setMaintenance({ ...base(), on: false });
    expect(off).toMatchObject({ skipped: false, maintenance: false });
    expect(sim.app('wm-api')!.maintenance).toBe(false);
    // No release either way: maintenance mode is not part of a release.
    expect(sim.releases('wm-api')).toHaveLength(3);
  });
  it('review-app: creates the PR’s review app from the source tarball with its config, then builds later pushes on it', async () => {
    sim.addApp('wm-staging');
    sim.seedDeploy('wm-staging', 'old0000000000000000000000000000000000000');
    sim.addPipeline('wm', [{ app: 'wm-staging', stage: 'staging' }], { reviewApps: true });
    const dir = appDir({ 'package.json': '{"name":"api"}', Procfile: 'release: node migrate.js\nweb: node s.js\n' });
    const configVars = { DATABASE_URL: 'postgres://pr7:secret@db/wingman_pr_7' };
    const opts = { ...base(), app: 'wm-staging', appDir: dir, version: SHA, pr: 7, branch: 'feature/x', configVars };
    const made = await deployReviewApp(opts);
    const [review] = sim.reviewApps;
    expect(review).toMatchObject({ pr_number: 7, branch: 'feature/x', status: 'created' });
    const app = sim.app(review!.appId!)!;
    expect(made).toMatchObject({ mode: 'review-app', app: app.name, appUrl: app.web_url, skipped: false });
    expect(sim.currentRelease(app.name)?.config).toEqual(configVars);
    expect(made.release?.version).toBe(sim.currentRelease(app.name)?.version);
    expect(sim.requestsTo('POST', '/review-apps')[0]!.body).toMatchObject({
      branch: 'feature/x',
      pr_number: 7,
      environment: configVars,
      source_blob: { version: SHA },
    });
    // A second push: the same review app, a new build on its app, nothing created twice.
    const next = 'b'.repeat(40);
    const again = await deployReviewApp({ ...opts, version: next, configVars: { ...configVars, FEATURE: 'on' } });
    expect(sim.reviewApps).toHaveLength(1);
    expect(again).toMatchObject({ app: app.name, config: { added: ['FEATURE'] } });
    expect(sim.builds(app.name).at(-1)!.source_blob.version).toBe(next);
    expect(sim.currentRelease(app.name)?.config).toMatchObject({ FEATURE: 'on' });
    expect(JSON.stringify(log.messages())).not.toContain('secret@db');

    const removed = await deleteReviewApp({ ...base(), app: 'wm-staging', pr: 7 });
    expect(removed.skipped).toBe(false);
    expect(sim.reviewApps[0]!.status).toBe('deleting');
    const twice = await deleteReviewApp({ ...base(), app: 'wm-staging', pr: 7 });
    expect(twice).toMatchObject({ skipped: true, skipReason: 'pull request #7 has no review app' });
  });

  it('review-app: a failed build fails with the setup’s reason and the build’s last lines; no pipeline is refused', async () => {
    sim.addApp('wm-staging');
    sim.addPipeline('wm', [{ app: 'wm-staging', stage: 'staging' }], { reviewApps: true });
    const dir = appDir({ 'package.json': '{"name":"api"}' });
    sim.nextReviewAppBuild({
      outcome: 'failed',
      output: ['-----> Node.js app detected', 'npm ERR! missing script: build'],
    });
    const err = await failure(
      deployReviewApp({ ...base(), app: 'wm-staging', appDir: dir, version: SHA, pr: 8, branch: 'feature/y' }),
    );
    expect(err.id).toBe('review_app_failed');
    expect(err.message).toMatch(
      /^Heroku review app of pull request #8 errored: Build failed; last lines of the build output: .*npm ERR! missing script: build/,
    );
    // The re-run after a fix: the errored one is deleted (it holds the branch), a new one comes up.
    const fixed = await deployReviewApp({
      ...base(),
      app: 'wm-staging',
      appDir: dir,
      version: SHA,
      pr: 8,
      branch: 'feature/y',
    });
    expect(sim.reviewApps.map((r) => r.status)).toEqual(['deleted', 'created']);
    expect(fixed.app).toBe(sim.app(sim.reviewApps[1]!.appId!)!.name);
    sim.addApp('wm-loner');
    const alone = await failure(
      deployReviewApp({ ...base(), app: 'wm-loner', appDir: dir, version: SHA, pr: 9, branch: 'z' }),
    );
    expect(alone.message).toMatch(/^Heroku app 'wm-loner' is not in a pipeline, so it has no review apps/);
  });
});

import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { RateLimitError } from '@wingman/http';
import type { RecordingLog } from '@wingman/log';
import { VercelSimulator } from '@wingman/testkit';
import { createVercelApi, type DeployOptions, deploy, promote, rollback, type VercelApi } from '../src';
import { cleanup, prebuiltOutput, startVercelFixture, TEAM, tempDir, write } from './helpers';

const TOKEN = 'vercel_sim_token_0123456789abcdef';
const SHA1 = '1111111111111111111111111111111111111111';
const SHA2 = '2222222222222222222222222222222222222222';

describe('deploy against the Vercel simulator', () => {
  let sim: VercelSimulator;
  let api: VercelApi;
  let project: { id: string; name: string };
  let log: RecordingLog;

  let fixture: Awaited<ReturnType<typeof startVercelFixture>>;
  beforeEach(async () => {
    fixture = await startVercelFixture(TOKEN, 20);
    ({ sim, project, api, log } = fixture);
  });
  // One test swaps in a Hobby-plan simulator: close whichever sim and client are current.
  afterEach(async () => {
    await api.close();
    await sim.stop();
    cleanup();
  });

  const opts = (outputDir: string, extra: Partial<DeployOptions> = {}): DeployOptions => ({
    api,
    projectId: project.id,
    target: 'preview',
    outputDir,
    timeoutMs: 10_000,
    log,
    poll: { initialMs: 10, maxMs: 40 },
    git: { sha: SHA1, branch: 'feature/Match-Score', owner: 'wingman-org', repo: 'wingmanmatch' },
    ...extra,
  });

  it('uploads every file once, sends mode and symlinks as the CLI does, and waits for READY', async () => {
    const out = prebuiltOutput(tempDir());
    const r = await deploy(opts(out));
    expect(r.skipped).toBe(false);
    expect(r.deployment.readyState).toBe('READY');
    expect(r.kind).toBe('prebuilt');
    expect(r.fileCount).toBe(8);
    expect(r.uploaded.files).toBe(8);
    const creates = sim.requestsTo('POST', '/v13/deployments');
    expect(creates).toHaveLength(2); // missing_files, then created
    const files = (creates[1]!.body as { files: { file: string; mode: number; sha: string }[] }).files;
    const byName = Object.fromEntries(files.map((f) => [f.file, f]));
    expect(byName['.vercel/output/functions/api/hello.func/bin/tool']!.mode).toBe(0o100755);
    expect(byName['.vercel/output/static/index.html']!.mode).toBe(0o100644);
    expect(byName['.vercel/output/functions/api/hi.func']!.mode & 0o170000).toBe(0o120000);
    // A symlink's content is its target text.
    expect(sim.storedFile(TEAM, byName['.vercel/output/functions/api/hi.func']!.sha)!.toString()).toBe('hello.func');
    // teamId on every call, including uploads and polling.
    expect(sim.requests.every((q) => q.query.teamId === TEAM)).toBe(true);
    for (const u of sim.requestsTo('POST', '/v2/files')) expect(u.headers['content-length']).toBeDefined();
    expect(log.messages('info')).toContain('Deployment completed');
    expect(log.messages('group')).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Vercel build https:\/\/web-/)]),
    );
    const created = creates[1]!.body as {
      target?: string;
      meta: Record<string, string>;
      gitMetadata: Record<string, unknown>;
    };
    expect(created.target).toBeUndefined();
    expect(created.meta).toMatchObject({
      githubCommitSha: SHA1,
      githubCommitRef: 'feature/Match-Score',
      wingmanTarget: 'preview',
    });
    expect(created.gitMetadata).toMatchObject({ commitSha: SHA1, ci: true, ciType: 'github-actions', dirty: false });
  });

  it('re-deploys a changed output uploading exactly the changed file', async () => {
    const root = tempDir();
    const out = prebuiltOutput(root, { version: '1' });
    await deploy(opts(out));
    write(out, 'static/index.html', '<h1>WingmanMatch 2</h1>');
    sim.clearRequests();
    const r = await deploy(opts(out, { git: { sha: SHA2, branch: 'main' } }));
    expect(r.uploaded.files).toBe(1);
    const uploads = sim.requestsTo('POST', '/v2/files');
    expect(uploads).toHaveLength(1);
    expect((uploads[0]!.body as Buffer).toString()).toBe('<h1>WingmanMatch 2</h1>');
  });

  it('reuses a READY deployment of the same commit and target (skipped), unless force', async () => {
    const out = prebuiltOutput(tempDir());
    const first = await deploy(opts(out));
    sim.clearRequests();
    const again = await deploy(opts(out));
    expect(again.skipped).toBe(true);
    expect(again.deployment.id).toBe(first.deployment.id);
    expect(sim.requestsTo('POST', '/v13/deployments')).toHaveLength(0);
    const forced = await deploy(opts(out, { force: true }));
    expect(forced.skipped).toBe(false);
    expect(forced.deployment.id).not.toBe(first.deployment.id);
    expect(sim.requestsTo('POST', '/v13/deployments')[0]!.query.forceNew).toBe('1');
    // Another target is not the same deployment.
    const prod = await deploy(opts(out, { target: 'production' }));
    expect(prod.skipped).toBe(false);
  });

  it("fails with Vercel's message on a build ERROR, a CANCELED deployment and an alias error", async () => {
    const out = prebuiltOutput(tempDir());
    sim.queueOutcome({
      state: 'ERROR',
      errorCode: 'BUILD_FAILED',
      errorMessage: 'Command "npm run build" exited with 1',
      log: ['Type error: x is not a number'],
    });
    const e1 = (await deploy(opts(out)).catch((e: unknown) => e)) as Error & { deployment?: { readyState: string } };
    expect(e1.message).toMatch(
      /failed: BUILD_FAILED: Command "npm run build" exited with 1 — Type error: x is not a number; build logs: https:\/\/vercel.com\/wingman\/web\//,
    );
    expect(e1.deployment?.readyState).toBe('ERROR');
    expect(log.messages('info')).toContain('Type error: x is not a number');

    sim.queueOutcome({ state: 'CANCELED' });
    const e2 = (await deploy(opts(out, { force: true })).catch((e: unknown) => e)) as Error;
    expect(e2.message).toMatch(/was canceled before it was ready/);

    sim.queueOutcome({
      state: 'READY',
      aliasError: { code: 'cert_missing', message: 'No certificate for wingmanmatch.app' },
    });
    const e3 = (await deploy(opts(out, { force: true, target: 'production' })).catch((e: unknown) => e)) as Error;
    expect(e3.message).toMatch(/is READY but its aliases failed: cert_missing: No certificate for wingmanmatch.app/);
  });

  it('stages production without the domains, then promote moves them and waits for the pointer', async () => {
    const out = prebuiltOutput(tempDir());
    const live = await deploy(opts(out, { target: 'production' }));
    expect(sim.productionOf(project.id)).toBe(live.deployment.id);
    write(out, 'static/index.html', 'v2');
    const staged = await deploy(opts(out, { target: 'production', staged: true, git: { sha: SHA2 } }));
    const body = sim.requestsTo('POST', '/v13/deployments').at(-1)!.body as {
      autoAssignCustomDomains?: boolean;
      target: string;
    };
    expect(body).toMatchObject({ autoAssignCustomDomains: false, target: 'production' });
    expect(staged.deployment.readySubstate).toBe('STAGED');
    expect(sim.productionOf(project.id)).toBe(live.deployment.id);
    expect(staged.previousProductionId).toBe(live.deployment.id);

    const p = await promote({
      api,
      projectId: project.id,
      deployment: staged.deployment.id,
      timeoutMs: 5000,
      log,
      pollMs: 10,
    });
    expect(p.unchanged).toBe(false);
    expect(p.previousProductionId).toBe(live.deployment.id);
    expect(sim.productionOf(project.id)).toBe(staged.deployment.id);
    expect(sim.aliasTarget('wingmanmatch.app')).toBe(staged.deployment.id);
    expect(sim.requestsTo('POST', '/v10/projects/:p/promote/:d')).toHaveLength(1);
    // Promoting again is a no-op.
    const again = await promote({
      api,
      projectId: project.id,
      deployment: `https://${staged.deployment.url}`,
      timeoutMs: 5000,
      log,
      pollMs: 10,
    });
    expect(again.unchanged).toBe(true);
  });

  it('rolls back to the previous production deployment by default; Hobby refuses older ones with a clear message', async () => {
    await sim.stop();
    await api.close();
    sim = new VercelSimulator({ token: TOKEN, stepMs: 20 });
    await sim.start();
    api = createVercelApi({ token: TOKEN, apiUrl: sim.url, minDelayMs: 5 });
    project = sim.addProject({ name: 'web', plan: 'hobby', domains: [{ name: 'wingmanmatch.app' }] });
    const out = prebuiltOutput(tempDir());
    const ids: string[] = [];
    for (const v of ['a', 'b', 'c']) {
      write(out, 'static/index.html', v);
      ids.push((await deploy(opts(out, { target: 'production', force: true }))).deployment.id);
    }
    const tooOld = (await rollback({
      api,
      projectId: project.id,
      deployment: ids[0],
      timeoutMs: 5000,
      log,
      pollMs: 10,
    }).catch((e: unknown) => e)) as Error;
    expect(tooOld.message).toMatch(
      new RegExp(`402.*only roll back to the previous production deployment \\(${ids[1]}\\)`),
    );
    const r = await rollback({ api, projectId: project.id, timeoutMs: 5000, log, pollMs: 10 });
    expect(r.deployment.id).toBe(ids[1]);
    expect(r.previousProductionId).toBe(ids[2]);
    expect(sim.productionOf(project.id)).toBe(ids[1]);
    expect(sim.aliasTarget('wingmanmatch.app')).toBe(ids[1]);
  });

  it('assigns aliases by deployment id and reports a refused alias naming it', async () => {
    const out = prebuiltOutput(tempDir());
    const r = await deploy(opts(out, { aliases: ['pr-7-web.vercel.app', 'web.wingmanmatch.app'] }));
    expect(r.assignedAliases).toEqual(['pr-7-web.vercel.app', 'web.wingmanmatch.app']);
    expect(sim.requestsTo('POST', '/v2/deployments/:id/aliases').map((q) => q.path)).toEqual([
      `/v2/deployments/${r.deployment.id}/aliases`,
      `/v2/deployments/${r.deployment.id}/aliases`,
    ]);
    expect(sim.aliasTarget('pr-7-web.vercel.app')).toBe(r.deployment.id);
    const bad = (await deploy(opts(out, { force: true, aliases: ['web.example.org'] })).catch(
      (e: unknown) => e,
    )) as Error;
    expect(bad.message).toMatch(/alias web.example.org could not be assigned to dpl_\w+: not_found/);
  });

  it('waits out a 429 rate limit until x-ratelimit-reset, then creates', async () => {
    const out = prebuiltOutput(tempDir());
    sim.rateLimit('POST', '/v13/deployments', 1, 1500);
    const r = await deploy(opts(out));
    expect(r.deployment.readyState).toBe('READY');
    const creates = sim.requestsTo('POST', '/v13/deployments');
    expect(creates).toHaveLength(3); // missing_files, 429, created
    // x-ratelimit-reset is in whole epoch seconds: the retry came no earlier than that second.
    const reset = Math.ceil((creates[0]!.time + 1500) / 1000) * 1000;
    expect(creates[2]!.time).toBeGreaterThanOrEqual(reset - 50);
    // A reset further away than the client waits becomes a RateLimitError naming the wait.
    const impatient = createVercelApi({ token: TOKEN, teamId: TEAM, apiUrl: sim.url, maxRetryAfterMs: 10 });
    sim.rateLimit('GET', '/v9/projects/:id', 0, 60_000);
    const err = await deploy({ ...opts(out), api: impatient }).catch((e: unknown) => e);
    await impatient.close();
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as Error).message).toMatch(/rate_limited.*asked to wait \d+ s/);
  });

  it('retries an upload whose connection drops', async () => {
    const out = prebuiltOutput(tempDir());
    sim.inject('POST', '/v2/files', { reset: true }, { times: 2 });
    const r = await deploy(opts(out));
    expect(r.uploaded.files).toBe(8);
    expect(sim.requestsTo('POST', '/v2/files')).toHaveLength(10);
    expect(sim.storedShas(TEAM)).toHaveLength(8);
  });

  it('names project-id and team-id when the project is not in the team', async () => {
    const out = prebuiltOutput(tempDir());
    const noTeam = createVercelApi({ token: TOKEN, apiUrl: sim.url });
    const e = (await deploy({ ...opts(out), api: noTeam }).catch((x: unknown) => x)) as Error;
    await noTeam.close();
    expect(e.message).toMatch(/project 'prj_\w+' was not found in the personal account of the token \(no team-id\)/);
    const otherTeam = createVercelApi({ token: TOKEN, teamId: 'team_other', apiUrl: sim.url });
    const f = (await deploy({ ...opts(out), api: otherTeam }).catch((x: unknown) => x)) as Error;
    await otherTeam.close();
    expect(f.message).toMatch(/refused access to team team_other \(403/);
  });

  it('wraps a plain static directory into the Build Output API', async () => {
    const site = tempDir();
    write(site, 'index.html', '<p>hi</p>');
    write(site, 'assets/a.css', 'p{}');
    write(site, '.git/HEAD', 'ref');
    write(site, '.env.production', 'SECRET=1');
    // Never implied: a folder without config.json is refused unless static says so.
    await expect(deploy(opts(site))).rejects.toThrow(/has no config.json.*set static: true/);
    expect(sim.requestsTo('POST', '/v13/deployments')).toHaveLength(0);
    const r = await deploy(opts(site, { static: true }));
    expect(r.kind).toBe('static');
    expect(r.heldBack).toEqual([{ file: '.env.production', reason: 'an environment file (.env*)' }]);
    const files = (sim.requestsTo('POST', '/v13/deployments').at(-1)!.body as { files: { file: string }[] }).files;
    expect(files.map((f) => f.file).sort()).toEqual([
      '.vercel/output/config.json',
      '.vercel/output/static/assets/a.css',
      '.vercel/output/static/index.html',
    ]);
  });

  it("puts the files under the project's Root Directory, where Vercel looks for .vercel/output", async () => {
    const mono = sim.addProject({ name: 'mono', teamId: TEAM, rootDirectory: 'apps/web' });
    const out = prebuiltOutput(tempDir());
    const r = await deploy(opts(out, { projectId: mono.id }));
    const files = (sim.requestsTo('POST', '/v13/deployments').at(-1)!.body as { files: { file: string }[] }).files;
    expect(files.map((f) => f.file)).toContain('apps/web/.vercel/output/config.json');
    expect(sim.deployment(r.deployment.id)!.prebuilt).toBe(true);
  });

  it('refuses a prebuilt output built for another target', async () => {
    const out = prebuiltOutput(tempDir(), { target: 'preview' });
    const e = (await deploy(opts(out, { target: 'production' })).catch((x: unknown) => x)) as Error;
    expect(e.message).toMatch(
      /was built for target "preview" but this step deploys to "production": run `vercel build --prod`/,
    );
    expect(sim.requestsTo('POST', '/v13/deployments')).toHaveLength(0);
    const missing = (await deploy(opts(join(tempDir(), 'nope'))).catch((x: unknown) => x)) as Error;
    expect(missing.message).toMatch(/output-dir .*nope does not exist/);
  });
});

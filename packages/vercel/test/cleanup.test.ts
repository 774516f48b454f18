import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createGitHubClient, type GitHubClient } from '@wingman/github';
import { RecordingLog } from '@wingman/log';
import { GitHubSimulator, type VercelSimulator } from '@wingman/testkit';
import {
  cleanUpPullRequest,
  commentMarker,
  createVercelApi,
  PullRequestReport,
  removeAliases,
  type VercelApi,
} from '../src';
import { startVercelFixture, TEAM } from './helpers';

const TOKEN = 'vercel_sim_token_cleanup_0123456789';
const FULL = 'wingman-org/wingmanmatch';
const REPO = { owner: 'wingman-org', repo: 'wingmanmatch' };
const SHA1 = '1111111111111111111111111111111111111111';
const SHA2 = '2222222222222222222222222222222222222222';

describe('removeAliases', () => {
  let sim: VercelSimulator;
  let api: VercelApi;
  let project: { id: string; name: string };
  let log: RecordingLog;

  let fixture: Awaited<ReturnType<typeof startVercelFixture>>;
  beforeEach(async () => {
    fixture = await startVercelFixture(TOKEN, 10);
    ({ sim, project, api, log } = fixture);
  });
  afterEach(() => fixture.stop());

  const deployWith: typeof fixture.deployWith = (...args) => fixture.deployWith(...args);

  it('removes the aliases with DELETE /v2/aliases (teamId on the call); a second run only notices they are gone', async () => {
    const id = await deployWith('preview', ['pr-7-web.vercel.app', 'feat.preview.wingmanmatch.app']);
    expect(sim.aliasTarget('pr-7-web.vercel.app')).toBe(id);
    const r = await removeAliases({
      api,
      projectId: project.id,
      aliases: ['pr-7-web.vercel.app', 'feat.preview.wingmanmatch.app'],
      log,
    });
    expect(r.removed).toEqual([
      { alias: 'pr-7-web.vercel.app', deploymentId: id },
      { alias: 'feat.preview.wingmanmatch.app', deploymentId: id },
    ]);
    expect(r.alreadyGone).toEqual([]);
    expect(sim.aliasTarget('pr-7-web.vercel.app')).toBeUndefined();
    expect(sim.aliasTarget('feat.preview.wingmanmatch.app')).toBeUndefined();
    const deletes = sim.requestsTo('DELETE', '/v2/aliases/:id');
    expect(deletes).toHaveLength(2);
    expect(deletes.every((d) => d.query.teamId === TEAM)).toBe(true);
    // The deployment itself stays.
    expect(sim.deployment(id)).toBeDefined();

    const again = await removeAliases({ api, projectId: project.id, aliases: ['pr-7-web.vercel.app'], log });
    expect(again.removed).toEqual([]);
    expect(again.alreadyGone).toEqual(['pr-7-web.vercel.app']);
    expect(log.messages('notice')).toEqual([
      `alias pr-7-web.vercel.app does not exist in team ${TEAM}: nothing to remove`,
    ]);
    expect(sim.requestsTo('DELETE', '/v2/aliases/:id')).toHaveLength(2);
  });

  it('treats a 404 from DELETE (removed concurrently) as already gone', async () => {
    await deployWith('preview', ['pr-8-web.vercel.app']);
    sim.inject('DELETE', '/v2/aliases/:id', { status: 404, body: { error: { code: 'not_found', message: 'x' } } });
    const r = await removeAliases({ api, projectId: project.id, aliases: ['pr-8-web.vercel.app'], log });
    expect(r).toMatchObject({ removed: [], alreadyGone: ['pr-8-web.vercel.app'] });
    expect(log.messages('notice')).toEqual(['alias pr-8-web.vercel.app was already removed']);
  });

  it('refuses, before removing anything, an alias of production or of another project', async () => {
    const prod = await deployWith('production');
    expect(sim.aliasTarget('wingmanmatch.app')).toBe(prod);
    const other = sim.addProject({ name: 'admin', teamId: TEAM });
    await deployWith('preview', ['pr-7-admin.vercel.app'], other.id);
    await deployWith('preview', ['pr-7-web.vercel.app']);
    await expect(
      removeAliases({
        api,
        projectId: project.id,
        aliases: ['pr-7-web.vercel.app', 'wingmanmatch.app', 'pr-7-admin.vercel.app'],
        log,
      }),
    ).rejects.toThrow(
      `refusing to remove alias wingmanmatch.app serves the production deployment ${prod} of web; pr-7-admin.vercel.app belongs to project ${other.id}, not web (${project.id}): cleanup removes preview aliases of 'project-id' only; check 'aliases'`,
    );
    expect(sim.requestsTo('DELETE', '/v2/aliases/:id')).toHaveLength(0);
    expect(sim.aliasTarget('pr-7-web.vercel.app')).toBeDefined();
  });

  it('names project-id and team-id when the project is not there', async () => {
    const personal = createVercelApi({ token: TOKEN, apiUrl: sim.url, minDelayMs: 5 });
    await expect(
      removeAliases({ api: personal, projectId: project.id, aliases: ['pr-7-web.vercel.app'], log }),
    ).rejects.toThrow(/Vercel project 'prj_\w+' was not found in the personal account of the token \(no team-id\)/);
    await personal.close();
  });
});

describe('cleanUpPullRequest', () => {
  let sim: GitHubSimulator;
  let gh: GitHubClient;
  let log: RecordingLog;

  beforeEach(async () => {
    sim = new GitHubSimulator();
    await sim.start();
    sim.addPullRequest(FULL, 7, { sha: SHA1, ref: 'feat' });
    sim.addPullRequest(FULL, 7, { sha: SHA2, ref: 'feat' });
    sim.addPullRequest(FULL, 9, { sha: 'f'.repeat(40), ref: 'other' });
    gh = createGitHubClient({ token: 't', apiUrl: sim.url, retries: 0 });
    log = new RecordingLog();
  });
  afterEach(async () => {
    await gh.close();
    await sim.stop();
  });

  /** A preview the deploy path reported: GitHub deployment in_progress → success, and the PR comment. */
  const preview = async (pr: number, sha: string, projectId = 'prj_web') => {
    const r = new PullRequestReport({ github: gh, repo: REPO, pr, sha, projectId, projectName: 'web', log });
    await r.start();
    await r.succeed(
      { id: `dpl_${sha.slice(0, 4)}`, url: 'web-x.vercel.app', name: 'web', readyState: 'READY' },
      [],
      false,
    );
  };
  const states = (id: number) => sim.statuses(FULL, id).map((s) => s.state);

  it("marks every deployment of the PR inactive (one per commit), leaves other PRs' alone, and edits the comment", async () => {
    await preview(7, SHA1);
    await preview(7, SHA2);
    await preview(9, 'f'.repeat(40));
    await preview(7, SHA2, 'prj_other'); // another project's preview of the same PR: same name, other payload
    const [a, b, other, otherProject] = sim.deployments(FULL);
    // Transient deployments: GitHub's auto_inactive left the earlier ones active.
    expect(states(a!.id)).toEqual(['in_progress', 'success']);

    const r = await cleanUpPullRequest({
      github: gh,
      repo: REPO,
      pr: 7,
      projectId: 'prj_web',
      projectName: 'web',
      log,
      removedAliases: ['pr-7-web.vercel.app'],
      now: new Date('2026-11-20T10:00:00Z'),
    });
    expect(r.deactivated.sort()).toEqual([a!.id, b!.id].sort());
    expect(r.warnings).toEqual([]);
    expect(states(a!.id)).toEqual(['in_progress', 'success', 'inactive']);
    expect(states(b!.id).at(-1)).toBe('inactive');
    expect(sim.statuses(FULL, b!.id).at(-1)).toMatchObject({
      environment: 'Preview – web',
      description: 'Pull request #7 closed: preview removed',
    });
    expect(states(other!.id).at(-1)).toBe('success');
    expect(states(otherProject!.id).at(-1)).toBe('success');
    // Listed by environment, all pages.
    expect(sim.requestsTo('GET', '/repos/:o/:r/deployments')[0]!.query).toMatchObject({
      environment: 'Preview – web',
      per_page: '100',
    });

    expect(r.commentUpdated).toBe(true);
    const comments = sim.comments(FULL, 7);
    const mine = comments.find((c) => c.body.includes(commentMarker('prj_web')))!;
    expect(mine.body).toContain('### 🧹 Vercel preview of **web** was removed');
    expect(mine.body).toContain('| Removed alias | ~~https://pr-7-web.vercel.app~~ |');
    expect(mine.body).toContain('| Updated | 2026-11-20 10:00:00 UTC |');
    expect(comments.find((c) => c.body.includes(commentMarker('prj_other')))!.body).toContain('is ready');
    expect(sim.comments(FULL, 9)[0]!.body).toContain('is ready');
  });

  it('is a no-op with notices the second time', async () => {
    await preview(7, SHA1);
    const opts = { github: gh, repo: REPO, pr: 7, projectId: 'prj_web', projectName: 'web', log };
    const first = await cleanUpPullRequest({ ...opts, removedAliases: ['pr-7-web.vercel.app'] });
    expect(first.deactivated).toHaveLength(1);
    const body = sim.comments(FULL, 7)[0]!.body;
    sim.clearRequests();
    const second = await cleanUpPullRequest({ ...opts, removedAliases: [] });
    expect(second).toMatchObject({ deactivated: [], alreadyInactive: first.deactivated, commentUpdated: false });
    expect(sim.requestsTo('POST')).toHaveLength(0);
    expect(sim.requestsTo('PATCH')).toHaveLength(0);
    expect(sim.comments(FULL, 7)[0]!.body).toBe(body);
    expect(log.messages('notice')).toEqual([
      `GitHub deployment(s) ${first.deactivated[0]} of #7 were already inactive: nothing to do`,
      'the comment on #7 already says the preview was removed',
    ]);
  });

  it('warns, once, naming deployments: write when the token may not write deployments, and creates no comment', async () => {
    await preview(9, 'f'.repeat(40)); // PR 7 never had a preview comment
    sim.permissions = { issues: 'read', pullRequests: 'read', deployments: 'read' };
    const r = await cleanUpPullRequest({
      github: gh,
      repo: REPO,
      pr: 9,
      projectId: 'prj_web',
      projectName: 'web',
      log,
      removedAliases: [],
    });
    expect(r.deactivated).toEqual([]);
    expect(r.warnings).toHaveLength(2);
    expect(r.warnings[0]).toBe(
      'GitHub refused to mark the deployments of #9 inactive (403 Resource not accessible by integration): add `permissions: deployments: write` to the job',
    );
    expect(r.warnings[1]).toMatch(/permissions: pull-requests: write/);

    sim.permissions = { issues: 'write', pullRequests: 'write', deployments: 'none' };
    log = new RecordingLog();
    const none = await cleanUpPullRequest({
      github: gh,
      repo: REPO,
      pr: 7,
      projectId: 'prj_web',
      projectName: 'web',
      log,
      removedAliases: [],
    });
    expect(none.warnings).toEqual([
      'GitHub refused to mark the deployments of #7 inactive (403 Resource not accessible by integration): add `permissions: deployments: write` to the job',
    ]);
    expect(sim.comments(FULL, 7)).toHaveLength(0);
  });

  it('fails on a GitHub error that is not a permission (the cleanup did not happen)', async () => {
    await preview(7, SHA1);
    sim.inject('POST', '/repos/:o/:r/deployments/:id/statuses', {
      status: 422,
      body: { message: 'Validation Failed' },
    });
    await expect(
      cleanUpPullRequest({
        github: gh,
        repo: REPO,
        pr: 7,
        projectId: 'prj_web',
        projectName: 'web',
        log,
        removedAliases: [],
      }),
    ).rejects.toThrow(/422/);
  });
});

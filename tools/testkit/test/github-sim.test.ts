import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { GitHubSimulator } from '../src/github-sim';

const FULL = 'o/r';
const SHA = 'a'.repeat(40);

describe('GitHubSimulator', () => {
  let sim: GitHubSimulator;
  const call = (method: string, path: string, body?: unknown, token = 'tok-123456') =>
    fetch(`${sim.url}${path}`, {
      method,
      headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeEach(async () => {
    sim = new GitHubSimulator({ token: 'tok-123456' });
    await sim.start();
    sim.addPullRequest(FULL, 3, { sha: SHA, ref: 'feat' });
  });
  afterEach(() => sim.stop());

  it('pages comments with per_page and a Link header (next, last, first, prev)', async () => {
    for (let i = 0; i < 5; i++) sim.addComment(FULL, 3, `c${i}`);
    const p1 = await call('GET', '/repos/o/r/issues/3/comments?per_page=2');
    expect(((await p1.json()) as { body: string }[]).map((c) => c.body)).toEqual(['c0', 'c1']);
    expect(p1.headers.get('link')).toBe(
      `<${sim.url}/repos/o/r/issues/3/comments?per_page=2&page=2>; rel="next", <${sim.url}/repos/o/r/issues/3/comments?per_page=2&page=3>; rel="last"`,
    );
    const p3 = await call('GET', '/repos/o/r/issues/3/comments?per_page=2&page=3');
    expect(((await p3.json()) as unknown[]).length).toBe(1);
    expect(p3.headers.get('link')).toContain('rel="prev"');
    expect(p3.headers.get('link')).not.toContain('rel="next"');
  });

  it('reads a pull request open, then closed and merged; an unknown one is 404', async () => {
    expect(await (await call('GET', '/repos/o/r/pulls/3')).json()).toMatchObject({
      number: 3,
      state: 'open',
      merged: false,
    });
    sim.closePullRequest(FULL, 3, { merged: true });
    expect(await (await call('GET', '/repos/o/r/pulls/3')).json()).toMatchObject({ state: 'closed', merged: true });
    expect((await call('GET', '/repos/o/r/pulls/99')).status).toBe(404);
  });

  it('answers 404 for an unknown issue, 401 for a bad token, 422 for an empty body', async () => {
    expect((await call('GET', '/repos/o/r/issues/4/comments')).status).toBe(404);
    const bad = await call('GET', '/repos/o/r/issues/3/comments', undefined, 'nope');
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ message: 'Bad credentials' });
    const empty = await call('POST', '/repos/o/r/issues/3/comments', { body: '' });
    expect(empty.status).toBe(422);
    expect(await empty.json()).toMatchObject({ message: 'Validation Failed' });
  });

  it('refuses writes without the permission, as GITHUB_TOKEN does', async () => {
    sim.permissions = { issues: 'read', pullRequests: 'read', deployments: 'read' };
    const res = await call('POST', '/repos/o/r/issues/3/comments', { body: 'hi' });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ message: 'Resource not accessible by integration' });
    expect((await call('GET', '/repos/o/r/issues/3/comments')).status).toBe(200);
    expect(
      (await call('POST', '/repos/o/r/deployments', { ref: 'feat', auto_merge: false, required_contexts: [] })).status,
    ).toBe(403);
    sim.permissions.issues = 'write'; // issues: write is enough to comment on a PR
    expect((await call('POST', '/repos/o/r/issues/3/comments', { body: 'hi' })).status).toBe(201);
  });

  it('models auto_merge (202) and pending required contexts (409) before creating a deployment', async () => {
    expect((await call('POST', '/repos/o/r/deployments', { ref: 'feat' })).status).toBe(202);
    expect((await call('POST', '/repos/o/r/deployments', { ref: 'feat', auto_merge: false })).status).toBe(409);
    expect(
      (await call('POST', '/repos/o/r/deployments', { ref: 'nope', auto_merge: false, required_contexts: [] })).status,
    ).toBe(422);
    const ok = await call('POST', '/repos/o/r/deployments', {
      ref: 'feat',
      auto_merge: false,
      required_contexts: [],
      environment: 'Preview',
      transient_environment: true,
    });
    expect(ok.status).toBe(201);
    const d = (await ok.json()) as { id: number; sha: string; transient_environment: boolean; request?: unknown };
    expect(d).toMatchObject({ sha: SHA, transient_environment: true });
    expect(d.request).toBeUndefined();
    expect((await call('POST', `/repos/o/r/deployments/${d.id}/statuses`, { state: 'nope' })).status).toBe(422);
    expect((await call('POST', `/repos/o/r/deployments/${d.id}/statuses`, { state: 'success' })).status).toBe(201);
    const list = (await (await call('GET', `/repos/o/r/deployments/${d.id}/statuses`)).json()) as { state: string }[];
    expect(list.map((s) => s.state)).toEqual(['success']);
    expect((await call('POST', '/repos/o/r/deployments/1/statuses', { state: 'success' })).status).toBe(404);
  });

  const deploy = async (ref: string, environment: string, extra: Record<string, unknown> = {}) => {
    const res = await call('POST', '/repos/o/r/deployments', {
      ref,
      environment,
      auto_merge: false,
      required_contexts: [],
      ...extra,
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: number }).id;
  };
  const states = (id: number) => sim.statuses(FULL, id).map((s) => s.state);

  it('lists deployments newest first, filtered by ref and environment, paged with Link headers that keep the filters', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await deploy(SHA, 'Preview – web'));
    await deploy('feat', 'Preview – web');
    await deploy(SHA, 'staging');
    const p1 = await call(
      'GET',
      `/repos/o/r/deployments?ref=${SHA}&environment=${encodeURIComponent('Preview – web')}&per_page=2`,
    );
    expect(((await p1.json()) as { id: number }[]).map((d) => d.id)).toEqual([ids[4], ids[3]]);
    const next = /<([^>]+)>; rel="next"/.exec(p1.headers.get('link') ?? '')![1]!;
    expect(next).toContain(`ref=${SHA}`);
    expect(next).toContain('environment=Preview%20%E2%80%93%20web');
    const p3 = await call('GET', next.replace('&page=2', '&page=3').slice(sim.url.length));
    expect(((await p3.json()) as { id: number }[]).map((d) => d.id)).toEqual([ids[0]]);
    expect(p3.headers.get('link')).not.toContain('rel="next"');
    const all = (await (await call('GET', '/repos/o/r/deployments')).json()) as unknown[];
    expect(all).toHaveLength(7);
    expect((await call('GET', '/repos/o/r/deployments?per_page=0')).status).toBe(422);
    sim.permissions.deployments = 'none';
    expect((await call('GET', '/repos/o/r/deployments')).status).toBe(403);
  });

  it('accepts inactive for any deployment; auto_inactive deactivates only prior non-transient successes of the environment', async () => {
    const stagingOld = await deploy(SHA, 'staging');
    const previewOld = await deploy(SHA, 'Preview', { transient_environment: true });
    const prodOld = await deploy(SHA, 'production');
    const failedOld = await deploy(SHA, 'staging');
    for (const id of [stagingOld, previewOld, prodOld])
      await call('POST', `/repos/o/r/deployments/${id}/statuses`, { state: 'success' });
    await call('POST', `/repos/o/r/deployments/${failedOld}/statuses`, { state: 'failure' });

    const stagingNew = await deploy(SHA, 'staging');
    await call('POST', `/repos/o/r/deployments/${stagingNew}/statuses`, { state: 'success', auto_inactive: false });
    expect(states(stagingOld)).toEqual(['success']);
    await call('POST', `/repos/o/r/deployments/${stagingNew}/statuses`, { state: 'success' });
    expect(states(stagingOld)).toEqual(['success', 'inactive']);
    expect(states(failedOld)).toEqual(['failure']);
    expect(states(stagingNew)).toEqual(['success', 'success']);

    const previewNew = await deploy(SHA, 'Preview', { transient_environment: true });
    await call('POST', `/repos/o/r/deployments/${previewNew}/statuses`, { state: 'success' });
    expect(states(previewOld)).toEqual(['success']); // transient: stays until marked inactive
    const prodNew = await deploy(SHA, 'production');
    await call('POST', `/repos/o/r/deployments/${prodNew}/statuses`, { state: 'success' });
    expect(states(prodOld)).toEqual(['success']); // production: not auto-inactivated

    expect((await call('POST', `/repos/o/r/deployments/${previewOld}/statuses`, { state: 'inactive' })).status).toBe(
      201,
    );
    expect((await call('POST', `/repos/o/r/deployments/${prodOld}/statuses`, { state: 'inactive' })).status).toBe(201);
    const latest = await call('GET', `/repos/o/r/deployments/${previewOld}/statuses?per_page=1`);
    expect(((await latest.json()) as { state: string }[]).map((s) => s.state)).toEqual(['inactive']);
    expect(latest.headers.get('link')).toContain('rel="next"');
  });

  it('updates a comment in place', async () => {
    const c = (await (await call('POST', '/repos/o/r/issues/3/comments', { body: 'one' })).json()) as { id: number };
    const res = await call('PATCH', `/repos/o/r/issues/comments/${c.id}`, { body: 'two' });
    expect(res.status).toBe(200);
    expect(sim.comments(FULL, 3).map((x) => x.body)).toEqual(['two']);
    expect((await call('PATCH', '/repos/o/r/issues/comments/1', { body: 'x' })).status).toBe(404);
  });
});

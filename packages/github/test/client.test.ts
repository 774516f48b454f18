import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { HttpError } from '@wingman/http';
import { GitHubSimulator } from '@wingman/testkit';
import { createGitHubClient, type GitHubClient, GitHubPermissionError, nextLink } from '../src';

const REPO = { owner: 'wingman-org', repo: 'wingmanmatch' };
const FULL = 'wingman-org/wingmanmatch';
const SHA = '6113728f27ae82c7b1a177c8d03f9e96e0adf246';
const TOKEN = 'ghs_simTokenForTheClientTests000001';

describe('GitHub client against the simulator', () => {
  let sim: GitHubSimulator;
  let gh: GitHubClient;

  beforeEach(async () => {
    sim = new GitHubSimulator({ token: TOKEN });
    await sim.start();
    sim.addPullRequest(FULL, 7, { sha: SHA, ref: 'feature/match-score' });
    gh = createGitHubClient({ token: TOKEN, apiUrl: sim.url, retries: 0 });
  });
  afterEach(async () => {
    await gh.close();
    await sim.stop();
  });

  it('sends the token, the API version and JSON accept header', async () => {
    await gh.listIssueComments(REPO, 7);
    const req = sim.requests[0]!;
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req.headers['x-github-api-version']).toBe('2022-11-28');
    expect(req.headers.accept).toBe('application/vnd.github+json');
  });

  it('follows Link pagination to read every comment', async () => {
    for (let i = 0; i < 230; i++) sim.addComment(FULL, 7, `comment ${i}`);
    const all = await gh.listIssueComments(REPO, 7);
    expect(all).toHaveLength(230);
    expect(all.at(-1)?.body).toBe('comment 229');
    expect(sim.requestsTo('GET').map((r) => r.query.page ?? '1')).toEqual(['1', '2', '3']);
  });

  it('upserts by hidden marker: creates once, then edits the same comment; other comments are left alone', async () => {
    for (let i = 0; i < 120; i++) sim.addComment(FULL, 7, `review ${i}`);
    const marker = '<!-- wingman:test:prj_1 -->';
    const first = await gh.upsertIssueComment(REPO, 7, marker, 'Preview: https://a.vercel.app');
    expect(first.created).toBe(true);
    expect(first.comment.body).toBe(`${marker}\nPreview: https://a.vercel.app`);
    const second = await gh.upsertIssueComment(REPO, 7, marker, `${marker}\nPreview: https://b.vercel.app`);
    expect(second.created).toBe(false);
    expect(second.comment.id).toBe(first.comment.id);
    const mine = sim.comments(FULL, 7).filter((c) => c.body.includes(marker));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.body).toContain('https://b.vercel.app');
    expect(sim.comments(FULL, 7)).toHaveLength(121);
    // Another marker (another project) gets its own comment.
    const other = await gh.upsertIssueComment(REPO, 7, '<!-- wingman:test:prj_2 -->', 'x');
    expect(other.created).toBe(true);
  });

  it('creates a transient deployment with required_contexts [] and auto_merge false, then statuses', async () => {
    const d = await gh.createDeployment(REPO, {
      ref: 'feature/match-score',
      environment: 'Preview – web',
      transientEnvironment: true,
      requiredContexts: [],
      autoMerge: false,
      description: 'Vercel preview',
    });
    expect(d).toMatchObject({ sha: SHA, environment: 'Preview – web', transient_environment: true });
    expect(sim.deployments(FULL)[0]!.request).toEqual({ auto_merge: false, required_contexts: [] });
    await gh.createDeploymentStatus(REPO, d.id, { state: 'in_progress', description: 'x'.repeat(300) });
    await gh.createDeploymentStatus(REPO, d.id, { state: 'success', environmentUrl: 'https://a.vercel.app' });
    const statuses = sim.statuses(FULL, d.id);
    expect(statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(statuses[0]!.description).toHaveLength(140);
    expect(statuses[1]!.environment_url).toBe('https://a.vercel.app');
  });

  it('turns 403 "Resource not accessible by integration" into a GitHubPermissionError naming the permission', async () => {
    sim.permissions.pullRequests = 'read';
    sim.permissions.issues = 'read';
    const err = await gh.upsertIssueComment(REPO, 7, '<!-- m -->', 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitHubPermissionError);
    expect((err as Error).message).toMatch(/Resource not accessible by integration.*permissions: pull-requests: write/);
    sim.permissions.deployments = 'read';
    const dErr = await gh
      .createDeployment(REPO, { ref: SHA, environment: 'x', requiredContexts: [] })
      .catch((e: unknown) => e);
    expect(dErr).toBeInstanceOf(GitHubPermissionError);
    expect((dErr as Error).message).toMatch(/deployments: write/);
  });

  it('reports validation errors with the field message, and 404 as an HttpError', async () => {
    const err = await gh.createDeploymentStatus(REPO, 999, { state: 'success' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(404);
    const d = await gh.createDeployment(REPO, { ref: SHA, environment: 'e', requiredContexts: [] });
    const bad = await gh
      .createDeploymentStatus(REPO, d.id, { state: 'done' as 'success' })
      .catch((e: unknown) => e as HttpError);
    expect((bad as HttpError).status).toBe(422);
    expect((bad as HttpError).message).toMatch(/Validation Failed: state is not included in the list/);
  });

  it('lists deployments by environment and ref across every page; the latest status is the newest', async () => {
    const params = { ref: SHA, environment: 'Preview – web', autoMerge: false, requiredContexts: [] };
    for (let i = 0; i < 130; i++) await gh.createDeployment(REPO, params);
    await gh.createDeployment(REPO, { ...params, environment: 'staging' });
    const list = await gh.listDeployments(REPO, { environment: 'Preview – web', ref: SHA });
    expect(list).toHaveLength(130);
    expect(list[0]!.id).toBeGreaterThan(list[129]!.id); // newest first
    const gets = sim.requestsTo('GET', '/repos/:o/:r/deployments');
    expect(gets.map((r) => [r.query.page ?? '1', r.query.environment, r.query.ref])).toEqual([
      ['1', 'Preview – web', SHA],
      ['2', 'Preview – web', SHA],
    ]);
    const id = list[0]!.id;
    expect(await gh.latestDeploymentStatus(REPO, id)).toBeUndefined();
    await gh.createDeploymentStatus(REPO, id, { state: 'success' });
    await gh.createDeploymentStatus(REPO, id, { state: 'inactive' });
    expect((await gh.latestDeploymentStatus(REPO, id))?.state).toBe('inactive');
    sim.permissions.deployments = 'none';
    await expect(gh.listDeployments(REPO)).rejects.toThrow(/permissions: deployments: read/);
  });

  it("reads when a workflow run attempt started, and names the 'actions: read' permission when it may not", async () => {
    sim.addWorkflowRun(FULL, 11223344556, new Date('2026-11-02T10:15:30Z'), 2);
    const attempt = await gh.getWorkflowRunAttempt(REPO, '11223344556', '2');
    expect(attempt.run_started_at).toBe('2026-11-02T10:15:30Z');
    expect(sim.requests.at(-1)?.path).toBe('/repos/wingman-org/wingmanmatch/actions/runs/11223344556/attempts/2');
    sim.permissions.actions = 'none';
    await expect(gh.getWorkflowRunAttempt(REPO, 11223344556, 2)).rejects.toThrow(/permissions: actions: read/);
  });

  it('fails with 401 Bad credentials for a wrong token and never shows the token', async () => {
    const wrong = createGitHubClient({ token: 'ghs_wrongTokenValue000000000', apiUrl: sim.url, retries: 0 });
    const err = (await wrong.listIssueComments(REPO, 7).catch((e: unknown) => e)) as HttpError;
    await wrong.close();
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/Bad credentials/);
    expect(err.message).not.toContain('ghs_wrongTokenValue');
  });

  it('retries a rate-limited call after the reset time', async () => {
    const sleeps: number[] = [];
    const limited = createGitHubClient({
      token: TOKEN,
      apiUrl: sim.url,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    const reset = Math.floor(Date.now() / 1000) + 2;
    sim.inject('GET', '/repos/:o/:r/issues/:n/comments', {
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
      body: { message: 'API rate limit exceeded' },
    });
    expect(await limited.listIssueComments(REPO, 7)).toEqual([]);
    await limited.close();
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(500);
  });
});

describe('compareCommits', () => {
  let sim: GitHubSimulator;
  let gh: GitHubClient;
  // A linear history of 320 commits, oldest first, as GitHub lists a compare.
  const history = Array.from({ length: 320 }, (_, i) => ({
    sha: `${String(i).padStart(3, '0')}${'c'.repeat(37)}`,
    commit: { message: `change ${i}`, author: { name: 'Dev', email: 'dev@x.test', date: '2026-01-01T00:00:00Z' } },
  }));

  beforeEach(async () => {
    sim = new GitHubSimulator({ token: TOKEN });
    // A public repository: its compare answers without a token too.
    sim.route(
      'GET',
      '/repos/:owner/:repo/compare/:range',
      (req) => {
        const [base, head] = (req.params.range ?? '').split('...');
        const from = history.findIndex((c) => c.sha === base);
        const to = history.findIndex((c) => c.sha === head);
        if (from < 0 || to < 0) return { status: 404, body: { message: 'Not Found' } };
        const range = history.slice(from + 1, to + 1);
        const size = Number(req.query.per_page);
        const page = Number(req.query.page);
        return {
          status: 200,
          body: { status: 'ahead', total_commits: range.length, commits: range.slice((page - 1) * size, page * size) },
        };
      },
      { auth: false },
    );
    await sim.start();
    gh = createGitHubClient({ token: TOKEN, apiUrl: sim.url, retries: 0 });
  });
  afterEach(async () => {
    await gh.close();
    await sim.stop();
  });

  it('reads the range oldest first in pages of 100, by page number', async () => {
    const commits = await gh.compareCommits(REPO, history[9]!.sha, history[159]!.sha);
    expect(commits.map((c) => c.commit.message)).toEqual(history.slice(10, 160).map((c) => c.commit.message));
    const gets = sim.requestsTo('GET', '/repos/:owner/:repo/compare/:range');
    expect(gets.map((r) => [r.path, r.query.per_page, r.query.page])).toEqual([
      [`/repos/${FULL}/compare/${history[9]!.sha}...${history[159]!.sha}`, '100', '1'],
      [`/repos/${FULL}/compare/${history[9]!.sha}...${history[159]!.sha}`, '100', '2'],
    ]);
    expect(gets[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('keeps the newest 250 of a longer range, and sends no Authorization without a token', async () => {
    const anonymous = createGitHubClient({ apiUrl: sim.url, retries: 0 });
    const commits = await anonymous.compareCommits(REPO, history[0]!.sha, history[319]!.sha);
    await anonymous.close();
    expect(commits).toHaveLength(250);
    expect(commits[0]!.sha).toBe(history[51]!.sha);
    expect(commits.at(-1)!.sha).toBe(history[300]!.sha);
    expect(sim.requestsTo('GET').map((r) => r.query.page)).toEqual(['1', '2', '3']);
    expect(sim.requestsTo('GET')[0]!.headers.authorization).toBeUndefined();
  });

  it('fails with the HttpError (not a permission error) when GitHub does not know the base', async () => {
    const err = await gh.compareCommits(REPO, 'f'.repeat(40), history[1]!.sha).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(404);
  });
});

describe('nextLink', () => {
  it('picks rel="next" among several relations', () => {
    expect(
      nextLink('<https://api.github.com/x?page=1>; rel="prev", <https://api.github.com/x?page=3>; rel="next"'),
    ).toBe('https://api.github.com/x?page=3');
    expect(nextLink('<https://api.github.com/x?page=1>; rel="first"')).toBeUndefined();
    expect(nextLink(undefined)).toBeUndefined();
  });
});

import { createHash } from 'node:crypto';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { VercelSimulator } from '../src/vercel-sim';

const TOKEN = 'tok_vercel_sim_test_0001';
const TEAM = 'team_sim000000000000000000000';
const sha = (s: string) => createHash('sha1').update(s).digest('hex');

describe('VercelSimulator', () => {
  let sim: VercelSimulator;
  let clock = 1_800_000_000_000;
  let project: { id: string; name: string };

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const raw = typeof body === 'string' || Buffer.isBuffer(body);
    const res = await fetch(`${sim.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(body !== undefined && !raw ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : raw ? (body as string) : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };
  const upload = (content: string, digest = sha(content), q = `?teamId=${TEAM}`) =>
    call('POST', `/v2/files${q}`, content, { 'x-vercel-digest': digest, 'content-type': 'application/octet-stream' });
  const create = (files: { file: string; sha: string; size?: number }[], extra: Record<string, unknown> = {}) =>
    call('POST', `/v13/deployments?teamId=${TEAM}`, { name: 'web', project: project.id, files, ...extra });

  beforeEach(async () => {
    clock = 1_800_000_000_000;
    sim = new VercelSimulator({ token: TOKEN, teams: [{ id: TEAM, slug: 'acme' }], stepMs: 100, now: () => clock });
    await sim.start();
    project = sim.addProject({ name: 'web', teamId: TEAM, domains: [{ name: 'acme.com' }], plan: 'hobby' });
  });
  afterEach(() => sim.stop());

  it('refuses a wrong token the way Vercel does (403 invalidToken)', async () => {
    const res = await fetch(`${sim.url}/v9/projects/${project.id}?teamId=${TEAM}`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: { code: 'forbidden', message: 'Not authorized', invalidToken: true } });
  });

  it('scopes by teamId: a team resource without teamId is 404, a foreign team is 403', async () => {
    expect((await call('GET', `/v9/projects/${project.id}?teamId=${TEAM}`)).status).toBe(200);
    const personal = await call('GET', `/v9/projects/${project.id}`);
    expect(personal).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect((await call('GET', `/v9/projects/${project.id}?teamId=team_other`)).status).toBe(403);
    // Files are stored per team too.
    await upload('a', sha('a'), '');
    const res = await create([{ file: 'a', sha: sha('a'), size: 1 }]);
    expect(res.body.error).toMatchObject({ code: 'missing_files', missing: [sha('a')] });
  });

  it('stores files by verified SHA-1 and size, and lists exactly the missing SHAs once each', async () => {
    expect((await upload('hello', sha('other'))).body.error.code).toBe('invalid_sha');
    expect((await upload('hello', 'xyz')).body.error.code).toBe('missing_digest');
    expect((await upload('hello')).status).toBe(200);
    const res = await create([
      { file: 'a.txt', sha: sha('hello'), size: 5 },
      { file: 'b.txt', sha: sha('b'), size: 1 },
      { file: 'c.txt', sha: sha('c'), size: 1 },
      { file: 'd.txt', sha: sha('b'), size: 1 },
    ]);
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: 'missing_files', message: 'Missing files', missing: [sha('b'), sha('c')] });
    expect((await create([{ file: 'a.txt', sha: sha('hello'), size: 4 }])).body.error.code).toBe('bad_request');
    expect((await create([{ file: '../x', sha: sha('hello') }])).status).toBe(400);
    expect((await call('POST', `/v13/deployments?teamId=${TEAM}`, { files: [] })).body.error.message).toMatch(/`name`/);
  });

  it('moves a deployment QUEUED → INITIALIZING → BUILDING → READY on its clock, with events', async () => {
    await upload('x');
    const d = (await create([{ file: '.vercel/output/config.json', sha: sha('x'), size: 1 }])).body;
    expect(d).toMatchObject({
      readyState: 'QUEUED',
      aliasAssigned: null,
      inspectorUrl: `https://vercel.com/acme/web/${d.id.slice(4)}`,
    });
    const states: string[] = [];
    for (let i = 0; i < 4; i++) {
      states.push((await call('GET', `/v13/deployments/${d.id}?teamId=${TEAM}`)).body.readyState);
      clock += 100;
    }
    expect(states).toEqual(['QUEUED', 'INITIALIZING', 'BUILDING', 'READY']);
    const byUrl = await call('GET', `/v13/deployments/${d.url}?teamId=${TEAM}`);
    expect(byUrl.body).toMatchObject({ id: d.id, aliasAssigned: expect.any(Number), aliasError: null });
    const events = (await call('GET', `/v3/deployments/${d.id}/events?teamId=${TEAM}`)).body as {
      payload: { text: string };
      created: number;
    }[];
    expect(events.map((e) => e.payload.text)).toEqual(
      expect.arrayContaining(['Using prebuilt build artifacts from .vercel/output', 'Deployment completed']),
    );
    const since = events[3]!.created;
    const later = (await call('GET', `/v3/deployments/${d.id}/events?teamId=${TEAM}&since=${since}`)).body as unknown[];
    expect(later.length).toBeLessThan(events.length);
  });

  it('ends in ERROR or CANCELED as queued, and cancels via PATCH', async () => {
    await upload('x');
    sim.queueOutcome({ state: 'ERROR', errorMessage: 'boom' });
    const failed = (await create([{ file: 'f', sha: sha('x') }])).body;
    clock += 300;
    expect((await call('GET', `/v13/deployments/${failed.id}?teamId=${TEAM}`)).body).toMatchObject({
      readyState: 'ERROR',
      errorCode: 'BUILD_FAILED',
      errorMessage: 'boom',
    });
    const d = (await create([{ file: 'f', sha: sha('x') }])).body;
    clock += 150;
    expect((await call('PATCH', `/v12/deployments/${d.id}/cancel?teamId=${TEAM}`)).body.readyState).toBe('CANCELED');
    clock += 500;
    expect((await call('GET', `/v13/deployments/${d.id}?teamId=${TEAM}`)).body.readyState).toBe('CANCELED');
    expect((await call('PATCH', `/v12/deployments/${d.id}/cancel?teamId=${TEAM}`)).status).toBe(400);
  });

  it('gives production its domains, stages without them, promotes after a step, and limits Hobby rollbacks', async () => {
    await upload('x');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await create([{ file: 'f', sha: sha('x') }], { target: 'production' })).body.id);
      clock += 300;
    }
    expect(sim.productionOf(project.id)).toBe(ids[2]);
    const staged = (
      await create([{ file: 'f', sha: sha('x') }], { target: 'production', autoAssignCustomDomains: false })
    ).body;
    expect(
      (await call('POST', `/v10/projects/${project.id}/promote/${staged.id}?teamId=${TEAM}`, {})).body.error.code,
    ).toBe('deployment_not_ready');
    clock += 300;
    expect((await call('GET', `/v13/deployments/${staged.id}?teamId=${TEAM}`)).body.readySubstate).toBe('STAGED');
    expect(sim.aliasTarget('acme.com')).toBe(ids[2]);
    expect((await call('POST', `/v10/projects/${project.id}/promote/${staged.id}?teamId=${TEAM}`, {})).status).toBe(
      202,
    );
    let p = (await call('GET', `/v9/projects/${project.id}?teamId=${TEAM}`)).body;
    expect(p.lastAliasRequest).toMatchObject({
      jobStatus: 'in-progress',
      toDeploymentId: staged.id,
      fromDeploymentId: ids[2],
      type: 'promote',
    });
    expect(p.targets.production.id).toBe(ids[2]);
    clock += 100;
    p = (await call('GET', `/v9/projects/${project.id}?teamId=${TEAM}`)).body;
    expect(p.lastAliasRequest.jobStatus).toBe('succeeded');
    expect(p.targets.production.id).toBe(staged.id);
    expect(sim.aliasTarget('acme.com')).toBe(staged.id);

    const old = await call('POST', `/v1/projects/${project.id}/rollback/${ids[0]}?teamId=${TEAM}`, {});
    expect(old).toMatchObject({ status: 402, body: { error: { code: 'payment_required' } } });
    expect((await call('POST', `/v1/projects/${project.id}/rollback/${ids[2]}?teamId=${TEAM}`, {})).status).toBe(201);
    clock += 100;
    expect(sim.productionOf(project.id)).toBe(ids[2]);
    // After a rollback new production deployments do not take the domains.
    const next = (await create([{ file: 'f', sha: sha('x') }], { target: 'production' })).body;
    clock += 300;
    expect((await call('GET', `/v13/deployments/${next.id}?teamId=${TEAM}`)).body.readySubstate).toBe('STAGED');
    expect(sim.productionOf(project.id)).toBe(ids[2]);
    const list = (
      await call('GET', `/v6/deployments?teamId=${TEAM}&projectId=${project.id}&target=production&state=READY`)
    ).body;
    expect(list.deployments.filter((d: { isRollbackCandidate: boolean }) => d.isRollbackCandidate)).toHaveLength(4);
  });

  it('assigns aliases by deployment id only, and refuses foreign or unknown domains', async () => {
    await upload('x');
    const d = (await create([{ file: 'f', sha: sha('x') }])).body;
    expect(
      (await call('POST', `/v2/deployments/${d.id}/aliases?teamId=${TEAM}`, { alias: 'x-web.vercel.app' })).body.error
        .code,
    ).toBe('deployment_not_ready');
    clock += 300;
    expect(
      (await call('POST', `/v2/deployments/${d.url}/aliases?teamId=${TEAM}`, { alias: 'x-web.vercel.app' })).status,
    ).toBe(404);
    const ok = await call('POST', `/v2/deployments/${d.id}/aliases?teamId=${TEAM}`, { alias: 'x-web.vercel.app' });
    expect(ok).toMatchObject({ status: 200, body: { alias: 'x-web.vercel.app', oldDeploymentId: null } });
    expect(
      (await call('POST', `/v2/deployments/${d.id}/aliases?teamId=${TEAM}`, { alias: 'www.acme.com' })).status,
    ).toBe(200);
    expect((await call('POST', `/v2/deployments/${d.id}/aliases?teamId=${TEAM}`, { alias: 'evil.org' })).status).toBe(
      404,
    );
    expect(
      (await call('POST', `/v2/deployments/${d.id}/aliases?teamId=${TEAM}`, { alias: 'Not A Host' })).body.error.code,
    ).toBe('invalid_alias');
  });

  it('looks up and deletes aliases by hostname or uid, team-scoped; a deleted alias stops resolving and is 404', async () => {
    await upload('x');
    const d = (await create([{ file: 'f', sha: sha('x') }])).body;
    clock += 300;
    const assigned = await call('POST', `/v2/deployments/${d.id}/aliases?teamId=${TEAM}`, {
      alias: 'pr-1-web.vercel.app',
    });
    const uid = assigned.body.uid as string;
    expect(uid).toMatch(/^alias_/);
    const got = await call('GET', `/v4/aliases/pr-1-web.vercel.app?teamId=${TEAM}`);
    expect(got).toMatchObject({
      status: 200,
      body: { alias: 'pr-1-web.vercel.app', uid, deploymentId: d.id, projectId: project.id },
    });
    expect((await call('GET', `/v4/aliases/pr-1-web.vercel.app?teamId=${TEAM}&projectId=prj_other`)).status).toBe(404);
    // Without teamId the personal account is searched: the team's alias is not there.
    expect((await call('DELETE', '/v2/aliases/pr-1-web.vercel.app')).status).toBe(404);
    expect((await call('DELETE', `/v2/aliases/pr-1-web.vercel.app?teamId=team_foreign`)).status).toBe(403);
    expect((await call('GET', `/v13/deployments/pr-1-web.vercel.app?teamId=${TEAM}`)).body.id).toBe(d.id);

    const del = await call('DELETE', `/v2/aliases/${uid}?teamId=${TEAM}`);
    expect(del).toMatchObject({ status: 200, body: { status: 'SUCCESS' } });
    expect(sim.aliasTarget('pr-1-web.vercel.app')).toBeUndefined();
    expect((await call('GET', `/v13/deployments/pr-1-web.vercel.app?teamId=${TEAM}`)).status).toBe(404);
    expect((await call('GET', `/v13/deployments/${d.id}?teamId=${TEAM}`)).body.alias).not.toContain(
      'pr-1-web.vercel.app',
    );
    const again = await call('DELETE', `/v2/aliases/pr-1-web.vercel.app?teamId=${TEAM}`);
    expect(again).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect((await call('GET', `/v4/aliases/pr-1-web.vercel.app?teamId=${TEAM}`)).status).toBe(404);
    // Re-assigning creates a new alias with a new uid.
    const re = await call('POST', `/v2/deployments/${d.id}/aliases?teamId=${TEAM}`, { alias: 'pr-1-web.vercel.app' });
    expect(re.body.uid).not.toBe(uid);
  });

  it('builds source with the project settings under the sent ones, records env and build env, and fails a missing Root Directory', async () => {
    const mono = sim.addProject({ name: 'mono', teamId: TEAM, rootDirectory: 'apps/web', installCommand: 'npm ci' });
    await upload('{"scripts":{"build":"next build"}}');
    const files = [{ file: 'apps/web/package.json', sha: sha('{"scripts":{"build":"next build"}}') }];
    const bad = await call('POST', `/v13/deployments?teamId=${TEAM}`, {
      name: 'mono',
      project: mono.id,
      files,
      env: { A: 1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/`env` and `build.env` must map names to string values/);
    const ok = await call('POST', `/v13/deployments?teamId=${TEAM}`, {
      name: 'mono',
      project: mono.id,
      files,
      projectSettings: { buildCommand: 'npm run build:web' },
      env: { API_URL: 'https://api.example.com' },
      build: { env: { NEXT_PUBLIC_API_URL: 'https://api.example.com' } },
    });
    expect(ok.status).toBe(200);
    const d = sim.deployment(ok.body.id)!;
    expect(d.prebuilt).toBe(false);
    expect(d.projectSettings).toMatchObject({
      rootDirectory: 'apps/web',
      installCommand: 'npm ci',
      buildCommand: 'npm run build:web',
    });
    expect(d.env).toEqual({ API_URL: 'https://api.example.com' });
    expect(d.buildEnv).toEqual({ NEXT_PUBLIC_API_URL: 'https://api.example.com' });
    clock += 400;
    const events = await call('GET', `/v3/deployments/${ok.body.id}/events?teamId=${TEAM}&limit=-1`);
    expect(events.body.map((e: { payload: { text: string } }) => e.payload.text)).toContain(
      'Running "npm run build:web"',
    );
    // The upload root lacks the Root Directory: the build fails as Vercel's does.
    const lost = await call('POST', `/v13/deployments?teamId=${TEAM}`, {
      name: 'mono',
      project: mono.id,
      files: [{ file: 'package.json', sha: files[0]!.sha }],
    });
    clock += 400;
    const failed = await call('GET', `/v13/deployments/${lost.body.id}?teamId=${TEAM}`);
    expect(failed.body.readyState).toBe('ERROR');
    expect(failed.body.errorMessage).toMatch(/The specified Root Directory "apps\/web" does not exist/);
  });

  it('rate limits with 429 rate_limited and x-ratelimit-* headers, resetting with the window', async () => {
    sim.rateLimit('GET', '/v9/projects/:id', 2, 1000);
    const a = await call('GET', `/v9/projects/${project.id}?teamId=${TEAM}`);
    expect(a.headers.get('x-ratelimit-remaining')).toBe('1');
    await call('GET', `/v9/projects/${project.id}?teamId=${TEAM}`);
    const limited = await call('GET', `/v9/projects/${project.id}?teamId=${TEAM}`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ratelimit-reset')).toBe(String(Math.ceil((clock + 1000) / 1000)));
    expect(limited.body.error).toMatchObject({ code: 'rate_limited', limit: { remaining: 0, total: 2 } });
    clock += 1000;
    expect((await call('GET', `/v9/projects/${project.id}?teamId=${TEAM}`)).status).toBe(200);
  });

  it('filters the deployment list by project, target, state and meta, newest first', async () => {
    await upload('x');
    await create([{ file: 'f', sha: sha('x') }], { meta: { githubCommitSha: 'aaa' } });
    clock += 10;
    await create([{ file: 'f', sha: sha('x') }], { meta: { githubCommitSha: 'bbb' }, target: 'production' });
    clock += 400;
    const q = (s: string) => call('GET', `/v6/deployments?teamId=${TEAM}&projectId=web&${s}`);
    expect(
      (await q('meta-githubCommitSha=aaa')).body.deployments.map(
        (d: { meta: { githubCommitSha: string } }) => d.meta.githubCommitSha,
      ),
    ).toEqual(['aaa']);
    expect((await q('target=production')).body.deployments).toHaveLength(1);
    expect((await q('target=preview')).body.deployments[0].meta.githubCommitSha).toBe('aaa');
    expect(
      (await q('state=READY')).body.deployments.map(
        (d: { meta: { githubCommitSha: string } }) => d.meta.githubCommitSha,
      ),
    ).toEqual(['bbb', 'aaa']);
    expect((await create([{ file: 'f', sha: sha('x') }], { meta: { n: 1 } })).status).toBe(400);
  });
});

/** Uploads each file's content and creates a deployment of them, as a client of the REST API would. */
async function publish(sim: VercelSimulator, projectId: string, files: Record<string, string>) {
  const digest = (text: string) => createHash('sha1').update(text).digest('hex');
  for (const text of Object.values(files))
    await fetch(`${sim.url}/v2/files`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer tok',
        'content-type': 'application/octet-stream',
        'x-vercel-digest': digest(text),
      },
      body: text,
    });
  const res = await fetch(`${sim.url}/v13/deployments`, {
    method: 'POST',
    headers: { authorization: 'Bearer tok', 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'site',
      project: projectId,
      files: Object.entries(files).map(([file, text]) => ({ file, sha: digest(text), size: Buffer.byteLength(text) })),
    }),
  });
  return (await res.json()) as { id: string; url: string };
}

describe('serveDeployments (for the local rehearsal)', () => {
  it('serves a READY deployment’s static output on loopback and reports that as its url', async () => {
    const sim = new VercelSimulator({ token: 'tok', serveDeployments: true, stepMs: 5 });
    await sim.start();
    try {
      const project = sim.addProject({ name: 'site' });
      const created = await publish(sim, project.id, {
        '.vercel/output/config.json': '{"version":3}',
        '.vercel/output/static/index.html': '<h1>hello</h1>',
      });
      expect(created.url).toBe(`${sim.url}/_sites/${created.id}/`);
      expect((await fetch(created.url)).status).toBe(404); // still building
      await new Promise((r) => setTimeout(r, 40));
      const page = await fetch(created.url);
      expect(page.status).toBe(200);
      expect(await page.text()).toBe('<h1>hello</h1>');
      expect((await fetch(`${created.url}missing.css`)).status).toBe(404);
    } finally {
      await sim.stop();
    }
  });

  it('guards protected previews: 401 with the SSO nonce cookie, 302 to vercel.com/sso-api for a browser, the bypass header passes', async () => {
    const sim = new VercelSimulator({ token: 'tok', serveDeployments: true, stepMs: 5 });
    await sim.start();
    try {
      const project = sim.addProject({ name: 'site', protection: 'previews', bypassSecrets: ['bypass-0123456789'] });
      const created = await publish(sim, project.id, {
        'package.json': '{"scripts":{"build":"vite build"}}',
        'public/index.html': '<h1>built</h1>',
      });
      await new Promise((r) => setTimeout(r, 40));
      const plain = await fetch(created.url);
      expect(plain.status).toBe(401);
      expect(plain.headers.get('set-cookie')).toMatch(/^_vercel_sso_nonce=/);
      // fetch() sets sec-fetch-mode itself: a browser's navigation is sent with node:http.
      const browser = await new Promise<IncomingMessage>((resolve, reject) =>
        httpGet(created.url, { headers: { 'sec-fetch-mode': 'navigate' } }, resolve).on('error', reject),
      );
      browser.resume();
      expect(browser.statusCode).toBe(302);
      expect(browser.headers.location).toMatch(/^https:\/\/vercel\.com\/sso-api\?url=/);
      expect((await fetch(created.url, { headers: { 'x-vercel-protection-bypass': 'wrong' } })).status).toBe(401);
      // A source build serves its output directory (public/ by default).
      const passed = await fetch(created.url, { headers: { 'x-vercel-protection-bypass': 'bypass-0123456789' } });
      expect(passed.status).toBe(200);
      expect(await passed.text()).toBe('<h1>built</h1>');
    } finally {
      await sim.stop();
    }
  });
});

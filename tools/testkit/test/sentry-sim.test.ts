import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { isolatedSentryCliEnv, SentrySimulator, sentryCliBinary } from '../src/sentry-sim';

const TOKEN = 'sim-plain-token-42';
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('SentrySimulator', () => {
  let sim: SentrySimulator;
  beforeEach(async () => {
    sim = new SentrySimulator({ token: TOKEN, org: 'acme', projects: ['backend', 'frontend'], pageSize: 2 });
    await sim.start();
  });
  afterEach(async () => {
    await sim.stop();
  });

  const api = async (method: string, path: string, body?: unknown, token: string | null = TOKEN) => {
    const res = await fetch(`${sim.url}/api/0${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };

  it("answers 401 with Sentry's detail messages and 404 for other orgs and unknown releases", async () => {
    expect(await api('GET', '/organizations/acme/releases/v1/', undefined, null)).toMatchObject({
      status: 401,
      body: { detail: 'Authentication credentials were not provided.' },
    });
    expect(await api('GET', '/organizations/acme/releases/v1/', undefined, 'wrong')).toMatchObject({
      status: 401,
      body: { detail: 'Invalid token' },
    });
    expect(await api('POST', '/organizations/other/releases/', { version: 'v1', projects: ['backend'] })).toMatchObject(
      {
        status: 404,
        body: { detail: 'The requested resource does not exist' },
      },
    );
    expect((await api('GET', '/organizations/acme/releases/v1/')).status).toBe(404);
  });

  it('creates releases get-or-create style: 201, then 208 when nothing changed, 201 again when a project is added', async () => {
    const first = await api('POST', '/organizations/acme/releases/', { version: 'v1', projects: ['backend'] });
    expect(first).toMatchObject({ status: 201, body: { version: 'v1', dateReleased: null, commitCount: 0 } });
    expect((await api('POST', '/organizations/acme/releases/', { version: 'v1', projects: ['backend'] })).status).toBe(
      208,
    );
    const added = await api('POST', '/organizations/acme/releases/', { version: 'v1', projects: ['frontend'] });
    expect(added.status).toBe(201);
    expect(added.body.projects.map((p: { slug: string }) => p.slug)).toEqual(['backend', 'frontend']);
    expect(sim.release('v1')!.creations).toBe(2);
    expect(await api('POST', '/organizations/acme/releases/', { version: 'v2', projects: ['mobile'] })).toMatchObject({
      status: 400,
      body: { projects: ['Invalid project slugs'] },
    });
    expect(
      (await api('POST', '/organizations/acme/releases/', { version: 'latest', projects: ['backend'] })).status,
    ).toBe(400);
    expect((await api('POST', '/organizations/acme/releases/', { version: 'v3' })).body).toEqual({
      projects: ['This field is required.'],
    });
  });

  it('replaces commits on PUT and finds the previous release with commits sharing a project', async () => {
    sim.addRelease('old', { projects: ['backend'], commits: [{ id: 'a'.repeat(40) }] });
    sim.addRelease('other-project', { projects: ['frontend'], commits: [{ id: 'b'.repeat(40) }] });
    sim.addRelease('no-commits', { projects: ['backend'] });
    sim.addRelease('v1', { projects: ['backend'] });
    const prev = await api('GET', '/organizations/acme/releases/v1/previous-with-commits/');
    expect(prev.body).toMatchObject({ version: 'old', lastCommit: { id: 'a'.repeat(40) } });
    expect((await api('GET', '/organizations/acme/releases/old/previous-with-commits/')).body).toEqual({});

    const commits = [{ id: 'c'.repeat(40), repository: 'org/app', message: 'fix' }, { id: 'd'.repeat(40) }];
    expect((await api('PUT', '/organizations/acme/releases/v1/', { commits })).body.commitCount).toBe(2);
    await api('PUT', '/organizations/acme/releases/v1/', { commits: commits.slice(0, 1) });
    expect(sim.release('v1')!.commits.map((c) => c.id)).toEqual(['c'.repeat(40)]);
    expect(sim.release('v1')!.commitWrites).toBe(2);
    expect((await api('PUT', '/organizations/acme/releases/v1/', { commits: [{ message: 'no id' }] })).status).toBe(
      400,
    );
    expect(
      await api('PUT', '/organizations/acme/releases/v1/', { refs: [{ repository: 'org/app', commit: 'abc' }] }),
    ).toMatchObject({
      status: 400,
      body: { refs: ['Invalid repository names: org/app'] },
    });
  });

  it('validates deploys and pages them with Link headers and cursors, newest first', async () => {
    sim.addRelease('v1');
    expect(await api('POST', '/organizations/acme/releases/v1/deploys/', { name: 'x' })).toMatchObject({
      status: 400,
      body: { environment: ['This field is required.'] },
    });
    expect(
      (await api('POST', '/organizations/acme/releases/v1/deploys/', { environment: 'prod', url: 'not a url' })).body,
    ).toEqual({
      url: ['Enter a valid URL.'],
    });
    for (const n of [1, 2, 3]) {
      const res = await api('POST', '/organizations/acme/releases/v1/deploys/', { environment: 'prod', name: `d${n}` });
      expect(res).toMatchObject({ status: 201, body: { environment: 'prod', name: `d${n}`, url: null } });
    }
    const page1 = await api('GET', '/organizations/acme/releases/v1/deploys/');
    expect(page1.body.map((d: { name: string }) => d.name)).toEqual(['d3', 'd2']);
    const next = /<([^>]+)>; rel="next"; results="true"/.exec(page1.headers.get('link') ?? '')?.[1];
    expect(next).toBe(`${sim.url}/api/0/organizations/acme/releases/v1/deploys/?cursor=2:1:0`);
    const page2 = await fetch(next!, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(((await page2.json()) as { name: string }[]).map((d) => d.name)).toEqual(['d1']);
    expect(page2.headers.get('link')).toMatch(/rel="next"; results="false"/);
  });

  it('takes gzip chunks named by their SHA-1, refuses a mismatch, and reports missing chunks and broken bundles at assemble', async () => {
    const chunk = Buffer.from('not a zip archive');
    const sum = createHash('sha1').update(chunk).digest('hex');
    const upload = (name: string, data: Buffer) => {
      const form = new FormData();
      form.append('file_gzip', new Blob([gzipSync(data)]), name);
      return fetch(`${sim.url}/api/0/organizations/acme/chunk-upload/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
        body: form,
      });
    };
    const assemble = () =>
      api('POST', '/organizations/acme/artifactbundle/assemble/', {
        checksum: sum,
        chunks: [sum],
        projects: ['backend'],
      });
    expect((await assemble()).body).toEqual({ state: 'not_found', missingChunks: [sum], detail: null });
    const mismatch = await upload('0'.repeat(40), chunk);
    expect(mismatch.status).toBe(400);
    expect(await mismatch.json()).toEqual({ error: 'Checksum mismatch' });
    expect((await upload(sum, chunk)).status).toBe(200);
    expect((await assemble()).body).toMatchObject({
      state: 'error',
      detail: expect.stringMatching(/Invalid artifact bundle: not a zip/),
    });
    expect(
      (
        await api('POST', '/organizations/acme/artifactbundle/assemble/', {
          checksum: sum,
          chunks: [sum],
          projects: ['ios'],
        })
      ).body,
    ).toEqual({ error: 'One or more projects are invalid' });
  });

  it('speaks what the real sentry-cli expects: releases, source map upload (chunks + assemble + manifest), deploys, errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sentry-sim-cli-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'a.js'), 'console.log(1);\n//# sourceMappingURL=a.js.map\n');
    writeFileSync(
      join(dir, 'dist', 'a.js.map'),
      '{"version":3,"file":"a.js","sources":["a.ts"],"names":[],"mappings":"AAAA"}',
    );
    const cli = (args: string[], token = TOKEN) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          sentryCliBinary(),
          args,
          {
            cwd: dir,
            env: {
              PATH: process.env.PATH,
              ...isolatedSentryCliEnv(dir),
              SENTRY_URL: sim.url,
              SENTRY_AUTH_TOKEN: token,
              SENTRY_ORG: 'acme',
            },
          },
          (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
        );
      });
    expect((await cli(['releases', 'new', 'v1', '-p', 'backend', '-p', 'frontend'])).code).toBe(0);
    expect((await cli(['sourcemaps', 'inject', 'dist'])).code).toBe(0);
    const up = await cli([
      'sourcemaps',
      'upload',
      '--release',
      'v1',
      '--wait',
      '-p',
      'backend',
      '-p',
      'frontend',
      'dist',
    ]);
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/Uploaded files to Sentry/);
    expect(sim.filesFor('frontend', 'v1').map((f) => [f.url, f.type])).toEqual([
      ['~/a.js', 'minified_source'],
      ['~/a.js.map', 'source_map'],
    ]);
    // A second upload finds every chunk on the server and sends none.
    const chunkPosts = sim.requestsTo('POST', '/api/0/organizations/acme/chunk-upload/').length;
    expect(
      (await cli(['sourcemaps', 'upload', '--release', 'v1', '-p', 'backend', '-p', 'frontend', 'dist'])).stdout,
    ).toMatch(/Nothing to upload/);
    expect(sim.requestsTo('POST', '/api/0/organizations/acme/chunk-upload/')).toHaveLength(chunkPosts);
    expect((await cli(['deploys', 'new', '-r', 'v1', '-e', 'prod', '-n', 'first'])).code).toBe(0);
    expect((await cli(['deploys', 'list', '-r', 'v1'])).stdout).toMatch(/\| prod +\| first/);
    const denied = await cli(['releases', 'new', 'v2', '-p', 'backend'], 'wrong-token');
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/sentry reported an error: Invalid token \(http status: 401\)/);
  });
});

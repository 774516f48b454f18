// The Heroku simulator holds to the documented contract: auth and version header, {id, message} errors,
// S3-style uploads checked when the build fetches them, builds and release phases on a clock with their
// streams, Range paging, rollback, pipeline promotions and the rate limit.
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { HerokuSim } from '../src/heroku-sim';

const KEY = 'sim-test-key-123456';
const V3 = 'application/vnd.heroku+json; version=3';

/** A ustar archive of the given files (enough of the format for the simulator's reader). */
function tar(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const h = Buffer.alloc(512);
    h.write(name, 0);
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(`${content.length.toString(8).padStart(11, '0')}\0`, 124);
    h.write('00000000000\0', 136);
    h.write('        ', 148);
    h.write('0', 156);
    h.write('ustar\0', 257);
    h.write('00', 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(h, Buffer.from(content), Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

describe('HerokuSim', () => {
  let sim: HerokuSim;
  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${sim.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${KEY}`, accept: V3, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };
  const put = (url: string, data: Buffer, headers: Record<string, string | number> = {}) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(url, { method: 'PUT', headers: { 'content-length': data.length, ...headers } }, (res) => {
        let body = '';
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end(data);
    });
  const waitFor = async <T>(fn: () => Promise<T>, ok: (t: T) => boolean): Promise<T> => {
    for (let i = 0; i < 200; i++) {
      const v = await fn();
      if (ok(v)) return v;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('waitFor: never');
  };
  async function upload(files: Record<string, string>) {
    const source = (await api('POST', '/sources')).body.source_blob;
    const blob = gzipSync(tar(files));
    expect((await put(source.put_url, blob)).status).toBe(200);
    return { ...source, sha: createHash('sha256').update(blob).digest('hex') };
  }

  beforeEach(async () => {
    sim = new HerokuSim({ token: KEY, buildMs: 100, releasePhaseMs: 60, promotionMs: 40 });
    await sim.start();
  });
  afterEach(async () => {
    await sim.stop();
  });

  it('requires the key and the version 3 media type, and answers with Heroku error bodies', async () => {
    sim.addApp('wm-api');
    sim.addApp('wm-2fa', { twoFactor: true });
    expect(await api('GET', '/apps/wm-api', undefined, { authorization: 'Bearer nope' })).toMatchObject({
      status: 401,
      body: { id: 'unauthorized', message: 'Invalid credentials provided.' },
    });
    expect(await api('GET', '/apps/wm-api', undefined, { accept: 'application/json' })).toMatchObject({
      status: 400,
      body: { id: 'bad_request' },
    });
    expect(await api('GET', '/apps/wm-nope')).toMatchObject({
      status: 404,
      body: { id: 'not_found', message: "Couldn't find that app.", resource: 'app' },
    });
    expect(await api('GET', '/apps/wm-2fa')).toMatchObject({ status: 403, body: { id: 'two_factor' } });
    const app = await api('GET', '/apps/wm-api');
    expect(app.body).toMatchObject({
      name: 'wm-api',
      web_url: expect.stringMatching(/^https:\/\/wm-api-[0-9a-f]+\.herokuapp\.com\/$/),
    });
    expect(app.headers.get('ratelimit-remaining')).toBe('4496'); // the 400, 404 and 403 above count too; the 401 does not;
    expect(app.headers.get('request-id')).toMatch(/^sim-/);
  });

  it('takes uploads like S3: no Content-Type, Content-Length required, signature checked; no key needed', async () => {
    const source = (await api('POST', '/sources')).body.source_blob;
    expect(new URL(source.put_url).origin).toBe(sim.blobUrl);
    const blob = gzipSync(tar({ 'a.txt': 'a' }));
    expect((await put(source.put_url, blob, { 'content-type': 'application/octet-stream' })).body).toMatch(
      /SignatureDoesNotMatch/,
    );
    expect((await put(source.put_url.replace(/Signature=\w+/, 'Signature=forged'), blob)).status).toBe(403);
    const chunked = await new Promise<number>((resolve) => {
      const req = request(source.put_url, { method: 'PUT', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.end(blob);
    });
    expect(chunked).toBe(411);
    expect((await put(source.put_url, blob)).status).toBe(200);
    expect(sim.uploads).toEqual([
      expect.objectContaining({
        entries: ['a.txt'],
        size: blob.length,
        sha256: createHash('sha256').update(blob).digest('hex'),
      }),
    ]);
    expect(sim.uploads[0]?.invalid).toBeUndefined();
  });

  it('builds on a clock while streaming output, then releases; the slug records the version', async () => {
    sim.addApp('wm-api');
    const source = await upload({ 'package.json': '{}' });
    const created = await api('POST', '/apps/wm-api/builds', {
      source_blob: { url: source.get_url, version: 'abc123', checksum: `SHA256:${source.sha}` },
    });
    expect(created).toMatchObject({ status: 201, body: { status: 'pending', release: null } });
    const stream = await fetch(created.body.output_stream_url);
    const text = await stream.text(); // open until the build ends
    expect(text).toMatch(/^-----> Building on the Heroku-24 stack\n[\s\S]*deployed to Heroku \(abc123\)\n$/);
    const build = (await api('GET', `/apps/wm-api/builds/${created.body.id}`)).body;
    expect(build).toMatchObject({
      status: 'succeeded',
      release: { id: expect.any(String) },
      slug: { id: expect.any(String) },
    });
    const release = (await api('GET', `/apps/wm-api/releases/${build.release.id}`)).body;
    expect(release).toMatchObject({
      version: 3,
      status: 'succeeded',
      current: true,
      output_stream_url: null,
      eligible_for_rollback: true,
    });
    expect((await api('GET', `/apps/wm-api/slugs/${build.slug.id}`)).body).toMatchObject({ commit: 'abc123' });
    expect((await api('GET', '/apps/wm-api/releases/2')).body).toMatchObject({
      description: 'Enable Logplex',
      current: false,
    });
  });

  it('fails a build whose checksum does not match or whose blob is not a gzip tar, and refuses a malformed checksum', async () => {
    sim.addApp('wm-api');
    const source = await upload({ 'a.js': '1' });
    const wrong = await api('POST', '/apps/wm-api/builds', {
      source_blob: { url: source.get_url, checksum: `SHA256:${'0'.repeat(64)}` },
    });
    expect(await (await fetch(wrong.body.output_stream_url)).text()).toMatch(/Checksum mismatch/);
    expect((await api('GET', `/apps/wm-api/builds/${wrong.body.id}`)).body.status).toBe('failed');

    const raw = (await api('POST', '/sources')).body.source_blob;
    await put(raw.put_url, Buffer.from('plain text, not gzip'));
    const notGzip = await api('POST', '/apps/wm-api/builds', { source_blob: { url: raw.get_url } });
    expect(await (await fetch(notGzip.body.output_stream_url)).text()).toMatch(
      /Unable to extract source: not gzip data/,
    );

    expect(
      await api('POST', '/apps/wm-api/builds', { source_blob: { url: source.get_url, checksum: 'md5:abc' } }),
    ).toMatchObject({
      status: 422,
      body: { id: 'invalid_params' },
    });
    expect(sim.currentRelease('wm-api')?.version).toBe(2);
  });

  it('runs the release phase of a Procfile release: process; the release is current only once it succeeded', async () => {
    sim.addApp('wm-api');
    sim.nextReleasePhase('wm-api', { outcome: 'failed', output: ['migrating', 'boom'] });
    for (const expected of ['failed', 'succeeded'] as const) {
      const source = await upload({ Procfile: 'release: ./migrate\nweb: npm start\n' });
      const build = await api('POST', '/apps/wm-api/builds', {
        source_blob: { url: source.get_url, version: expected },
      });
      await (await fetch(build.body.output_stream_url)).text();
      const done = (await api('GET', `/apps/wm-api/builds/${build.body.id}`)).body;
      const pending = (await api('GET', `/apps/wm-api/releases/${done.release.id}`)).body;
      expect(pending).toMatchObject({
        status: 'pending',
        current: false,
        output_stream_url: expect.stringMatching(/^http/),
      });
      const phase = await (await fetch(pending.output_stream_url)).text();
      const final = (await api('GET', `/apps/wm-api/releases/${done.release.id}`)).body;
      expect(final.status).toBe(expected);
      if (expected === 'failed') {
        expect(phase).toBe('migrating\nboom\n');
        expect(final).toMatchObject({ current: false, eligible_for_rollback: false });
        expect(sim.currentRelease('wm-api')?.version).toBe(2);
      } else {
        expect(final.current).toBe(true);
      }
    }
  });

  it('pages releases with Range (206, Next-Range, Content-Range), newest first with order=desc', async () => {
    sim.addApp('wm-api');
    for (let i = 0; i < 5; i++) sim.seedDeploy('wm-api', `c${i}`);
    const first = await api('GET', '/apps/wm-api/releases', undefined, { range: 'version ..; max=3, order=desc' });
    expect(first.status).toBe(206);
    expect(first.body.map((r: { version: number }) => r.version)).toEqual([7, 6, 5]);
    expect(first.headers.get('content-range')).toBe('version 7..5');
    expect(first.headers.get('accept-ranges')).toBe('id, version');
    const next = first.headers.get('next-range')!;
    expect(next).toBe('version ]5..; max=3, order=desc');
    const second = await api('GET', '/apps/wm-api/releases', undefined, { range: next });
    expect(second.status).toBe(206);
    expect(second.body.map((r: { version: number }) => r.version)).toEqual([4, 3, 2]);
    const last = await api('GET', '/apps/wm-api/releases', undefined, { range: second.headers.get('next-range')! });
    expect(last.status).toBe(200);
    expect(last.body.map((r: { version: number }) => r.version)).toEqual([1]);
    // Without Range: the first field of Accept-Ranges (id), ascending, up to 200.
    const ids = (await api('GET', '/apps/wm-api/releases')).body.map((r: { id: string }) => r.id);
    expect(ids).toHaveLength(7);
    expect(ids).toEqual([...ids].sort());
    expect((await api('GET', '/apps/wm-api/releases', undefined, { range: 'name ..' })).status).toBe(400);
  });

  it('rolls back by creating a new release with the old slug, and refuses an ineligible release', async () => {
    sim.addApp('wm-api');
    const v3 = sim.seedDeploy('wm-api', 'one');
    sim.seedDeploy('wm-api', 'two');
    const rolled = await api('POST', '/apps/wm-api/releases', { release: v3.id });
    expect(rolled).toMatchObject({
      status: 201,
      body: { version: 5, description: 'Rollback to v3', slug: v3.slug, current: true },
    });
    sim.setEligible('wm-api', 4, false);
    const v4 = sim.releases('wm-api').find((r) => r.version === 4)!;
    expect(await api('POST', '/apps/wm-api/releases', { release: v4.id })).toMatchObject({
      status: 422,
      body: { id: 'invalid_params', message: 'Release v4 is not eligible for rollback.' },
    });
  });

  it('config vars: a PATCH that changes something makes one release carrying them; null removes; add-on vars refused', async () => {
    sim.addApp('wm-api');
    sim.seedDeploy('wm-api', 'one', { releasePhase: true }); // v3
    sim.addAddon('wm-api', 'heroku-postgresql-x', { DATABASE_URL: 'postgres://db' });
    expect(await api('GET', '/apps/wm-api/config-vars')).toMatchObject({
      status: 200,
      body: { DATABASE_URL: 'postgres://db' },
    });
    const set = await api('PATCH', '/apps/wm-api/config-vars', { A: '1', B: '2' });
    expect(set).toMatchObject({ status: 200, body: { A: '1', B: '2', DATABASE_URL: 'postgres://db' } });
    const v4 = sim.releases('wm-api').at(-1)!;
    // The config release runs the current slug's release phase, then becomes current.
    expect(v4).toMatchObject({ version: 4, description: 'Set A, B config vars', status: 'pending' });
    expect((await api('GET', `/apps/wm-api/releases/${v4.id}/config-vars`)).body).toEqual({
      DATABASE_URL: 'postgres://db',
      A: '1',
      B: '2',
    });
    // The same values again change nothing and make no release.
    await api('PATCH', '/apps/wm-api/config-vars', { A: '1' });
    expect(sim.releases('wm-api')).toHaveLength(4);
    expect(await api('PATCH', '/apps/wm-api/config-vars', { A: null, B: '3' })).toMatchObject({
      body: { B: '3', DATABASE_URL: 'postgres://db' },
    });
    expect(sim.releases('wm-api').at(-1)!.description).toBe('Set B config vars and Remove A config vars');
    for (const [body, message] of [
      [{ DATABASE_URL: 'postgres://mine' }, 'Cannot overwrite attachment values DATABASE_URL.'],
      [{ 'BAD-NAME': 'x' }, 'Invalid config var name: BAD-NAME.'],
      [{ N: 1 }, 'Config var N must be a string or null.'],
      [['A=1'], 'Request body must be a hash of config vars.'],
    ] as const)
      expect(await api('PATCH', '/apps/wm-api/config-vars', body)).toMatchObject({
        status: 422,
        body: { id: 'invalid_params', message },
      });
    // A rollback restores the target's config with its slug.
    const v3 = sim.releases('wm-api').find((r) => r.version === 3)!;
    await api('POST', '/apps/wm-api/releases', { release: v3.id });
    expect(sim.app('wm-api')!.config).toEqual({ DATABASE_URL: 'postgres://db' });
  });

  it('review apps: created from a source blob on a clock, one per branch, errored on a failed build, deleted then gone', async () => {
    sim.addApp('wm-staging');
    const pipeline = sim.addPipeline('wm', [{ app: 'wm-staging', stage: 'staging' }], { reviewApps: true });
    const off = sim.addPipeline('plain', []);
    const source = await upload({ 'package.json': '{}' });
    const body = {
      branch: 'feature/x',
      pipeline: pipeline.id,
      source_blob: { url: source.get_url, version: 'v1' },
      pr_number: 4,
    };
    expect(await api('POST', '/review-apps', { ...body, pipeline: off.id })).toMatchObject({
      status: 422,
      body: { message: 'Review apps are not enabled for this pipeline.' },
    });
    const created = await api('POST', '/review-apps', { ...body, environment: { DATABASE_URL: 'postgres://pr' } });
    expect(created).toMatchObject({ status: 201, body: { status: 'pending', app: null, pr_number: 4 } });
    expect(await api('POST', '/review-apps', body)).toMatchObject({
      status: 409,
      body: { id: 'conflict', message: 'A review app already exists for the feature/x branch' },
    });
    const until = async (id: string, want: string) =>
      (
        await waitFor(
          () => api('GET', `/review-apps/${id}`),
          (r) => r.body.status === want,
        )
      ).body;
    const ready = await until(created.body.id, 'created');
    const app = sim.app(ready.app.id)!;
    expect(app.config).toEqual({ DATABASE_URL: 'postgres://pr' });
    expect((await api('GET', `/app-setups/${ready.app_setup.id}`)).body).toMatchObject({ status: 'succeeded' });
    expect((await api('GET', `/pipelines/${pipeline.id}/review-apps`)).body).toHaveLength(1);
    expect((await api('DELETE', `/review-apps/${created.body.id}`)).body.status).toBe('deleting');
    await until(created.body.id, 'deleted');
    expect((await api('GET', `/apps/${app.id}`)).status).toBe(404);
    expect((await api('DELETE', `/review-apps/${created.body.id}`)).status).toBe(404);

    sim.nextReviewAppBuild({ outcome: 'failed' });
    const failing = await api('POST', '/review-apps', { ...body, branch: 'feature/y', pr_number: 5 });
    const errored = await until(failing.body.id, 'errored');
    expect(errored).toMatchObject({ status: 'errored', error_status: 'Build failed' });
    expect((await api('GET', `/app-setups/${errored.app_setup.id}`)).body).toMatchObject({
      status: 'failed',
      failure_message: 'Build failed',
      build: { status: 'failed' },
    });
  });

  it('maintenance mode: PATCH /apps/{app} sets it, the app shows it, no release is made', async () => {
    sim.addApp('wm-api');
    expect((await api('GET', '/apps/wm-api')).body.maintenance).toBe(false);
    expect(await api('PATCH', '/apps/wm-api', { maintenance: true })).toMatchObject({
      status: 200,
      body: { maintenance: true },
    });
    expect((await api('GET', '/apps/wm-api')).body.maintenance).toBe(true);
    expect(await api('PATCH', '/apps/wm-api', { maintenance: 'yes' })).toMatchObject({ status: 422 });
    expect(sim.releases('wm-api')).toHaveLength(2);
  });

  it('promotes the source release to pipeline targets, pending then succeeded, with the same slug', async () => {
    sim.addApp('wm-staging');
    const prod = sim.addApp('wm-prod');
    const staged = sim.seedDeploy('wm-staging', 'abc');
    const pipeline = sim.addPipeline('wm', [
      { app: 'wm-staging', stage: 'staging' },
      { app: 'wm-prod', stage: 'production' },
    ]);
    const coupling = (await api('GET', '/apps/wm-staging/pipeline-couplings')).body;
    expect(coupling).toMatchObject({ pipeline: { id: pipeline.id }, stage: 'staging' });
    const couplings = (await api('GET', `/pipelines/${pipeline.id}/pipeline-couplings`)).body;
    expect(couplings.map((c: { stage: string }) => c.stage)).toEqual(['staging', 'production']);
    const staging = sim.app('wm-staging')!;
    const created = await api('POST', '/pipeline-promotions', {
      pipeline: { id: pipeline.id },
      source: { app: { id: staging.id } },
      targets: [{ app: { id: prod.id } }],
    });
    expect(created).toMatchObject({ status: 201, body: { status: 'pending', source: { release: { id: staged.id } } } });
    type Target = { status: string; release: { id: string } };
    const targets = await waitFor(
      async () => (await api('GET', `/pipeline-promotions/${created.body.id}/promotion-targets`)).body as Target[],
      (t) => t[0]?.status !== 'pending',
    );
    expect(targets[0]).toMatchObject({ status: 'succeeded', app: { id: prod.id }, error_message: null });
    expect(sim.currentRelease('wm-prod')).toMatchObject({ id: targets[0]?.release.id, slug: staged.slug });
    expect((await api('GET', `/pipeline-promotions/${created.body.id}`)).body.status).toBe('completed');
    expect((await api('GET', '/apps/wm-prod/pipeline-couplings')).status).toBe(200);
    sim.addApp('wm-alone');
    expect((await api('GET', '/apps/wm-alone/pipeline-couplings')).status).toBe(404);
  });

  it('counts request tokens down in RateLimit-Remaining and answers 429 rate_limit at zero', async () => {
    sim.addApp('wm-api');
    sim.setRateLimitRemaining(2);
    expect((await api('GET', '/apps/wm-api')).headers.get('ratelimit-remaining')).toBe('1');
    expect((await api('GET', '/apps/wm-api')).headers.get('ratelimit-remaining')).toBe('0');
    const limited = await api('GET', '/apps/wm-api');
    expect(limited).toMatchObject({ status: 429, body: { id: 'rate_limit' } });
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    expect(sim.rateLimited).toBe(1);
  });

  it('resumes an output stream at the byte given in Range, and can drop streams on request', async () => {
    sim.addApp('wm-api');
    sim.nextBuild('wm-api', { output: ['one', 'two', 'three'] });
    const source = await upload({ 'a.js': '1' });
    const build = (await api('POST', '/apps/wm-api/builds', { source_blob: { url: source.get_url } })).body;
    await waitFor(
      async () => (await api('GET', `/apps/wm-api/builds/${build.id}`)).body.status,
      (s) => s !== 'pending',
    );
    expect(await (await fetch(build.output_stream_url, { headers: { range: 'bytes=4-' } })).text()).toBe(
      'two\nthree\n',
    );
    sim.dropStreams(1);
    await expect(fetch(build.output_stream_url).then((r) => r.text())).rejects.toThrow();
    expect(await (await fetch(build.output_stream_url)).text()).toBe('one\ntwo\nthree\n');
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { RecordingLog } from '@wingman/log';
import { isolatedSentryCliEnv, SentrySimulator, sentryCliBinary } from '@wingman/testkit';
import {
  checkoutKind,
  createSentryRelease,
  eventCommits,
  nextCursorLink,
  parseCliError,
  parseUploadReport,
  type SentryReleaseOptions,
  SentryReleaseRunError,
} from '../src/index';

const TOKEN = 'plain-sentry-token-9f2';
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'sentry-pkg-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('sentry-cli output', () => {
  it("reads Sentry's message and status out of sentry-cli's error report", () => {
    const unauthorized =
      'error: API request failed\n\nCaused by:\n    sentry reported an error: Invalid token (http status: 401)\n\nAdd --log-level=[info|debug] or export SENTRY_LOG_LEVEL=[info|debug] to see more output.\n';
    expect(parseCliError(unauthorized)).toEqual({
      message: 'API request failed: Invalid token (http status: 401)',
      status: 401,
    });
    const invalid =
      'error: API request failed\n\nCaused by:\n    sentry reported an error: request failure (http status: 400)\n      Object {"projects": Array [String("Invalid project slugs")]}\n\nAdd --log-level';
    expect(parseCliError(invalid)).toEqual({
      message: 'API request failed: request failure (http status: 400): projects: Invalid project slugs',
      status: 400,
    });
    const network =
      'error: API request failed\n\nCaused by:\n    0: API request failed\n    1: [7] Could not connect to server (Failed to connect to 127.0.0.1:1 after 0 ms: Could not connect to server)\n';
    expect(parseCliError(network)).toEqual({
      message:
        'API request failed: [7] Could not connect to server (Failed to connect to 127.0.0.1:1 after 0 ms: Could not connect to server)',
      status: undefined,
    });
    expect(parseCliError("error: invalid value 'v/2' for '<VERSION>': Invalid release version.\n").message).toBe(
      "invalid value 'v/2' for '<VERSION>': Invalid release version.",
    );
  });

  it("lists the files of sentry-cli's upload report", () => {
    const out = [
      '> Bundled 2 files for upload',
      '',
      'Source Map Upload Report',
      '  Scripts',
      '    ~/main.js (sourcemap at main.js.map, debug id 241224c5-6621-54b0-8baa-a6fc5b6b0a74)',
      '  Source Maps',
      '    ~/main.js.map (debug id 241224c5-6621-54b0-8baa-a6fc5b6b0a74)',
      '',
    ].join('\n');
    expect(parseUploadReport(out)).toEqual(['~/main.js', '~/main.js.map']);
    expect(parseUploadReport('> Nothing found')).toEqual([]);
  });

  it('follows Sentry\'s Link header only while it says results="true"', () => {
    const link = (results: boolean) =>
      `<https://s.test/api/0/x/?cursor=100:0:1>; rel="previous"; results="false"; cursor="100:0:1", <https://s.test/api/0/x/?cursor=100:1:0>; rel="next"; results="${results}"; cursor="100:1:0"`;
    expect(nextCursorLink(link(true))).toBe('https://s.test/api/0/x/?cursor=100:1:0');
    expect(nextCursorLink(link(false))).toBeUndefined();
    expect(nextCursorLink(undefined)).toBeUndefined();
  });

  it("turns a push event's commits (oldest first) into Sentry commits, newest first", () => {
    const event = {
      commits: [
        { id: 'a1', message: 'one', timestamp: '2026-01-01T00:00:00Z', author: { name: 'A', email: 'a@x.test' } },
        { id: 'b2', message: 'two', author: { name: 'B', email: 'b@x.test' } },
        { message: 'no id' },
      ],
    };
    expect(eventCommits(event, 'org/app')).toEqual([
      {
        id: 'b2',
        repository: 'org/app',
        message: 'two',
        author_name: 'B',
        author_email: 'b@x.test',
        timestamp: undefined,
      },
      {
        id: 'a1',
        repository: 'org/app',
        message: 'one',
        author_name: 'A',
        author_email: 'a@x.test',
        timestamp: '2026-01-01T00:00:00Z',
      },
    ]);
    expect(eventCommits({}, 'org/app')).toEqual([]);
  });
});

describe('checkoutKind', () => {
  it('tells a full clone from a shallow one and from no git at all', async () => {
    const origin = tempDir();
    const git = (cwd: string, ...args: string[]) =>
      execFileSync('git', args, { cwd, env: { ...process.env, HOME: origin }, encoding: 'utf8' });
    git(origin, 'init', '-q', '-b', 'main');
    for (const n of [1, 2])
      git(origin, '-c', 'user.email=a@b.test', '-c', 'user.name=A', 'commit', '-q', '--allow-empty', '-m', `c${n}`);
    const full = join(tempDir(), 'full');
    const shallow = join(tempDir(), 'shallow');
    git(origin, 'clone', '-q', `file://${origin}`, full);
    git(origin, 'clone', '-q', '--depth', '1', `file://${origin}`, shallow);
    expect(await checkoutKind(full)).toBe('full');
    expect(await checkoutKind(shallow)).toBe('shallow');
    expect(await checkoutKind(tempDir())).toBe('none');
  });
});

describe('createSentryRelease', () => {
  let sim: SentrySimulator;
  let log: RecordingLog;
  let cwd: string;
  beforeEach(async () => {
    sim = new SentrySimulator({
      token: TOKEN,
      org: 'acme',
      projects: ['backend', 'frontend'],
      repos: ['org/app'],
      pageSize: 2,
    });
    await sim.start();
    log = new RecordingLog();
    cwd = tempDir(); // not a git checkout
  });
  afterEach(async () => {
    await sim.stop();
  });

  const options = (over: Partial<SentryReleaseOptions> = {}): SentryReleaseOptions => ({
    cliPath: sentryCliBinary(),
    url: sim.url,
    authToken: TOKEN,
    org: 'acme',
    projects: ['backend'],
    release: 'v1',
    setCommits: 'skip',
    sourcemaps: [],
    urlPrefix: '~/',
    finalize: true,
    cwd,
    env: { PATH: process.env.PATH, ...isolatedSentryCliEnv(cwd) },
    log,
    http: { retries: 0 },
    ...over,
  });

  it("finds this attempt's deploy on a later page of the release's deploys and does not record it again", async () => {
    const url = 'https://github.com/org/app/actions/runs/1/attempts/1';
    const rel = sim.addRelease('v1', { projects: ['backend'] });
    rel.deploys.push(
      {
        id: 'd0',
        environment: 'production',
        name: 'mine',
        url,
        dateStarted: null,
        dateFinished: '2026-01-01T00:00:00Z',
      },
      ...[1, 2, 3].map((n) => ({
        id: `d${n}`,
        environment: 'production',
        name: `other ${n}`,
        url: `https://github.com/org/app/actions/runs/9${n}/attempts/1`,
        dateStarted: null,
        dateFinished: `2026-02-0${n}T00:00:00Z`,
      })),
    );
    const result = await createSentryRelease(options({ environment: 'production', deploy: { name: 'mine', url } }));
    expect(result.deploy).toEqual({ environment: 'production', name: 'mine', url, created: false });
    expect(rel.deploys).toHaveLength(4);
    expect(sim.requestsTo('GET', '/api/0/organizations/acme/releases/v1/deploys/')).toHaveLength(2);
    // Same attempt URL in another environment is a different deploy.
    const staging = await createSentryRelease(options({ environment: 'staging', deploy: { name: 'mine', url } }));
    expect(staging.deploy?.created).toBe(true);
    expect(rel.deploys).toHaveLength(5);
  });

  it('passes an explicit repo@prev..sha to Sentry as refs for a connected repository; skip sets nothing', async () => {
    const spec = await createSentryRelease(options({ setCommits: { spec: 'org/app@1111111..2222222' } }));
    expect(spec.commits.warning).toBeUndefined();
    expect(spec.commits.source).toBe('spec');
    expect(sim.release('v1')!.refs).toEqual([{ repository: 'org/app', commit: '2222222', previousCommit: '1111111' }]);
    const skipped = await createSentryRelease(options({ release: 'v2' }));
    expect(skipped.commits).toEqual({ source: 'skipped', count: 0 });
    expect(
      sim.requestsTo('PUT', '/api/0/organizations/acme/releases/v2/').every((r) => !('commits' in (r.body as object))),
    ).toBe(true);
  });

  it('warns and carries on when there is no git checkout and no GitHub source for commits', async () => {
    const result = await createSentryRelease(options({ setCommits: 'auto' }));
    expect(result.commits).toEqual({ source: 'skipped', count: 0 });
    expect(result.notices[0]).toMatch(/^Commits not associated: .* is not a git checkout/);
    expect(result.finalized).toBe('now');
  });

  it("fails the 'new' step with Sentry's field error for an unknown project, keeping what it knows for the summary", async () => {
    const err = await createSentryRelease(options({ projects: ['backend', 'mobile'] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SentryReleaseRunError);
    const failure = err as SentryReleaseRunError;
    expect(failure.step).toBe('new');
    expect(failure.status).toBe(400);
    expect(failure.message).toBe(
      "Sentry step 'new' (sentry-cli releases new) failed: API request failed: request failure (http status: 400): projects: Invalid project slugs; fix the cause above and re-run; the action is safe to re-run",
    );
    expect(failure.result).toMatchObject({ release: 'v1', failedStep: 'new', steps: [] });
    expect(sim.releases.size).toBe(0);
  });

  it('names the cli-path when sentry-cli cannot be started', async () => {
    await expect(createSentryRelease(options({ cliPath: join(cwd, 'no-such-cli') }))).rejects.toThrow(
      /^Sentry step 'new': could not run sentry-cli at .*no-such-cli \(spawn .* ENOENT\); check the cli-path or cli-version input$/,
    );
  });
});

// The record-deployment bundle, run the way the runner runs it (main, then the post step with the state main
// saved), against the Datadog, UptimeRobot and GitHub simulators.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  type ActionResult,
  DatadogSimulator,
  DEFAULT_REPOSITORY,
  DEFAULT_SHA,
  GitHubSimulator,
  nodeRuntimes,
  runAction,
  UptimeRobotSimulator,
  visible,
} from '@wingman/testkit';

const runtimes = nodeRuntimes().filter((r) => r.name === 'node20' || r.name === 'node24');
const node24 = runtimes.find((r) => r.name === 'node24')!;
const API = 'https://api.wingmanmatch.example/health';
const WEB = 'https://wingmanmatch.example/api/health';
const RUN_ID = '11223344556';

let dd: DatadogSimulator;
let ur: UptimeRobotSimulator;
let gh: GitHubSimulator;
let runStartedAt: Date;

beforeEach(async () => {
  dd = new DatadogSimulator();
  ur = new UptimeRobotSimulator({ alertContacts: [4242] });
  gh = new GitHubSimulator();
  await Promise.all([dd.start(), ur.start(), gh.start()]);
  runStartedAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 7 * 60_000);
  gh.addWorkflowRun(DEFAULT_REPOSITORY, RUN_ID, runStartedAt);
});
afterEach(async () => {
  await Promise.all([dd.stop(), ur.stop(), gh.stop()]);
});

type Inputs = Record<string, string | undefined>;

const inputsFor = (over: Inputs): Inputs => ({
  service: 'wingmanmatch',
  environment: 'production',
  status: 'succeeded',
  'datadog-api-key': dd.apiKey,
  'datadog-api-url': dd.url,
  'uptimerobot-api-key': ur.apiKey,
  'uptimerobot-api-url': ur.apiUrl,
  'health-urls': `${API}\n${WEB}`,
  ...over,
});

// GITHUB_API_URL always points at the simulator: the run's start is read from there.
const main = (over: Inputs = {}, env: Record<string, string | undefined> = {}, node = node24) =>
  runAction('record-deployment', { node, inputs: inputsFor(over), env: { GITHUB_API_URL: gh.url, ...env } });

/** The post step (runs.post) as the runner starts it: the same inputs, and main's state as STATE_<name>. */
const post = (after: ActionResult, over: Inputs = {}) =>
  runAction('record-deployment', {
    node: node24,
    phase: 'post',
    state: after.state,
    inputs: inputsFor(over),
    env: { GITHUB_API_URL: gh.url },
  });

const secretsIn = (r: ActionResult) => [dd.apiKey, ur.apiKey].filter((s) => visible(r).includes(s));

it('runs on both Node 20 and Node 24', () => {
  expect(runtimes.map((r) => r.name)).toEqual(['node20', 'node24']);
});

describe.each(runtimes)('record-deployment bundle on $name', (node) => {
  it('records the marker from the run start and creates the monitors, with outputs, summary and keys masked', async () => {
    const r = await main({ 'alert-contacts': '4242' }, {}, node);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.annotations).toEqual([]);

    const id = `${DEFAULT_REPOSITORY.replace('/', '-')}:${RUN_ID}:1:wingmanmatch:production`;
    expect(r.outputs['datadog-deployment-id']).toBe(id);
    const d = dd.deployments.get(id)!;
    expect(d.startedAt).toBe(BigInt(runStartedAt.getTime()) * 1_000_000n);
    expect(d.finishedAt > d.startedAt).toBe(true);
    expect(d.git).toEqual({ commit_sha: DEFAULT_SHA, repository_url: `https://github.com/${DEFAULT_REPOSITORY}` });
    expect(dd.events[0]!.text).toContain(`https://github.com/${DEFAULT_REPOSITORY}/actions/runs/${RUN_ID}`);

    const monitors = JSON.parse(r.outputs.monitors!) as Record<string, { id: number; status: string }>;
    expect(Object.keys(monitors)).toEqual([API, WEB]);
    expect(monitors[API]).toEqual({ id: ur.monitorsFor(API)[0]!.id, status: 'STARTED' });
    expect(ur.monitorsFor(WEB)[0]!.assignedAlertContacts).toEqual([
      { alertContactId: 4242, threshold: 0, recurrence: 0 },
    ]);

    expect(r.summary).toContain(`[deploy event](${dd.events[0]!.url})`);
    expect(r.summary).toMatch(/\| https:\/\/api\.wingmanmatch\.example\/health \| \d+ \| STARTED \| created \|/);
    expect(r.masks).toEqual(expect.arrayContaining([dd.apiKey, ur.apiKey]));
    expect(secretsIn(r)).toEqual([]);
    expect(r.state).toEqual({ isPost: 'true' });
  });
});

describe('record-deployment bundle', () => {
  it('a second run changes nothing in UptimeRobot: one list, no write', async () => {
    await main();
    ur.clearRequests();
    const again = await main();
    expect(again.exitCode).toBe(0);
    expect(ur.writes()).toEqual([]);
    expect(ur.requests).toHaveLength(1);
    expect(again.summary).toMatch(/\| STARTED \| none \|/);
  });

  it('without keys, skips both with a notice and calls nothing', async () => {
    const r = await main({ 'datadog-api-key': undefined, 'uptimerobot-api-key': undefined });
    expect(r.exitCode).toBe(0);
    expect(r.annotations.map((a) => [a.level, a.message])).toEqual([
      ['notice', 'Datadog skipped: no datadog-api-key (or DATADOG_API_KEY), so no deploy marker'],
      ['notice', 'UptimeRobot skipped: no uptimerobot-api-key (or UPTIMEROBOT_API_KEY), so no monitors'],
    ]);
    expect(r.outputs).toEqual({ 'datadog-deployment-id': '', monitors: '{}' });
    expect([dd.requests.length, ur.requests.length, gh.requests.length]).toEqual([0, 0, 0]);
  });

  it('takes the keys from DATADOG_API_KEY and UPTIMEROBOT_API_KEY, masked', async () => {
    const r = await main(
      { 'datadog-api-key': undefined, 'uptimerobot-api-key': undefined },
      { DATADOG_API_KEY: dd.apiKey, UPTIMEROBOT_API_KEY: ur.apiKey },
    );
    expect(r.exitCode).toBe(0);
    expect(dd.deployments.size).toBe(1);
    expect(ur.monitors.size).toBe(2);
    expect(r.masks).toEqual(expect.arrayContaining([dd.apiKey, ur.apiKey]));
    expect(secretsIn(r)).toEqual([]);
  });

  it('a provider error is a loud warning, not a failure: the other provider still does its part', async () => {
    const wrong = 'dd-revoked-key-00000000000000000000';
    const r = await main({ 'datadog-api-key': wrong });
    expect(r.exitCode).toBe(0);
    expect(r.annotations).toEqual([
      {
        level: 'warning',
        title: 'Datadog not updated',
        message: expect.stringMatching(
          /^Datadog refused the deployment event \(403: Forbidden\): set datadog-api-key .*\(fail-on-error is false, so the deploy goes on\)$/,
        ),
      },
    ]);
    expect(ur.monitors.size).toBe(2);
    expect(r.summary).toMatch(/### Not updated\n\n- Datadog refused/);
    expect(visible(r)).not.toContain(wrong);
  });

  it('fail-on-error: true fails the step with the error output', async () => {
    const r = await main({ 'uptimerobot-api-key': 'u000-revoked-0000000000000000', 'fail-on-error': 'true' });
    expect(r.exitCode).toBe(1);
    expect(r.outputs.error).toMatch(/^UptimeRobot refused uptimerobot-api-key \(401: Unauthorized\)/);
    expect(r.annotations.map((a) => a.level)).toEqual(['error']);
    expect(dd.deployments.size).toBe(1);
  });

  it('falls back to the step start with a notice when the token may not read the run', async () => {
    gh.permissions.actions = 'none';
    const before = BigInt(Date.now()) * 1_000_000n;
    const r = await main();
    expect(r.exitCode).toBe(0);
    expect(r.annotations).toEqual([
      expect.objectContaining({
        level: 'notice',
        message: expect.stringMatching(/^started-at: this step's start.*actions: read/),
      }),
    ]);
    const d = [...dd.deployments.values()][0]!;
    expect(d.startedAt >= before - 5_000_000_000n).toBe(true);
  });

  it('an explicit started-at wins and no GitHub call is made', async () => {
    const r = await main({ 'started-at': String(Math.floor(runStartedAt.getTime() / 1000) - 60) });
    expect(r.exitCode).toBe(0);
    expect([...dd.deployments.values()][0]!.startedAt).toBe(BigInt(runStartedAt.getTime() - 60_000) * 1_000_000n);
    expect(gh.requests).toHaveLength(0);
  });

  it('refuses bad inputs in one line naming the input', async () => {
    const bad = async (over: Inputs) => (await main(over)).outputs.error;
    expect(await bad({ 'health-urls': 'api.wingmanmatch.example/health' })).toMatch(
      /^input 'health-urls' must list http\(s\) URLs, got "api\.wingmanmatch\.example\/health"/,
    );
    expect(await bad({ 'monitor-interval': '10s' })).toMatch(
      /^input 'monitor-interval' must be whole seconds, 30s at least/,
    );
    expect(await bad({ 'alert-contacts': 'ops@example.com' })).toMatch(
      /^input 'alert-contacts' must list UptimeRobot alert contact ids/,
    );
    expect(await bad({ status: undefined })).toMatch(/^input 'status' is required to record a Datadog deploy marker/);
    expect(await bad({ status: 'done' })).toMatch(/^input 'status' must be one of succeeded, failed, rolled-back/);
    expect(ur.requests).toHaveLength(0);
    // Without an UptimeRobot key its inputs are not used, so they fail nothing (the marker is recorded).
    const eventsBefore = dd.events.length;
    const datadogOnly = await main({
      'uptimerobot-api-key': undefined,
      'health-urls': 'api.wingmanmatch.example/health',
      'monitor-interval': '10s',
    });
    expect(datadogOnly.exitCode).toBe(0);
    expect(dd.events.length).toBe(eventsBefore + 1);
  });
});

describe('pausing monitors around a deploy', () => {
  const pausing = { 'pause-monitors': 'true', 'datadog-api-key': undefined, status: undefined };

  it('main pauses and saves the ids; the post step starts them again, also after a failed job', async () => {
    const up = ur.addMonitor({ url: API, interval: 300 });
    const m = await main(pausing);
    expect(m.exitCode).toBe(0);
    const created = ur.monitorsFor(WEB)[0]!;
    expect([up.status, created.status]).toEqual(['PAUSED', 'PAUSED']);
    expect(m.state).toEqual({ isPost: 'true', 'paused-monitors': JSON.stringify([up.id, created.id]) });
    expect(JSON.parse(m.outputs.monitors!)[API]).toEqual({ id: up.id, status: 'PAUSED' });

    // …the deploy step fails here; the runner still runs the post step (post-if: always()), whose inputs
    // are evaluated again (status: ${{ job.status }} is now failure).
    ur.clearRequests();
    const p = await post(m, { ...pausing, status: 'failure' });
    expect(p.exitCode).toBe(0);
    expect(p.annotations).toEqual([]);
    expect(ur.writes().map((w) => w.path)).toEqual([`/v3/monitors/${up.id}/start`, `/v3/monitors/${created.id}/start`]);
    expect([up.status, created.status]).toEqual(['STARTED', 'STARTED']);
    expect(p.summary).toMatch(/monitors resumed after the deploy/);
    expect(secretsIn(p)).toEqual([]);
  });

  it('resumes every monitor even when main died halfway through pausing', async () => {
    const a = ur.addMonitor({ url: API });
    const b = ur.addMonitor({ url: WEB });
    // The first pause goes through (an empty fault), the second is refused and the step fails.
    ur.inject('POST', `/v3/monitors/${a.id}/pause`, { delayMs: 0 });
    ur.inject('POST', '/v3/monitors/:id/pause', {
      status: 400,
      body: { statusCode: 400, message: ['monitor is locked'] },
    });
    const m = await main({ ...pausing, 'fail-on-error': 'true' });
    expect(m.exitCode).toBe(1);
    expect(m.outputs.error).toMatch(/monitor is locked/);
    expect([a.status, b.status]).toEqual(['PAUSED', 'UP']);
    expect(m.state['paused-monitors']).toBe(JSON.stringify([a.id, b.id]));
    const p = await post(m, pausing);
    expect(p.exitCode).toBe(0);
    expect([a.status, b.status]).toEqual(['STARTED', 'UP']);
  });

  it('a post step that cannot resume warns which monitors may still be paused; with fail-on-error it fails', async () => {
    const a = ur.addMonitor({ url: API });
    const m = await main({ ...pausing, 'health-urls': API });
    const revoked = { ...pausing, 'health-urls': API, 'uptimerobot-api-key': 'u000-revoked-0000000000000000' };
    const warned = await post(m, revoked);
    expect(warned.exitCode).toBe(0);
    expect(warned.annotations).toEqual([
      expect.objectContaining({
        level: 'warning',
        title: 'UptimeRobot monitors not resumed',
        message: expect.stringMatching(
          new RegExp(`monitor\\(s\\) ${a.id} may still be paused: start them in UptimeRobot$`),
        ),
      }),
    ]);
    expect(warned.annotations[0]!.message).toMatch(/^UptimeRobot refused uptimerobot-api-key \(401: Unauthorized\)/);
    const failed = await post(m, { ...revoked, 'fail-on-error': 'true' });
    expect(failed.exitCode).toBe(1);
    expect(a.status).toBe('PAUSED');
  });

  it('the post step of a run that paused nothing reads no input and calls nothing', async () => {
    const m = await main();
    const p = await post(m, { service: undefined, 'health-urls': 'not a url' });
    expect(p.exitCode).toBe(0);
    expect(p.stdout).toContain('record-deployment: no monitors were paused, nothing to resume');
    expect(p.annotations).toEqual([]);
    expect(ur.requests.filter((r) => r.path.endsWith('/start'))).toHaveLength(0);
  });
});

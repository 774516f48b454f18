// Deploy markers against the Datadog simulator: exact nanosecond timestamps, the event's limits, the
// statuses that are and are not DORA deployments, and Datadog's 400, 403 and 429 answers.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { RecordingLog } from '@wingman/log';
import { DatadogSimulator } from '@wingman/testkit';
import {
  datadogApiUrl,
  doraDeploymentId,
  epochNanoseconds,
  type MarkerOptions,
  MonitoringError,
  recordMarker,
} from '../src';

const SHA = '6113728f27ae82c7b1a177c8d03f9e96e0adf246';
const PREVIOUS = '1b2d6f3c9a7e4d5b8c0f2a6e9d3b7c1f5a8e2d4b';
const RUN_URL = 'https://github.com/wingman-org/wingmanmatch/actions/runs/11223344556';
// An hour ago (Datadog takes events of the last 18 hours), on an odd millisecond: as a Number, ms * 1e6
// cannot be represented there and rounds.
const BASE = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
const STARTED = new Date(BASE + 123);
const FINISHED = new Date(BASE + 252_457);

let sim: DatadogSimulator;
let log: RecordingLog;

beforeEach(async () => {
  sim = new DatadogSimulator();
  await sim.start();
  log = new RecordingLog();
});
afterEach(async () => {
  await sim.stop();
});

const marker = (over: Partial<MarkerOptions> = {}): MarkerOptions => ({
  apiUrl: sim.url,
  apiKey: sim.apiKey,
  site: 'datadoghq.com',
  service: 'wingmanmatch-api',
  environment: 'production',
  version: SHA,
  versionGiven: false,
  status: 'succeeded',
  startedAt: STARTED,
  finishedAt: FINISHED,
  deploymentId: 'wingman-org.wingmanmatch:11223344556:1:wingmanmatch-api:production',
  commitSha: SHA,
  repositoryUrl: 'https://github.com/wingman-org/wingmanmatch',
  runUrl: RUN_URL,
  commitUrl: `https://github.com/wingman-org/wingmanmatch/commit/${SHA}`,
  log,
  http: { retries: 0 },
  ...over,
});

describe('a succeeded deploy', () => {
  it('records a DORA deployment with exact nanosecond timestamps, and a tagged event linking the run', async () => {
    const result = await recordMarker(marker());
    expect(result.errors).toEqual([]);
    expect(result.deploymentId).toBe('wingman-org.wingmanmatch:11223344556:1:wingmanmatch-api:production');

    const d = sim.deployments.get(result.deploymentId!)!;
    expect(d.startedAt).toBe((BigInt(BASE) + 123n) * 1_000_000n);
    expect(d.finishedAt).toBe((BigInt(BASE) + 252_457n) * 1_000_000n);
    expect(String(d.startedAt)).toMatch(/^\d{19}$/);
    // The naive way would have sent another number: the test would catch that.
    expect(BigInt(STARTED.getTime() * 1e6)).not.toBe(d.startedAt);
    expect(epochNanoseconds(STARTED)).toBe(d.startedAt);
    const raw = JSON.stringify(sim.requestsTo('POST', '/api/v2/dora/deployment')[0]!.body);
    expect(raw).not.toContain('"started_at":"'); // an integer, not a string
    expect(d).toMatchObject({
      service: 'wingmanmatch-api',
      env: 'production',
      version: SHA,
      git: { commit_sha: SHA, repository_url: 'https://github.com/wingman-org/wingmanmatch' },
    });
    expect(sim.requestsTo('POST', '/api/v2/dora/deployment')[0]!.headers['dd-api-key']).toBe(sim.apiKey);

    expect(sim.events).toHaveLength(1);
    const e = sim.events[0]!;
    expect(e.title).toBe('Deployed wingmanmatch-api 6113728 to production');
    expect(e.tags).toEqual([
      'service:wingmanmatch-api',
      'env:production',
      `version:${SHA}`,
      'deployment_status:succeeded',
    ]);
    expect(e.alertType).toBe('success');
    expect(e.text).toContain(`[Workflow run](${RUN_URL})`);
    expect(e.text).toContain('(4 min 12 s)');
    expect(e.dateHappened).toBe(Math.floor(FINISHED.getTime() / 1000));
    expect(result.eventUrl).toBe(e.url);
  });

  it('treats 202 "delayed due to incident" as recorded, with a note', async () => {
    sim.delayed = true;
    const result = await recordMarker(marker());
    expect(result.errors).toEqual([]);
    expect(result.delayed).toBe(true);
    expect(result.deploymentId).toBeDefined();
    expect(result.notes.join(' ')).toMatch(/202/);
  });

  it('repeats the same id on a second call, so Datadog sees one deployment, not two', async () => {
    await recordMarker(marker());
    await recordMarker(marker());
    expect(sim.deployments.size).toBe(1);
    expect([...sim.deployments.values()][0]!.writes).toBe(2);
  });

  it('keeps the title within 100 characters and the text within 4000, links first', async () => {
    const service = `svc-${'x'.repeat(300)}`;
    const version = `v-${'9'.repeat(5000)}`;
    const result = await recordMarker(marker({ service, version, versionGiven: true }));
    expect(result.errors).toEqual([]);
    const e = sim.events[0]!;
    expect(e.title.length).toBeLessThanOrEqual(100);
    expect(e.title.endsWith('…')).toBe(true);
    expect(e.truncated).toBe(false);
    expect(sim.requestsTo('POST', '/api/v1/events')[0]!.body).toMatchObject({ text: expect.any(String) });
    const sent = (sim.requestsTo('POST', '/api/v1/events')[0]!.body as { text: string }).text;
    expect(sent.length).toBeLessThanOrEqual(4000);
    expect(sent.endsWith('%%%')).toBe(true);
    expect(e.tags.every((t) => t.length <= 200)).toBe(true);
  });
});

describe('statuses', () => {
  it('a failed deploy is an error event and no DORA deployment', async () => {
    const result = await recordMarker(marker({ status: 'failed' }));
    expect(sim.deployments.size).toBe(0);
    expect(result.deploymentId).toBeUndefined();
    expect(result.notes.join(' ')).toMatch(/failed deploy changed nothing/);
    expect(sim.events[0]).toMatchObject({
      alertType: 'error',
      title: 'Deploy failed: wingmanmatch-api 6113728 to production',
    });
  });

  it('a rollback records the version it went back to, with that commit, and only then', async () => {
    const defaulted = await recordMarker(marker({ status: 'rolled-back' }));
    expect(sim.deployments.size).toBe(0);
    // The default version is the run's own commit, the one the rollback left.
    expect(sim.events.at(-1)!.title).toMatch(/^Rolled back wingmanmatch-api in production from /);
    expect(defaulted.notes.join(' ')).toMatch(/set version to it/);

    const given = await recordMarker(marker({ status: 'rolled-back', version: PREVIOUS, versionGiven: true }));
    const d = sim.deployments.get(given.deploymentId!)!;
    expect(d.version).toBe(PREVIOUS);
    expect(d.git?.commit_sha).toBe(PREVIOUS);
    expect(sim.events.at(-1)).toMatchObject({
      alertType: 'warning',
      title: `Rolled back wingmanmatch-api in production to 1b2d6f3`,
    });
  });

  it('sends no DORA deployment on a government site, which has no DORA Metrics', async () => {
    const result = await recordMarker(marker({ site: 'ddog-gov.com' }));
    expect(sim.requestsTo('POST', '/api/v2/dora/deployment')).toHaveLength(0);
    expect(sim.events).toHaveLength(1);
    expect(result.notes.join(' ')).toMatch(/not available on ddog-gov.com/);
  });
});

describe("Datadog's failures", () => {
  it('403 for a wrong key: one line naming datadog-api-key and the site, no event attempted, key never shown', async () => {
    const wrong = 'dd-wrong-key-0123456789abcdef0000';
    const err = await recordMarker(marker({ apiKey: wrong, site: 'datadoghq.eu' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MonitoringError);
    const message = (err as Error).message;
    expect(message).toBe(
      "Datadog refused the deployment event (403: Forbidden): set datadog-api-key to an API key (Organization Settings → API Keys, not an application key) of the organisation on datadog-site 'datadoghq.eu'",
    );
    expect(message).not.toContain(wrong);
    expect(JSON.stringify(err)).not.toContain(wrong);
    expect(sim.requestsTo('POST', '/api/v1/events')).toHaveLength(0);
  });

  it("400 for a bad body: Datadog's words and the inputs to check; the event is still posted", async () => {
    sim.inject('POST', '/api/v2/dora/deployment', { status: 400, body: { errors: ['service is required'] } });
    const result = await recordMarker(marker());
    expect(result.errors).toEqual([
      'Datadog refused the deployment event (400: service is required): check the service, environment, version and started-at inputs',
    ]);
    expect(sim.events).toHaveLength(1);
  });

  it('refuses a started-at after the end before sending anything', async () => {
    const err = await recordMarker(marker({ startedAt: new Date(FINISHED.getTime() + 60_000) })).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toMatch(
      /^started-at \S+ is later than the deploy's end \(\S+\): set started-at to when/,
    );
    expect(sim.requests).toHaveLength(0);
  });

  it('429 waits for X-RateLimit-Reset and then records the deployment', async () => {
    let clock = Date.now();
    await sim.stop();
    sim = new DatadogSimulator({ rateLimit: { limit: 1, periodSeconds: 10 }, now: () => clock });
    await sim.start();
    const sleeps: number[] = [];
    const http = {
      sleep: async (ms: number) => {
        sleeps.push(ms);
        clock += ms;
      },
    };
    await recordMarker(marker({ deploymentId: 'wingman-first-deploy-0001', http }));
    clock += 2_000;
    const second = await recordMarker(marker({ deploymentId: 'wingman-second-deploy-002', http }));
    expect(second.errors).toEqual([]);
    // The first call spent both windows; 8 of their 10 s are left, and after that wait the events window
    // (opened at the same time) has reset too.
    expect(sleeps).toEqual([8_000]);
    expect(sim.requestsTo('POST', '/api/v2/dora/deployment')).toHaveLength(3);
    expect(sim.deployments.size).toBe(2);
    expect(sim.events).toHaveLength(2);
  });

  it('a base URL that is not the API is named as such', async () => {
    const result = await recordMarker(marker({ apiUrl: `${sim.url}/nothing-here` }));
    expect(result.errors[0]).toMatch(/^Datadog did not record the deployment event: Datadog API POST \/nothing-here/);
  });
});

it('maps each site to its API host', () => {
  expect(datadogApiUrl('datadoghq.com')).toBe('https://api.datadoghq.com');
  expect(datadogApiUrl('datadoghq.eu')).toBe('https://api.datadoghq.eu');
  expect(datadogApiUrl('us5.datadoghq.com')).toBe('https://api.us5.datadoghq.com');
  expect(datadogApiUrl('ddog-gov.com')).toBe('https://api.ddog-gov.com');
});

it('makes a DORA deployment id of the characters Datadog allows, 16 to 128 of them', () => {
  expect(doraDeploymentId(['wingman-org/wingmanmatch', '11223344556', '2', 'web app', 'production'])).toBe(
    'wingman-org-wingmanmatch:11223344556:2:web-app:production',
  );
  expect(doraDeploymentId(['a', 'b'])).toBe('a:b-------------');
  expect(doraDeploymentId(['x'.repeat(200)])).toHaveLength(128);
});

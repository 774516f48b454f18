// One deploy recorded in both tools: a provider without a key is skipped with a notice, a failing provider
// is an outcome (never a throw), and pausing for a deploy records no marker.
import { afterEach, beforeEach, expect, it } from '@jest/globals';
import { RecordingLog } from '@wingman/log';
import { DatadogSimulator, UptimeRobotSimulator } from '@wingman/testkit';
import { type RecordDeploymentOptions, recordDeployment } from '../src';

const HEALTH = 'https://api.wingmanmatch.example/health';
let dd: DatadogSimulator;
let ur: UptimeRobotSimulator;
let log: RecordingLog;

beforeEach(async () => {
  dd = new DatadogSimulator();
  ur = new UptimeRobotSimulator();
  await Promise.all([dd.start(), ur.start()]);
  log = new RecordingLog();
});
afterEach(async () => {
  await Promise.all([dd.stop(), ur.stop()]);
});

const options = (over: {
  datadogKey?: string;
  uptimeKey?: string;
  pause?: boolean;
  status?: RecordDeploymentOptions['status'];
}): RecordDeploymentOptions => ({
  service: 'wingmanmatch',
  environment: 'staging',
  version: 'v1.4.0',
  versionGiven: true,
  status: 'status' in over ? over.status : 'succeeded',
  startedAt: new Date(Date.now() - 120_000),
  datadog: { apiKey: over.datadogKey, site: 'datadoghq.com', apiUrl: dd.url },
  uptimeRobot: {
    apiKey: over.uptimeKey,
    apiUrl: ur.apiUrl,
    healthUrls: [HEALTH],
    intervalSeconds: 300,
    pause: over.pause ?? false,
  },
  log,
  http: { retries: 0 },
});

it('records in both when both keys are given', async () => {
  const result = await recordDeployment(options({ datadogKey: dd.apiKey, uptimeKey: ur.apiKey }));
  expect(result.datadog.state).toBe('done');
  expect(result.uptimeRobot.state).toBe('done');
  expect(dd.deployments.size).toBe(1);
  expect(ur.monitorsFor(HEALTH)).toHaveLength(1);
  expect(log.messages('group')).toEqual(['Datadog: deploy marker', 'UptimeRobot: monitor 1 health URL(s)']);
});

it('skips a provider without a key with a notice that names the input, and calls nothing there', async () => {
  const result = await recordDeployment(options({ uptimeKey: ur.apiKey }));
  expect(result.datadog).toEqual({
    state: 'skipped',
    reason: 'Datadog skipped: no datadog-api-key (or DATADOG_API_KEY), so no deploy marker',
  });
  expect(log.messages('notice')).toEqual([
    'Datadog skipped: no datadog-api-key (or DATADOG_API_KEY), so no deploy marker',
  ]);
  expect(dd.requests).toHaveLength(0);
  expect(result.uptimeRobot.state).toBe('done');

  const none = await recordDeployment(options({}));
  expect(none.uptimeRobot).toMatchObject({ state: 'skipped', reason: expect.stringMatching(/no uptimerobot-api-key/) });
});

it('reports a failing provider as an outcome and still runs the other', async () => {
  const result = await recordDeployment(
    options({ datadogKey: 'dd-wrong-key-000000000000000000', uptimeKey: ur.apiKey }),
  );
  expect(result.datadog).toEqual({
    state: 'failed',
    errors: [expect.stringMatching(/^Datadog refused the deployment event \(403: Forbidden\): set datadog-api-key/)],
  });
  expect(result.uptimeRobot.state).toBe('done');
});

it('pausing for a deploy pauses the monitors and records no marker: the deploy has not happened yet', async () => {
  const result = await recordDeployment(options({ datadogKey: dd.apiKey, uptimeKey: ur.apiKey, pause: true }));
  expect(result.datadog).toMatchObject({ state: 'skipped', reason: expect.stringMatching(/with pause-monitors/) });
  expect(dd.requests).toHaveLength(0);
  expect(ur.monitorsFor(HEALTH)[0]!.status).toBe('PAUSED');
});

it('without a status there is no marker to record, and it says which input to set', async () => {
  const result = await recordDeployment(options({ datadogKey: dd.apiKey, status: undefined }));
  expect(result.datadog).toMatchObject({ state: 'skipped', reason: expect.stringMatching(/set it to succeeded/) });
});

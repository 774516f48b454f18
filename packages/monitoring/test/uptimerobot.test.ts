// Monitors for the health URLs against the UptimeRobot simulator: created once, updated on drift, left alone
// when equal (a second run writes nothing), paged lists, paused and started again, 429 + Retry-After, and
// the one-line errors for a refused key or a refused monitor.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { RecordingLog } from '@wingman/log';
import { UptimeRobotSimulator } from '@wingman/testkit';
import { cursorOf, MonitoringError, type MonitorSyncOptions, resumeMonitors, syncMonitors } from '../src';

const API = 'https://api.wingmanmatch.example/health';
const WEB = 'https://wingmanmatch.example/api/health';

let sim: UptimeRobotSimulator;
let log: RecordingLog;

beforeEach(async () => {
  sim = new UptimeRobotSimulator({ alertContacts: [101, 102, 103] });
  await sim.start();
  log = new RecordingLog();
});
afterEach(async () => {
  await sim.stop();
});

const options = (over: Partial<MonitorSyncOptions> = {}): MonitorSyncOptions => ({
  apiUrl: sim.apiUrl,
  apiKey: sim.apiKey,
  healthUrls: [API, WEB],
  service: 'wingmanmatch',
  environment: 'production',
  intervalSeconds: 300,
  log,
  http: { retries: 0 },
  ...over,
});

describe('monitors follow the health URLs', () => {
  it('creates each missing monitor once; a second run lists once and writes nothing', async () => {
    const first = await syncMonitors(options({ alertContacts: [101] }));
    expect(first.errors).toEqual([]);
    expect(first.monitors.map((m) => [m.url, m.action, m.status])).toEqual([
      [API, 'created', 'STARTED'],
      [WEB, 'created', 'STARTED'],
    ]);
    const [api] = sim.monitorsFor(API);
    expect(api).toMatchObject({
      friendlyName: 'wingmanmatch production: api.wingmanmatch.example/health',
      type: 'HTTP',
      interval: 300,
      timeout: 30,
      assignedAlertContacts: [{ alertContactId: 101, threshold: 0, recurrence: 0 }],
    });
    expect(sim.requestsTo('POST', '/v3/monitors')[0]!.headers.authorization).toBe(`Bearer ${sim.apiKey}`);

    sim.clearRequests();
    const second = await syncMonitors(options({ alertContacts: [101] }));
    expect(second.monitors.map((m) => [m.id, m.action])).toEqual(first.monitors.map((m) => [m.id, 'unchanged']));
    expect(sim.writes()).toEqual([]);
    expect(sim.requests).toHaveLength(1);
    expect(sim.monitorsFor(API)).toHaveLength(1);
  });

  it('updates only what drifted, keeping the threshold of contacts it keeps; an equal monitor gets no write', async () => {
    const drifted = sim.addMonitor({
      url: API,
      interval: 60,
      assignedAlertContacts: [{ alertContactId: 101, threshold: 5, recurrence: 30 }],
    });
    const equal = sim.addMonitor({
      url: WEB,
      interval: 300,
      assignedAlertContacts: [
        { alertContactId: 102, threshold: 0, recurrence: 0 },
        { alertContactId: 101, threshold: 0, recurrence: 0 },
      ],
    });
    const result = await syncMonitors(options({ alertContacts: [101, 102] }));
    expect(sim.writes()).toEqual([
      {
        method: 'PATCH',
        path: `/v3/monitors/${drifted.id}`,
        body: {
          interval: 300,
          assignedAlertContacts: [
            { alertContactId: 101, threshold: 5, recurrence: 30 },
            { alertContactId: 102, threshold: 0, recurrence: 0 },
          ],
        },
      },
    ]);
    expect(result.monitors.find((m) => m.id === drifted.id)?.changes).toEqual([
      'interval 60 s → 300 s',
      'alert contacts 101 → 101, 102',
    ]);
    expect(result.monitors.find((m) => m.id === equal.id)?.action).toBe('unchanged');
  });

  it("leaves contacts alone when alert-contacts is not given, and finds the URL's HTTP monitor among others", async () => {
    sim.addMonitor({ url: API, type: 'KEYWORD', interval: 60 });
    const http = sim.addMonitor({
      url: API,
      interval: 300,
      assignedAlertContacts: [{ alertContactId: 103, threshold: 0, recurrence: 0 }],
    });
    sim.addMonitor({ url: 'api.wingmanmatch.example', type: 'PING' });
    const result = await syncMonitors(options({ healthUrls: [API] }));
    expect(result.monitors).toEqual([{ url: API, id: http.id, status: 'UP', action: 'unchanged', changes: [] }]);
    expect(sim.writes()).toEqual([]);
  });

  it('starts a paused monitor: it must watch around the clock', async () => {
    const paused = sim.addMonitor({ url: API, status: 'PAUSED' });
    const result = await syncMonitors(options({ healthUrls: [API] }));
    expect(sim.writes()).toEqual([{ method: 'POST', path: `/v3/monitors/${paused.id}/start`, body: {} }]);
    expect(result.monitors[0]).toMatchObject({ status: 'STARTED', changes: ['started'] });
  });

  it('walks every page of a long monitor list with the cursor of nextLink', async () => {
    for (let i = 0; i < 7; i++) sim.addMonitor({ url: `https://other-${i}.example/health` });
    const target = sim.addMonitor({ url: WEB, interval: 300 });
    const result = await syncMonitors(options({ healthUrls: [WEB], pageSize: 3 }));
    expect(result.monitors[0]).toMatchObject({ id: target.id, action: 'unchanged' });
    const lists = sim.requestsTo('GET', '/v3/monitors');
    expect(lists.map((r) => [r.query.limit, r.query.cursor])).toEqual([
      ['3', undefined],
      ['3', String(target.id - 5)],
      ['3', String(target.id - 2)],
    ]);
    expect(sim.writes()).toEqual([]);
  });

  it('takes only the cursor from a nextLink, never its host', () => {
    expect(cursorOf('https://elsewhere.example/v3/monitors?cursor=800000123', 'http://127.0.0.1:1/v3')).toBe(
      '800000123',
    );
    expect(() => cursorOf('/v3/monitors?limit=3', 'http://127.0.0.1:1/v3')).toThrow(/without a cursor/);
  });
});

describe('pausing for a deploy', () => {
  it('names every monitor to resume before the first pause, then pauses them; a second run writes nothing', async () => {
    const up = sim.addMonitor({ url: API, interval: 300 });
    const seen: { ids: number[]; pausesSoFar: number }[] = [];
    const onPausing = (ids: number[]) =>
      seen.push({ ids, pausesSoFar: sim.writes().filter((w) => w.path.endsWith('/pause')).length });
    const result = await syncMonitors(options({ state: 'paused', onPausing }));
    const created = sim.monitorsFor(WEB)[0]!;
    expect(seen).toEqual([{ ids: [up.id, created.id], pausesSoFar: 0 }]);
    expect(result.monitors.map((m) => [m.id, m.status, m.changes])).toEqual([
      [up.id, 'PAUSED', ['paused']],
      [created.id, 'PAUSED', ['created', 'paused']],
    ]);

    sim.clearRequests();
    await syncMonitors(options({ state: 'paused' }));
    expect(sim.writes()).toEqual([]);
  });

  it('resumes each paused monitor, and reports one that was deleted meanwhile without stopping', async () => {
    const a = sim.addMonitor({ url: API, status: 'PAUSED' });
    const b = sim.addMonitor({ url: WEB, status: 'PAUSED' });
    const gone = 123_456;
    const result = await resumeMonitors({
      apiUrl: sim.apiUrl,
      apiKey: sim.apiKey,
      ids: [a.id, gone, b.id],
      log,
      http: { retries: 0 },
    });
    expect(result.resumed).toEqual([
      { id: a.id, status: 'STARTED' },
      { id: b.id, status: 'STARTED' },
    ]);
    expect(result.errors).toEqual([
      `UptimeRobot has no monitor ${gone} (404): it was deleted meanwhile; the next run creates one again`,
    ]);
  });
});

describe('rate limits and failures', () => {
  it('waits out 429 Retry-After within the per-minute budget and never creates a monitor twice', async () => {
    let clock = Date.now();
    await sim.stop();
    sim = new UptimeRobotSimulator({ requestsPerMinute: 3, now: () => clock });
    await sim.start();
    const sleeps: number[] = [];
    const http = {
      sleep: async (ms: number) => {
        sleeps.push(ms);
        clock += ms;
      },
    };
    const third = 'https://wingmanmatch.example/health';
    const result = await syncMonitors(options({ healthUrls: [API, WEB, third], http }));
    expect(result.errors).toEqual([]);
    // list + 2 creates spend the 3 requests of the minute; the third create waits for the next minute.
    expect(sleeps).toEqual([60_000]);
    expect(sim.requestsTo('POST', '/v3/monitors')).toHaveLength(4);
    expect([API, WEB, third].map((u) => sim.monitorsFor(u).length)).toEqual([1, 1, 1]);
  });

  it('a refused key: one line naming uptimerobot-api-key, thrown at once, the key never shown', async () => {
    const wrong = 'u999999-wrongkey0123456789abcdef';
    const err = await syncMonitors(options({ apiKey: wrong })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MonitoringError);
    expect((err as Error).message).toBe(
      'UptimeRobot refused uptimerobot-api-key (401: Unauthorized): set it to the Main API key (Integrations → API), not a read-only or monitor-specific one',
    );
    expect(JSON.stringify(err)).not.toContain(wrong);
    expect(sim.requests).toHaveLength(1);
  });

  it("an interval the plan refuses: UptimeRobot's words and the input to change, for each URL", async () => {
    await sim.stop();
    sim = new UptimeRobotSimulator({ minIntervalSeconds: 300 });
    await sim.start();
    const result = await syncMonitors(options({ intervalSeconds: 60 }));
    expect(result.monitors).toEqual([]);
    expect(result.errors).toEqual([
      `UptimeRobot refused to create a monitor for ${API} (400: interval must not be less than 300): check health-urls, monitor-interval (the FREE plan checks every 5 min at most) and alert-contacts`,
      `UptimeRobot refused to create a monitor for ${WEB} (400: interval must not be less than 300): check health-urls, monitor-interval (the FREE plan checks every 5 min at most) and alert-contacts`,
    ]);
  });

  it('an unknown alert contact is refused by UptimeRobot and reported, the other monitor unaffected', async () => {
    sim.addMonitor({
      url: WEB,
      interval: 300,
      assignedAlertContacts: [{ alertContactId: 999, threshold: 0, recurrence: 0 }],
    });
    const result = await syncMonitors(options({ healthUrls: [API], alertContacts: [999] }));
    expect(result.errors[0]).toMatch(
      /^UptimeRobot refused to create a monitor for .* \(400: Alert contact 999 not found\)/,
    );
  });
});

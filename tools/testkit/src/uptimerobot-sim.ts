// An UptimeRobot API v3 stand-in for the monitor calls a deploy makes, with the contract of UptimeRobot's
// OpenAPI document (uptimerobot.com/api/v3; the copy in github.com/uptimerobot/uptimerobot-cli,
// openapi/openapi.yaml) and its rate-limit rules:
//  - `Authorization: Bearer <api key>`; anything else is 401 {statusCode: 401, message: "Unauthorized"};
//  - GET /v3/monitors?limit=1..200 (default 50)&cursor=<id>&url=<part>: {data: [...], nextLink} in id order;
//    nextLink carries the cursor of the next page (the last id of this one) or is null on the last page;
//  - POST /v3/monitors {type, friendlyName ≤ 250, url, interval (s), timeout 0..60 (s),
//    assignedAlertContacts: [{alertContactId, threshold, recurrence}]} → 201 monitor;
//  - PATCH /v3/monitors/{id} → 200 monitor; POST /v3/monitors/{id}/pause and /start → 201 monitor, both
//    idempotent; status is one of PAUSED, STARTED, UP, LOOKS_DOWN, DOWN (a new or restarted monitor is
//    STARTED until its first check, which a test sets with setStatus);
//  - errors are NestJS bodies {statusCode, message (a string or a list of validation messages), error};
//  - rate limits: FREE plan 10 requests per minute. Every answer carries X-RateLimit-Limit, -Remaining and
//    -Reset (epoch seconds when the window ends); past the limit 429 with Retry-After (seconds).
// The docs do not name the messages for an unknown alert contact or an interval under the plan's minimum;
// those are this simulator's own.
import { type SimRequest, type SimResponse, Simulator } from './simulator';

export type UptimeRobotSimStatus = 'PAUSED' | 'STARTED' | 'UP' | 'LOOKS_DOWN' | 'DOWN';

export interface UptimeRobotSimContact {
  alertContactId: number;
  threshold: number;
  recurrence: number;
}

export interface UptimeRobotSimMonitor {
  id: number;
  friendlyName: string;
  url: string;
  type: string;
  interval: number;
  timeout: number;
  status: UptimeRobotSimStatus;
  assignedAlertContacts: UptimeRobotSimContact[];
  createDateTime: string;
}

export interface UptimeRobotSimOptions {
  /** The API key UptimeRobot accepts as the bearer token. */
  apiKey?: string;
  /** Page size of GET /monitors when the request sends no limit (UptimeRobot: 50). */
  pageSize?: number;
  /** Requests allowed per minute; past it 429 with Retry-After. Default: unlimited (FREE plan: 10). */
  requestsPerMinute?: number;
  /** Shortest check interval the plan allows, in seconds (FREE: 300; the API's floor is 30). */
  minIntervalSeconds?: number;
  /** The account's alert contact ids; assigning another one is refused. */
  alertContacts?: number[];
  /** Clock for the rate-limit window. */
  now?: () => number;
}

const TYPES = ['HTTP', 'KEYWORD', 'PING', 'PORT', 'HEARTBEAT', 'DNS', 'API', 'UDP', 'VISUAL_COMPARISON'];
const MAX_INTERVAL = 2_678_400;

type Json = Record<string, unknown>;

function failure(statusCode: number, message: string | string[], error: string): SimResponse {
  return { status: statusCode, body: { statusCode, message, error } };
}

const invalid = (...messages: string[]) => failure(400, messages, 'Bad Request');

export class UptimeRobotSimulator extends Simulator {
  readonly apiKey: string;
  readonly monitors = new Map<number, UptimeRobotSimMonitor>();
  private readonly pageSize: number;
  private readonly perMinute: number | undefined;
  private readonly minInterval: number;
  private readonly contacts: Set<number>;
  private readonly now: () => number;
  private window = { start: 0, count: 0 };
  private nextId = 800_000_000;

  constructor(options: UptimeRobotSimOptions = {}) {
    super({ name: 'UptimeRobot', token: options.apiKey ?? 'ur1234567-0123456789abcdef01234567' });
    this.apiKey = this.requiredToken!;
    this.pageSize = options.pageSize ?? 50;
    this.perMinute = options.requestsPerMinute;
    this.minInterval = options.minIntervalSeconds ?? 30;
    this.contacts = new Set(options.alertContacts ?? []);
    this.now = options.now ?? Date.now;
    this.route('GET', '/v3/monitors', (r) => this.limited(() => this.list(r)));
    this.route('POST', '/v3/monitors', (r) => this.limited(() => this.create(r)));
    this.route('GET', '/v3/monitors/:id', (r) => this.limited(() => this.withMonitor(r, (m) => this.answer(200, m))));
    this.route('PATCH', '/v3/monitors/:id', (r) => this.limited(() => this.withMonitor(r, (m) => this.update(r, m))));
    this.route('POST', '/v3/monitors/:id/pause', (r) =>
      this.limited(() => this.withMonitor(r, (m) => this.setState(m, 'PAUSED'))),
    );
    this.route('POST', '/v3/monitors/:id/start', (r) =>
      this.limited(() => this.withMonitor(r, (m) => this.setState(m, m.status === 'PAUSED' ? 'STARTED' : m.status))),
    );
  }

  /** The API base URL for clients (the uptimerobot-api-url input). */
  get apiUrl(): string {
    return `${this.url}/v3`;
  }

  /** Seeds a monitor as the dashboard would have made it. */
  addMonitor(init: Partial<UptimeRobotSimMonitor> & { url: string }): UptimeRobotSimMonitor {
    const m: UptimeRobotSimMonitor = {
      id: init.id ?? this.nextId++,
      friendlyName: init.friendlyName ?? init.url,
      type: 'HTTP',
      interval: 300,
      timeout: 30,
      status: 'UP',
      assignedAlertContacts: [],
      createDateTime: new Date(this.now()).toISOString(),
      ...init,
    };
    this.monitors.set(m.id, m);
    return m;
  }

  /** The monitors of a URL (exact), oldest first. */
  monitorsFor(url: string): UptimeRobotSimMonitor[] {
    return [...this.monitors.values()].filter((m) => m.url === url).sort((a, b) => a.id - b.id);
  }

  /** What a check would find: UP, DOWN, … */
  setStatus(id: number, status: UptimeRobotSimStatus): void {
    const m = this.monitors.get(id);
    if (!m) throw new Error(`UptimeRobotSimulator: no monitor ${id}`);
    m.status = status;
  }

  /** Requests that change something (everything but GET). */
  writes(): { method: string; path: string; body: unknown }[] {
    return this.requests
      .filter((r) => r.method !== 'GET')
      .map((r) => ({ method: r.method, path: r.path, body: r.body }));
  }

  protected override unauthorized(): SimResponse {
    return failure(401, 'Unauthorized', 'Unauthorized');
  }

  protected override notFound(req: SimRequest): SimResponse {
    return failure(404, `Cannot ${req.method} ${req.path}`, 'Not Found');
  }

  /** One window of 60 s from its first request; the limit headers go on every answer. */
  private limited(handler: () => SimResponse): SimResponse {
    if (this.perMinute === undefined) return handler();
    const t = this.now();
    if (t - this.window.start >= 60_000) this.window = { start: t, count: 0 };
    this.window.count += 1;
    const resetMs = this.window.start + 60_000;
    const headers: Record<string, string> = {
      'x-ratelimit-limit': String(this.perMinute),
      'x-ratelimit-remaining': String(Math.max(0, this.perMinute - this.window.count)),
      'x-ratelimit-reset': String(Math.ceil(resetMs / 1000)),
    };
    if (this.window.count > this.perMinute) {
      const wait = Math.max(1, Math.ceil((resetMs - t) / 1000));
      return {
        ...failure(429, 'Too Many Requests', 'Too Many Requests'),
        headers: { ...headers, 'retry-after': String(wait) },
      };
    }
    const answer = handler();
    return { ...answer, headers: { ...headers, ...answer.headers } };
  }

  private answer(status: number, m: UptimeRobotSimMonitor): SimResponse {
    return { status, body: structuredClone(m) };
  }

  private withMonitor(req: SimRequest, fn: (m: UptimeRobotSimMonitor) => SimResponse): SimResponse {
    const m = this.monitors.get(Number(req.params.id));
    return m ? fn(m) : failure(404, 'Monitor not found', 'Not Found');
  }

  private setState(m: UptimeRobotSimMonitor, status: UptimeRobotSimStatus): SimResponse {
    m.status = status;
    return this.answer(201, m);
  }

  private list(req: SimRequest): SimResponse {
    const limit = req.query.limit === undefined ? this.pageSize : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) return invalid('limit must not be greater than 200');
    const cursor = req.query.cursor === undefined ? undefined : Number(req.query.cursor);
    if (cursor !== undefined && !Number.isFinite(cursor)) return invalid('cursor must be a number');
    const part = req.query.url?.toLowerCase();
    const all = [...this.monitors.values()]
      .filter((m) => (cursor === undefined || m.id > cursor) && (!part || m.url.toLowerCase().includes(part)))
      .sort((a, b) => a.id - b.id);
    const page = all.slice(0, limit);
    const nextLink =
      all.length > limit
        ? `${this.apiUrl}/monitors?cursor=${page.at(-1)!.id}${part ? `&url=${encodeURIComponent(part)}` : ''}`
        : null;
    return { status: 200, body: { data: page.map((m) => structuredClone(m)), nextLink } };
  }

  /** Validation shared by create and update; `partial` for PATCH, where every field is optional. */
  private check(b: Json, partial: boolean): string[] {
    const errors: string[] = [];
    const missing = (k: string) => !partial && b[k] === undefined;
    if (missing('friendlyName')) errors.push('friendlyName should not be empty');
    else if (
      b.friendlyName !== undefined &&
      (typeof b.friendlyName !== 'string' || !b.friendlyName || b.friendlyName.length > 250)
    )
      errors.push('friendlyName must be shorter than or equal to 250 characters');
    if (!partial && (typeof b.type !== 'string' || !TYPES.includes(b.type.toUpperCase())))
      errors.push(`type must be one of the following values: ${TYPES.join(', ')}`);
    if (missing('url')) errors.push('url should not be empty');
    else if (b.url !== undefined) {
      try {
        const u = new URL(String(b.url));
        if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
      } catch {
        errors.push('url must be a URL address');
      }
    }
    if (missing('interval')) errors.push('interval should not be empty');
    else if (b.interval !== undefined) {
      if (typeof b.interval !== 'number' || !Number.isInteger(b.interval)) errors.push('interval must be a number');
      else if (b.interval < this.minInterval) errors.push(`interval must not be less than ${this.minInterval}`);
      else if (b.interval > MAX_INTERVAL) errors.push(`interval must not be greater than ${MAX_INTERVAL}`);
    }
    if (missing('timeout')) errors.push('timeout should not be empty');
    else if (b.timeout !== undefined && (typeof b.timeout !== 'number' || b.timeout < 0 || b.timeout > 60))
      errors.push('timeout must not be greater than 60');
    if (b.assignedAlertContacts !== undefined) {
      const list = b.assignedAlertContacts;
      if (!Array.isArray(list)) errors.push('assignedAlertContacts must be an array');
      else
        for (const c of list as Json[]) {
          if (
            typeof c?.alertContactId !== 'number' ||
            typeof c.threshold !== 'number' ||
            typeof c.recurrence !== 'number'
          )
            errors.push('each assignedAlertContacts item needs alertContactId, threshold and recurrence numbers');
          else if (!this.contacts.has(c.alertContactId)) errors.push(`Alert contact ${c.alertContactId} not found`);
        }
    }
    return errors;
  }

  private create(req: SimRequest): SimResponse {
    const b = (req.body ?? {}) as Json;
    const errors = this.check(b, false);
    if (errors.length) return invalid(...errors);
    const m = this.addMonitor({
      friendlyName: b.friendlyName as string,
      url: b.url as string,
      type: (b.type as string).toUpperCase(),
      interval: b.interval as number,
      timeout: b.timeout as number,
      status: 'STARTED',
      assignedAlertContacts: ((b.assignedAlertContacts as UptimeRobotSimContact[] | undefined) ?? []).map((c) => ({
        alertContactId: c.alertContactId,
        threshold: c.threshold,
        recurrence: c.recurrence,
      })),
    });
    return this.answer(201, m);
  }

  private update(req: SimRequest, m: UptimeRobotSimMonitor): SimResponse {
    const b = (req.body ?? {}) as Json;
    if (b.type !== undefined && String(b.type).toUpperCase() !== m.type)
      return invalid('The type of a monitor cannot be changed');
    const errors = this.check(b, true);
    if (errors.length) return invalid(...errors);
    for (const k of ['friendlyName', 'url', 'interval', 'timeout'] as const)
      if (b[k] !== undefined) (m as unknown as Json)[k] = b[k];
    if (b.assignedAlertContacts !== undefined)
      m.assignedAlertContacts = (b.assignedAlertContacts as UptimeRobotSimContact[]).map((c) => ({
        alertContactId: c.alertContactId,
        threshold: c.threshold,
        recurrence: c.recurrence,
      }));
    return this.answer(200, m);
  }
}

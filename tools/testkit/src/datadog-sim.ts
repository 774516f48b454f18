// A Datadog API stand-in for the two calls a deploy marker makes, answering with the shapes and statuses of
// Datadog's API reference (docs.datadoghq.com/api/latest/dora-metrics/send-a-deployment-event and
// …/events/post-an-event):
//  - POST /api/v2/dora/deployment: JSON:API body {data: {attributes: {service, started_at, finished_at, env,
//    version, id, git: {commit_sha, repository_url}, team, custom_tags}}}; the timestamps are int64 Unix
//    times in nanoseconds, milliseconds or seconds. 200 {data: {id, type: "dora_deployment"}}, or 202 with the
//    same body ("OK - but delayed due to incident", the `delayed` option). The timestamps are read from the raw
//    body, digit for digit, since JSON.parse rounds a 19-digit nanosecond value;
//  - POST /api/v1/events: {title, text, tags, alert_type, date_happened, aggregation_key, …} → 202
//    {status: "ok", event: {id, id_str, url, …}}; text over 4000 characters is cut (Datadog keeps the first 4000);
//  - auth is the DD-API-KEY header: a missing or wrong key is 403 {"errors": ["Forbidden"]};
//  - errors are {"errors": ["…"]} (400 for a bad body, 429 when the rate limit is spent), every answer of a
//    rate-limited endpoint carries X-RateLimit-Limit/-Period/-Remaining/-Reset (seconds until the window
//    resets)/-Name.
// Where the reference names a rule but not Datadog's exact words (started_at after finished_at, a title over
// 100 characters), the message is this simulator's own.
import { type SimRequest, type SimResponse, Simulator } from './simulator';

export interface DatadogSimOptions {
  /** The API key Datadog accepts in DD-API-KEY. */
  apiKey?: string;
  /** Requests per window for each endpoint before 429 (Datadog sets them per organisation and endpoint). */
  rateLimit?: { limit: number; periodSeconds: number };
  /** Answer the DORA endpoint with 202 "OK - but delayed due to incident". */
  delayed?: boolean;
  /** Clock for the rate-limit windows and event dates. */
  now?: () => number;
}

export interface DatadogSimDeployment {
  id: string;
  service: string;
  env?: string;
  version?: string;
  team?: string;
  git?: { commit_sha: string; repository_url: string };
  customTags?: string[];
  /** As sent, exactly (a JSON integer literal). */
  startedAt: bigint;
  finishedAt: bigint;
  /** Both normalised to nanoseconds by their magnitude, as Datadog reads them. */
  startedAtNs: bigint;
  finishedAtNs: bigint;
  /** How many POSTs carried this id (a repeated id updates the same deployment). */
  writes: number;
}

export interface DatadogSimEvent {
  id: number;
  title: string;
  text: string;
  /** The text was longer than 4000 characters and was cut. */
  truncated: boolean;
  tags: string[];
  alertType: string;
  dateHappened: number;
  aggregationKey?: string;
  url: string;
}

const ALERT_TYPES = ['error', 'warning', 'info', 'success', 'user_update', 'recommendation', 'snapshot'];
const DEPLOYMENT_ID = /^[A-Za-z0-9\-_.:]{16,128}$/;
const TEXT_LIMIT = 4000;
const TITLE_LIMIT = 100;

type Json = Record<string, unknown>;

function bad(...errors: string[]): SimResponse {
  return { status: 400, body: { errors } };
}

/**
 * The literal after `"<key>":` in a raw JSON body: the exact digits of an int64 that JSON.parse would round.
 * A sim's shortcut: it reads the first occurrence of the key, which is where the DORA body has it.
 */
function rawJsonLiteral(raw: Buffer, key: string): string | undefined {
  const m = new RegExp(`"${key}"\\s*:\\s*(-?[0-9][0-9.eE+-]*|"[^"]*"|true|false|null)`).exec(raw.toString('utf8'));
  return m?.[1];
}

/** Nanoseconds for a Unix time in ns, ms or s, by its magnitude (as the DORA API takes all three). */
function toNanoseconds(value: bigint): bigint {
  if (value < 100_000_000_000n) return value * 1_000_000_000n; // seconds until the year 5138
  if (value < 100_000_000_000_000n) return value * 1_000_000n; // milliseconds
  return value;
}

export class DatadogSimulator extends Simulator {
  readonly apiKey: string;
  readonly deployments = new Map<string, DatadogSimDeployment>();
  readonly events: DatadogSimEvent[] = [];
  delayed: boolean;
  private readonly rateLimit: { limit: number; periodSeconds: number } | undefined;
  private readonly windows = new Map<string, { start: number; count: number }>();
  private readonly now: () => number;
  private ids = 0;

  constructor(options: DatadogSimOptions = {}) {
    super({ name: 'Datadog' });
    this.requestIdHeader = 'x-datadog-request-id';
    this.apiKey = options.apiKey ?? 'dd0123456789abcdef0123456789abcd';
    this.rateLimit = options.rateLimit;
    this.delayed = options.delayed ?? false;
    this.now = options.now ?? Date.now;
    this.route('POST', '/api/v2/dora/deployment', (r) => this.limited('dora_deployment', () => this.deployment(r)));
    this.route('POST', '/api/v1/events', (r) => this.limited('events_post', () => this.event(r)));
  }

  protected override authorized(req: SimRequest): boolean {
    return req.headers['dd-api-key'] === this.apiKey;
  }

  protected override unauthorized(): SimResponse {
    return { status: 403, body: { errors: ['Forbidden'] } };
  }

  protected override notFound(): SimResponse {
    return { status: 404, body: { errors: ['Not found'] } };
  }

  /** A fixed window per endpoint; the X-RateLimit headers go on every answer of the endpoint. */
  private limited(name: string, handler: () => SimResponse): SimResponse {
    if (!this.rateLimit) return handler();
    const { limit, periodSeconds } = this.rateLimit;
    const t = this.now();
    let w = this.windows.get(name);
    if (!w || t - w.start >= periodSeconds * 1000) {
      w = { start: t, count: 0 };
      this.windows.set(name, w);
    }
    w.count += 1;
    const reset = Math.max(1, Math.ceil((w.start + periodSeconds * 1000 - t) / 1000));
    const headers = {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-period': String(periodSeconds),
      'x-ratelimit-remaining': String(Math.max(0, limit - w.count)),
      'x-ratelimit-reset': String(reset),
      'x-ratelimit-name': name,
    };
    const answer = w.count > limit ? { status: 429, body: { errors: ['Too many requests'] } } : handler();
    return { ...answer, headers: { ...headers, ...answer.headers } };
  }

  private deployment(req: SimRequest): SimResponse {
    const attributes = ((req.body as Json | undefined)?.data as Json | undefined)?.attributes as Json | undefined;
    if (!attributes || typeof attributes !== 'object') return bad('data.attributes is required');
    const a = attributes;
    if (typeof a.service !== 'string' || a.service.trim() === '') return bad('service is required');
    const times: Record<'started_at' | 'finished_at', bigint> = { started_at: 0n, finished_at: 0n };
    for (const key of ['started_at', 'finished_at'] as const) {
      const literal = rawJsonLiteral(req.rawBody, key);
      if (literal === undefined) return bad(`${key} is required`);
      if (!/^\d+$/.test(literal)) return bad(`${key} must be an int64 Unix timestamp, got ${literal}`);
      times[key] = BigInt(literal);
    }
    const startedAtNs = toNanoseconds(times.started_at);
    const finishedAtNs = toNanoseconds(times.finished_at);
    if (startedAtNs > finishedAtNs) return bad('started_at must not be later than finished_at');
    for (const key of ['env', 'version', 'team'] as const)
      if (a[key] !== undefined && typeof a[key] !== 'string') return bad(`${key} must be a string`);
    if (a.id !== undefined && (typeof a.id !== 'string' || !DEPLOYMENT_ID.test(a.id)))
      return bad('id must be 16-128 characters of a-z, A-Z, 0-9, -, _, . and :');
    let git: DatadogSimDeployment['git'];
    if (a.git !== undefined) {
      const g = a.git as Json;
      if (typeof g?.commit_sha !== 'string' || typeof g.repository_url !== 'string')
        return bad('git.commit_sha and git.repository_url are required with git');
      git = { commit_sha: g.commit_sha, repository_url: g.repository_url };
    }
    if (a.custom_tags !== undefined) {
      const tags = a.custom_tags;
      if (!Array.isArray(tags) || tags.length > 100 || tags.some((t) => typeof t !== 'string' || !t.includes(':')))
        return bad('custom_tags must be at most 100 key:value strings');
    }
    const id = typeof a.id === 'string' ? a.id : `sim-dora-${++this.ids}`.padEnd(16, '0');
    const writes = (this.deployments.get(id)?.writes ?? 0) + 1;
    this.deployments.set(id, {
      id,
      service: a.service,
      env: a.env as string | undefined,
      version: a.version as string | undefined,
      team: a.team as string | undefined,
      git,
      customTags: a.custom_tags as string[] | undefined,
      startedAt: times.started_at,
      finishedAt: times.finished_at,
      startedAtNs,
      finishedAtNs,
      writes,
    });
    return { status: this.delayed ? 202 : 200, body: { data: { id, type: 'dora_deployment' } } };
  }

  private event(req: SimRequest): SimResponse {
    const b = (req.body ?? {}) as Json;
    if (typeof b.title !== 'string' || b.title === '') return bad('Event title is required');
    if (b.title.length > TITLE_LIMIT) return bad(`Event title is longer than ${TITLE_LIMIT} characters`);
    if (typeof b.text !== 'string') return bad('Event text is required');
    if (b.tags !== undefined && (!Array.isArray(b.tags) || b.tags.some((t) => typeof t !== 'string')))
      return bad('tags must be a list of strings');
    const alertType = b.alert_type ?? 'info';
    if (typeof alertType !== 'string' || !ALERT_TYPES.includes(alertType))
      return bad(`alert_type must be one of ${ALERT_TYPES.join(', ')}`);
    if (b.aggregation_key !== undefined && (typeof b.aggregation_key !== 'string' || b.aggregation_key.length > 100))
      return bad('aggregation_key must be at most 100 characters');
    const nowSeconds = Math.floor(this.now() / 1000);
    const dateHappened = b.date_happened ?? nowSeconds;
    if (!Number.isInteger(dateHappened) || (dateHappened as number) < nowSeconds - 18 * 3600)
      return bad('date_happened must be a POSIX time in seconds, no older than 18 hours');
    const id = 7_000_000_000_000 + this.events.length + 1;
    const event: DatadogSimEvent = {
      id,
      title: b.title,
      text: b.text.slice(0, TEXT_LIMIT),
      truncated: b.text.length > TEXT_LIMIT,
      tags: (b.tags as string[] | undefined) ?? [],
      alertType,
      dateHappened: dateHappened as number,
      aggregationKey: b.aggregation_key as string | undefined,
      url: `${this.url}/event/event?id=${id}`,
    };
    this.events.push(event);
    return {
      status: 202,
      body: {
        status: 'ok',
        event: {
          id,
          id_str: String(id),
          title: event.title,
          text: event.text,
          date_happened: event.dateHappened,
          tags: event.tags,
          priority: 'normal',
          url: event.url,
        },
      },
    };
  }
}

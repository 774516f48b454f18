// UptimeRobot API v3 (uptimerobot.com/api/v3, OpenAPI in github.com/uptimerobot/uptimerobot-cli) through
// @wingman/http: `Authorization: Bearer <key>`, JSON in and out, NestJS error bodies, and the FREE plan's
// 10 requests per minute answered with 429 + Retry-After, which the client waits out.
import {
  createHttpClient,
  type ErrorParser,
  type HttpClient,
  type HttpClientOptions,
  HttpError,
  RateLimitError,
} from '@wingman/http';
import { MonitoringError } from '../errors';
import { answerWith } from '../shape';

export interface AlertContact {
  alertContactId: number;
  /** Minutes down before notifying; paid plans only (0 on FREE). */
  threshold: number;
  /** Repeat every N minutes; paid plans only (0 on FREE). */
  recurrence: number;
}

/** The monitor fields this package reads; UptimeRobot sends many more. */
export interface UptimeMonitor {
  id: number;
  friendlyName: string;
  url: string;
  type: string;
  /** Seconds between checks. */
  interval: number;
  /** PAUSED, STARTED (not checked yet), UP, LOOKS_DOWN or DOWN. */
  status: string;
  assignedAlertContacts?: AlertContact[];
}

export interface NewHttpMonitor {
  type: 'HTTP';
  friendlyName: string;
  url: string;
  interval: number;
  /** Seconds, 0..60; required by the API. */
  timeout: number;
  assignedAlertContacts?: AlertContact[];
}

export type MonitorPatch = Partial<Pick<UptimeMonitor, 'interval' | 'assignedAlertContacts'>>;

export interface UptimeRobotApiOptions {
  /** https://api.uptimerobot.com/v3, or a simulator. */
  apiUrl: string;
  apiKey: string;
  /** Monitors per page of the list, 1..200. Default 200: most accounts list in one request. */
  pageSize?: number;
  http?: Partial<HttpClientOptions>;
}

/** NestJS bodies: {statusCode, message: string | string[], error}; the messages joined. */
export const uptimeRobotErrorParser: ErrorParser = (_status, body) => {
  if (!body || typeof body !== 'object') return typeof body === 'string' ? { message: body } : undefined;
  const b = body as { message?: unknown; error?: unknown };
  const message = Array.isArray(b.message) ? b.message.map(String).join('; ') : (b.message as string | undefined);
  return { code: typeof b.error === 'string' ? b.error : undefined, message };
};

/** The cursor a nextLink carries (…/monitors?cursor=123); its host is never followed. */
export function cursorOf(nextLink: string, base: string): string {
  const cursor = new URL(nextLink, base).searchParams.get('cursor');
  if (!cursor)
    throw new MonitoringError(`UptimeRobot listed a next page without a cursor (${nextLink})`, 'UptimeRobot');
  return cursor;
}

/** A failed call as one line: what was refused and what to change; `id` for a call on one monitor. */
function explain(err: unknown, what: string, id?: number): MonitoringError {
  if (!(err instanceof HttpError))
    return new MonitoringError(
      `UptimeRobot could not ${what}: ${err instanceof Error ? err.message : err}`,
      'UptimeRobot',
    );
  const said = err.providerMessage ? `: ${err.providerMessage}` : '';
  if (err.status === 401 || err.status === 403)
    return new MonitoringError(
      `UptimeRobot refused uptimerobot-api-key (${err.status}${said}): set it to the Main API key (Integrations → API), not a read-only or monitor-specific one`,
      'UptimeRobot',
      err.status,
    );
  if (err instanceof RateLimitError || err.status === 429)
    return new MonitoringError(
      `UptimeRobot rate-limited the request to ${what} (429) longer than the step waits: the FREE plan allows 10 requests a minute; re-run the job in a minute`,
      'UptimeRobot',
      429,
    );
  if (err.status === 404 && id !== undefined)
    return new MonitoringError(
      `UptimeRobot has no monitor ${id} (404): it was deleted meanwhile; the next run creates one again`,
      'UptimeRobot',
      404,
    );
  if (err.status === 400)
    return new MonitoringError(
      `UptimeRobot refused to ${what} (400${said}): check health-urls, monitor-interval (the FREE plan checks every 5 min at most) and alert-contacts`,
      'UptimeRobot',
      400,
    );
  return new MonitoringError(`UptimeRobot could not ${what}: ${err.message}`, 'UptimeRobot', err.status);
}

export class UptimeRobotApi {
  private readonly client: HttpClient;
  private readonly pageSize: number;

  constructor(options: UptimeRobotApiOptions) {
    this.pageSize = options.pageSize ?? 200;
    this.client = createHttpClient({
      baseUrl: options.apiUrl,
      token: options.apiKey,
      provider: 'UptimeRobot',
      json: true,
      errorParser: uptimeRobotErrorParser,
      baseUrlInput: 'uptimerobot-api-url',
      ...options.http,
    });
  }

  /** Every monitor of the account, page by page (cursor paging). */
  async listMonitors(): Promise<UptimeMonitor[]> {
    const all: UptimeMonitor[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    // Bounded: 1000 pages of 200 is far beyond any plan's monitor limit.
    for (let page = 0; page < 1000; page++) {
      let body: { data: UptimeMonitor[]; nextLink?: string | null };
      try {
        body = await this.client.get('/monitors', {
          query: { limit: this.pageSize, cursor },
          schema: answerWith(['data'], Array.isArray, 'a list of monitors'),
        });
      } catch (err) {
        throw explain(err, 'list the monitors');
      }
      all.push(...body.data);
      if (!body.nextLink) return all;
      cursor = cursorOf(body.nextLink, this.client.baseUrl);
      if (seen.has(cursor))
        throw new MonitoringError(
          `UptimeRobot listed cursor ${cursor} twice: the monitor list does not end`,
          'UptimeRobot',
        );
      seen.add(cursor);
    }
    throw new MonitoringError('UptimeRobot listed more than 1000 pages of monitors', 'UptimeRobot');
  }

  async createMonitor(monitor: NewHttpMonitor): Promise<UptimeMonitor> {
    try {
      // Not retried after a lost answer (a second POST would make a second monitor); a 429 is retried.
      return await this.client.post<UptimeMonitor>('/monitors', monitor, { expectedStatus: [200, 201] });
    } catch (err) {
      throw explain(err, `create a monitor for ${monitor.url}`);
    }
  }

  async updateMonitor(id: number, patch: MonitorPatch): Promise<UptimeMonitor> {
    try {
      return await this.client.patch<UptimeMonitor>(`/monitors/${id}`, patch, { idempotent: true });
    } catch (err) {
      throw explain(err, `update monitor ${id}`, id);
    }
  }

  /** Idempotent, as the API documents: pausing a paused monitor succeeds. */
  async pauseMonitor(id: number): Promise<UptimeMonitor> {
    return this.transition(id, 'pause');
  }

  /** Idempotent, as the API documents: starting an active monitor succeeds. */
  async startMonitor(id: number): Promise<UptimeMonitor> {
    return this.transition(id, 'start');
  }

  private async transition(id: number, to: 'pause' | 'start'): Promise<UptimeMonitor> {
    try {
      // The API asks for a JSON content type even without fields, so the body is {}.
      return await this.client.post<UptimeMonitor>(`/monitors/${id}/${to}`, {}, { idempotent: true });
    } catch (err) {
      throw explain(err, `${to} monitor ${id}`, id);
    }
  }

  redact(text: string): string {
    return this.client.redact(text);
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

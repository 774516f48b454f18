// The Platform API as this package uses it: version 3 media type, Bearer key, {id, message} errors, Range
// paging, and pacing on RateLimit-Remaining so a long poll never runs the account's tokens down to zero.

import {
  createHttpClient,
  type HttpClient,
  type HttpClientOptions,
  type RequestOptions,
  type ShapeCheck,
} from '@wingman/http';
import type { Log } from '@wingman/log';
import { sleep } from '@wingman/time';
import { translateError } from './errors';
import { herokuAnswer } from './shapes';

export const HEROKU_ACCEPT = 'application/vnd.heroku+json; version=3';
/** Heroku refills about 75 tokens a minute. */
const MS_PER_TOKEN = 800;

export interface HerokuApiOptions {
  apiKey: string;
  /** Default https://api.heroku.com. */
  apiUrl?: string;
  /** App name or id, for error messages. */
  app: string;
  log: Log;
  /** Below this many RateLimit-Remaining tokens, requests are spaced out at the refill rate. Default 20. */
  rateLimitFloor?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Passed to the HTTP client (tests shorten retries). */
  http?: Partial<HttpClientOptions>;
}

export class HerokuApi {
  readonly client: HttpClient;
  /** Last RateLimit-Remaining seen. */
  remaining: number | undefined;
  /** Milliseconds spent pacing on the rate limit. */
  pacedMs = 0;
  private readonly floor: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private warned = false;

  constructor(private readonly options: HerokuApiOptions) {
    this.floor = options.rateLimitFloor ?? 20;
    this.sleep = options.sleep ?? sleep;
    this.client = createHttpClient({
      baseUrl: options.apiUrl ?? 'https://api.heroku.com',
      token: options.apiKey,
      provider: 'Heroku',
      headers: { Accept: HEROKU_ACCEPT },
      userAgent: 'wingman-deploy deploy-heroku',
      json: true,
      requestIdHeaders: ['request-id', 'x-request-id'],
      onRetry: (r) =>
        options.log.info(`Heroku API ${r.method} ${r.path}: ${r.reason}, retry ${r.retry} in ${r.delayMs} ms`),
      sleep: this.sleep,
      ...options.http,
    });
  }

  async call<T>(
    method: string,
    path: string,
    what: string,
    opts: RequestOptions = {},
  ): Promise<{ body: T; status: number; headers: Record<string, string> }> {
    await this.pace();
    try {
      const res = await this.client.request<T>(method, path, opts);
      this.note(res.headers);
      return res;
    } catch (err) {
      throw translateError(err, what, this.options.app);
    }
  }

  /** `shape`: what the answer must look like (default: a Heroku resource or a list of them). */
  async get<T>(path: string, what: string, shape: ShapeCheck = herokuAnswer): Promise<T> {
    return (await this.call<T>('GET', path, what, { schema: shape })).body;
  }

  async post<T>(
    path: string,
    body: unknown,
    what: string,
    shape: ShapeCheck = herokuAnswer,
    opts: Pick<RequestOptions, 'idempotent'> = {},
  ): Promise<T> {
    return (await this.call<T>('POST', path, what, { body, schema: shape, ...opts })).body;
  }

  /**
   * Pages a list newest first with `Range: <field> ..; max=N, order=desc`, following Next-Range while Heroku
   * answers 206, until `stop` says enough or `maxPages` pages were read.
   */
  async *pages<T>(path: string, what: string, field: string, max: number, maxPages = 20): AsyncGenerator<T[]> {
    let range: string | undefined = `${field} ..; max=${max}, order=desc`;
    for (let page = 0; range && page < maxPages; page++) {
      const res: { body: T[]; status: number; headers: Record<string, string> } = await this.call<T[]>(
        'GET',
        path,
        what,
        {
          headers: { Range: range },
          expectedStatus: [200, 206],
          schema: herokuAnswer,
        },
      );
      yield res.body;
      range = res.status === 206 ? res.headers['next-range'] : undefined;
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private note(headers: Record<string, string>): void {
    const v = Number(headers['ratelimit-remaining']);
    if (headers['ratelimit-remaining'] !== undefined && Number.isFinite(v)) this.remaining = v;
  }

  /** Spends tokens no faster than Heroku refills them once fewer than `floor` are left. */
  private async pace(): Promise<void> {
    if (this.remaining === undefined || this.remaining >= this.floor) return;
    const ms = Math.min(30_000, (this.floor - this.remaining) * MS_PER_TOKEN);
    if (!this.warned) {
      this.warned = true;
      this.options.log.warning(
        `Heroku API rate limit nearly used up (${this.remaining} requests left): spacing requests out until it refills`,
      );
    }
    this.pacedMs += ms;
    await this.sleep(ms);
    // Assume the wait bought roughly the tokens Heroku refilled meanwhile; the next answer says the truth.
    this.remaining += Math.floor(ms / MS_PER_TOKEN);
  }
}

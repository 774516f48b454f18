// One run of a verb: its options, its API client and output stream clients, and the report it fills in.
// Everything the run opened closes when it ends, and a failure carries the report learned so far.

import type { HttpClientOptions } from '@wingman/http';
import type { Log } from '@wingman/log';
import { sleep } from '@wingman/time';
import { HerokuApi } from './api';
import type { HerokuError } from './errors';
import { followOutputStream, StreamClients } from './output-stream';
import { activityUrl, type HerokuMode, type HerokuReport, HerokuRunError } from './report';

export interface HerokuOptions {
  apiKey: string;
  /** App name or id. */
  app: string;
  /** Default https://api.heroku.com. */
  apiUrl?: string;
  log: Log;
  /** The whole build + release wait (or promotion, or rollback release). */
  timeoutMs: number;
  /** First poll interval; doubles up to maxPollMs. Defaults 250 and 3000. */
  pollMs?: number;
  maxPollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  rateLimitFloor?: number;
  /** Passed to the HTTP clients (tests shorten retry delays). */
  http?: Partial<HttpClientOptions>;
}

export interface RunContext {
  api: HerokuApi;
  log: Log;
  sleep: (ms: number) => Promise<void>;
  pollMs: number;
  maxPollMs: number;
  timeoutMs: number;
  /** When the run began: its waits end at startedAt + timeoutMs. */
  startedAt: number;
  report: HerokuReport;
  options: HerokuOptions;
  /** Output stream clients of this run only, closed with it. */
  streams: StreamClients;
}

/** Follows a build's or release's output stream into the log, on this run's clients, until `deadline`; its last lines. */
export async function followWithin(ctx: RunContext, url: string, deadline: number): Promise<string[]> {
  const { tail } = await followOutputStream(url, {
    log: ctx.log,
    clients: ctx.streams,
    deadline,
    sleep: ctx.sleep,
    signal: ctx.options.http?.signal,
  });
  return tail;
}

/** Runs `body` in a fresh context and returns its report; a failure becomes a HerokuRunError holding it. */
export async function withRunContext<T extends HerokuOptions>(
  mode: HerokuMode,
  options: T,
  body: (ctx: RunContext) => Promise<void>,
): Promise<HerokuReport> {
  const started = Date.now();
  const report: HerokuReport = {
    mode,
    app: options.app,
    activityUrl: activityUrl(options.app),
    skipped: false,
    durationMs: 0,
  };
  const api = new HerokuApi({
    apiKey: options.apiKey,
    apiUrl: options.apiUrl,
    app: options.app,
    log: options.log,
    rateLimitFloor: options.rateLimitFloor,
    sleep: options.sleep,
    http: options.http,
  });
  const ctx: RunContext = {
    api,
    log: options.log,
    sleep: options.sleep ?? sleep,
    pollMs: options.pollMs ?? 250,
    maxPollMs: options.maxPollMs ?? 3000,
    timeoutMs: options.timeoutMs,
    startedAt: started,
    report,
    options,
    streams: new StreamClients(),
  };
  try {
    await body(ctx);
    return report;
  } catch (err) {
    const e = err as Error;
    throw new HerokuRunError(e.message, report, (err as HerokuError).id);
  } finally {
    report.durationMs = Date.now() - started;
    await api.close();
    await ctx.streams.close();
  }
}

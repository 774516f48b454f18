// Delivery through @wingman/http: the Web API (chat.postMessage, chat.update) with a bot token, and
// incoming webhooks. 429 waits for Retry-After; 5xx and network errors are retried with backoff. Posts
// are retried too: a rare duplicate deploy message is better than a silently missing one.

import { createHttpClient, type HttpClient, type HttpClientOptions, HttpError, RequestError } from '@wingman/http';
import type { Log } from '@wingman/log';
import { describeSlackError, type ErrorContext, SlackError } from './errors';

/** Tuning and test hooks passed to the HTTP client (sleep, retries, timeouts). */
export type HttpTuning = Partial<
  Pick<
    HttpClientOptions,
    'retries' | 'minDelayMs' | 'maxDelayMs' | 'maxRetryAfterMs' | 'timeoutMs' | 'sleep' | 'random' | 'signal'
  >
>;

export interface PostArgs {
  channel: string;
  text?: string;
  blocks?: unknown[];
  thread_ts?: string;
  [key: string]: unknown;
}

export interface PostResult {
  channel: string;
  ts: string;
}

interface ApiAnswer {
  ok?: boolean;
  error?: string;
  channel?: string;
  ts?: string;
  needed?: string;
  errors?: unknown;
  response_metadata?: { messages?: unknown; warnings?: unknown };
}

function detailLines(answer: ApiAnswer): string[] {
  const messages = answer.response_metadata?.messages ?? answer.errors;
  return Array.isArray(messages) ? messages.map((m) => String(m).replace(/^\[ERROR\]\s*/, '')) : [];
}

function retryLogger(log: Log | undefined, what: string) {
  return (info: { retry: number; delayMs: number; reason: string }) =>
    log?.info(`${what}: ${info.reason}, retry ${info.retry} in ${Math.ceil(info.delayMs / 100) / 10} s`);
}

/** A transport failure (after the retries) as a SlackError whose message holds no credential. */
function transportError(err: unknown, c: ErrorContext): SlackError {
  if (err instanceof HttpError) {
    const code = err.code && /^[a-z_]+$/.test(err.code) ? err.code : `http_${err.status}`;
    const known = describeSlackError(code, c);
    const message = known.includes(`failed: ${code}`) ? err.message : known;
    return new SlackError(message, code, c.via, err.status);
  }
  if (err instanceof RequestError) return new SlackError(err.message, err.name, c.via);
  return new SlackError(String(err instanceof Error ? err.message : err), 'unknown', c.via);
}

export interface WebApiOptions {
  /** https://slack.com/api, or a simulator. */
  apiUrl: string;
  token: string;
  log?: Log;
  http?: HttpTuning;
}

export class SlackWebApi {
  private readonly client: HttpClient;
  private readonly log?: Log;

  constructor(options: WebApiOptions) {
    this.log = options.log;
    this.client = createHttpClient({
      baseUrl: options.apiUrl,
      token: options.token,
      provider: 'Slack',
      json: true,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      onRetry: retryLogger(options.log, 'Slack Web API'),
      ...options.http,
    });
  }

  private async call(method: string, body: Record<string, unknown>, c: ErrorContext): Promise<ApiAnswer> {
    let answer: ApiAnswer;
    try {
      answer =
        (await this.client.post<ApiAnswer>(`/${method}`, body, { idempotent: true, responseType: 'json' })) ?? {};
    } catch (err) {
      throw transportError(err, c);
    }
    if (answer.ok !== true) {
      const code = answer.error ?? 'unknown_error';
      throw new SlackError(
        this.client.redact(describeSlackError(code, { ...c, detail: detailLines(answer), needed: answer.needed })),
        code,
        'api',
        200,
      );
    }
    const warnings = answer.response_metadata?.warnings;
    if (Array.isArray(warnings) && warnings.length) this.log?.debug(`Slack ${method} warnings: ${warnings.join(', ')}`);
    return answer;
  }

  async postMessage(args: PostArgs, fromPayload = false): Promise<PostResult> {
    const c: ErrorContext = { via: 'api', method: 'chat.postMessage', channel: args.channel, fromPayload };
    const answer = await this.call('chat.postMessage', { unfurl_links: false, unfurl_media: false, ...args }, c);
    return { channel: answer.channel ?? args.channel, ts: answer.ts ?? '' };
  }

  async update(args: PostArgs & { ts: string }, fromPayload = false): Promise<PostResult> {
    const c: ErrorContext = {
      via: 'api',
      method: 'chat.update',
      channel: args.channel,
      messageTs: args.ts,
      fromPayload,
    };
    const { thread_ts: _thread, unfurl_links: _ul, unfurl_media: _um, ...rest } = args;
    const answer = await this.call('chat.update', rest, c);
    return { channel: answer.channel ?? args.channel, ts: answer.ts ?? args.ts };
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** The parts of a webhook URL that grant posting: the whole URL, its path and its last segment. */
export function webhookSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    const segments = u.pathname.split('/').filter(Boolean);
    return [url, u.pathname, segments[segments.length - 1] ?? ''].filter((s) => s.length >= 8);
  } catch {
    return [url];
  }
}

export interface WebhookOptions {
  url: string;
  log?: Log;
  http?: HttpTuning;
}

/** Posts to an incoming webhook; Slack answers 200 "ok", or a 4xx whose text body is the error string. */
export async function postWebhook(
  payload: Record<string, unknown>,
  options: WebhookOptions,
  fromPayload = false,
): Promise<void> {
  const u = new URL(options.url);
  const client = createHttpClient({
    baseUrl: u.origin,
    provider: 'Slack webhook',
    secrets: webhookSecrets(options.url),
    headers: { 'content-type': 'application/json; charset=utf-8', accept: 'text/plain, */*' },
    // The body is the error string itself: invalid_payload, no_service, channel_not_found, …
    errorParser: (_status, body) =>
      typeof body === 'string' && body.trim() ? { code: body.trim().split(/\s/)[0] } : undefined,
    onRetry: retryLogger(options.log, 'Slack webhook'),
    ...options.http,
  });
  try {
    await client.post(`${u.pathname}${u.search}`, payload, { idempotent: true, responseType: 'text' });
  } catch (err) {
    const e = transportError(err, { via: 'webhook', fromPayload });
    throw new SlackError(client.redact(e.message), e.code, 'webhook', e.status);
  } finally {
    await client.close();
  }
}

// The one HTTP client of every provider package. Retries run inside undici's retry interceptor
// (interceptors.retry / RetryHandler): it re-dispatches the request, replays the body and drains the
// failed answers. Its default `retry` callback does not fit, so each request passes its own:
//  - the default has no jitter and sleeps with a bare setTimeout (tests could not shorten waits);
//  - it clips a long Retry-After to maxTimeout and retries early, where we must fail with RateLimitError;
//  - it knows Retry-After only, not X-RateLimit-Reset / RateLimit-Reset;
//  - its throwOnError:true mode throws RequestRetryError on the final 5xx and drops the body, so the
//    provider's error message is lost: we run with throwOnError:false and read the final answer ourselves;
//  - after a body error it resumes with a Range request, which JSON APIs do not support: we stop instead.
import type { Readable } from 'node:stream';
import { authorizationSecrets, createRedactor, type Redactor, redactValue } from '@wingman/log';
import { DeadlineExceeded, sleep as oneSleep } from '@wingman/time';
import { Agent, type Dispatcher, interceptors } from 'undici';
import { defaultErrorParser, type ProviderError } from './error-parser';
import { HttpError, NetworkError, RateLimitError, type RequestError, TimeoutError } from './errors';
import {
  backoffDelayMs,
  type HeaderMap,
  header,
  IDEMPOTENT_METHODS,
  isRateLimited,
  isRetryableError,
  isRetryableStatus,
  serverRequestedDelayMs,
} from './retry-policy';
import type {
  HttpClient,
  HttpClientOptions,
  HttpResponse,
  HttpStreamResponse,
  QueryValue,
  RequestOptions,
} from './types';

const DEFAULT_REQUEST_ID_HEADERS = [
  'x-request-id',
  'request-id',
  'x-github-request-id',
  'x-vercel-id',
  'x-slack-req-id',
  'x-amz-request-id',
];

const TIMEOUT_CODES = ['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT'];
const MAX_MESSAGE_LENGTH = 300;

function lowerHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = v;
  return out;
}

function flatHeaders(headers: HeaderMap): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function truncate(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_MESSAGE_LENGTH ? `${oneLine.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : oneLine;
}

function buildQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const item of v) params.append(k, String(item));
    else params.append(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

function isExpected(status: number, expected: RequestOptions['expectedStatus']): boolean {
  if (expected === 'any') return true;
  if (expected === undefined) return status >= 200 && status < 300;
  return typeof expected === 'number' ? status === expected : expected.includes(status);
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  let base: URL;
  try {
    base = new URL(options.baseUrl);
  } catch {
    throw new Error(
      `HTTP client baseUrl "${options.baseUrl}" is not an absolute URL; expected e.g. https://api.example.com`,
    );
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new Error(`HTTP client baseUrl "${base.origin}" must use http or https`);
  }
  const origin = base.origin;
  const basePath = base.pathname.replace(/\/+$/, '');
  const provider = options.provider;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retries = options.retries ?? 4;
  const minDelayMs = options.minDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const sleep = options.sleep ?? ((ms: number) => oneSleep(ms));
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const errorParser = options.errorParser ?? defaultErrorParser;
  const requestIdHeaders = (options.requestIdHeaders ?? DEFAULT_REQUEST_ID_HEADERS).map((h) => h.toLowerCase());

  const defaultHeaders = lowerHeaders(options.headers);
  if (options.token && !defaultHeaders.authorization) defaultHeaders.authorization = `Bearer ${options.token}`;
  defaultHeaders['user-agent'] ??= options.userAgent ?? 'wingman-deploy';
  defaultHeaders.accept ??= 'application/json';

  const clientSecrets = [
    options.token,
    ...authorizationSecrets(defaultHeaders.authorization),
    ...(options.secrets ?? []),
    base.password,
    base.password ? decodeURIComponent(base.password) : undefined,
  ];
  const clientRedact = createRedactor(clientSecrets);

  const ownAgent = options.dispatcher ? undefined : new Agent();
  // throwOnError:false keeps the final failed answer (with its body) for our typed errors.
  const dispatcher = (options.dispatcher ?? ownAgent!).compose(interceptors.retry({ throwOnError: false }));

  function resolvePath(path: string): { origin: string; path: string } {
    if (/^https?:\/\//i.test(path)) {
      const u = new URL(path);
      // Absolute URLs (pagination links) only to the same origin: the token must not travel elsewhere.
      if (u.origin !== origin) {
        throw new Error(
          `${provider ?? 'HTTP'} client refuses ${clientRedact(u.origin)}: requests carry credentials and may only go to ${origin}`,
        );
      }
      return { origin, path: `${u.pathname}${u.search}` };
    }
    return { origin, path: `${basePath}${path.startsWith('/') ? '' : '/'}${path}` };
  }

  async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<HttpResponse<T>> {
    return (await withStreamRetries(method, opts, (o) => send(method, path, o, false))) as HttpResponse<T>;
  }

  async function stream(method: string, path: string, opts: RequestOptions = {}): Promise<HttpStreamResponse> {
    return (await withStreamRetries(method, opts, (o) => send(method, path, o, true))) as HttpStreamResponse;
  }

  /**
   * undici cannot replay a stream body it has started sending, so its retry interceptor passes such failures
   * on: for a bodyStream request the retries happen here, each with a fresh stream, under the same policy.
   */
  async function withStreamRetries<R>(
    method: string,
    opts: RequestOptions,
    once: (o: RequestOptions) => Promise<R>,
  ): Promise<R> {
    if (!opts.bodyStream) return once(opts);
    const m = method.toUpperCase();
    const maxRetries = opts.retries ?? retries;
    const idempotent = opts.idempotent ?? IDEMPOTENT_METHODS.includes(m);
    for (let attempt = 1; ; attempt++) {
      try {
        return await once({ ...opts, retries: 0 });
      } catch (err) {
        const retryable =
          err instanceof HttpError
            ? isRetryableStatus(err.status, { 'retry-after': undefined }) && (idempotent || err.status === 429)
            : err instanceof NetworkError || err instanceof TimeoutError
              ? isRetryableError(err.code, idempotent)
              : false;
        if (!retryable || attempt > maxRetries) throw err;
        const delayMs = backoffDelayMs(attempt, minDelayMs, maxDelayMs, random);
        const reason = err instanceof HttpError ? String(err.status) : (err as NetworkError).code;
        options.onRetry?.({ method: m, path: (err as RequestError).path, retry: attempt, delayMs, reason });
        await sleepWithin(delayMs, opts.signal).catch((abort: unknown) => {
          throw deadlineError(abort, m, (err as RequestError).path, attempt, clientRedact) ?? abort;
        });
      }
    }
  }

  async function send(
    method: string,
    path: string,
    opts: RequestOptions,
    streaming: boolean,
  ): Promise<HttpResponse<unknown> | HttpStreamResponse> {
    const m = method.toUpperCase();
    const target = resolvePath(path);
    const fullPath = `${target.path}${buildQuery(opts.query)}`;
    const headers = { ...defaultHeaders, ...lowerHeaders(opts.headers) };
    const redact =
      headers.authorization !== defaultHeaders.authorization
        ? createRedactor([...clientSecrets, ...authorizationSecrets(headers.authorization)])
        : clientRedact;
    const shownPath = redact(fullPath);
    const perTimeout = opts.timeoutMs ?? timeoutMs;
    const maxRetries = opts.retries ?? retries;
    const idempotent = opts.idempotent ?? (IDEMPOTENT_METHODS.includes(m) || headers['idempotency-key'] !== undefined);

    let body: string | Uint8Array | Readable | undefined;
    if (opts.bodyStream) body = opts.bodyStream();
    else if (opts.rawBody !== undefined) body = opts.rawBody;
    else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }

    const state = {
      attempts: 1,
      responseStarted: false,
      /** Set when the server asked for a wait longer than maxRetryAfterMs. */
      overCapMs: undefined as number | undefined,
    };

    /** Delay before the next attempt, or undefined to give up and pass this failure on. */
    const nextDelay = (err: Error, counter: number): number | undefined => {
      const status = (err as { statusCode?: number }).statusCode;
      const resHeaders = (err as { headers?: HeaderMap }).headers;
      const code = errorCode(err);
      // A body that broke mid-way is not resumed (undici would send a Range request): report it.
      if (state.responseStarted || counter > maxRetries) return undefined;
      const retryable =
        status !== undefined && code === 'UND_ERR_REQ_RETRY'
          ? // A rate limit means the server did not act on the request, so even a POST may be repeated.
            isRetryableStatus(status, resHeaders) && (idempotent || isRateLimited(status, resHeaders))
          : isRetryableError(code, idempotent);
      if (!retryable) return undefined;
      const requested = status !== undefined ? serverRequestedDelayMs(status, resHeaders, now()) : undefined;
      if (requested === undefined) return backoffDelayMs(counter, minDelayMs, maxDelayMs, random);
      if (requested > maxRetryAfterMs) {
        state.overCapMs = requested;
        return undefined;
      }
      return requested;
    };

    // undici's RetryCallback: counter = attempts made so far; cb(null) retries, cb(err) passes the failure on.
    const retry = (err: Error, ctx: { state: { counter: number } }, cb: (err?: Error | null) => void): void => {
      const counter = ctx.state.counter;
      const delayMs = nextDelay(err, counter);
      if (delayMs === undefined) {
        state.attempts = counter;
        cb(err);
        return;
      }
      state.attempts = counter + 1;
      const reason = String((err as { statusCode?: number }).statusCode ?? errorCode(err));
      options.onRetry?.({ method: m, path: shownPath, retry: counter, delayMs, reason });
      sleepWithin(delayMs, opts.signal).then(
        () => cb(null),
        (e: unknown) => cb(e instanceof Error ? e : new Error(String(e))),
      );
    };

    // AbortSignal.timeout takes whole milliseconds only.
    const deadline =
      opts.deadlineMs !== undefined ? AbortSignal.timeout(Math.max(1, Math.ceil(opts.deadlineMs))) : undefined;
    const signals = [options.signal, opts.signal, deadline].filter((x): x is AbortSignal => x !== undefined);
    const dispatchOptions = {
      signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0],
      origin: target.origin,
      path: fullPath,
      method: m as Dispatcher.HttpMethod,
      headers,
      body,
      headersTimeout: perTimeout,
      bodyTimeout: perTimeout,
      retryOptions: { retry, throwOnError: false },
    };

    let res: Dispatcher.ResponseData;
    let raw: Buffer;
    try {
      res = await new Promise<Dispatcher.ResponseData>((resolve, reject) => {
        dispatcher.request(dispatchOptions, (err, data) => {
          if (err) return reject(err);
          // Synchronous with the response headers, so a later body error is never retried as a fresh attempt.
          state.responseStarted = true;
          resolve(data);
        });
      });
      if (streaming && isExpected(res.statusCode, opts.expectedStatus)) {
        const flatStream = flatHeaders(res.headers as HeaderMap);
        return { status: res.statusCode, headers: flatStream, body: res.body, attempts: state.attempts };
      }
      raw = Buffer.from(await res.body.arrayBuffer());
    } catch (err) {
      if (body && typeof body === 'object' && 'destroy' in body) body.destroy();
      const stopped = deadlineError(err, m, shownPath, state.attempts, redact, opts.signal);
      if (stopped) throw stopped;
      if (deadline?.aborted) {
        throw new TimeoutError({
          provider,
          method: m,
          path: shownPath,
          attempts: state.attempts,
          timeoutMs: opts.deadlineMs!,
          code: 'DEADLINE',
          origin: redact(origin),
        });
      }
      throw transportError(err, m, shownPath, perTimeout, state.attempts, redact);
    }

    const resHeaders = res.headers as HeaderMap;
    const flat = flatHeaders(resHeaders);
    if (!isExpected(res.statusCode, opts.expectedStatus)) {
      throw responseError(res.statusCode, resHeaders, raw, m, shownPath, state, redact);
    }
    const type = flat['content-type'] ?? '';
    const notApi = (what: string) =>
      new HttpError({
        provider,
        method: m,
        path: shownPath,
        attempts: state.attempts,
        status: res.statusCode,
        code: 'not_the_api',
        providerMessage: what,
        requestId: requestIdOf(resHeaders, redact),
        hint: `this does not look like the ${provider ?? 'expected'} API at ${redact(base.href.replace(/\/$/, ''))}: check '${options.baseUrlInput ?? 'api-url'}'`,
      });
    const parsed = readBody(raw, flat['content-type'], opts.responseType ?? 'auto');
    if (!parsed.ok && options.json) throw notApi(`answered ${type || 'without a content type'}, not JSON`);
    if (!parsed.ok) {
      throw new HttpError({
        provider,
        method: m,
        path: shownPath,
        attempts: state.attempts,
        status: res.statusCode,
        code: 'invalid_json',
        providerMessage: truncate(redact(`response is not valid JSON: ${raw.toString('utf8')}`)),
        requestId: requestIdOf(resHeaders, redact),
        hint: 'the API answered with an unexpected body; check baseUrl',
      });
    }
    if (options.json && (opts.responseType ?? 'auto') === 'auto' && parsed.value !== undefined && !/json/i.test(type))
      throw notApi(`answered ${type || 'without a content type'}, not JSON`);
    if (opts.schema) {
      const checked = opts.schema.safeParse(parsed.value);
      if (!checked.success) {
        const issue = checked.error?.issues[0];
        const at = issue?.path.length ? `'${issue.path.map(String).join('.')}'` : 'shape';
        throw notApi(`answered without the expected ${at} (${issue?.message ?? 'unexpected shape'})`);
      }
    }
    return { status: res.statusCode, headers: flat, body: parsed.value, attempts: state.attempts };
  }

  /** A retry wait that ends early when the step's deadline (or the request's signal) fires. */
  function sleepWithin(ms: number, requestSignal?: AbortSignal): Promise<void> {
    const signals = [options.signal, requestSignal].filter((x): x is AbortSignal => x !== undefined);
    if (!signals.length) return sleep(ms);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0]!;
    if (!options.sleep) return oneSleep(ms, signal);
    if (signal.aborted) return Promise.reject(signal.reason);
    // An injected sleep (tests) still ends at the deadline.
    return Promise.race([
      sleep(ms),
      new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })),
    ]);
  }

  /** The step's deadline fired: one line that names the input to raise. */
  function deadlineError(
    err: unknown,
    method: string,
    path: string,
    attempts: number,
    redact: Redactor,
    requestSignal?: AbortSignal,
  ): TimeoutError | undefined {
    const fired = [options.signal, requestSignal].find((s) => s?.aborted);
    const reason = fired?.reason ?? err;
    if (!fired && !(err instanceof DeadlineExceeded)) return undefined;
    const d = reason instanceof DeadlineExceeded ? reason : undefined;
    return new TimeoutError({
      provider,
      method,
      path,
      attempts,
      timeoutMs: d?.ms ?? 0,
      code: 'DEADLINE',
      origin: redact(origin),
      message: d
        ? `${provider ? `${provider} API` : 'HTTP'} ${method} ${path} stopped: ${d.message} with no answer from ${redact(origin)}${attempts > 1 ? ` after ${attempts} attempts` : ''}; raise '${d.input}' or check that the API answers`
        : undefined,
    });
  }

  function requestIdOf(headers: HeaderMap, redact: Redactor): string | undefined {
    for (const h of requestIdHeaders) {
      const v = header(headers, h);
      if (v) return redact(v);
    }
    return undefined;
  }

  function responseError(
    status: number,
    headers: HeaderMap,
    raw: Buffer,
    method: string,
    path: string,
    state: { attempts: number; overCapMs?: number },
    redact: Redactor,
  ): HttpError {
    const text = raw.toString('utf8');
    let body: unknown = text === '' ? undefined : text;
    try {
      if (text !== '') body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    let parsed: ProviderError | undefined;
    try {
      parsed = errorParser(status, body);
    } catch {
      parsed = defaultErrorParser(status, body);
    }
    const init = {
      provider,
      method,
      path,
      attempts: state.attempts,
      status,
      code: parsed?.code ? truncate(redact(parsed.code)) : undefined,
      providerMessage: parsed?.message ? truncate(redact(parsed.message)) : undefined,
      requestId: requestIdOf(headers, redact),
      body: redactValue(body, redact),
    };
    const name = provider ? `${provider} ` : '';
    if (isRateLimited(status, headers) || state.overCapMs !== undefined) {
      const retryAfterMs = state.overCapMs ?? serverRequestedDelayMs(status, headers, now());
      const wait = retryAfterMs !== undefined ? `${Math.ceil(retryAfterMs / 1000)} s` : undefined;
      const hint =
        state.overCapMs !== undefined
          ? `the API asked to wait ${wait}, longer than the ${Math.ceil(maxRetryAfterMs / 1000)} s this client waits (maxRetryAfterMs): retry later`
          : `rate limited${wait ? `, the API asked to wait ${wait}` : ''}: retry later or make fewer ${name}API calls`;
      return isRateLimited(status, headers)
        ? new RateLimitError({ ...init, retryAfterMs, hint })
        : new HttpError({ ...init, hint });
    }
    let hint: string | undefined;
    if (status === 401) hint = `check that the ${name}API token is valid and not expired`;
    else if (status === 403) hint = `check that the ${name}API token has access to this resource`;
    return new HttpError({ ...init, hint });
  }

  function transportError(
    err: unknown,
    method: string,
    path: string,
    perTimeout: number,
    attempts: number,
    redact: Redactor,
  ): RequestError {
    if (err instanceof HttpError) return err;
    const code = errorCode(err) ?? 'UNKNOWN';
    const shownOrigin = redact(origin);
    if (TIMEOUT_CODES.includes(code)) {
      return new TimeoutError({ provider, method, path, attempts, timeoutMs: perTimeout, code, origin: shownOrigin });
    }
    return new NetworkError({
      provider,
      method,
      path,
      attempts,
      code,
      detail: truncate(redact(errorMessage(err))) ?? code,
      origin: shownOrigin,
    });
  }

  const withBody =
    (method: string) =>
    async <T>(path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> =>
      (await request<T>(method, path, { ...opts, body })).body;

  return {
    baseUrl: `${origin}${basePath}`,
    request,
    stream,
    get: async <T>(path: string, opts?: RequestOptions) => (await request<T>('GET', path, opts)).body,
    delete: async <T>(path: string, opts?: RequestOptions) => (await request<T>('DELETE', path, opts)).body,
    post: withBody('POST'),
    put: withBody('PUT'),
    patch: withBody('PATCH'),
    redact: (text: string) => clientRedact(text),
    close: async () => {
      await ownAgent?.close();
    },
  };
}

function readBody(
  raw: Buffer,
  contentType: string | undefined,
  type: 'auto' | 'json' | 'text' | 'buffer',
): { ok: true; value: unknown } | { ok: false } {
  if (type === 'buffer') return { ok: true, value: raw };
  const text = raw.toString('utf8');
  if (type === 'text') return { ok: true, value: text };
  if (text === '') return { ok: true, value: undefined };
  if (type === 'json' || (contentType ?? '').toLowerCase().includes('json')) {
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch {
      return { ok: false };
    }
  }
  return { ok: true, value: text };
}

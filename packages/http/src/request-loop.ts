// The request loop. Retries run inside undici's retry interceptor (interceptors.retry / RetryHandler): it
// re-dispatches the request, replays the body and drains the failed answers. Its default `retry` callback
// does not fit, so each request passes its own (decisions in retry-decision.ts):
//  - the default has no jitter and sleeps with a bare setTimeout (tests could not shorten waits);
//  - it clips a long Retry-After to maxTimeout and retries early, where we must fail with RateLimitError;
//  - it knows Retry-After only, not X-RateLimit-Reset / RateLimit-Reset;
//  - its throwOnError:true mode throws RequestRetryError on the final 5xx and drops the body, so the
//    provider's error message is lost: we run with throwOnError:false and read the final answer ourselves;
//  - after a body error it resumes with a Range request, which JSON APIs do not support: we stop instead.
import { sleep as oneSleep } from '@wingman/time';
import type { Dispatcher, RetryHandler } from 'undici';
import { answerError, deadlineError, type FailedRequest, responseError, unansweredError } from './error-mapping';
import { HttpError, type NetworkError, type TimeoutError } from './errors';
import {
  buildQuery,
  combineSignals,
  firedSignal,
  lowerHeaders,
  requestBody,
  requestRedactor,
  resolvePath,
} from './request-parts';
import { checkAnswer, flatHeaders, isExpected } from './response-body';
import {
  attemptFailure,
  decideRetry,
  isIdempotent,
  type RetryAllowance,
  retryReason,
  streamRetryDelay,
} from './retry-decision';
import type { HeaderMap } from './retry-policy';
import type { ClientSettings } from './settings';
import type { HttpResponse, HttpStreamResponse, RequestOptions } from './types';

export interface ClientCore extends ClientSettings {
  /** The retry interceptor composed on the client's Agent or the shared dispatcher. */
  readonly dispatcher: Dispatcher;
}

type Sent = HttpResponse<unknown> | HttpStreamResponse;

/** One request as it runs: what its errors show and what its retries may do, updated as undici reports. */
interface RequestRun extends FailedRequest, RetryAllowance {
  attempts: number;
  responseStarted: boolean;
  /** Set when the server asked for a wait longer than maxRetryAfterMs. */
  overCapMs: number | undefined;
  /** The request's own signal (the step's deadline is in the settings). */
  readonly signal: AbortSignal | undefined;
}

/** A request, or a stream of its answer, with the retries its body allows. */
export function sendRequest(
  core: ClientCore,
  method: string,
  path: string,
  opts: RequestOptions,
  streaming: boolean,
): Promise<Sent> {
  return opts.bodyStream
    ? retryStreamBody(core, method, path, opts, streaming)
    : send(core, method, path, opts, streaming);
}

/**
 * undici cannot replay a stream body it has started sending, so its retry interceptor passes such failures
 * on: for a bodyStream request the retries happen here, each with a fresh stream.
 */
async function retryStreamBody(
  core: ClientCore,
  method: string,
  path: string,
  opts: RequestOptions,
  streaming: boolean,
): Promise<Sent> {
  const m = method.toUpperCase();
  const maxRetries = opts.retries ?? core.retries;
  // This path has never counted an Idempotency-Key header.
  const idempotent = isIdempotent(m, opts.idempotent, undefined);
  for (let attempt = 1; ; attempt++) {
    try {
      return await send(core, method, path, { ...opts, retries: 0 }, streaming);
    } catch (err) {
      const delayMs = streamRetryDelay(err, attempt, idempotent, maxRetries, core, core.random);
      if (delayMs === undefined) throw err;
      const failed = err as HttpError | NetworkError | TimeoutError;
      const reason = failed instanceof HttpError ? String(failed.status) : failed.code;
      core.onRetry?.({ method: m, path: failed.path, retry: attempt, delayMs, reason });
      await sleepWithin(core, delayMs, opts.signal).catch((abort: unknown) => {
        const req = {
          provider: core.provider,
          origin: core.origin,
          redact: core.redact,
          method: m,
          path: failed.path,
          attempts: attempt,
        };
        throw deadlineError(abort, firedSignal(core.signal, undefined), req) ?? abort;
      });
    }
  }
}

async function send(
  core: ClientCore,
  method: string,
  path: string,
  opts: RequestOptions,
  streaming: boolean,
): Promise<Sent> {
  const m = method.toUpperCase();
  const target = resolvePath(core, path);
  const fullPath = `${target.path}${buildQuery(opts.query)}`;
  const headers = { ...core.defaultHeaders, ...lowerHeaders(opts.headers) };
  const redact = requestRedactor(core, headers.authorization);
  const perTimeout = opts.timeoutMs ?? core.timeoutMs;
  const run: RequestRun = {
    provider: core.provider,
    origin: core.origin,
    method: m,
    path: redact(fullPath),
    redact,
    attempts: 1,
    responseStarted: false,
    overCapMs: undefined,
    idempotent: isIdempotent(m, opts.idempotent, headers['idempotency-key']),
    maxRetries: opts.retries ?? core.retries,
    signal: opts.signal,
  };
  const body = requestBody(opts, headers);
  // AbortSignal.timeout takes whole milliseconds only.
  const deadline =
    opts.deadlineMs !== undefined ? AbortSignal.timeout(Math.max(1, Math.ceil(opts.deadlineMs))) : undefined;
  const dispatchOptions = {
    signal: combineSignals(core.signal, opts.signal, deadline),
    origin: target.origin,
    path: fullPath,
    method: m as Dispatcher.HttpMethod,
    headers,
    body,
    headersTimeout: perTimeout,
    bodyTimeout: perTimeout,
    retryOptions: { retry: retryCallback(core, run), throwOnError: false },
  };

  let res: Dispatcher.ResponseData;
  let raw: Buffer;
  try {
    res = await dispatch(core.dispatcher, dispatchOptions, run);
    if (streaming && isExpected(res.statusCode, opts.expectedStatus)) {
      const flat = flatHeaders(res.headers as HeaderMap);
      return { status: res.statusCode, headers: flat, body: res.body, attempts: run.attempts };
    }
    raw = Buffer.from(await res.body.arrayBuffer());
  } catch (err) {
    if (body && typeof body === 'object' && 'destroy' in body) body.destroy();
    const ranOut = deadline?.aborted ? opts.deadlineMs : undefined;
    throw unansweredError(err, run, firedSignal(core.signal, opts.signal), ranOut, perTimeout);
  }
  return judge(core, run, res, raw, opts);
}

function dispatch(
  dispatcher: Dispatcher,
  options: Dispatcher.RequestOptions & { retryOptions: RetryHandler.RetryOptions },
  run: RequestRun,
): Promise<Dispatcher.ResponseData> {
  return new Promise<Dispatcher.ResponseData>((resolve, reject) => {
    dispatcher.request(options, (err, data) => {
      if (err) return reject(err);
      // Synchronous with the response headers, so a later body error is never retried as a fresh attempt.
      run.responseStarted = true;
      resolve(data);
    });
  });
}

/** The whole answer: the parsed body, or the typed error for an unexpected status or a body that is not the API's. */
function judge(
  core: ClientCore,
  run: RequestRun,
  res: Dispatcher.ResponseData,
  raw: Buffer,
  opts: RequestOptions,
): HttpResponse<unknown> {
  const status = res.statusCode;
  const headers = res.headers as HeaderMap;
  const flat = flatHeaders(headers);
  if (!isExpected(status, opts.expectedStatus)) {
    throw responseError(run, { status, headers, raw, overCapMs: run.overCapMs }, core, core.now());
  }
  const checked = checkAnswer(raw, flat['content-type'], opts.responseType ?? 'auto', core.json, opts.schema);
  if (!checked.ok) throw answerError(run, { status, headers, raw }, checked, core);
  return { status, headers: flat, body: checked.value, attempts: run.attempts };
}

/** undici's RetryCallback: counter = attempts made so far; cb(null) retries, cb(err) passes the failure on. */
function retryCallback(core: ClientCore, run: RequestRun): RetryHandler.RetryCallback {
  return (err, ctx, cb) => {
    const counter = ctx.state.counter;
    const failure = attemptFailure(err);
    const decision = decideRetry(failure, counter, run, core, core.now(), core.random);
    if (!decision.retry) {
      run.attempts = counter;
      run.overCapMs = decision.overCapMs;
      cb(err);
      return;
    }
    run.attempts = counter + 1;
    const { delayMs } = decision;
    core.onRetry?.({ method: run.method, path: run.path, retry: counter, delayMs, reason: retryReason(failure) });
    sleepWithin(core, delayMs, run.signal).then(
      () => cb(null),
      (e: unknown) => cb(e instanceof Error ? e : new Error(String(e))),
    );
  };
}

/** A retry wait that ends early when the step's deadline (or the request's signal) fires. */
function sleepWithin(core: ClientCore, ms: number, requestSignal: AbortSignal | undefined): Promise<void> {
  const signal = combineSignals(core.signal, requestSignal);
  const injected = core.injectedSleep;
  if (!injected) return oneSleep(ms, signal);
  if (!signal) return injected(ms);
  if (signal.aborted) return Promise.reject(signal.reason);
  // An injected sleep (tests) still ends at the deadline.
  return Promise.race([
    injected(ms),
    new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })),
  ]);
}

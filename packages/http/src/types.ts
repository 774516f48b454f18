// The client's public contract: its options, what a request takes and what it gives back.
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { ErrorParser } from './error-parser';

export type QueryValue = string | number | boolean | undefined | null | ReadonlyArray<string | number | boolean>;

export interface RetryInfo {
  method: string;
  path: string;
  /** The retry about to be made, counting from 1. */
  retry: number;
  delayMs: number;
  /** "503" / "ECONNRESET": why the previous attempt failed. */
  reason: string;
}

export interface HttpClientOptions {
  /** Scheme, host and optional path prefix, e.g. https://api.heroku.com or http://127.0.0.1:PORT in tests. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>` unless headers carry an Authorization; always redacted. */
  token?: string;
  headers?: Record<string, string>;
  userAgent?: string;
  /** Per attempt: time to the response headers and between body chunks. Default 30 000. */
  timeoutMs?: number;
  /** Retries after the first attempt. Default 4. */
  retries?: number;
  /** Base of the exponential backoff (full jitter). Default 500. */
  minDelayMs?: number;
  /** Cap of the computed backoff. Default 30 000. */
  maxDelayMs?: number;
  /** Longest server-requested wait (Retry-After, rate-limit reset) the client sleeps through. Default 60 000. */
  maxRetryAfterMs?: number;
  /** Extra strings to redact from errors. */
  secrets?: string[];
  /** Provider name for messages: "Heroku" gives "Heroku API POST /apps failed: …". */
  provider?: string;
  /** Maps the provider's error body to code/message; the default understands the common shapes. */
  errorParser?: ErrorParser;
  /** Response headers holding a request id, first match wins. */
  requestIdHeaders?: string[];
  /** Called before each retry (for a log line). Its strings are redacted. */
  onRetry?: (info: RetryInfo) => void;
  /** Injection points for tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
  /** Share a dispatcher (the retry interceptor is composed on top). Default: an Agent owned by the client. */
  dispatcher?: Dispatcher;
  /**
   * The step's deadline (startDeadline(…).signal): when it aborts, the request in flight stops, no retry
   * starts, and the request throws TimeoutError with code 'DEADLINE'.
   */
  signal?: AbortSignal;
  /**
   * The API answers JSON: a 2xx answer of another type (an HTML page, a proxy's text) means baseUrl points
   * somewhere else, reported as "does not look like the <provider> API at <url>" instead of crashing later.
   */
  json?: boolean;
  /** The input that set baseUrl, named in those messages. Default 'api-url'. */
  baseUrlInput?: string;
}

/** What a response body must look like (a zod schema fits: anything with safeParse). */
export interface ShapeCheck {
  safeParse(value: unknown): {
    success: boolean;
    error?: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> };
  };
}

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is (e.g. a file upload); set Content-Type in headers. Takes precedence over body. */
  rawBody?: string | Uint8Array;
  /**
   * A body streamed from disk or a pipe, never held in memory: called once per attempt, so a retry sends a
   * fresh stream. Set Content-Length in headers when the server needs it (S3 refuses chunked uploads).
   * Takes precedence over rawBody and body.
   */
  bodyStream?: () => Readable;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** Statuses that count as success. Default: any 2xx. 'any' returns every status (a caller that judges it, like a health probe). */
  expectedStatus?: number | readonly number[] | 'any';
  /**
   * Limit for the whole request, retries included, up to the last body byte; timeoutMs only bounds the wait
   * for the headers and between body chunks, so a slowly trickled body could otherwise run on. Throws
   * TimeoutError with code 'DEADLINE'. Default: none.
   */
  deadlineMs?: number;
  /** Allow retries of a non-idempotent method (POST/PATCH), or forbid them for any method. */
  idempotent?: boolean;
  /** Aborts this request (with the client's signal, whichever comes first). */
  signal?: AbortSignal;
  /** The answer's expected shape: one that does not match is reported as not this provider's API. */
  schema?: ShapeCheck;
  retries?: number;
  /** How to read the body. Default 'auto': JSON when the content type says so, else text, undefined when empty. */
  responseType?: 'auto' | 'json' | 'text' | 'buffer';
}

export interface HttpResponse<T> {
  status: number;
  headers: Record<string, string>;
  body: T;
  /** How many times the request was sent. */
  attempts: number;
}

/** A response whose body is read by the caller as it arrives (log streams, large downloads). */
export interface HttpStreamResponse {
  status: number;
  headers: Record<string, string>;
  /** Destroy it to stop reading early; errors after the headers (a dropped connection) surface on it. */
  body: Readable;
  attempts: number;
}

export interface HttpClient {
  readonly baseUrl: string;
  request<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<HttpResponse<T>>;
  /**
   * Like request, but resolves at the response headers with the body as a stream. Retries happen only
   * before the headers; an unexpected status is read and thrown as HttpError as usual.
   */
  stream(method: string, path: string, options?: Omit<RequestOptions, 'responseType'>): Promise<HttpStreamResponse>;
  get<T = unknown>(path: string, options?: RequestOptions): Promise<T>;
  delete<T = unknown>(path: string, options?: RequestOptions): Promise<T>;
  post<T = unknown>(path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  put<T = unknown>(path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  patch<T = unknown>(path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  /** Redacts this client's secrets from any text (for log lines of provider packages). */
  redact(text: string): string;
  /** Closes the connections of the client's own Agent. */
  close(): Promise<void>;
}

// What createHttpClient makes of its options, once: defaults applied, the base URL checked, headers and
// secrets ready, so a request only adds its own parts.
import { authorizationSecrets, createRedactor, type Redactor } from '@wingman/log';
import { defaultErrorParser, type ErrorParser } from './error-parser';
import { lowerHeaders } from './request-parts';
import type { HttpClientOptions, RetryInfo } from './types';

export interface ClientSettings {
  readonly origin: string;
  /** The base URL's path without trailing slashes: the prefix of every relative path. */
  readonly basePath: string;
  /** The base URL without its trailing slash, as "does not look like the API" names it. */
  readonly apiHref: string;
  readonly baseUrlInput: string;
  readonly provider: string | undefined;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxRetryAfterMs: number;
  /** The step's deadline. */
  readonly signal: AbortSignal | undefined;
  /** A sleep injected by tests; undefined means @wingman/time's. */
  readonly injectedSleep: ((ms: number) => Promise<void>) | undefined;
  readonly random: () => number;
  readonly now: () => number;
  readonly onRetry: ((info: RetryInfo) => void) | undefined;
  readonly json: boolean;
  readonly errorParser: ErrorParser;
  /** Lower-case. */
  readonly requestIdHeaders: readonly string[];
  /** Lower-case names; Authorization, User-Agent and Accept filled in. */
  readonly defaultHeaders: Readonly<Record<string, string>>;
  readonly secrets: ReadonlyArray<string | undefined>;
  /** Redacts the client's secrets (a request with its own Authorization gets a wider one). */
  readonly redact: Redactor;
}

const DEFAULT_REQUEST_ID_HEADERS = [
  'x-request-id',
  'request-id',
  'x-github-request-id',
  'x-vercel-id',
  'x-slack-req-id',
  'x-amz-request-id',
];

function parseBaseUrl(baseUrl: string): URL {
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch {
    throw new Error(`HTTP client baseUrl "${baseUrl}" is not an absolute URL; expected e.g. https://api.example.com`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new Error(`HTTP client baseUrl "${base.origin}" must use http or https`);
  }
  return base;
}

function defaultHeadersOf(options: HttpClientOptions): Record<string, string> {
  const headers = lowerHeaders(options.headers);
  if (options.token && !headers.authorization) headers.authorization = `Bearer ${options.token}`;
  headers['user-agent'] ??= options.userAgent ?? 'wingman-deploy';
  headers.accept ??= 'application/json';
  return headers;
}

export function resolveSettings(options: HttpClientOptions): ClientSettings {
  const base = parseBaseUrl(options.baseUrl);
  const defaultHeaders = defaultHeadersOf(options);
  const secrets = [
    options.token,
    ...authorizationSecrets(defaultHeaders.authorization),
    ...(options.secrets ?? []),
    base.password,
    base.password ? decodeURIComponent(base.password) : undefined,
  ];
  return {
    origin: base.origin,
    basePath: base.pathname.replace(/\/+$/, ''),
    apiHref: base.href.replace(/\/$/, ''),
    baseUrlInput: options.baseUrlInput ?? 'api-url',
    provider: options.provider,
    timeoutMs: options.timeoutMs ?? 30_000,
    retries: options.retries ?? 4,
    minDelayMs: options.minDelayMs ?? 500,
    maxDelayMs: options.maxDelayMs ?? 30_000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
    signal: options.signal,
    injectedSleep: options.sleep,
    random: options.random ?? Math.random,
    now: options.now ?? Date.now,
    onRetry: options.onRetry,
    json: Boolean(options.json),
    errorParser: options.errorParser ?? defaultErrorParser,
    requestIdHeaders: (options.requestIdHeaders ?? DEFAULT_REQUEST_ID_HEADERS).map((h) => h.toLowerCase()),
    defaultHeaders,
    secrets,
    redact: createRedactor(secrets),
  };
}

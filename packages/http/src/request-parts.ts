// The parts of one request, built from the client's settings and the request's options: where it goes,
// its headers, body and signal, and the redactor for its secrets.
import type { Readable } from 'node:stream';
import { authorizationSecrets, createRedactor, type Redactor } from '@wingman/log';
import type { ClientSettings } from './settings';
import type { QueryValue, RequestOptions } from './types';

export function lowerHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = v;
  return out;
}

/** The client's redactor, widened when the request brings its own Authorization. */
export function requestRedactor(settings: ClientSettings, authorization: string | undefined): Redactor {
  return authorization !== settings.defaultHeaders.authorization
    ? createRedactor([...settings.secrets, ...authorizationSecrets(authorization)])
    : settings.redact;
}

/** Origin and path of a request; absolute URLs (pagination links) only to the client's own origin. */
export function resolvePath(settings: ClientSettings, path: string): { origin: string; path: string } {
  const { origin, basePath } = settings;
  if (/^https?:\/\//i.test(path)) {
    const u = new URL(path);
    // The token must not travel elsewhere.
    if (u.origin !== origin) {
      throw new Error(
        `${settings.provider ?? 'HTTP'} client refuses ${settings.redact(u.origin)}: requests carry credentials and may only go to ${origin}`,
      );
    }
    return { origin, path: `${u.pathname}${u.search}` };
  }
  return { origin, path: `${basePath}${path.startsWith('/') ? '' : '/'}${path}` };
}

export function buildQuery(query: Record<string, QueryValue> | undefined): string {
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

/** The body as sent; a JSON body sets Content-Type unless the request names one. */
export function requestBody(
  opts: RequestOptions,
  headers: Record<string, string>,
): string | Uint8Array | Readable | undefined {
  if (opts.bodyStream) return opts.bodyStream();
  if (opts.rawBody !== undefined) return opts.rawBody;
  if (opts.body === undefined) return undefined;
  const json = JSON.stringify(opts.body);
  headers['content-type'] ??= 'application/json';
  return json;
}

/** One signal for those that are set, or undefined; no list is built unless two or more are. */
export function combineSignals(a?: AbortSignal, b?: AbortSignal, c?: AbortSignal): AbortSignal | undefined {
  const set = (a ? 1 : 0) + (b ? 1 : 0) + (c ? 1 : 0);
  if (set <= 1) return a ?? b ?? c;
  return AbortSignal.any([a, b, c].filter((s): s is AbortSignal => s !== undefined));
}

/** The first of the two that has aborted. */
export function firedSignal(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (a?.aborted) return a;
  return b?.aborted ? b : undefined;
}

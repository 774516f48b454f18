// One health request, timed and judged. Goes through @wingman/http with retries: 0 (a retry inside a
// sample would hide the very error we are measuring), expectedStatus 'any' (the contract judges the
// status), deadlineMs = request-timeout (one limit up to the last body byte), and redirects followed
// here hop by hop so they can be switched off and counted. The client adds no measurable overhead over
// a bare socket (see bench/smoke-health.bench.ts), so there is no second HTTP stack for the sampling path.
import { performance } from 'node:perf_hooks';
import { createHttpClient, type HttpClient, type HttpResponse, NetworkError, TimeoutError } from '@wingman/http';
import { SecretRedactor } from '@wingman/log';
import { formatDuration } from '@wingman/time';
import { checkContract } from './contract';
import { protectionFailure } from './protection';
import type { TargetSpec } from './targets';

export interface ProbeOptions {
  /** Whole request, redirects included, to the last body byte. */
  requestTimeoutMs: number;
  followRedirects: boolean;
  /** Sent to every target (e.g. x-vercel-protection-bypass); never sent across origins on a redirect. */
  headers?: Record<string, string>;
  /** Values to redact from every reason (the header values above are added automatically). */
  secrets?: string[];
  /** Default 10, like curl's and fetch's limits. */
  maxRedirects?: number;
  /**
   * Origins besides the target's own a redirect may lead to ('*': any). The target's origin and its
   * https:// twin (http→https on the same host) are always allowed.
   */
  redirectOrigins?: string[];
}

export type FailureKind = 'network' | 'timeout' | 'status' | 'contract' | 'redirect';

export interface ProbeResult {
  ok: boolean;
  /** Request start to the last body byte of the final hop; undefined when no complete answer came. */
  latencyMs?: number;
  status?: number;
  /** URL of the final hop. */
  finalUrl: string;
  redirects: number;
  kind?: FailureKind;
  /** One line per failed check (empty when ok). */
  failures: string[];
  /** A short label to count failures by: "503", "timeout", "ECONNREFUSED", "$.status == \"ok\"". */
  label?: string;
  /** Worth polling again while the target warms up. */
  retryable: boolean;
}

const REDIRECTS = [301, 302, 303, 307, 308];
// While a deployment warms up these come and go; other 4xx (401 protected, 403, 400, 405) will not fix themselves.
const TRANSIENT_4XX = [404, 408, 425, 429];

const NETWORK_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'DNS lookup failed',
  EAI_AGAIN: 'DNS lookup failed (temporary)',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_CLOSED: 'connection closed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
};

/** The URL as shown in messages: no user info, no query (which may carry a bypass token). */
export function displayUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
}

export class Prober {
  private readonly clients = new Map<string, HttpClient>();
  private readonly secrets: string[];
  private readonly redactor: SecretRedactor;
  private readonly maxRedirects: number;

  constructor(private readonly options: ProbeOptions) {
    this.secrets = [...(options.secrets ?? []), ...Object.values(options.headers ?? {})].filter((s) => s.length >= 3);
    this.redactor = new SecretRedactor(this.secrets);
    this.maxRedirects = options.maxRedirects ?? 10;
  }

  redact(text: string): string {
    return this.redactor.redact(text);
  }

  private client(origin: string): HttpClient {
    let c = this.clients.get(origin);
    if (!c) {
      c = createHttpClient({
        baseUrl: origin,
        retries: 0,
        timeoutMs: this.options.requestTimeoutMs,
        userAgent: 'wingman-deploy smoke-health',
        headers: { accept: 'application/json, */*;q=0.8' },
        secrets: this.secrets,
      });
      this.clients.set(origin, c);
    }
    return c;
  }

  /** limitMs: a shorter limit than request-timeout (readiness near the end of wait-timeout). */
  async probe(target: TargetSpec, limitMs = this.options.requestTimeoutMs): Promise<ProbeResult> {
    const started = performance.now();
    const first = new URL(target.url);
    let url = first;
    let method = target.method;
    let body = target.body;
    let redirects = 0;
    const fail = (kind: FailureKind, label: string, failure: string, retryable: boolean, status?: number) => ({
      ok: false,
      kind,
      label,
      failures: [this.redact(failure)],
      retryable,
      status,
      finalUrl: url.href,
      redirects,
    });

    for (;;) {
      const remaining = limitMs - (performance.now() - started);
      if (remaining <= 0) return fail('timeout', 'timeout', `timed out after ${formatDuration(limitMs)}`, true);
      const sameOrigin = url.origin === first.origin;
      const headers: Record<string, string> = {
        // The shared (secret) headers and credentials stay with the origin they were meant for.
        ...(sameOrigin ? this.options.headers : {}),
        ...target.headers,
      };
      if (sameOrigin && url.username)
        headers.authorization ??= `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
      if (!sameOrigin) {
        delete headers.authorization;
        delete headers.cookie;
      }

      let res: HttpResponse<Buffer>;
      try {
        res = await this.client(url.origin).request<Buffer>(method, `${url.pathname}${url.search}`, {
          headers,
          rawBody: body,
          expectedStatus: 'any',
          responseType: 'buffer',
          retries: 0,
          timeoutMs: remaining,
          deadlineMs: remaining,
        });
      } catch (err) {
        if (err instanceof TimeoutError)
          return fail('timeout', 'timeout', `timed out after ${formatDuration(limitMs)}`, true);
        if (err instanceof NetworkError) {
          const words = NETWORK_WORDS[err.code];
          return fail(
            'network',
            err.code,
            words ? `${words} (${err.code})` : `network error ${err.code}: ${err.detail}`,
            true,
          );
        }
        return fail('network', 'error', err instanceof Error ? err.message : String(err), true);
      }

      const location = res.headers.location;
      let locationUrl: URL | undefined;
      try {
        locationUrl = location && REDIRECTS.includes(res.status) ? new URL(location, url) : undefined;
      } catch {
        // an invalid location is reported below, when redirects are followed
      }
      const sentHeaders = sameOrigin && Object.keys(this.options.headers ?? {}).length > 0;
      const protectedBy = protectionFailure(displayUrl(url.href), { ...res, location: locationUrl, sentHeaders });
      if (protectedBy) return fail('status', 'protected', protectedBy, false, res.status);
      if (this.options.followRedirects && REDIRECTS.includes(res.status) && location) {
        if (redirects >= this.maxRedirects)
          return fail(
            'redirect',
            'redirects',
            `more than ${this.maxRedirects} redirects (last to ${location})`,
            false,
            res.status,
          );
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          return fail(
            'redirect',
            'redirects',
            `redirect to an invalid URL ${JSON.stringify(location)}`,
            false,
            res.status,
          );
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:')
          return fail('redirect', 'redirects', `redirect to ${next.protocol} URL is not followed`, false, res.status);
        if (!redirectAllowed(first, next, this.options.redirectOrigins ?? []))
          return fail(
            'redirect',
            'redirects',
            `redirect to another origin ${next.origin} is not followed (allow it with allow-redirects-to: ${next.origin}, or check that origin itself)`,
            false,
            res.status,
          );
        // As browsers and fetch do: 303, and 301/302 after a POST, continue as a GET without a body.
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
          if (method !== 'HEAD') method = 'GET';
          body = undefined;
        }
        url = next;
        redirects += 1;
        continue;
      }

      const latencyMs = performance.now() - started;
      const failures = checkContract(target, { status: res.status, headers: res.headers, body: res.body }).map((f) =>
        this.redact(f),
      );
      if (!failures.length)
        return { ok: true, latencyMs, status: res.status, finalUrl: url.href, redirects, failures, retryable: true };
      const statusFailed = failures[0]!.startsWith('status ');
      const retryable = statusFailed
        ? res.status >= 500 || TRANSIENT_4XX.includes(res.status) || (res.status >= 200 && res.status < 300)
        : true;
      return {
        ok: false,
        latencyMs,
        status: res.status,
        finalUrl: url.href,
        redirects,
        kind: statusFailed ? 'status' : 'contract',
        failures,
        label: statusFailed ? String(res.status) : contractLabel(failures[0]!),
        retryable,
      };
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.close()));
    this.clients.clear();
  }
}

/**
 * A health check answers for its own origin: a redirect elsewhere (a login page, a parked domain, another
 * app) would be judged in its place. Same origin, http→https on the same host, and listed origins pass.
 */
export function redirectAllowed(first: URL, next: URL, allowed: readonly string[]): boolean {
  if (next.origin === first.origin) return true;
  if (first.protocol === 'http:' && next.protocol === 'https:' && next.hostname === first.hostname) {
    const defaultPorts = (first.port === '' || first.port === '80') && (next.port === '' || next.port === '443');
    if (defaultPorts) return true;
  }
  return allowed.some((a) => a === '*' || originOf(a) === next.origin);
}

function originOf(text: string): string | undefined {
  try {
    return new URL(text).origin;
  } catch {
    return undefined;
  }
}

function contractLabel(failure: string): string {
  const i = failure.indexOf(' failed:');
  return i > 0 ? failure.slice(0, i) : failure.split(':')[0]!;
}

// A deployment stand-in for health checks: an HTTP server on 127.0.0.1:0 whose answers each test scripts
// (healthy after N ms, flapping, 500 then 200, wrong JSON, redirects, hanging, delays from a known
// distribution, a protection-bypass header). Not built on Simulator: it has to time its answers itself
// (the delay it applied, up to the last body byte), hold requests open and refuse connections while "down".
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface TargetReply {
  /** Default 200. */
  status?: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON, strings as text (set content-type in headers to change it). */
  body?: unknown;
  /** Wait before the response headers. */
  delayMs?: number;
  /** Wait between the headers and the body (the latency of a slow body, to the last byte). */
  bodyDelayMs?: number;
  /** Never answer; the request stays open until the client gives up or the target stops. */
  hang?: boolean;
  /** Drop the connection with a TCP RST. */
  reset?: boolean;
}

export interface TargetRequest {
  /** 0-based index of this request on its route. */
  n: number;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: string;
  /** ms since start(). */
  elapsedMs: number;
  /** The first request on its TCP connection: a fresh instance, where a target models cold starts. */
  firstOnConnection: boolean;
}

export type TargetBehaviour = (req: TargetRequest) => TargetReply;

export interface TargetRecord {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** ms since start() when the request arrived. */
  atMs: number;
  /** Status sent; undefined while pending, for hangs, resets and requests the client aborted. */
  status?: number;
  /** Measured time from the request's arrival to the last body byte handed to the socket. */
  appliedMs?: number;
}

export interface HttpTargetOptions {
  /** Route path → behaviour. Paths are matched exactly, without the query. */
  routes?: Record<string, TargetBehaviour>;
  /** For paths without a route; default a 404 JSON body. */
  fallback?: TargetBehaviour;
  /** Refuse connections (nothing listening on the port) for this long after start(), like a booting dyno. */
  refuseForMs?: number;
}

const notFound: TargetBehaviour = (req) => ({ status: 404, body: { error: 'not_found', path: req.path } });

export class HttpTarget {
  /** http://127.0.0.1:port once started. */
  url = '';
  readonly requests: TargetRecord[] = [];
  private readonly routes = new Map<string, { behaviour: TargetBehaviour; count: number }>();
  private readonly fallback: TargetBehaviour;
  private readonly refuseForMs: number;
  private server: Server | undefined;
  private port = 0;
  private startedAt = 0;
  private stopped = false;
  private relisten: NodeJS.Timeout | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sockets = new Set<Socket>();
  /** Connections that have carried a request. */
  private readonly used = new WeakSet<Socket>();

  constructor(options: HttpTargetOptions = {}) {
    for (const [path, behaviour] of Object.entries(options.routes ?? {})) this.route(path, behaviour);
    this.fallback = options.fallback ?? notFound;
    this.refuseForMs = options.refuseForMs ?? 0;
  }

  route(path: string, behaviour: TargetBehaviour): this {
    this.routes.set(path, { behaviour, count: 0 });
    return this;
  }

  /** Absolute URL of a path on this target. */
  at(path: string): string {
    return `${this.url}${path}`;
  }

  /** Delays (ms, measured) of the answered requests, optionally on one path: the ground truth for latency checks. */
  appliedDelays(path?: string): number[] {
    return this.requests
      .filter((r) => r.appliedMs !== undefined && (path === undefined || r.path === path))
      .map((r) => r.appliedMs!);
  }

  requestsTo(path: string): TargetRecord[] {
    return this.requests.filter((r) => r.path === path);
  }

  async start(): Promise<string> {
    if (this.server) return this.url;
    this.stopped = false;
    const server = createServer((req, res) => {
      const arrived = performance.now();
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.answer(req.method ?? 'GET', req.url ?? '/', req.headers, chunks, res, arrived));
    });
    server.keepAliveTimeout = 30_000;
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server = server;
    await this.listen(0);
    this.port = (server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}`;
    this.startedAt = performance.now();
    if (this.refuseForMs > 0) {
      // Same port, nothing listening: clients get ECONNREFUSED until the target "boots".
      await new Promise<void>((resolve) => server.close(() => resolve()));
      this.relisten = setTimeout(() => {
        this.relisten = undefined;
        if (!this.stopped) void this.listen(this.port);
      }, this.refuseForMs);
    }
    return this.url;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.relisten) clearTimeout(this.relisten);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private listen(port: number): Promise<void> {
    const server = this.server!;
    return new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private answer(
    method: string,
    rawUrl: string,
    headers: IncomingHttpHeaders,
    chunks: Buffer[],
    res: ServerResponse,
    arrived: number,
  ): void {
    const url = new URL(rawUrl, 'http://127.0.0.1');
    const route = this.routes.get(url.pathname);
    const record: TargetRecord = {
      method,
      path: url.pathname,
      headers,
      atMs: Math.round(arrived - this.startedAt),
    };
    this.requests.push(record);
    const socket = res.socket;
    const firstOnConnection = !!socket && !this.used.has(socket);
    if (socket) this.used.add(socket);
    const req: TargetRequest = {
      n: route ? route.count++ : 0,
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: Buffer.concat(chunks).toString('utf8'),
      elapsedMs: arrived - this.startedAt,
      firstOnConnection,
    };
    let reply: TargetReply;
    try {
      reply = (route?.behaviour ?? this.fallback)(req);
    } catch (err) {
      reply = { status: 500, body: { error: 'target_script_error', message: String(err) } };
    }
    if (reply.hang) return;
    const status = reply.status ?? 200;
    const out: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(reply.headers ?? {})) out[k.toLowerCase()] = v;
    let payload: Buffer | undefined;
    if (typeof reply.body === 'string') {
      payload = Buffer.from(reply.body);
      out['content-type'] ??= 'text/plain; charset=utf-8';
    } else if (reply.body !== undefined) {
      payload = Buffer.from(JSON.stringify(reply.body));
      out['content-type'] ??= 'application/json; charset=utf-8';
    }
    out['content-length'] = payload?.length ?? 0;

    const finish = () => {
      if (res.destroyed) return;
      res.end(payload, () => {
        record.status = status;
        record.appliedMs = performance.now() - arrived;
      });
    };
    const sendHeaders = () => {
      if (res.destroyed) return;
      if (reply.reset) {
        res.socket?.resetAndDestroy();
        return;
      }
      res.writeHead(status, out);
      if (reply.bodyDelayMs) {
        res.flushHeaders();
        this.later(reply.bodyDelayMs, finish);
      } else finish();
    };
    if (reply.delayMs && reply.delayMs > 0) this.later(reply.delayMs, sendHeaders);
    else sendHeaders();
  }
}

// ---------------------------------------------------------------------------------------------
// Behaviours to compose per test

const OK_BODY = { status: 'ok' };

export const behaviours = {
  /** Always 200 with this body (default {"status":"ok"}). */
  ok(body: unknown = OK_BODY, extra: TargetReply = {}): TargetBehaviour {
    return () => ({ status: 200, body, ...extra });
  },
  /** `before` (default 503 starting) until ms after start(), then `after` (default ok). */
  healthyAfter(
    ms: number,
    after: TargetBehaviour = behaviours.ok(),
    before: TargetBehaviour = () => ({ status: 503, body: { status: 'starting' } }),
  ): TargetBehaviour {
    return (req) => (req.elapsedMs < ms ? before(req) : after(req));
  },
  /** The replies in order, the last one repeated forever ("500 then 200": sequence([{status: 500}], ok)). */
  sequence(replies: TargetReply[], then?: TargetBehaviour): TargetBehaviour {
    return (req) => {
      const r = replies[req.n];
      if (r) return r;
      return then ? then(req) : (replies[replies.length - 1] ?? {});
    };
  },
  /** Cycles through the pattern per request: 'up' answers ok, 'down' answers 503 ("flapping"). */
  flapping(pattern: ReadonlyArray<'up' | 'down'>, up: TargetBehaviour = behaviours.ok()): TargetBehaviour {
    return (req) =>
      pattern[req.n % pattern.length] === 'up' ? up(req) : { status: 503, body: { status: 'unavailable' } };
  },
  /** Answers with a redirect to `location` (relative or absolute). */
  redirect(location: string, status = 302): TargetBehaviour {
    return () => ({ status, headers: { location } });
  },
  /** Never answers. */
  hang(): TargetBehaviour {
    return () => ({ hang: true });
  },
  /** Every nth request (n, 2n, …; 1-based) hangs; the others get `otherwise`. */
  hangEvery(nth: number, otherwise: TargetBehaviour = behaviours.ok()): TargetBehaviour {
    return (req) => ((req.n + 1) % nth === 0 ? { hang: true } : otherwise(req));
  },
  /** Each answer delayed by a draw from `delayMs()` (see the samplers below). */
  delayed(delayMs: () => number, inner: TargetBehaviour = behaviours.ok()): TargetBehaviour {
    return (req) => ({ ...inner(req), delayMs: delayMs() });
  },
  /**
   * Like Vercel Deployment Protection: without header `name` equal to `value`, 401 with an HTML page
   * (what a protected deployment answers automation that lacks the bypass secret).
   */
  /**
   * Vercel Deployment Protection in front of `inner`: the automation bypass passes as the
   * x-vercel-protection-bypass header or query parameter; without it, the 401 login page that starts
   * Vercel's SSO (its _vercel_sso_nonce cookie), as the Vercel CLI recognises it.
   */
  vercelProtected(secret: string, inner: TargetBehaviour = behaviours.ok()): TargetBehaviour {
    return (req) =>
      req.headers['x-vercel-protection-bypass'] === secret || req.query['x-vercel-protection-bypass'] === secret
        ? inner(req)
        : {
            status: 401,
            headers: {
              'content-type': 'text/html; charset=utf-8',
              'set-cookie': `_vercel_sso_nonce=${req.n.toString(16).padStart(8, '0')}; Max-Age=3600; Path=/; Secure; HttpOnly; SameSite=Lax`,
            },
            body: '<!doctype html><title>Authentication Required</title>',
          };
  },
  requireHeader(name: string, value: string, inner: TargetBehaviour = behaviours.ok()): TargetBehaviour {
    return (req) =>
      req.headers[name.toLowerCase()] === value
        ? inner(req)
        : {
            status: 401,
            headers: { 'content-type': 'text/html; charset=utf-8' },
            body: '<!doctype html><title>Authentication Required</title><p>This deployment is protected.</p>',
          };
  },
};

// ---------------------------------------------------------------------------------------------
// Seeded samplers: a known distribution, reproducible per seed

/** mulberry32: a small, fast, seedable PRNG in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws (Box–Muller). */
function normal(random: () => number): () => number {
  return () => {
    const u = 1 - random();
    const v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

/** Log-normal delays with this median and shape σ (response times are typically log-normal). */
export function lognormalDelays(options: { medianMs: number; sigma: number; seed?: number }): () => number {
  const z = normal(seededRandom(options.seed ?? 1));
  return () => options.medianMs * Math.exp(options.sigma * z());
}

/** Uniform delays in [minMs, maxMs). */
export function uniformDelays(options: { minMs: number; maxMs: number; seed?: number }): () => number {
  const random = seededRandom(options.seed ?? 1);
  return () => options.minMs + (options.maxMs - options.minMs) * random();
}

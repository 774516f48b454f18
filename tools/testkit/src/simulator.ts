// Base for the SaaS simulators (Heroku, Vercel, Slack, Sentry, GitHub): a real HTTP server on 127.0.0.1 with
// routes, request recording, bearer-token auth and per-route fault injection. Subclasses add the provider's
// documented endpoints and state; this file knows nothing about any provider.
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SimRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON or form object when the content type says so, the raw Buffer otherwise, undefined when empty. */
  body: unknown;
  rawBody: Buffer;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string | number | string[]>;
  /** Objects/arrays are sent as JSON, strings as text, Buffers as bytes, undefined as an empty body. */
  body?: unknown;
}

export type SimHandler = (req: SimRequest) => SimResponse | Promise<SimResponse>;

export type Fault =
  | { status: number; body?: unknown; headers?: Record<string, string | number | string[]>; delayMs?: number }
  | { reset: true; delayMs?: number }
  /** The request is handled (state changes) and then the connection drops before the answer: did it happen? */
  | { resetAfterHandling: true; delayMs?: number }
  | { delayMs: number };

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** Date.now() when the request (with its body) had arrived. */
  time: number;
}

export interface RouteOptions {
  /** false for public endpoints (health checks) when the simulator requires a token. Default true. */
  auth?: boolean;
}

export interface SimulatorOptions {
  /** Name used in error bodies, e.g. "Heroku". */
  name?: string;
  /** When set, every route with auth answers 401 unless `Authorization: Bearer <token>` is sent. */
  token?: string;
}

interface Route {
  method: string;
  match: (path: string) => Record<string, string> | undefined;
  handler: SimHandler;
  auth: boolean;
}

interface FaultEntry {
  method: string;
  match: (path: string) => Record<string, string> | undefined;
  fault: Fault;
  remaining: number;
}

/** Compiles '/apps/:app/builds' into a matcher returning the params, or undefined when the path does not match. */
export function compilePathPattern(pattern: string): (path: string) => Record<string, string> | undefined {
  const want = pattern.split('/');
  // A last segment '*' matches the rest of the path (possibly empty), captured as params['*'].
  const rest = want.at(-1) === '*';
  return (path) => {
    let got = path.split('/');
    const params: Record<string, string> = {};
    if (rest) {
      if (got.length < want.length) return undefined;
      params['*'] = got.slice(want.length - 1).join('/');
      got = [...got.slice(0, want.length - 1), '*'];
    }
    if (got.length !== want.length) return undefined;
    for (let i = 0; i < want.length; i++) {
      const w = want[i]!;
      const g = got[i]!;
      if (w.startsWith(':') && g !== '') {
        try {
          params[w.slice(1)] = decodeURIComponent(g);
        } catch {
          return undefined;
        }
      } else if (w !== g) {
        return undefined;
      }
    }
    return params;
  };
}

function methodMatches(want: string, got: string): boolean {
  return want === '*' || want === got;
}

export class Simulator {
  readonly name: string;
  /** Base URL (http://127.0.0.1:port) once started. */
  url = '';
  readonly requests: RecordedRequest[] = [];
  /** Header carrying a generated request id on every response; subclasses set the provider's (Heroku: request-id). */
  protected requestIdHeader = 'x-request-id';
  protected requiredToken: string | undefined;

  private readonly routes: Route[] = [];
  private faults: FaultEntry[] = [];
  private server: Server | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private counter = 0;

  constructor(options: SimulatorOptions = {}) {
    this.name = options.name ?? 'Simulator';
    this.requiredToken = options.token;
  }

  route(method: string, pattern: string, handler: SimHandler, options: RouteOptions = {}): this {
    this.routes.push({
      method: method.toUpperCase(),
      match: compilePathPattern(pattern),
      handler,
      auth: options.auth ?? true,
    });
    return this;
  }

  /**
   * Queues a fault for requests whose method and path match (path may be a pattern, method may be '*').
   * Faults are consumed in the order injected; once used up, requests are handled normally.
   */
  inject(method: string, path: string, fault: Fault, options: { times?: number } = {}): this {
    this.faults.push({
      method: method.toUpperCase(),
      match: compilePathPattern(path),
      fault,
      remaining: options.times ?? 1,
    });
    return this;
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Recorded requests, optionally only those with this method ('*' for any) and path (exact or pattern). */
  requestsTo(method = '*', path?: string): RecordedRequest[] {
    const want = method.toUpperCase();
    const match = path === undefined ? undefined : compilePathPattern(path);
    return this.requests.filter((r) => methodMatches(want, r.method) && (!match || match(r.path) !== undefined));
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  async start(): Promise<string> {
    if (this.server) return this.url;
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        // A handler bug must show up in the test, not as a hung request.
        this.send(res, { status: 500, body: { error: 'simulator_error', message: String(err) } });
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    // Keep-alive sockets from clients would otherwise hold close() open.
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Answer for a request without a valid token; override for providers with another shape (Slack: 200 ok:false). */
  protected unauthorized(req: SimRequest): SimResponse {
    return {
      status: 401,
      body: {
        error: 'unauthorized',
        message: `${this.name} requires a valid bearer token for ${req.method} ${req.path}`,
      },
    };
  }

  /** Answer for an unknown route; override to match the provider's error body shape. */
  protected notFound(req: SimRequest): SimResponse {
    return {
      status: 404,
      body: { error: 'not_found', message: `${this.name} has no route for ${req.method} ${req.path}` },
    };
  }

  /** True when the request carries the required bearer token (or none is required). */
  protected authorized(req: SimRequest): boolean {
    if (this.requiredToken === undefined) return true;
    return req.headers.authorization === `Bearer ${this.requiredToken}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const query = Object.fromEntries(url.searchParams);
    const simReq: SimRequest = {
      method,
      path: url.pathname,
      params: {},
      query,
      headers: req.headers,
      body: undefined,
      rawBody,
    };
    let badBody: string | undefined;
    try {
      simReq.body = parseBody(rawBody, req.headers['content-type']);
    } catch (err) {
      badBody = err instanceof Error ? err.message : String(err);
    }
    this.requests.push({ method, path: simReq.path, query, headers: req.headers, body: simReq.body, time: Date.now() });

    const fault = this.takeFault(method, simReq.path);
    if (fault) {
      if (fault.delayMs) await this.delay(fault.delayMs);
      if (res.destroyed) return; // the client gave up (timeout) while we waited
      if ('reset' in fault) {
        // RST rather than FIN, so the client sees ECONNRESET the way it would from a dropped load balancer.
        req.socket.resetAndDestroy();
        return;
      }
      if ('status' in fault) {
        this.send(res, { status: fault.status, headers: fault.headers, body: fault.body });
        return;
      }
    }
    const dropAnswer = fault !== undefined && 'resetAfterHandling' in fault;

    if (badBody !== undefined) {
      this.send(res, {
        status: 400,
        body: { error: 'invalid_body', message: `Request body is not valid: ${badBody}` },
      });
      return;
    }

    let route: Route | undefined;
    for (const r of this.routes) {
      if (!methodMatches(r.method, method)) continue;
      const params = r.match(simReq.path);
      if (params) {
        route = r;
        simReq.params = params;
        break;
      }
    }
    if (!route) {
      this.send(res, this.notFound(simReq));
      return;
    }
    if (route.auth && !this.authorized(simReq)) {
      this.send(res, this.unauthorized(simReq));
      return;
    }
    const answer = await route.handler(simReq);
    if (dropAnswer) {
      req.socket.resetAndDestroy();
      return;
    }
    this.send(res, answer);
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const entry = this.faults.find((f) => f.remaining > 0 && methodMatches(f.method, method) && f.match(path));
    if (!entry) return undefined;
    entry.remaining -= 1;
    return entry.fault;
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private send(res: ServerResponse, answer: SimResponse): void {
    if (res.destroyed || res.headersSent) return;
    const headers: Record<string, string | number | string[]> = {};
    for (const [k, v] of Object.entries(answer.headers ?? {})) headers[k.toLowerCase()] = v;
    this.counter += 1;
    headers[this.requestIdHeader] ??= `sim-${this.counter}`;
    let payload: Buffer | undefined;
    const body = answer.body;
    if (Buffer.isBuffer(body)) {
      payload = body;
      headers['content-type'] ??= 'application/octet-stream';
    } else if (typeof body === 'string') {
      payload = Buffer.from(body);
      headers['content-type'] ??= 'text/plain; charset=utf-8';
    } else if (body !== undefined) {
      payload = Buffer.from(JSON.stringify(body));
      headers['content-type'] ??= 'application/json; charset=utf-8';
    }
    headers['content-length'] = payload?.length ?? 0;
    res.writeHead(answer.status, headers);
    res.end(payload);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('json')) return JSON.parse(raw.toString('utf8'));
  if (type.includes('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(raw.toString()));
  return raw;
}

// A Heroku Platform API simulator. Shapes follow Heroku's published JSON schema (GET /schema; a copy lives in
// heroku/typescript-api-schema): app, source, build, slug, release, pipeline, pipeline-coupling,
// pipeline-promotion and pipeline-promotion-target. Two hosts, as on Heroku:
//  - the API (api.heroku.com): Bearer auth, `Accept: application/vnd.heroku+json; version=3`, `{id, message}`
//    errors, RateLimit-Remaining on every answer and 429 `rate_limit` when the tokens run out, Range paging;
//  - a blob/stream host standing in for S3 (put_url/get_url, no auth: the signature is in the URL) and for
//    build-output.heroku.com (output_stream_url, text/plain, resumable with `Range: bytes=N-`).
// Builds go pending → succeeded/failed on a clock while their output streams; a successful build makes a
// slug and a release; a slug whose Procfile declares `release:` runs a release phase (release pending →
// succeeded/failed, with its own stream) and only then becomes current. Uploads are checked as S3 and the
// build would check them: Content-Length required, no Content-Type (it is not part of the signature), and
// the build fails when the blob is not a gzip tar or its SHA-256 differs from the build's checksum.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { type SimRequest, type SimResponse, Simulator } from './simulator';

export type BuildOutcome = 'succeeded' | 'failed';

export interface HerokuSimOptions {
  /** The API key the simulator accepts; default 'heroku-sim-key'. */
  token?: string;
  /** How long a build stays pending. Default 200 ms. */
  buildMs?: number;
  /** How long a release phase runs. Default 150 ms. */
  releasePhaseMs?: number;
  /** How long a pipeline promotion takes per target. Default 100 ms. */
  promotionMs?: number;
  /** Request tokens of the account (Heroku: 4500). Default 4500. */
  rateLimit?: number;
  /** Tokens replenished per minute (Heroku: about 75). Default 75. */
  refillPerMinute?: number;
  /**
   * Where a review app's web traffic goes: called with its app (config set) before its build starts; the
   * answer becomes its web_url (a rehearsal starts the backend against the app's DATABASE_URL there).
   */
  reviewAppWebUrl?: (app: SimAppState) => Promise<string | undefined>;
}

export interface NextBuild {
  outcome?: BuildOutcome;
  /** Output lines of the build; default: a plausible Node.js build log. */
  output?: string[];
  durationMs?: number;
}

export interface NextReleasePhase {
  outcome?: BuildOutcome;
  output?: string[];
  durationMs?: number;
}

export interface SimUpload {
  sourceId: string;
  contentLength: string | undefined;
  contentType: string | undefined;
  authorization: string | undefined;
  sha256: string;
  size: number;
  /** Entry paths of the tar, when it was a gzip tar. */
  entries: string[];
  /** Why it is not a usable source, when it is not. */
  invalid?: string;
}

interface SimAppState {
  id: string;
  name: string;
  web_url: string;
  created_at: string;
  releases: SimRelease[];
  builds: SimBuild[];
  slugs: SimSlug[];
  twoFactor: boolean;
  nextBuilds: NextBuild[];
  nextReleasePhases: NextReleasePhase[];
  /** Promotions to this app fail with this message. */
  promotionError?: string;
  /** The app's config vars, add-ons' included. */
  config: Record<string, string>;
  maintenance: boolean;
  addons: SimAddon[];
}

export interface SimAddon {
  id: string;
  name: string;
  /** Config vars the add-on sets and owns: set and unset through the API are refused. */
  config_vars: string[];
}

export interface SimRelease {
  id: string;
  version: number;
  status: 'pending' | 'succeeded' | 'failed' | 'expired';
  current: boolean;
  eligible_for_rollback: boolean;
  description: string;
  slug: { id: string } | null;
  output_stream_url: string | null;
  created_at: string;
  updated_at: string;
  /** The config vars the release runs with (GET /apps/{app}/releases/{id}/config-vars). */
  config: Record<string, string>;
}

export interface SimBuild {
  id: string;
  status: 'pending' | 'succeeded' | 'failed';
  source_blob: { url: string; version: string | null; checksum: string | null; version_description: string | null };
  output_stream_url: string;
  release: { id: string } | null;
  slug: { id: string } | null;
  created_at: string;
  updated_at: string;
}

export interface SimSlug {
  id: string;
  commit: string | null;
  process_types: Record<string, string>;
  checksum: string | null;
  size: number;
  created_at: string;
}

interface SimSource {
  id: string;
  putSig: string;
  getSig: string;
  upload?: SimUpload;
  /** Procfile content found in the tar. */
  procfile?: string;
}

interface SimStream {
  chunks: Buffer[];
  closed: boolean;
  listeners: Set<() => void>;
}

interface SimPipeline {
  id: string;
  name: string;
  couplings: { id: string; appId: string; stage: string }[];
  /** Review apps enabled (review-app-config): Heroku requires a GitHub-connected pipeline for that. */
  reviewApps: boolean;
}

export interface SimReviewApp {
  id: string;
  pipelineId: string;
  branch: string;
  pr_number: number | null;
  status: 'pending' | 'creating' | 'created' | 'deleting' | 'deleted' | 'errored';
  appId: string | null;
  appSetupId: string;
  error_status: string | null;
  message: string | null;
  environment: Record<string, string>;
  created_at: string;
  updated_at: string;
}

interface SimAppSetup {
  id: string;
  status: 'pending' | 'succeeded' | 'failed';
  failure_message: string | null;
  appId: string;
  buildId: string | null;
}

interface SimPromotion {
  id: string;
  pipelineId: string;
  sourceAppId: string;
  sourceReleaseId: string;
  status: 'pending' | 'completed';
  created_at: string;
  updated_at: string;
  targets: {
    id: string;
    appId: string;
    status: 'pending' | 'succeeded' | 'failed';
    error_message: string | null;
    release: { id: string } | null;
  }[];
}

const ACCEPT_RANGES = ['id', 'version'];
const STAGES = ['test', 'review', 'development', 'staging', 'production'];
const USER = { email: 'deployer@example.com', id: '7f1d2c3b-0000-4000-8000-00000000beef' };

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Heroku error body. */
const err = (status: number, id: string, message: string, extra: Record<string, unknown> = {}): SimResponse => ({
  status,
  body: { id, message, ...extra },
});

function defaultBuildOutput(app: string, version: string | null): string[] {
  return [
    '-----> Building on the Heroku-24 stack',
    '-----> Determining which buildpack to use for this app',
    '-----> Node.js app detected',
    '-----> Installing dependencies',
    '       Installing node modules (package-lock.json)',
    '-----> Build succeeded!',
    '-----> Discovering process types',
    '       Procfile declares types -> web',
    '-----> Compressing...',
    '       Done: 41.7M',
    '-----> Launching...',
    `       https://${app}.herokuapp.com/ deployed to Heroku${version ? ` (${version.slice(0, 7)})` : ''}`,
  ];
}

/**
 * Reads a tar stream block by block: checks each header's checksum and ustar magic, follows PAX `path`
 * records, and keeps the content of a top-level Procfile. Throws on anything that is not a tar.
 */
class TarCheck extends Writable {
  readonly entries: string[] = [];
  procfile: string | undefined;
  private buf: Buffer = Buffer.alloc(0);
  private skip = 0;
  private collect: { name: string; size: number; data: Buffer[]; got: number } | undefined;
  private paxPath: string | undefined;
  private ended = false;
  private sawHeader = false;

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    try {
      this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
      this.drain();
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }

  override _final(cb: (e?: Error | null) => void): void {
    if (!this.sawHeader) cb(new Error('empty archive'));
    else if (this.skip > 0 || this.collect) cb(new Error('archive ends inside an entry'));
    else cb();
  }

  private drain(): void {
    while (this.buf.length > 0) {
      if (this.ended) {
        this.buf = Buffer.alloc(0);
        return;
      }
      if (this.collect) {
        const want = Math.min(this.collect.size - this.collect.got, this.buf.length);
        this.collect.data.push(this.buf.subarray(0, want));
        this.collect.got += want;
        this.buf = this.buf.subarray(want);
        if (this.collect.got === this.collect.size) {
          this.finishCollect();
          this.skip = (512 - ((this.collect?.size ?? 0) % 512)) % 512;
          this.collect = undefined;
        }
        continue;
      }
      if (this.skip > 0) {
        const n = Math.min(this.skip, this.buf.length);
        this.skip -= n;
        this.buf = this.buf.subarray(n);
        continue;
      }
      if (this.buf.length < 512) return;
      const header = this.buf.subarray(0, 512);
      this.buf = this.buf.subarray(512);
      if (header.every((b) => b === 0)) {
        this.ended = this.sawHeader;
        continue;
      }
      this.readHeader(header);
    }
  }

  private finishCollect(): void {
    const c = this.collect!;
    const data = Buffer.concat(c.data).toString('utf8');
    if (c.name === '\0pax') {
      const m = /\d+ path=([^\n]*)\n/.exec(data);
      if (m) this.paxPath = m[1];
    } else {
      this.procfile = data;
    }
  }

  private readHeader(h: Buffer): void {
    const str = (from: number, len: number) =>
      h
        .subarray(from, from + len)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const octal = (from: number, len: number) => Number.parseInt(str(from, len).trim() || '0', 8);
    const stored = octal(148, 8);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    if (stored !== sum) throw new Error('bad tar header checksum');
    if (!str(257, 6).startsWith('ustar')) throw new Error('not a ustar header');
    this.sawHeader = true;
    const type = String.fromCharCode(h[156] || 48);
    const size = octal(124, 12);
    const prefix = str(345, 155);
    let name = prefix ? `${prefix}/${str(0, 100)}` : str(0, 100);
    if (type === 'x' || type === 'g') {
      // PAX extended header: its records describe the next entry.
      this.collect = { name: type === 'x' ? '\0pax' : '\0global', size, data: [], got: 0 };
      if (size === 0) this.collect = undefined;
      return;
    }
    if (this.paxPath !== undefined) {
      name = this.paxPath;
      this.paxPath = undefined;
    }
    this.entries.push(name);
    const clean = name.replace(/^\.\//, '');
    if (clean === 'Procfile' && (type === '0' || type === '\0') && size > 0 && size < 65536) {
      this.collect = { name: clean, size, data: [], got: 0 };
      return;
    }
    this.skip = Math.ceil(size / 512) * 512;
  }
}

export class HerokuSim extends Simulator {
  /** Base URL of the blob and log-stream host (the S3 / build-output stand-in). */
  blobUrl = '';
  readonly uploads: SimUpload[] = [];
  /** Requests the API answered with 429. */
  rateLimited = 0;
  readonly options: Required<Omit<HerokuSimOptions, 'token' | 'reviewAppWebUrl'>>;
  readonly key: string;

  private readonly apps: SimAppState[] = [];
  private readonly sources = new Map<string, SimSource>();
  private readonly streams = new Map<string, SimStream>();
  private readonly pipelines: SimPipeline[] = [];
  private readonly promotions: SimPromotion[] = [];
  readonly reviewApps: SimReviewApp[] = [];
  private readonly nextReviewAppBuilds: NextBuild[] = [];
  private readonly appSetups: SimAppSetup[] = [];
  private readonly simTimers = new Set<NodeJS.Timeout>();
  private blobServer: Server | undefined;
  private tokens: number;
  private tokensAt = Date.now();
  private streamDrops = 0;

  private readonly hooks: Pick<HerokuSimOptions, 'reviewAppWebUrl'>;

  constructor(options: HerokuSimOptions = {}) {
    const key = options.token ?? 'heroku-sim-key';
    super({ name: 'Heroku', token: key });
    this.key = key;
    this.requestIdHeader = 'request-id';
    this.options = {
      buildMs: options.buildMs ?? 200,
      releasePhaseMs: options.releasePhaseMs ?? 150,
      promotionMs: options.promotionMs ?? 100,
      rateLimit: options.rateLimit ?? 4500,
      refillPerMinute: options.refillPerMinute ?? 75,
    };
    this.tokens = this.options.rateLimit;
    this.hooks = { reviewAppWebUrl: options.reviewAppWebUrl };
    this.defineRoutes();
  }

  // ---------------------------------------------------------------------------------------------
  // Test setup

  /** Creates an app with Heroku's first two releases (v1 Initial release, v2 Enable Logplex). */
  addApp(name: string, options: { twoFactor?: boolean } = {}): SimAppState {
    const app: SimAppState = {
      id: randomUUID(),
      name,
      web_url: `https://${name}-${randomBytes(6).toString('hex')}.herokuapp.com/`,
      created_at: now(),
      releases: [],
      builds: [],
      slugs: [],
      twoFactor: options.twoFactor ?? false,
      nextBuilds: [],
      nextReleasePhases: [],
      config: {},
      maintenance: false,
      addons: [],
    };
    this.apps.push(app);
    this.addRelease(app, { description: 'Initial release', slug: null, phase: false });
    this.addRelease(app, { description: 'Enable Logplex', slug: null, phase: false });
    return app;
  }

  /** A deploy that happened before the test: build, slug and current release of `version`, at once. */
  seedDeploy(appName: string, version: string, options: { releasePhase?: boolean } = {}): SimRelease {
    const app = this.mustApp(appName);
    const slug = this.addSlug(app, version, options.releasePhase ? { release: './migrate', web: 'npm start' } : {});
    const release = this.addRelease(app, {
      description: `Deploy ${version.slice(0, 8)}`,
      slug: { id: slug.id },
      phase: false,
    });
    const build: SimBuild = {
      id: randomUUID(),
      status: 'succeeded',
      source_blob: { url: `${this.blobUrl}/sources/seeded`, version, checksum: null, version_description: null },
      output_stream_url: `${this.blobUrl}/streams/${this.newStream(true)}`,
      release: { id: release.id },
      slug: { id: slug.id },
      created_at: now(),
      updated_at: now(),
    };
    app.builds.push(build);
    return release;
  }

  /** Config vars the app had before the test (no release, as if set long ago). */
  seedConfig(appName: string, vars: Record<string, string>): void {
    const app = this.mustApp(appName);
    Object.assign(app.config, vars);
    const current = app.releases.find((r) => r.current);
    if (current) current.config = { ...app.config };
  }

  /** An attached add-on and the config vars it owns (e.g. heroku-postgresql's DATABASE_URL). */
  addAddon(appName: string, name: string, vars: Record<string, string>): SimAddon {
    const app = this.mustApp(appName);
    const addon: SimAddon = { id: randomUUID(), name, config_vars: Object.keys(vars) };
    app.addons.push(addon);
    this.seedConfig(appName, vars);
    return addon;
  }

  /** How the next build of this app ends (queued; default succeeded). */
  nextBuild(appName: string, next: NextBuild): this {
    this.mustApp(appName).nextBuilds.push(next);
    return this;
  }

  /** How the build of the next review app ends (its app does not exist before; queued; default succeeded). */
  nextReviewAppBuild(next: NextBuild): this {
    this.nextReviewAppBuilds.push(next);
    return this;
  }

  /** How the next release phase of this app ends (queued; default succeeded). */
  nextReleasePhase(appName: string, next: NextReleasePhase): this {
    this.mustApp(appName).nextReleasePhases.push(next);
    return this;
  }

  /** Marks a release as not eligible for rollback (as Heroku does for e.g. releases on a retired stack). */
  setEligible(appName: string, version: number, eligible: boolean): void {
    const r = this.mustApp(appName).releases.find((x) => x.version === version);
    if (!r) throw new Error(`HerokuSim: ${appName} has no v${version}`);
    r.eligible_for_rollback = eligible;
  }

  /** Promotions to this app fail with this error_message. */
  failPromotionsTo(appName: string, message: string): void {
    this.mustApp(appName).promotionError = message;
  }

  addPipeline(
    name: string,
    couplings: { app: string; stage: string }[],
    options: { reviewApps?: boolean } = {},
  ): SimPipeline {
    const p: SimPipeline = {
      id: randomUUID(),
      name,
      reviewApps: options.reviewApps ?? false,
      couplings: couplings.map((c) => {
        if (!STAGES.includes(c.stage)) throw new Error(`HerokuSim: stage ${c.stage} is not one of ${STAGES}`);
        return { id: randomUUID(), appId: this.mustApp(c.app).id, stage: c.stage };
      }),
    };
    this.pipelines.push(p);
    return p;
  }

  app(nameOrId: string): SimAppState | undefined {
    return this.apps.find((a) => a.name === nameOrId || a.id === nameOrId);
  }

  releases(appName: string): SimRelease[] {
    return [...this.mustApp(appName).releases];
  }

  currentRelease(appName: string): SimRelease | undefined {
    return this.mustApp(appName).releases.find((r) => r.current);
  }

  slug(appName: string, id: string): SimSlug | undefined {
    return this.mustApp(appName).slugs.find((s) => s.id === id);
  }

  builds(appName: string): SimBuild[] {
    return [...this.mustApp(appName).builds];
  }

  /** Request tokens left (what RateLimit-Remaining says next). */
  setRateLimitRemaining(n: number): void {
    this.tokens = n;
    this.tokensAt = Date.now();
  }

  /** The next `times` output-stream reads are cut (socket reset) after their first chunk. */
  dropStreams(times = 1): void {
    this.streamDrops += times;
  }

  override async start(): Promise<string> {
    const url = await super.start();
    if (!this.blobServer) {
      const server = createServer((req, res) => {
        this.handleBlob(req, res).catch((e: unknown) => {
          if (!res.headersSent) res.writeHead(500).end(String(e));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      this.blobServer = server;
      this.blobUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }
    return url;
  }

  override async stop(): Promise<void> {
    for (const t of this.simTimers) clearTimeout(t);
    this.simTimers.clear();
    for (const s of this.streams.values()) {
      s.closed = true;
      for (const l of s.listeners) l();
    }
    const blob = this.blobServer;
    this.blobServer = undefined;
    if (blob) {
      blob.closeAllConnections();
      await new Promise<void>((resolve) => blob.close(() => resolve()));
    }
    await super.stop();
  }

  // ---------------------------------------------------------------------------------------------
  // API

  protected override unauthorized(): SimResponse {
    return err(401, 'unauthorized', 'Invalid credentials provided.');
  }

  protected override notFound(): SimResponse {
    return err(
      404,
      'not_found',
      'The requested API endpoint was not found. Are you using the right HTTP verb (i.e. `GET` vs. `POST`), and did you specify your intended version with the `Accept` header?',
    );
  }

  /** Registers an API route behind Heroku's version check, rate limit and headers. */
  private api(method: string, pattern: string, handler: (req: SimRequest) => SimResponse): void {
    this.route(method, pattern, (req) => {
      const answer = this.gate(req) ?? handler(req);
      return { ...answer, headers: { 'ratelimit-remaining': Math.max(0, Math.floor(this.tokens)), ...answer.headers } };
    });
  }

  private gate(req: SimRequest): SimResponse | undefined {
    const elapsed = Date.now() - this.tokensAt;
    this.tokensAt = Date.now();
    this.tokens = Math.min(this.options.rateLimit, this.tokens + (elapsed / 60_000) * this.options.refillPerMinute);
    if (this.tokens < 1) {
      this.rateLimited += 1;
      return err(
        429,
        'rate_limit',
        'Your account reached the API rate limit\nPlease wait a few minutes before making new requests',
        {
          url: 'https://devcenter.heroku.com/articles/platform-api-reference#rate-limits',
        },
      );
    }
    this.tokens -= 1;
    if (!/version=3/.test(String(req.headers.accept ?? ''))) {
      return err(
        400,
        'bad_request',
        "Please specify a version along with Heroku's API MIME type. For example, `Accept: application/vnd.heroku+json; version=3`.",
      );
    }
    const appParam = req.params.app;
    if (appParam !== undefined) {
      const app = this.app(appParam);
      if (!app) return err(404, 'not_found', "Couldn't find that app.", { resource: 'app' });
      if (app.twoFactor) {
        return err(
          403,
          'two_factor',
          'A second authentication factor or pre-authorization is required for this request. Your account has either two-factor or a Yubikey registered.',
        );
      }
    }
    return undefined;
  }

  private defineRoutes(): void {
    this.api('GET', '/apps/:app', (req) => ({ status: 200, body: this.appJson(this.mustApp(req.params.app!)) }));
    this.api('PATCH', '/apps/:app', (req) => this.updateApp(this.mustApp(req.params.app!), req.body));
    this.api('GET', '/apps/:app/config-vars', (req) => ({
      status: 200,
      body: { ...this.mustApp(req.params.app!).config },
    }));
    this.api('PATCH', '/apps/:app/config-vars', (req) => this.updateConfig(this.mustApp(req.params.app!), req.body));
    this.api('GET', '/apps/:app/addons', (req) => {
      const app = this.mustApp(req.params.app!);
      return { status: 200, body: app.addons.map((a) => this.addonJson(app, a)) };
    });

    this.api('POST', '/sources', () => {
      const source: SimSource = {
        id: randomUUID(),
        putSig: randomBytes(16).toString('hex'),
        getSig: randomBytes(16).toString('hex'),
      };
      this.sources.set(source.id, source);
      const base = `${this.blobUrl}/sources/${source.id}`;
      return {
        status: 201,
        body: {
          source_blob: {
            get_url: `${base}?X-Amz-Expires=3600&X-Amz-Signature=${source.getSig}`,
            put_url: `${base}?X-Amz-Expires=3600&X-Amz-Signature=${source.putSig}`,
          },
        },
      };
    });

    this.api('POST', '/apps/:app/builds', (req) => this.createBuild(this.mustApp(req.params.app!), req.body));
    this.api('GET', '/apps/:app/builds', (req) => {
      const app = this.mustApp(req.params.app!);
      return this.ranged(
        req,
        app.builds.map((b) => this.buildJson(app, b)),
        ['id', 'started_at'],
      );
    });
    this.api('GET', '/apps/:app/builds/:build', (req) => {
      const app = this.mustApp(req.params.app!);
      const b = app.builds.find((x) => x.id === req.params.build);
      if (!b) return err(404, 'not_found', "Couldn't find that build.", { resource: 'build' });
      return { status: 200, body: this.buildJson(app, b) };
    });

    this.api('GET', '/apps/:app/slugs/:slug', (req) => {
      const app = this.mustApp(req.params.app!);
      const s = app.slugs.find((x) => x.id === req.params.slug);
      if (!s) return err(404, 'not_found', "Couldn't find that slug.", { resource: 'slug' });
      return { status: 200, body: this.slugJson(s) };
    });

    this.api('GET', '/apps/:app/releases', (req) => {
      const app = this.mustApp(req.params.app!);
      return this.ranged(
        req,
        app.releases.map((r) => this.releaseJson(app, r)),
        ACCEPT_RANGES,
      );
    });
    this.api('GET', '/apps/:app/releases/:release', (req) => {
      const app = this.mustApp(req.params.app!);
      const r = this.findRelease(app, req.params.release!);
      if (!r) return err(404, 'not_found', "Couldn't find that release.", { resource: 'release' });
      return { status: 200, body: this.releaseJson(app, r) };
    });
    this.api('POST', '/apps/:app/releases', (req) => this.createRelease(this.mustApp(req.params.app!), req.body));
    this.api('GET', '/apps/:app/releases/:release/config-vars', (req) => {
      const app = this.mustApp(req.params.app!);
      const r = this.findRelease(app, req.params.release!);
      if (!r) return err(404, 'not_found', "Couldn't find that release.", { resource: 'release' });
      return { status: 200, body: { ...r.config } };
    });

    this.api('GET', '/apps/:app/pipeline-couplings', (req) => {
      const app = this.mustApp(req.params.app!);
      for (const p of this.pipelines) {
        const c = p.couplings.find((x) => x.appId === app.id);
        if (c) return { status: 200, body: this.couplingJson(p, c) };
      }
      return err(404, 'not_found', "Couldn't find that pipeline coupling.", { resource: 'pipeline_coupling' });
    });
    this.api('GET', '/pipelines/:pipeline', (req) => {
      const p = this.pipelines.find((x) => x.id === req.params.pipeline || x.name === req.params.pipeline);
      if (!p) return err(404, 'not_found', "Couldn't find that pipeline.", { resource: 'pipeline' });
      return {
        status: 200,
        body: { id: p.id, name: p.name, created_at: now(), updated_at: now(), generation: { name: 'cedar' } },
      };
    });
    this.api('GET', '/pipelines/:pipeline/pipeline-couplings', (req) => {
      const p = this.pipelines.find((x) => x.id === req.params.pipeline);
      if (!p) return err(404, 'not_found', "Couldn't find that pipeline.", { resource: 'pipeline' });
      return { status: 200, body: p.couplings.map((c) => this.couplingJson(p, c)) };
    });

    this.api('POST', '/review-apps', (req) => this.createReviewApp(req.body));
    this.api('GET', '/review-apps/:id', (req) => {
      const r = this.reviewApps.find((x) => x.id === req.params.id);
      return r ? { status: 200, body: this.reviewAppJson(r) } : reviewAppNotFound();
    });
    this.api('DELETE', '/review-apps/:id', (req) => {
      const r = this.reviewApps.find((x) => x.id === req.params.id && x.status !== 'deleted');
      if (!r) return reviewAppNotFound();
      r.status = 'deleting';
      r.updated_at = now();
      this.later(this.options.promotionMs, () => {
        r.status = 'deleted';
        r.updated_at = now();
        const i = this.apps.findIndex((a) => a.id === r.appId);
        if (i >= 0) this.apps.splice(i, 1);
      });
      return { status: 200, body: this.reviewAppJson(r) };
    });
    this.api('GET', '/pipelines/:pipeline/review-apps', (req) => {
      const p = this.pipelines.find((x) => x.id === req.params.pipeline);
      if (!p) return err(404, 'not_found', "Couldn't find that pipeline.", { resource: 'pipeline' });
      return {
        status: 200,
        body: this.reviewApps.filter((r) => r.pipelineId === p.id).map((r) => this.reviewAppJson(r)),
      };
    });
    this.api('GET', '/app-setups/:id', (req) => {
      const a = this.appSetups.find((x) => x.id === req.params.id);
      if (!a) return err(404, 'not_found', "Couldn't find that app setup.", { resource: 'app_setup' });
      const app = this.apps.find((x) => x.id === a.appId);
      const build = app?.builds.find((b) => b.id === a.buildId);
      return {
        status: 200,
        body: {
          id: a.id,
          status: a.status,
          failure_message: a.failure_message,
          manifest_errors: [],
          app: app ? { id: app.id, name: app.name } : { id: a.appId, name: null },
          build: build ? { id: build.id, status: build.status, output_stream_url: build.output_stream_url } : null,
          postdeploy: null,
          resolved_success_url: null,
          created_at: now(),
          updated_at: now(),
        },
      };
    });

    this.api('POST', '/pipeline-promotions', (req) => this.createPromotion(req.body));
    this.api('GET', '/pipeline-promotions/:id', (req) => {
      const p = this.promotions.find((x) => x.id === req.params.id);
      if (!p)
        return err(404, 'not_found', "Couldn't find that pipeline promotion.", { resource: 'pipeline_promotion' });
      return { status: 200, body: this.promotionJson(p) };
    });
    this.api('GET', '/pipeline-promotions/:id/promotion-targets', (req) => {
      const p = this.promotions.find((x) => x.id === req.params.id);
      if (!p)
        return err(404, 'not_found', "Couldn't find that pipeline promotion.", { resource: 'pipeline_promotion' });
      return {
        status: 200,
        body: p.targets.map((t) => ({
          id: t.id,
          app: { id: t.appId },
          error_message: t.error_message,
          pipeline_promotion: { id: p.id },
          release: t.release,
          status: t.status,
        })),
      };
    });
  }

  /**
   * Heroku's list ranges: `Range: <field> [ or ]<start>..<end>; max=N, order=asc|desc`. A page that does not
   * hold the rest answers 206 with Next-Range (exclusive start `]`); an unknown field is a 400.
   */
  private ranged(req: SimRequest, items: Record<string, unknown>[], fields: string[]): SimResponse {
    const header = String(req.headers.range ?? '').trim();
    let field = fields[0]!;
    let max = 200;
    let order: 'asc' | 'desc' = 'asc';
    let start: string | undefined;
    let exclusive = false;
    let end: string | undefined;
    if (header) {
      const m = /^([a-z_]+)\s*(\]?)([^.;]*)\.\.([^;]*?)\s*(?:;\s*(.*))?$/i.exec(header);
      if (!m || !fields.includes(m[1]!)) {
        return err(400, 'bad_request', `Invalid Range header: ${header}. Accepted ranges: ${fields.join(', ')}`);
      }
      field = m[1]!;
      exclusive = m[2] === ']';
      start = m[3]?.trim() || undefined;
      end = m[4]?.trim() || undefined;
      for (const part of (m[5] ?? '').split(',')) {
        const [k, v] = part.split('=').map((s) => s.trim());
        if (k === 'max') max = Math.min(1000, Math.max(1, Number(v) || 200));
        if (k === 'order' && (v === 'asc' || v === 'desc')) order = v;
      }
    }
    const key = (x: Record<string, unknown>) => x[field] as string | number;
    const cmp = (a: string | number, b: string | number) =>
      typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
    const parse = (v: string) => (field === 'version' ? Number(v) : v);
    let list = [...items].sort((a, b) => cmp(key(a), key(b)) * (order === 'desc' ? -1 : 1));
    if (start !== undefined) {
      const s = parse(start);
      // The start bound is in iteration order: with order=desc, "after 5" means below 5.
      list = list.filter((x) => {
        const c = cmp(key(x), s) * (order === 'desc' ? -1 : 1);
        return exclusive ? c > 0 : c >= 0;
      });
    }
    if (end !== undefined) {
      const e = parse(end);
      list = list.filter((x) => cmp(key(x), e) * (order === 'desc' ? -1 : 1) <= 0);
    }
    const page = list.slice(0, max);
    const headers: Record<string, string> = { 'accept-ranges': fields.join(', ') };
    if (page.length > 0) headers['content-range'] = `${field} ${key(page[0]!)}..${key(page[page.length - 1]!)}`;
    if (list.length > page.length) {
      headers['next-range'] = `${field} ]${key(page[page.length - 1]!)}..; max=${max}, order=${order}`;
      return { status: 206, headers, body: page };
    }
    return { status: 200, headers, body: page };
  }

  /**
   * POST /review-apps: a new app in the pipeline's review stage, set up from the source blob (an app
   * setup whose build releases it), with `environment` as its config. pending → creating → created, or
   * errored when the build fails. One review app per branch while it lives (409 conflict).
   */
  private createReviewApp(body: unknown): SimResponse {
    const b = (body ?? {}) as {
      branch?: unknown;
      pipeline?: unknown;
      source_blob?: { url?: unknown; version?: unknown };
      pr_number?: unknown;
      environment?: unknown;
    };
    if (typeof b.branch !== 'string' || typeof b.pipeline !== 'string' || typeof b.source_blob?.url !== 'string')
      return err(422, 'invalid_params', 'branch, pipeline and source_blob.url are required.');
    const pipeline = this.pipelines.find((p) => p.id === b.pipeline);
    if (!pipeline) return err(404, 'not_found', "Couldn't find that pipeline.", { resource: 'pipeline' });
    if (!pipeline.reviewApps) return err(422, 'invalid_params', 'Review apps are not enabled for this pipeline.');
    const live = this.reviewApps.find(
      (r) => r.pipelineId === pipeline.id && r.branch === b.branch && r.status !== 'deleted',
    );
    if (live) return err(409, 'conflict', `A review app already exists for the ${b.branch} branch`);
    const env = (b.environment ?? {}) as Record<string, unknown>;
    if (typeof env !== 'object' || Object.values(env).some((v) => v !== null && typeof v !== 'string'))
      return err(422, 'invalid_params', 'environment must be a hash of strings.');
    const r: SimReviewApp = {
      id: randomUUID(),
      pipelineId: pipeline.id,
      branch: b.branch,
      pr_number: typeof b.pr_number === 'number' ? b.pr_number : null,
      status: 'pending',
      appId: null,
      appSetupId: randomUUID(),
      error_status: null,
      message: null,
      environment: Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as Record<
        string,
        string
      >,
      created_at: now(),
      updated_at: now(),
    };
    this.reviewApps.push(r);
    const blob = {
      url: b.source_blob.url,
      version: typeof b.source_blob.version === 'string' ? b.source_blob.version : null,
    };
    this.later(this.options.promotionMs, () => {
      const app = this.addApp(
        `${pipeline.name}-pr-${r.pr_number ?? randomBytes(2).toString('hex')}-${randomBytes(3).toString('hex')}`,
      );
      app.config = { ...r.environment };
      const next = this.nextReviewAppBuilds.shift();
      if (next) app.nextBuilds.push(next);
      r.appId = app.id;
      r.status = 'creating';
      r.updated_at = now();
      void this.reviewAppServes(app).then(() => this.setUpReviewApp(r, app, blob));
    });
    return { status: 201, body: this.reviewAppJson(r) };
  }

  private async reviewAppServes(app: SimAppState): Promise<void> {
    const url = await this.hooks.reviewAppWebUrl?.(app).catch(() => undefined);
    if (url) app.web_url = url;
  }

  private setUpReviewApp(r: SimReviewApp, app: SimAppState, blob: { url: string; version: string | null }): void {
    if (r.status !== 'creating') return; // deleted meanwhile
    const setup: SimAppSetup = {
      id: r.appSetupId,
      status: 'pending',
      failure_message: null,
      appId: app.id,
      buildId: null,
    };
    this.appSetups.push(setup);
    const made = this.createBuild(app, { source_blob: blob }, (build) => {
      const ok = build.status === 'succeeded';
      setup.status = ok ? 'succeeded' : 'failed';
      setup.failure_message = ok ? null : 'Build failed';
      r.status = ok ? 'created' : 'errored';
      r.error_status = ok ? null : 'Build failed';
      r.message = ok ? null : 'Your review app could not be created: the build failed.';
      r.updated_at = now();
    });
    setup.buildId = (made.body as { id?: string }).id ?? null;
  }

  private reviewAppJson(r: SimReviewApp): Record<string, unknown> {
    return {
      id: r.id,
      app: r.appId ? { id: r.appId } : null,
      app_setup: { id: r.appSetupId },
      branch: r.branch,
      pr_number: r.pr_number,
      status: r.status,
      error_status: r.error_status,
      message: r.message,
      pipeline: { id: r.pipelineId },
      creator: { id: USER.id },
      fork_repo: null,
      wait_for_ci: false,
      created_at: r.created_at,
      updated_at: r.updated_at,
    };
  }

  private createBuild(app: SimAppState, body: unknown, onDone?: (build: SimBuild) => void): SimResponse {
    const b = (body ?? {}) as { source_blob?: { url?: unknown; version?: unknown; checksum?: unknown } };
    const blob = b.source_blob;
    if (!blob || typeof blob.url !== 'string' || blob.url === '') {
      return err(422, 'invalid_params', 'source_blob.url: Required field is missing.');
    }
    if (blob.checksum !== undefined && blob.checksum !== null && !/^SHA256:[0-9a-f]{64}$/.test(String(blob.checksum))) {
      return err(422, 'invalid_params', 'Checksum must be in the format SHA256:<64 hex digits>.');
    }
    const next = app.nextBuilds.shift() ?? {};
    const streamId = this.newStream(false);
    const build: SimBuild = {
      id: randomUUID(),
      status: 'pending',
      source_blob: {
        url: blob.url,
        version: typeof blob.version === 'string' ? blob.version : null,
        checksum: typeof blob.checksum === 'string' ? blob.checksum : null,
        version_description: null,
      },
      output_stream_url: `${this.blobUrl}/streams/${streamId}`,
      release: null,
      slug: null,
      created_at: now(),
      updated_at: now(),
    };
    app.builds.push(build);
    // What the build would find when it fetches the source.
    const source = this.sourceForUrl(blob.url);
    const problem = !source
      ? `Unable to fetch source from ${blob.url.replace(/\?.*$/, '')}: not found`
      : !source.upload
        ? 'Unable to fetch source: nothing was uploaded to the put_url'
        : source.upload.invalid
          ? `Unable to extract source: ${source.upload.invalid}`
          : build.source_blob.checksum && build.source_blob.checksum !== `SHA256:${source.upload.sha256}`
            ? `Checksum mismatch: expected ${build.source_blob.checksum}, got SHA256:${source.upload.sha256}`
            : undefined;
    const outcome: BuildOutcome = problem ? 'failed' : (next.outcome ?? 'succeeded');
    const lines = problem
      ? ['-----> Fetching source', ` !     ${problem}`]
      : (next.output ??
        (outcome === 'succeeded'
          ? defaultBuildOutput(app.name, build.source_blob.version)
          : ['-----> Building', ' !     Build failed']));
    const duration = next.durationMs ?? this.options.buildMs;
    this.play(streamId, lines, duration, () => {
      build.updated_at = now();
      if (outcome === 'failed') {
        build.status = 'failed';
        onDone?.(build);
        return;
      }
      const slug = this.addSlug(
        app,
        build.source_blob.version,
        parseProcfile(source?.procfile),
        build.source_blob.checksum,
      );
      build.slug = { id: slug.id };
      const release = this.addRelease(app, {
        description: `Deploy ${(build.source_blob.version ?? '').slice(0, 8)}`.trim(),
        slug: { id: slug.id },
        phase: 'release' in slug.process_types,
      });
      build.release = { id: release.id };
      build.status = 'succeeded';
      onDone?.(build);
    });
    return { status: 201, body: this.buildJson(app, build) };
  }

  private createRelease(app: SimAppState, body: unknown): SimResponse {
    const b = (body ?? {}) as { release?: unknown; slug?: unknown; description?: unknown };
    if (typeof b.release === 'string') {
      // Rollback: a new release running the target's slug (and config), through the release phase.
      const target = this.findRelease(app, b.release);
      if (!target) return err(404, 'not_found', "Couldn't find that release.", { resource: 'release' });
      if (!target.eligible_for_rollback) {
        return err(422, 'invalid_params', `Release v${target.version} is not eligible for rollback.`);
      }
      const slug = target.slug ? app.slugs.find((s) => s.id === target.slug!.id) : undefined;
      // Heroku rolls back code and config together: the app's config becomes the target's.
      app.config = { ...target.config };
      const release = this.addRelease(app, {
        description: `Rollback to v${target.version}`,
        slug: target.slug,
        phase: !!slug && 'release' in slug.process_types,
      });
      return { status: 201, body: this.releaseJson(app, release) };
    }
    if (typeof b.slug === 'string') {
      const slug = app.slugs.find((s) => s.id === b.slug);
      if (!slug) return err(404, 'not_found', "Couldn't find that slug.", { resource: 'slug' });
      const release = this.addRelease(app, {
        description: typeof b.description === 'string' ? b.description : `Deploy ${slug.commit ?? ''}`.trim(),
        slug: { id: slug.id },
        phase: 'release' in slug.process_types,
      });
      return { status: 201, body: this.releaseJson(app, release) };
    }
    return err(422, 'invalid_params', 'Either release (to roll back) or slug is required.');
  }

  /** PATCH /apps/{app}: of the updatable fields, maintenance (and name, which this simulator refuses). */
  private updateApp(app: SimAppState, body: unknown): SimResponse {
    const b = (body ?? {}) as Record<string, unknown>;
    if (b.name !== undefined) return err(422, 'invalid_params', 'Renaming apps is not simulated.');
    if (b.maintenance !== undefined && typeof b.maintenance !== 'boolean')
      return err(422, 'invalid_params', 'maintenance must be a boolean.');
    if (typeof b.maintenance === 'boolean') app.maintenance = b.maintenance;
    return { status: 200, body: this.appJson(app) };
  }

  /**
   * PATCH /apps/{app}/config-vars: a hash of changes, null removes. A change to any value makes one
   * release ("Set A, B config vars"), which runs the current slug's release phase; a PATCH that changes
   * nothing makes none. An add-on's vars are its own: setting or removing them is refused. The answer
   * is the whole new config.
   */
  private updateConfig(app: SimAppState, body: unknown): SimResponse {
    if (!body || typeof body !== 'object' || Array.isArray(body))
      return err(422, 'invalid_params', 'Request body must be a hash of config vars.');
    const changes = body as Record<string, unknown>;
    for (const [key, value] of Object.entries(changes)) {
      if (!/^\w+$/.test(key)) return err(422, 'invalid_params', `Invalid config var name: ${key}.`);
      if (value !== null && typeof value !== 'string')
        return err(422, 'invalid_params', `Config var ${key} must be a string or null.`);
      if (app.addons.some((a) => a.config_vars.includes(key)))
        return err(422, 'invalid_params', `Cannot overwrite attachment values ${key}.`);
    }
    const set = Object.entries(changes)
      .filter(([k, v]) => typeof v === 'string' && app.config[k] !== v)
      .map(([k]) => k);
    const removed = Object.entries(changes)
      .filter(([k, v]) => v === null && k in app.config)
      .map(([k]) => k);
    for (const k of set) app.config[k] = changes[k] as string;
    for (const k of removed) delete app.config[k];
    if (set.length || removed.length) {
      const current = app.releases.find((r) => r.current);
      const slug = current?.slug ? app.slugs.find((x) => x.id === current.slug!.id) : undefined;
      const description = [
        set.length && `Set ${set.join(', ')} config vars`,
        removed.length && `Remove ${removed.join(', ')} config vars`,
      ]
        .filter(Boolean)
        .join(' and ');
      this.addRelease(app, {
        description,
        slug: current?.slug ?? null,
        phase: !!slug && 'release' in slug.process_types,
      });
    }
    return { status: 200, body: { ...app.config } };
  }

  private createPromotion(body: unknown): SimResponse {
    const b = (body ?? {}) as {
      pipeline?: { id?: string };
      source?: { app?: { id?: string }; release?: { id?: string } };
      targets?: { app?: { id?: string } }[];
    };
    if (!b.pipeline?.id || !b.source?.app?.id || !Array.isArray(b.targets) || b.targets.length === 0) {
      return err(422, 'invalid_params', 'pipeline.id, source.app.id and at least one target are required.');
    }
    const pipeline = this.pipelines.find((p) => p.id === b.pipeline!.id);
    if (!pipeline) return err(404, 'not_found', "Couldn't find that pipeline.", { resource: 'pipeline' });
    const source = this.app(b.source.app.id);
    if (!source || !pipeline.couplings.some((c) => c.appId === source.id)) {
      return err(422, 'invalid_params', 'The source app is not part of this pipeline.');
    }
    const release = b.source.release?.id
      ? source.releases.find((r) => r.id === b.source!.release!.id)
      : source.releases.find((r) => r.current);
    if (!release?.slug)
      return err(422, 'invalid_params', `Couldn't find a release with a slug to promote on ${source.name}.`);
    const targets: SimAppState[] = [];
    for (const t of b.targets) {
      const app = t.app?.id ? this.app(t.app.id) : undefined;
      if (!app) return err(404, 'not_found', "Couldn't find that app.", { resource: 'app' });
      if (!pipeline.couplings.some((c) => c.appId === app.id)) {
        return err(422, 'invalid_params', `${app.name} is not part of this pipeline.`);
      }
      targets.push(app);
    }
    const promotion: SimPromotion = {
      id: randomUUID(),
      pipelineId: pipeline.id,
      sourceAppId: source.id,
      sourceReleaseId: release.id,
      status: 'pending',
      created_at: now(),
      updated_at: now(),
      targets: targets.map((a) => ({
        id: randomUUID(),
        appId: a.id,
        status: 'pending',
        error_message: null,
        release: null,
      })),
    };
    this.promotions.push(promotion);
    const slug = source.slugs.find((s) => s.id === release.slug!.id)!;
    promotion.targets.forEach((t, i) => {
      this.later(this.options.promotionMs * (i + 1), () => {
        const app = targets[i]!;
        if (app.promotionError) {
          t.status = 'failed';
          t.error_message = app.promotionError;
        } else {
          // The target runs the very slug the source ran: Heroku copies it.
          app.slugs.push({ ...slug });
          const r = this.addRelease(app, {
            description: `Promote ${source.name} v${release.version} ${(slug.commit ?? '').slice(0, 8)}`.trim(),
            slug: { id: slug.id },
            phase: 'release' in slug.process_types,
          });
          t.status = 'succeeded';
          t.release = { id: r.id };
        }
        if (promotion.targets.every((x) => x.status !== 'pending')) {
          promotion.status = 'completed';
          promotion.updated_at = now();
        }
      });
    });
    return { status: 201, body: this.promotionJson(promotion) };
  }

  // ---------------------------------------------------------------------------------------------
  // State helpers

  private mustApp(nameOrId: string): SimAppState {
    const app = this.app(nameOrId);
    if (!app) throw new Error(`HerokuSim: no app ${nameOrId}`);
    return app;
  }

  private findRelease(app: SimAppState, idOrVersion: string): SimRelease | undefined {
    const v = /^\d+$/.test(idOrVersion) ? Number(idOrVersion) : undefined;
    return app.releases.find((r) => r.id === idOrVersion || (v !== undefined && r.version === v));
  }

  private addSlug(
    app: SimAppState,
    commit: string | null,
    processTypes: Record<string, string>,
    checksum: string | null = null,
  ): SimSlug {
    const slug: SimSlug = {
      id: randomUUID(),
      commit,
      process_types: { web: 'npm start', ...processTypes },
      checksum,
      size: 41_700_000,
      created_at: now(),
    };
    app.slugs.push(slug);
    return slug;
  }

  /** A new release; with a release phase it stays pending (and not current) until the phase ends. */
  private addRelease(
    app: SimAppState,
    spec: { description: string; slug: { id: string } | null; phase: boolean; config?: Record<string, string> },
  ): SimRelease {
    const version = (app.releases.at(-1)?.version ?? 0) + 1;
    const release: SimRelease = {
      id: randomUUID(),
      version,
      status: spec.phase ? 'pending' : 'succeeded',
      current: false,
      eligible_for_rollback: true,
      description: spec.description,
      slug: spec.slug,
      output_stream_url: null,
      created_at: now(),
      updated_at: now(),
      config: { ...(spec.config ?? app.config) },
    };
    app.releases.push(release);
    const makeCurrent = () => {
      for (const r of app.releases) r.current = r === release;
    };
    if (!spec.phase) {
      makeCurrent();
      return release;
    }
    const next = app.nextReleasePhases.shift() ?? {};
    const outcome = next.outcome ?? 'succeeded';
    const streamId = this.newStream(false);
    release.output_stream_url = `${this.blobUrl}/streams/${streamId}`;
    const lines =
      next.output ??
      (outcome === 'succeeded'
        ? ['Running release command...', 'Migrations are up to date.', 'Release command completed.']
        : ['Running release command...', 'Error: migration failed', 'Release command exited with status 1']);
    this.play(streamId, lines, next.durationMs ?? this.options.releasePhaseMs, () => {
      release.updated_at = now();
      if (outcome === 'succeeded') {
        release.status = 'succeeded';
        makeCurrent();
      } else {
        // A failed release phase leaves the running release in place.
        release.status = 'failed';
        release.eligible_for_rollback = false;
      }
    });
    return release;
  }

  private sourceForUrl(url: string): SimSource | undefined {
    try {
      const u = new URL(url);
      if (`${u.protocol}//${u.host}` !== this.blobUrl) return undefined;
      const m = /^\/sources\/([^/]+)$/.exec(u.pathname);
      const source = m ? this.sources.get(m[1]!) : undefined;
      return source && u.searchParams.get('X-Amz-Signature') === source.getSig ? source : undefined;
    } catch {
      return undefined;
    }
  }

  private newStream(closed: boolean): string {
    const id = randomUUID();
    this.streams.set(id, { chunks: [], closed, listeners: new Set() });
    return id;
  }

  /** Writes `lines` to a stream spread over `durationMs`, then closes it and runs `done` (same tick). */
  private play(streamId: string, lines: string[], durationMs: number, done: () => void): void {
    const stream = this.streams.get(streamId)!;
    const step = lines.length > 0 ? durationMs / (lines.length + 1) : durationMs;
    lines.forEach((line, i) => {
      this.later(step * (i + 1), () => {
        stream.chunks.push(Buffer.from(`${line}\n`));
        for (const l of stream.listeners) l();
      });
    });
    this.later(durationMs, () => {
      done();
      stream.closed = true;
      for (const l of stream.listeners) l();
    });
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.simTimers.delete(t);
      fn();
    }, ms);
    this.simTimers.add(t);
  }

  // ---------------------------------------------------------------------------------------------
  // JSON shapes (Heroku schema)

  private appJson(app: SimAppState): Record<string, unknown> {
    return {
      id: app.id,
      name: app.name,
      web_url: app.web_url,
      git_url: `https://git.heroku.com/${app.name}.git`,
      created_at: app.created_at,
      updated_at: now(),
      released_at: app.releases.find((r) => r.current)?.updated_at ?? null,
      maintenance: app.maintenance,
      archived_at: null,
      buildpack_provided_description: 'Node.js',
      build_stack: { id: 'b6f8e0a4-0000-4000-8000-000000000024', name: 'heroku-24' },
      stack: { id: 'b6f8e0a4-0000-4000-8000-000000000024', name: 'heroku-24' },
      region: { id: '59accabd-516d-4f0e-83e6-6e3757701145', name: 'us' },
      owner: USER,
      organization: null,
      team: null,
      space: null,
      generation: { name: 'cedar' },
      acm: false,
      repo_size: null,
      slug_size: app.slugs.at(-1)?.size ?? null,
    };
  }

  private buildJson(app: SimAppState, b: SimBuild): Record<string, unknown> {
    return {
      id: b.id,
      app: { id: app.id },
      buildpacks: [{ url: 'heroku/nodejs', name: 'heroku/nodejs' }],
      created_at: b.created_at,
      updated_at: b.updated_at,
      output_stream_url: b.output_stream_url,
      source_blob: b.source_blob,
      release: b.release,
      slug: b.slug,
      stack: 'heroku-24',
      status: b.status,
      user: USER,
    };
  }

  private releaseJson(app: SimAppState, r: SimRelease): Record<string, unknown> {
    return {
      id: r.id,
      version: r.version,
      status: r.status,
      current: r.current,
      eligible_for_rollback: r.eligible_for_rollback,
      description: r.description,
      output_stream_url: r.output_stream_url,
      slug: r.slug,
      oci_image: null,
      addon_plan_names: ['heroku-postgresql:essential-0'],
      artifacts: r.slug ? [{ type: 'slug', id: r.slug.id }] : [],
      app: { id: app.id, name: app.name },
      user: USER,
      created_at: r.created_at,
      updated_at: r.updated_at,
    };
  }

  private addonJson(app: SimAppState, a: SimAddon): Record<string, unknown> {
    return {
      id: a.id,
      name: a.name,
      app: { id: app.id, name: app.name },
      addon_service: { id: randomUUID(), name: a.name.split('-')[0] },
      config_vars: a.config_vars,
      state: 'provisioned',
      created_at: app.created_at,
      updated_at: app.created_at,
    };
  }

  private slugJson(s: SimSlug): Record<string, unknown> {
    return {
      id: s.id,
      commit: s.commit,
      commit_description: null,
      process_types: s.process_types,
      checksum: s.checksum,
      size: s.size,
      buildpack_provided_description: 'Node.js',
      stack: { id: 'b6f8e0a4-0000-4000-8000-000000000024', name: 'heroku-24' },
      blob: { method: 'get', url: `${this.blobUrl}/slugs/${s.id}.tgz` },
      created_at: s.created_at,
      updated_at: s.created_at,
    };
  }

  private couplingJson(p: SimPipeline, c: SimPipeline['couplings'][number]): Record<string, unknown> {
    return {
      id: c.id,
      app: { id: c.appId },
      pipeline: { id: p.id },
      stage: c.stage,
      created_at: now(),
      updated_at: now(),
    };
  }

  private promotionJson(p: SimPromotion): Record<string, unknown> {
    return {
      id: p.id,
      pipeline: { id: p.pipelineId },
      source: { app: { id: p.sourceAppId }, release: { id: p.sourceReleaseId } },
      status: p.status,
      created_at: p.created_at,
      updated_at: p.updated_at,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Blob and stream host

  private async handleBlob(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const source = /^\/sources\/([^/]+)$/.exec(url.pathname);
    if (source && req.method === 'PUT') return this.receiveUpload(req, res, source[1]!, url);
    const stream = /^\/streams\/([^/]+)$/.exec(url.pathname);
    if (stream && req.method === 'GET') return this.serveStream(req, res, stream[1]!);
    req.resume();
    res
      .writeHead(404, { 'content-type': 'application/xml' })
      .end(s3Error('NoSuchKey', 'The specified key does not exist.'));
  }

  /** S3 semantics for a presigned PUT, plus the checks the build makes when it fetches the blob. */
  private async receiveUpload(req: IncomingMessage, res: ServerResponse, id: string, url: URL): Promise<void> {
    const source = this.sources.get(id);
    const xml = { 'content-type': 'application/xml' };
    if (!source || url.searchParams.get('X-Amz-Signature') !== source.putSig) {
      req.resume();
      res
        .writeHead(403, xml)
        .end(
          s3Error(
            'SignatureDoesNotMatch',
            'The request signature we calculated does not match the signature you provided.',
          ),
        );
      return;
    }
    if (req.headers['content-type']) {
      // Content-Type was not signed: a client that sends one breaks the signature.
      req.resume();
      res
        .writeHead(403, xml)
        .end(
          s3Error(
            'SignatureDoesNotMatch',
            'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
          ),
        );
      return;
    }
    if (req.headers['content-length'] === undefined) {
      req.resume();
      res.writeHead(411, xml).end(s3Error('MissingContentLength', 'You must provide the Content-Length HTTP header.'));
      return;
    }
    const hash = createHash('sha256');
    let size = 0;
    const tar = new TarCheck();
    const gunzip = createGunzip();
    // Bytes may still arrive after the check failed; they are counted and hashed, not decompressed.
    gunzip.on('error', () => {});
    let invalid: string | undefined;
    const check = pipeline(gunzip, tar).catch((e: Error) => {
      invalid ??= /incorrect header|unknown compression|invalid/i.test(e.message)
        ? `not gzip data (${e.message})`
        : `not a tar archive (${e.message})`;
    });
    let aborted = false;
    await new Promise<void>((resolve) => {
      req.on('data', (c: Buffer) => {
        hash.update(c);
        size += c.length;
        if (!invalid && !gunzip.destroyed && !gunzip.write(c)) {
          req.pause();
          gunzip.once('drain', () => req.resume());
        }
      });
      req.on('end', () => resolve());
      req.on('aborted', () => {
        aborted = true;
        resolve();
      });
      req.on('error', () => {
        aborted = true;
        resolve();
      });
      // A failed check stops applying back-pressure so the upload can finish.
      void check.then(() => {
        if (invalid) req.resume();
      });
    });
    if (aborted) {
      gunzip.destroy();
      return;
    }
    gunzip.end();
    await check;
    if (size !== Number(req.headers['content-length'])) invalid ??= 'upload shorter than its Content-Length';
    const upload: SimUpload = {
      sourceId: id,
      contentLength: req.headers['content-length'],
      contentType: req.headers['content-type'],
      authorization: req.headers.authorization,
      sha256: hash.digest('hex'),
      size,
      entries: tar.entries,
      ...(invalid ? { invalid } : {}),
    };
    source.upload = upload;
    source.procfile = tar.procfile;
    this.uploads.push(upload);
    res.writeHead(200, { etag: `"${upload.sha256.slice(0, 32)}"` }).end();
  }

  /** text/plain log stream: what exists so far, then new lines until the build or release phase ends. */
  private serveStream(req: IncomingMessage, res: ServerResponse, id: string): void {
    req.resume();
    const stream = this.streams.get(id);
    if (!stream) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
      return;
    }
    const m = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
    let offset = m ? Number(m[1]) : 0;
    // Like Heroku's stream service (busl), a `Range: bytes=N-` resumes at byte N with a plain 200.
    res.writeHead(200, {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-cache',
    });
    const drop = this.streamDrops > 0;
    if (drop) this.streamDrops -= 1;
    let written = 0;
    const pump = () => {
      const all = Buffer.concat(stream.chunks);
      if (offset > all.length) offset = all.length;
      if (all.length > offset) {
        res.write(all.subarray(offset));
        written += all.length - offset;
        offset = all.length;
        if (drop && written > 0) {
          stream.listeners.delete(pump);
          setTimeout(() => req.socket.resetAndDestroy(), 10);
          return;
        }
      }
      if (stream.closed) {
        stream.listeners.delete(pump);
        res.end();
      }
    };
    stream.listeners.add(pump);
    res.on('close', () => stream.listeners.delete(pump));
    pump();
  }
}

function reviewAppNotFound(): SimResponse {
  return err(404, 'not_found', "Couldn't find that review app.", { resource: 'review_app' });
}

function parseProcfile(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of (text ?? '').split('\n')) {
    const m = /^([A-Za-z0-9_-]+):\s*(.+)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

function s3Error(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${randomBytes(8).toString('hex').toUpperCase()}</RequestId></Error>`;
}

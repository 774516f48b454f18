// A Sentry API stand-in that the real sentry-cli binary talks to (SENTRY_URL=<sim.url>). Its routes are
// the ones sentry-cli 3.8.0 was recorded calling for `releases new|set-commits|finalize`, `deploys new|list`
// and `sourcemaps upload`, answering with the shapes and statuses of Sentry's endpoints:
//  - POST releases is get-or-create: 201 when created or a project was added, 208 when nothing changed;
//    unknown project slugs are 400 {"projects": ["Invalid project slugs"]};
//  - PUT release with `commits` replaces the release's commit list (Release.set_commits); `refs` are checked
//    against the connected repos and recorded (the integration's asynchronous commit fetch is not modelled);
//  - previous-with-commits returns the newest older release sharing a project that has commits, or {};
//  - every POST deploys creates a deploy (201), lists page with Sentry's Link/cursor headers;
//  - chunked upload: options, multipart chunk POSTs (gzip, named by their SHA-1), assemble with
//    missingChunks until every chunk is there, then created → ok; the bundle's manifest is read so tests
//    see which files reached which project;
//  - errors are {"detail": "..."} (401 "Invalid token", 404 "The requested resource does not exist").
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync, inflateRawSync } from 'node:zlib';
import { REPO_ROOT } from './run-action';
import { type SimRequest, type SimResponse, Simulator } from './simulator';

/**
 * The real sentry-cli executable of the @sentry/cli devDependency (its platform package), for tests.
 * node_modules/.bin/sentry-cli is a Node wrapper script; the binary itself starts faster and is what the
 * action runs after installing it.
 */
export function sentryCliBinary(): string {
  const cli = createRequire(join(REPO_ROOT, 'package.json')).resolve('@sentry/cli/package.json');
  const pkg = `@sentry/cli-${process.platform === 'darwin' ? 'darwin' : `${process.platform}-${process.arch}`}`;
  const platformPkg = createRequire(cli).resolve(`${pkg}/package.json`);
  return join(dirname(platformPkg), 'bin', process.platform === 'win32' ? 'sentry-cli.exe' : 'sentry-cli');
}

/** Environment that keeps a developer's own sentry-cli configuration (~/.sentryclirc, .env) out of a test. */
export function isolatedSentryCliEnv(home: string): Record<string, string> {
  return { HOME: home, SENTRY_LOAD_DOTENV: '0', SENTRY_HTTP_MAX_RETRIES: '0', RUST_BACKTRACE: '0' };
}

export interface SentrySimCommit {
  id: string;
  repository?: string;
  message?: string;
  author_name?: string;
  author_email?: string;
  timestamp?: string;
  patch_set?: { path: string; type: string }[];
}

export interface SentrySimDeploy {
  id: string;
  environment: string;
  name: string | null;
  url: string | null;
  dateStarted: string | null;
  dateFinished: string;
}

export interface SentrySimRelease {
  version: string;
  projects: string[];
  dateCreated: string;
  dateReleased: string | null;
  commits: SentrySimCommit[];
  refs: { repository: string; commit: string; previousCommit?: string | null }[];
  deploys: SentrySimDeploy[];
  /** How many POSTs answered 201 for this version (the first creation and any that added projects). */
  creations: number;
  /** How many PUTs set `commits`. */
  commitWrites: number;
}

export interface SentrySimBundleFile {
  /** e.g. ~/main.js */
  url: string;
  /** minified_source, source_map, … */
  type: string;
  debugId?: string;
}

export interface SentrySimBundle {
  checksum: string;
  projects: string[];
  version?: string;
  dist?: string;
  files: SentrySimBundleFile[];
}

export interface SentrySimulatorOptions {
  /** Bearer token every request must carry (a plain token: sntrys_ tokens carry their own URL). */
  token?: string;
  org?: string;
  projects?: string[];
  /** Repositories connected through an integration (GET repos); empty = commits come from local git. */
  repos?: string[];
  /** Page size of list endpoints (Sentry: 100). */
  pageSize?: number;
  /** Clock for dateCreated and friends; each call should move forward. */
  now?: () => Date;
}

const NOT_FOUND = { detail: 'The requested resource does not exist' };
// Release.is_valid_version: no control characters or slashes, not '.', '..' or 'latest'.
const BAD_VERSION = /[\r\n\f\t/\\]/;
const ENV_NAME = /^[^\n\r\f/]{1,64}$/;

export class SentrySimulator extends Simulator {
  readonly org: string;
  readonly projects: string[];
  readonly repos: string[];
  readonly releases = new Map<string, SentrySimRelease>();
  readonly chunks = new Map<string, Buffer>();
  readonly bundles = new Map<string, SentrySimBundle>();
  /** Assemble state per bundle checksum, as Sentry's assemble status cache keeps it. */
  private readonly assembleState = new Map<string, 'created' | 'ok' | 'error'>();
  private readonly pageSize: number;
  private readonly clock: () => Date;
  private deployIds = 0;
  private lastTime = 0;

  constructor(options: SentrySimulatorOptions = {}) {
    super({ name: 'Sentry', token: options.token ?? 'sentry-sim-token' });
    this.org = options.org ?? 'acme';
    this.projects = options.projects ?? ['backend', 'frontend'];
    this.repos = options.repos ?? [];
    this.pageSize = options.pageSize ?? 100;
    this.clock = options.now ?? (() => new Date());
    const org = '/api/0/organizations/:org';
    this.route('GET', '/api/0/', () => ({ status: 200, body: { user: { username: 'ci' }, auth: { scopes: [] } } }));
    this.route('POST', `${org}/releases/`, (r) => this.orgScoped(r, () => this.createRelease(r)));
    this.route('GET', `${org}/releases/:version/`, (r) => this.withRelease(r, (rel) => ok(this.serialize(rel))));
    this.route('PUT', `${org}/releases/:version/`, (r) => this.withRelease(r, (rel) => this.updateRelease(r, rel)));
    this.route('GET', `${org}/releases/:version/commits/`, (r) =>
      this.withRelease(r, (rel) =>
        this.page(
          r,
          rel.commits.map((c) => serializeCommit(c)),
        ),
      ),
    );
    this.route('GET', `${org}/releases/:version/previous-with-commits/`, (r) =>
      this.withRelease(r, (rel) => ok(this.previousWithCommits(rel))),
    );
    this.route('GET', `${org}/releases/:version/deploys/`, (r) =>
      this.withRelease(r, (rel) =>
        this.page(
          r,
          [...rel.deploys].sort((a, b) => b.dateFinished.localeCompare(a.dateFinished)),
        ),
      ),
    );
    this.route('POST', `${org}/releases/:version/deploys/`, (r) =>
      this.withRelease(r, (rel) => this.createDeploy(r, rel)),
    );
    this.route('GET', `${org}/repos/`, (r) =>
      this.orgScoped(r, () =>
        this.page(
          r,
          this.repos.map((name, i) => ({
            id: String(i + 1),
            name,
            url: `https://github.com/${name}`,
            provider: { id: 'integrations:github', name: 'GitHub' },
            status: 'active',
            dateCreated: '2025-01-01T00:00:00Z',
            integrationId: '1',
            externalSlug: name,
          })),
        ),
      ),
    );
    this.route('GET', `${org}/chunk-upload/`, (r) => this.orgScoped(r, () => ok(this.chunkOptions(r.params.org!))));
    this.route('POST', `${org}/chunk-upload/`, (r) => this.orgScoped(r, () => this.uploadChunks(r)));
    this.route('POST', `${org}/artifactbundle/assemble/`, (r) => this.orgScoped(r, () => this.assemble(r)));
  }

  /** Seeds a release (e.g. the previous deploy's, with its commits). */
  addRelease(
    version: string,
    init: { projects?: string[]; commits?: SentrySimCommit[]; dateCreated?: Date; dateReleased?: Date } = {},
  ): SentrySimRelease {
    const rel: SentrySimRelease = {
      version,
      projects: init.projects ?? [...this.projects],
      dateCreated: (init.dateCreated ?? this.tick()).toISOString(),
      dateReleased: init.dateReleased?.toISOString() ?? null,
      commits: init.commits ?? [],
      refs: [],
      deploys: [],
      creations: 0,
      commitWrites: 0,
    };
    this.releases.set(version, rel);
    return rel;
  }

  release(version: string): SentrySimRelease | undefined {
    return this.releases.get(version);
  }

  /** Files of the artifact bundles associated with this project (and release, when given). */
  filesFor(project: string, version?: string): SentrySimBundleFile[] {
    return [...this.bundles.values()]
      .filter((b) => b.projects.includes(project) && (version === undefined || b.version === version))
      .flatMap((b) => b.files);
  }

  protected override unauthorized(req: SimRequest): SimResponse {
    return {
      status: 401,
      body: {
        detail: req.headers.authorization ? 'Invalid token' : 'Authentication credentials were not provided.',
      },
    };
  }

  protected override notFound(_req: SimRequest): SimResponse {
    return { status: 404, body: NOT_FOUND };
  }

  /** Strictly increasing timestamps, so "newest" is well defined even within one millisecond. */
  private tick(): Date {
    const t = Math.max(this.clock().getTime(), this.lastTime + 1);
    this.lastTime = t;
    return new Date(t);
  }

  private orgScoped(req: SimRequest, fn: () => SimResponse): SimResponse {
    if (req.params.org !== this.org) return { status: 404, body: NOT_FOUND };
    return fn();
  }

  private withRelease(req: SimRequest, fn: (rel: SentrySimRelease) => SimResponse): SimResponse {
    return this.orgScoped(req, () => {
      const rel = this.releases.get(req.params.version ?? '');
      return rel ? fn(rel) : { status: 404, body: NOT_FOUND };
    });
  }

  private serialize(rel: SentrySimRelease): Record<string, unknown> {
    const last = rel.deploys.at(-1);
    return {
      version: rel.version,
      shortVersion: rel.version.slice(0, 12),
      ref: null,
      url: null,
      status: 'open',
      dateCreated: rel.dateCreated,
      dateReleased: rel.dateReleased,
      lastEvent: null,
      firstEvent: null,
      newGroups: 0,
      data: {},
      authors: [],
      commitCount: rel.commits.length,
      lastCommit: rel.commits[0] ? serializeCommit(rel.commits[0]) : null,
      deployCount: rel.deploys.length,
      lastDeploy: last ?? null,
      projects: rel.projects.map((slug) => ({ slug, name: slug, platform: 'javascript', newGroups: 0 })),
    };
  }

  private createRelease(req: SimRequest): SimResponse {
    const body = (req.body ?? {}) as { version?: unknown; projects?: unknown; dateReleased?: unknown };
    const version = body.version;
    if (typeof version !== 'string' || version === '') return bad({ version: ['This field is required.'] });
    if (version.length > 200) return bad({ version: ['Ensure this field has no more than 200 characters.'] });
    if (BAD_VERSION.test(version) || version === '.' || version === '..' || version.toLowerCase() === 'latest')
      return bad({ version: [`Release with name ${version} is not allowed`] });
    if (!Array.isArray(body.projects) || body.projects.length === 0)
      return bad({ projects: ['This field is required.'] });
    const slugs = body.projects.map(String);
    if (slugs.some((s) => !this.projects.includes(s))) return bad({ projects: ['Invalid project slugs'] });
    let rel = this.releases.get(version);
    const created = !rel;
    rel ??= this.addRelease(version, {
      projects: [],
      dateReleased: typeof body.dateReleased === 'string' ? new Date(body.dateReleased) : undefined,
    });
    const added = slugs.filter((s) => !rel.projects.includes(s));
    rel.projects.push(...added);
    if (!created && added.length === 0) return { status: 208, body: this.serialize(rel) };
    rel.creations += 1;
    return { status: 201, body: this.serialize(rel) };
  }

  private updateRelease(req: SimRequest, rel: SentrySimRelease): SimResponse {
    const body = (req.body ?? {}) as {
      dateReleased?: unknown;
      commits?: unknown;
      refs?: unknown;
      projects?: unknown;
    };
    if (body.commits !== undefined) {
      if (!Array.isArray(body.commits)) return bad({ commits: ['Expected a list of items.'] });
      const errors = body.commits.map((c) =>
        c && typeof c === 'object' && typeof (c as { id?: unknown }).id === 'string' && (c as { id: string }).id
          ? {}
          : { id: ['This field is required.'] },
      );
      if (errors.some((e) => Object.keys(e).length > 0)) return bad({ commits: errors });
      rel.commits = (body.commits as SentrySimCommit[]).map((c) => ({ ...c }));
      rel.commitWrites += 1;
    }
    if (body.refs !== undefined) {
      const refs = Array.isArray(body.refs) ? (body.refs as SentrySimRelease['refs']) : [];
      const unknown = refs.filter((r) => !this.repos.some((n) => n.toLowerCase() === r.repository.toLowerCase()));
      if (unknown.length)
        return bad({ refs: [`Invalid repository names: ${unknown.map((r) => r.repository).join(',')}`] });
      rel.refs = refs;
    }
    if (typeof body.dateReleased === 'string') rel.dateReleased = new Date(body.dateReleased).toISOString();
    return ok(this.serialize(rel));
  }

  private previousWithCommits(rel: SentrySimRelease): Record<string, unknown> {
    const prev = [...this.releases.values()]
      .filter(
        (r) =>
          r !== rel &&
          r.commits.length > 0 &&
          r.dateCreated < rel.dateCreated &&
          r.projects.some((p) => rel.projects.includes(p)),
      )
      .sort((a, b) => b.dateCreated.localeCompare(a.dateCreated))[0];
    return prev ? this.serialize(prev) : {};
  }

  private createDeploy(req: SimRequest, rel: SentrySimRelease): SimResponse {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const errors: Record<string, string[]> = {};
    const env = body.environment;
    if (typeof env !== 'string' || env === '') errors.environment = ['This field is required.'];
    else if (!ENV_NAME.test(env)) errors.environment = ['Ensure this field has no more than 64 characters.'];
    if (body.name != null && (typeof body.name !== 'string' || body.name.length > 64))
      errors.name = ['Ensure this field has no more than 64 characters.'];
    if (body.url != null) {
      try {
        const u = new URL(String(body.url));
        if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
      } catch {
        errors.url = ['Enter a valid URL.'];
      }
    }
    if (Object.keys(errors).length) return bad(errors);
    this.deployIds += 1;
    const deploy: SentrySimDeploy = {
      id: String(this.deployIds),
      environment: env as string,
      name: (body.name as string | null | undefined) ?? null,
      url: (body.url as string | null | undefined) ?? null,
      dateStarted: typeof body.dateStarted === 'string' ? body.dateStarted : null,
      dateFinished: typeof body.dateFinished === 'string' ? body.dateFinished : this.tick().toISOString(),
    };
    rel.deploys.push(deploy);
    return { status: 201, body: deploy };
  }

  /** Sentry's OffsetPaginator: ?cursor=<limit>:<page>:0 and a Link header with results="true|false". */
  private page(req: SimRequest, items: unknown[]): SimResponse {
    const limit = Math.min(Number(req.query.per_page) || this.pageSize, this.pageSize);
    const [, pageText] = (req.query.cursor ?? '').split(':');
    const page = Number(pageText) || 0;
    const slice = items.slice(page * limit, (page + 1) * limit);
    const base = `${this.url}${req.path}`;
    const link = (rel: string, p: number, results: boolean) =>
      `<${base}?cursor=${limit}:${p}:${rel === 'previous' ? 1 : 0}>; rel="${rel}"; results="${results}"; cursor="${limit}:${p}:${rel === 'previous' ? 1 : 0}"`;
    return {
      status: 200,
      headers: {
        link: `${link('previous', Math.max(page - 1, 0), page > 0)}, ${link('next', page + 1, items.length > (page + 1) * limit)}`,
      },
      body: slice,
    };
  }

  private chunkOptions(org: string): Record<string, unknown> {
    return {
      url: `${this.url}/api/0/organizations/${org}/chunk-upload/`,
      chunkSize: 8 * 1024 * 1024,
      chunksPerRequest: 64,
      maxFileSize: 2 * 1024 * 1024 * 1024,
      maxRequestSize: 32 * 1024 * 1024,
      concurrency: 1,
      hashAlgorithm: 'sha1',
      compression: ['gzip'],
      accept: ['debug_files', 'release_files', 'pdbs', 'sources', 'bcsymbolmaps', 'artifact_bundles', 'proguard'],
    };
  }

  private uploadChunks(req: SimRequest): SimResponse {
    const type = String(req.headers['content-type'] ?? '');
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
    if (!type.startsWith('multipart/form-data') || !boundary)
      return bad({ error: 'Expected a multipart/form-data body' });
    const parts = parseMultipart(req.rawBody, boundary[1] ?? boundary[2]!);
    if (parts.length > 64) return bad({ error: 'Too many chunks' });
    for (const part of parts) {
      if (part.name !== 'file' && part.name !== 'file_gzip') continue;
      let data: Buffer;
      try {
        data = part.name === 'file_gzip' ? gunzipSync(part.data) : part.data;
      } catch {
        return bad({ error: 'Invalid gzip data' });
      }
      const checksum = sha1(data);
      if (checksum !== part.filename) return bad({ error: 'Checksum mismatch' });
      this.chunks.set(checksum, data);
    }
    return { status: 200 };
  }

  private assemble(req: SimRequest): SimResponse {
    const body = (req.body ?? {}) as {
      checksum?: unknown;
      chunks?: unknown;
      projects?: unknown;
      version?: unknown;
      dist?: unknown;
    };
    if (typeof body.checksum !== 'string' || !Array.isArray(body.chunks))
      return bad({ error: 'Invalid request: checksum and chunks are required' });
    const projects = Array.isArray(body.projects) ? body.projects.map(String) : [];
    if (projects.length === 0) return bad({ error: 'You need to specify at least one project' });
    if (projects.some((p) => !this.projects.includes(p))) return bad({ error: 'One or more projects are invalid' });
    const chunks = body.chunks.map(String);
    const missing = chunks.filter((c) => !this.chunks.has(c));
    if (missing.length) return ok({ state: 'not_found', missingChunks: missing, detail: null });
    const known = this.assembleState.get(body.checksum);
    if (known) {
      // Assembly is asynchronous: the first answer is "created", later polls see the outcome.
      if (known === 'created') this.assembleState.set(body.checksum, 'ok');
      return ok({ state: known === 'created' ? 'ok' : known, missingChunks: [], detail: null });
    }
    const data = Buffer.concat(chunks.map((c) => this.chunks.get(c)!));
    if (sha1(data) !== body.checksum) {
      this.assembleState.set(body.checksum, 'error');
      return ok({ state: 'error', missingChunks: [], detail: 'Reported checksum does not match upload' });
    }
    let files: SentrySimBundleFile[];
    try {
      files = readBundleManifest(data);
    } catch (err) {
      this.assembleState.set(body.checksum, 'error');
      return ok({ state: 'error', missingChunks: [], detail: `Invalid artifact bundle: ${(err as Error).message}` });
    }
    this.bundles.set(body.checksum, {
      checksum: body.checksum,
      projects,
      version: typeof body.version === 'string' ? body.version : undefined,
      dist: typeof body.dist === 'string' ? body.dist : undefined,
      files,
    });
    this.assembleState.set(body.checksum, 'created');
    return ok({ state: 'created', missingChunks: [], detail: null });
  }
}

function ok(body: unknown): SimResponse {
  return { status: 200, body };
}

function bad(body: unknown): SimResponse {
  return { status: 400, body };
}

function sha1(data: Buffer): string {
  return createHash('sha1').update(data).digest('hex');
}

function serializeCommit(c: SentrySimCommit): Record<string, unknown> {
  return {
    id: c.id,
    message: c.message ?? null,
    dateCreated: c.timestamp ?? null,
    author: c.author_email ? { name: c.author_name ?? null, email: c.author_email } : null,
    repository: c.repository ? { name: c.repository } : null,
  };
}

interface MultipartPart {
  name: string;
  filename?: string;
  data: Buffer;
}

export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const parts: MultipartPart[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delimiter);
  while (pos >= 0) {
    const start = pos + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const headerEnd = body.indexOf('\r\n\r\n', start);
    const next = body.indexOf(delimiter, headerEnd);
    if (headerEnd < 0 || next < 0) break;
    const headers = body.subarray(start, headerEnd).toString('utf8');
    const name = /name="([^"]*)"/.exec(headers)?.[1] ?? '';
    const filename = /filename="([^"]*)"/.exec(headers)?.[1];
    // The part's data ends with the CRLF that precedes the next delimiter.
    parts.push({ name, filename, data: body.subarray(headerEnd + 4, next - 2) });
    pos = next;
  }
  return parts;
}

/** Reads manifest.json out of an artifact bundle (a zip): the files it carries, with their URLs and debug ids. */
export function readBundleManifest(zip: Buffer): SentrySimBundleFile[] {
  const entries = readZip(zip);
  const manifest = entries.get('manifest.json');
  if (!manifest) throw new Error('manifest.json is missing');
  const parsed = JSON.parse(manifest.toString('utf8')) as {
    files?: Record<string, { url?: string; type?: string; headers?: Record<string, string> }>;
  };
  return Object.entries(parsed.files ?? {}).map(([path, f]) => {
    if (!entries.has(path)) throw new Error(`manifest names ${path}, which the bundle does not contain`);
    const debugId = f.headers?.['debug-id'] ?? f.headers?.debug_id;
    return { url: f.url ?? path, type: f.type ?? 'unknown', ...(debugId ? { debugId } : {}) };
  });
}

/** Minimal zip reader (stored and deflated entries) over the central directory. */
export function readZip(zip: Buffer): Map<string, Buffer> {
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip archive');
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const out = new Map<string, Buffer>();
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error('corrupt central directory');
    const method = zip.readUInt16LE(p + 10);
    const compressedSize = zip.readUInt32LE(p + 20);
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    const localOffset = zip.readUInt32LE(p + 42);
    const name = zip.subarray(p + 46, p + 46 + nameLength).toString('utf8');
    const localNameLength = zip.readUInt16LE(localOffset + 26);
    const localExtraLength = zip.readUInt16LE(localOffset + 28);
    const dataStart = localOffset + 30 + localNameLength + localExtraLength;
    const raw = zip.subarray(dataStart, dataStart + compressedSize);
    if (method === 0) out.set(name, Buffer.from(raw));
    else if (method === 8) out.set(name, inflateRawSync(raw));
    else throw new Error(`unsupported compression method ${method} for ${name}`);
    p += 46 + nameLength + extraLength + commentLength;
  }
  return out;
}

// A Vercel REST API stand-in for deploy-vercel: a SHA-1 file store that verifies what it is sent,
// `missing_files` naming exactly the SHAs it lacks, a deployment state machine (QUEUED → INITIALIZING →
// BUILDING → READY | ERROR | CANCELED) on a configurable clock with build events, automatic and manual
// aliases, promote and rollback moving the project's production pointer, team scoping (`teamId`) and
// rate limits with x-ratelimit-* headers. Shapes follow the documented API (docs/rest-api): error bodies
// `{error: {code, message}}`, `/v13/deployments`, `/v2/files`, `/v6/deployments`, `/v9/projects`,
// `/v10/projects/{id}/promote/{dpl}`, `/v1/projects/{id}/rollback/{dpl}`, `/v2/deployments/{id}/aliases`,
// `/v3/deployments/{id}/events`, `/v12/deployments/{id}/cancel`, `/v4/aliases` (list, paged), `/v4/aliases/{idOrAlias}`,
// `DELETE /v2/aliases/{aliasId}`.
import { createHash, randomBytes } from 'node:crypto';
import { compilePathPattern, type SimHandler, type SimRequest, type SimResponse, Simulator } from './simulator';

export type VercelReadyState = 'QUEUED' | 'INITIALIZING' | 'BUILDING' | 'READY' | 'ERROR' | 'CANCELED';

/** What the next created deployment's build does. */
export type VercelBuildOutcome =
  | { state: 'READY'; aliasError?: { code: string; message: string }; log?: string[] }
  | { state: 'ERROR'; errorCode?: string; errorMessage?: string; log?: string[] }
  | { state: 'CANCELED' };

export interface VercelSimOptions {
  /** The bearer token the API accepts; any other gets 403 invalidToken like Vercel. */
  token?: string;
  /** The token's user id (personal scope). */
  userId?: string;
  username?: string;
  /** Teams the token's user is a member of. */
  teams?: { id: string; slug: string }[];
  /** Time between state transitions, and for promote/rollback to complete. Default 40 ms. */
  stepMs?: number;
  now?: () => number;
  /**
   * Serve each deployment's static output at http://127.0.0.1:<port>/_sites/<id>/ and report that as
   * its url, so a local rehearsal can smoke-test what was "deployed" without leaving the machine.
   * Off by default: real deployment urls are *.vercel.app hostnames.
   */
  serveDeployments?: boolean;
}

export interface VercelSimProjectInit {
  id?: string;
  name: string;
  /** Owning team id; default the user's personal account. */
  teamId?: string;
  /** Production domains; unverified ones produce an aliasError on production deployments. */
  domains?: { name: string; verified?: boolean }[];
  /** 'hobby' may only roll back to the immediately previous production deployment. */
  plan?: 'hobby' | 'pro';
  customEnvironments?: string[];
  /** The project's Root Directory setting: the build (and a prebuilt .vercel/output) is looked for there. */
  rootDirectory?: string;
  /** Build settings (Settings → Build and Deployment); null/absent means the framework's default. */
  framework?: string | null;
  buildCommand?: string | null;
  installCommand?: string | null;
  outputDirectory?: string | null;
  /**
   * Deployment Protection (Vercel Authentication): 'previews' guards every deployment but production's
   * domains, 'all' guards production too. A guarded URL answers a client without a bypass 401 with the
   * _vercel_sso_nonce cookie, and a browser navigation a 302 to vercel.com/sso-api. Default 'none'.
   */
  protection?: 'none' | 'previews' | 'all';
  /** Protection Bypass for Automation secrets: sent as x-vercel-protection-bypass, they pass the guard. */
  bypassSecrets?: string[];
}

export interface VercelSimFile {
  file: string;
  sha?: string;
  size?: number;
  mode?: number;
}

export interface VercelSimEnv {
  id: string;
  key: string;
  value: string;
  /** plain: listed as is; encrypted: listed as ciphertext, pulled decrypted; sensitive: never read back. */
  type: 'plain' | 'encrypted' | 'sensitive';
  target: ('production' | 'preview' | 'development')[];
  /** Custom environments (by slug) the variable is set for. */
  customEnvironments: string[];
}

interface Project {
  id: string;
  name: string;
  accountId: string;
  env: VercelSimEnv[];
  /** The token may not read the project's environment variables (403 forbidden). */
  envForbidden?: boolean;
  domains: { name: string; verified: boolean }[];
  plan: 'hobby' | 'pro';
  customEnvironments: string[];
  rootDirectory: string | null;
  settings: {
    framework: string | null;
    buildCommand: string | null;
    installCommand: string | null;
    outputDirectory: string | null;
  };
  protection: 'none' | 'previews' | 'all';
  bypassSecrets: string[];
  productionId: string | undefined;
  /** After a rollback Vercel stops assigning production domains to new deployments until a promote. */
  rolledBack: boolean;
  createdAt: number;
  lastAliasRequest:
    | {
        fromDeploymentId: string | null;
        toDeploymentId: string;
        jobStatus: 'pending' | 'in-progress' | 'succeeded' | 'failed';
        requestedAt: number;
        completesAt: number;
        type: 'promote' | 'rollback';
      }
    | undefined;
}

export interface VercelSimDeployment {
  id: string;
  url: string;
  name: string;
  projectId: string;
  ownerId: string;
  target: string | null;
  customEnvironment: string | undefined;
  meta: Record<string, string>;
  gitMetadata: Record<string, unknown> | undefined;
  files: VercelSimFile[];
  prebuilt: boolean;
  /** Source builds: the projectSettings sent (merged over the project's), and the environments. */
  projectSettings: Record<string, string | null>;
  env: Record<string, string>;
  buildEnv: Record<string, string>;
  autoAssignCustomDomains: boolean;
  createdAt: number;
  outcome: VercelBuildOutcome;
  canceledAt: number | undefined;
  settled: boolean;
  aliasAssigned: number | null;
  aliasError: { code: string; message: string } | null;
  alias: string[];
  readySubstate: 'STAGED' | 'PROMOTED' | undefined;
  /** Has served as the project's production deployment (a rollback candidate). */
  everProduction: boolean;
}

interface Scope {
  ownerId: string;
  slug: string;
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const rand = (n: number, alphabet = BASE62) =>
  Array.from(randomBytes(n), (b) => alphabet[b % alphabet.length]).join('');
const SHA1 = /^[0-9a-f]{40}$/;
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

function err(status: number, code: string, message: string, extra: Record<string, unknown> = {}): SimResponse {
  return { status, body: { error: { code, message, ...extra } } };
}

export class VercelSimulator extends Simulator {
  readonly stepMs: number;
  readonly userId: string;
  readonly username: string;
  readonly teams: { id: string; slug: string }[];
  readonly deployments = new Map<string, VercelSimDeployment>();
  /** Files by owner (team or user) and SHA-1. */
  private readonly files = new Map<string, Map<string, Buffer>>();
  private readonly projects = new Map<string, Project>();
  /** alias hostname → deployment id */
  private readonly aliases = new Map<string, string>();
  /** alias hostname → its id and creation time (an alias keeps its uid when it moves to another deployment). */
  private readonly aliasMeta = new Map<string, { uid: string; created: number }>();
  private readonly outcomes: VercelBuildOutcome[] = [];
  private readonly limits: {
    method: string;
    match: (p: string) => Record<string, string> | undefined;
    limit: number;
    windowMs: number;
    windowStart: number;
    count: number;
  }[] = [];
  private readonly clock: () => number;

  constructor(options: VercelSimOptions = {}) {
    super({ name: 'Vercel', token: options.token });
    this.requestIdHeader = 'x-vercel-id';
    this.stepMs = options.stepMs ?? 40;
    this.clock = options.now ?? Date.now;
    this.userId = options.userId ?? 'usr_sim0000000000000000000';
    this.username = options.username ?? 'wingman-ci';
    this.teams = options.teams ?? [];

    const r = (method: string, pattern: string, handler: SimHandler) =>
      this.route(method, pattern, (req) => this.guard(method, req, handler));
    r('POST', '/v2/files', (req) => this.uploadFile(req));
    r('POST', '/v13/deployments', (req) => this.createDeployment(req));
    r('GET', '/v13/deployments/:idOrUrl', (req) => this.getDeployment(req));
    r('PATCH', '/v12/deployments/:id/cancel', (req) => this.cancelDeployment(req));
    r('GET', '/v3/deployments/:idOrUrl/events', (req) => this.events(req));
    r('GET', '/v6/deployments', (req) => this.listDeployments(req));
    r('POST', '/v2/deployments/:id/aliases', (req) => this.assignAlias(req));
    r('GET', '/v4/aliases', (req) => this.listAliases(req));
    r('GET', '/v4/aliases/:idOrAlias', (req) => this.getAlias(req));
    r('DELETE', '/v2/aliases/:aliasOrId', (req) => this.deleteAlias(req));
    r('GET', '/v9/projects/:idOrName', (req) => this.getProject(req));
    r('GET', '/v10/projects/:idOrName/env', (req) => this.listEnv(req));
    r('GET', '/v3/env/pull/:idOrName/:target', (req) => this.pullEnv(req));
    r('GET', '/v9/projects/:idOrName/custom-environments', (req) => this.listCustomEnvironments(req));
    r('POST', '/v10/projects/:projectId/promote/:deploymentId', (req) => this.promote(req));
    r('POST', '/v1/projects/:projectId/rollback/:deploymentId', (req) => this.rollback(req));
    this.serveDeployments = options.serveDeployments ?? false;
    if (this.serveDeployments) {
      this.route('GET', '/_sites/:id', (req) => this.serveSite(req, req.params.id!, ''), { auth: false });
      this.route('GET', '/_sites/:id/*', (req) => this.serveSite(req, req.params.id!, req.params['*'] ?? ''), {
        auth: false,
      });
    }
  }

  private readonly serveDeployments: boolean;

  /**
   * A READY deployment's file, as Vercel's edge would serve it (index.html for a directory): a prebuilt
   * output's static/ folder, or for a source build the build's output directory (the project's or the
   * deployment's outputDirectory, default public/) under its Root Directory. Deployment Protection first.
   */
  private serveSite(req: SimRequest, id: string, path: string): SimResponse {
    const d = this.deployments.get(id);
    if (!d || this.stateOf(d) !== 'READY') return { status: 404, body: 'The deployment could not be found on Vercel.' };
    const guarded = this.protectionGuard(req, d);
    if (guarded) return guarded;
    const want = path === '' || path.endsWith('/') ? `${path}index.html` : path;
    let file: VercelSimFile | undefined;
    if (d.prebuilt) file = d.files.find((f) => f.file.endsWith(`static/${want}`) || f.file === want);
    else {
      const out = d.projectSettings.outputDirectory ?? 'public';
      const base = [d.projectSettings.rootDirectory, out].filter((x) => x && x !== '.').join('/');
      file = d.files.find((f) => f.file === (base ? `${base}/${want}` : want));
    }
    const body = file?.sha ? this.storedFile(d.ownerId, file.sha) : undefined;
    if (!body) return { status: 404, body: 'NOT_FOUND' };
    const type = want.endsWith('.html') ? 'text/html; charset=utf-8' : 'application/octet-stream';
    return { status: 200, headers: { 'content-type': type }, body };
  }

  /** Vercel Authentication in front of a protected deployment, unless a bypass secret comes with the request. */
  private protectionGuard(req: SimRequest, d: VercelSimDeployment): SimResponse | undefined {
    const p = this.projects.get(d.projectId);
    if (!p || p.protection === 'none' || (p.protection === 'previews' && d.target === 'production')) return undefined;
    const bypass = req.headers['x-vercel-protection-bypass'] ?? req.query['x-vercel-protection-bypass'];
    if (typeof bypass === 'string' && p.bypassSecrets.includes(bypass)) return undefined;
    const nonce = rand(16);
    const cookie = `_vercel_sso_nonce=${nonce}; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax`;
    if (req.headers['sec-fetch-mode'] === 'navigate') {
      const url = encodeURIComponent(`https://${d.url}${req.path}`);
      return {
        status: 302,
        headers: { location: `https://vercel.com/sso-api?url=${url}&nonce=${nonce}`, 'set-cookie': cookie },
      };
    }
    return {
      status: 401,
      headers: { 'content-type': 'text/html; charset=utf-8', 'set-cookie': cookie },
      body: '<!doctype html><title>Authentication Required</title><p>Vercel Authentication</p>',
    };
  }

  now(): number {
    return this.clock();
  }

  addProject(init: VercelSimProjectInit): { id: string; name: string } {
    const id = init.id ?? `prj_${rand(28)}`;
    this.projects.set(id, {
      id,
      name: init.name,
      accountId: init.teamId ?? this.userId,
      domains: (init.domains ?? []).map((d) => ({ name: d.name, verified: d.verified ?? true })),
      plan: init.plan ?? 'pro',
      customEnvironments: init.customEnvironments ?? [],
      env: [],
      rootDirectory: init.rootDirectory ?? null,
      settings: {
        framework: init.framework ?? null,
        buildCommand: init.buildCommand ?? null,
        installCommand: init.installCommand ?? null,
        outputDirectory: init.outputDirectory ?? null,
      },
      protection: init.protection ?? 'none',
      bypassSecrets: init.bypassSecrets ?? [],
      productionId: undefined,
      rolledBack: false,
      createdAt: this.now(),
      lastAliasRequest: undefined,
    });
    return { id, name: init.name };
  }

  /**
   * An earlier production release of the project, built and promoted before the test begins (a static
   * index.html), like HerokuSim.seedDeploy: what a rollback goes back to.
   */
  seedProduction(projectId: string, html = '<h1>the previous release</h1>'): VercelSimDeployment {
    const project = this.projects.get(projectId);
    if (!project) throw new Error(`seedProduction: no project ${projectId}`);
    const content = Buffer.from(html);
    const sha = createHash('sha1').update(content).digest('hex');
    const owned = this.files.get(project.accountId) ?? new Map<string, Buffer>();
    owned.set(sha, content);
    this.files.set(project.accountId, owned);
    const id = `dpl_${rand(28)}`;
    const created = this.now() - 60_000;
    const d: VercelSimDeployment = {
      id,
      url: this.serveDeployments
        ? `${this.url}/_sites/${id}/`
        : `${project.name}-${rand(9, 'abcdefghijklmnopqrstuvwxyz0123456789')}.vercel.app`,
      name: project.name,
      projectId,
      ownerId: project.accountId,
      target: 'production',
      customEnvironment: undefined,
      meta: {},
      gitMetadata: undefined,
      files: [{ file: 'index.html', sha, size: content.length }],
      prebuilt: false,
      projectSettings: { outputDirectory: '.' },
      env: {},
      buildEnv: {},
      autoAssignCustomDomains: true,
      createdAt: created,
      outcome: { state: 'READY' },
      canceledAt: undefined,
      settled: true,
      aliasAssigned: created,
      aliasError: null,
      alias: [],
      readySubstate: undefined,
      everProduction: false,
    };
    this.deployments.set(id, d);
    this.makeProduction(project, d);
    return d;
  }

  /** The next created deployments take these outcomes in order; afterwards builds succeed. */
  queueOutcome(...outcomes: VercelBuildOutcome[]): this {
    this.outcomes.push(...outcomes);
    return this;
  }

  /** Allows `limit` requests per `windowMs` to matching routes; the rest get 429 rate_limited. */
  rateLimit(method: string, pattern: string, limit: number, windowMs: number): this {
    this.limits.push({
      method: method.toUpperCase(),
      match: compilePathPattern(pattern),
      limit,
      windowMs,
      // The first request opens the window.
      windowStart: Number.NEGATIVE_INFINITY,
      count: 0,
    });
    return this;
  }

  /** SHA-1s stored for an owner (team id or user id). */
  storedShas(ownerId: string): string[] {
    return [...(this.files.get(ownerId)?.keys() ?? [])];
  }

  storedFile(ownerId: string, sha: string): Buffer | undefined {
    return this.files.get(ownerId)?.get(sha);
  }

  /** The project's current production deployment id (the one its domains point at). */
  productionOf(projectId: string): string | undefined {
    this.settle();
    return this.projects.get(projectId)?.productionId;
  }

  aliasTarget(alias: string): string | undefined {
    this.settle();
    return this.aliases.get(alias);
  }

  /** An alias made earlier, at `created` (Unix ms): aliases made together share a creation time. */
  seedAlias(alias: string, deploymentId: string, created: number): void {
    if (!this.deployments.has(deploymentId)) throw new Error(`VercelSimulator: no deployment ${deploymentId}`);
    this.setAlias(alias, deploymentId);
    this.aliasMeta.get(alias)!.created = created;
  }

  deployment(id: string): VercelSimDeployment | undefined {
    this.settle();
    return this.deployments.get(id);
  }

  stateOf(d: VercelSimDeployment, at = this.now()): VercelReadyState {
    const t = at - d.createdAt;
    const final = d.createdAt + 3 * this.stepMs;
    if (d.canceledAt !== undefined && d.canceledAt <= at && d.canceledAt < final) return 'CANCELED';
    if (t < this.stepMs) return 'QUEUED';
    if (t < 2 * this.stepMs) return 'INITIALIZING';
    if (t < 3 * this.stepMs) return 'BUILDING';
    return d.outcome.state;
  }

  // ---------------------------------------------------------------------------------------------

  protected override unauthorized(): SimResponse {
    return err(403, 'forbidden', 'Not authorized', { invalidToken: true });
  }

  protected override notFound(req: SimRequest): SimResponse {
    return err(404, 'not_found', `The requested path ${req.path} was not found`);
  }

  /** Rate limit, then settle the clock-driven state, then the handler. */
  private async guard(method: string, req: SimRequest, handler: SimHandler): Promise<SimResponse> {
    const now = this.now();
    let headers: Record<string, string> = {};
    for (const l of this.limits) {
      if (l.method !== method || !l.match(req.path)) continue;
      if (now - l.windowStart >= l.windowMs) {
        l.windowStart = now;
        l.count = 0;
      }
      const resetMs = l.windowStart + l.windowMs;
      const reset = Math.ceil(resetMs / 1000);
      l.count += 1;
      const remaining = Math.max(0, l.limit - l.count);
      headers = {
        'x-ratelimit-limit': String(l.limit),
        'x-ratelimit-remaining': String(remaining),
        'x-ratelimit-reset': String(reset),
      };
      if (l.count > l.limit) {
        return {
          status: 429,
          headers,
          body: {
            error: {
              code: 'rate_limited',
              message: `Rate limit exceeded: ${l.limit} requests per ${Math.round(l.windowMs / 1000)} s`,
              limit: { remaining: 0, reset, resetMs, total: l.limit },
            },
          },
        };
      }
    }
    this.settle();
    const res = await handler(req);
    return { ...res, headers: { ...headers, ...res.headers } };
  }

  /** Applies what happened by now: finished builds assign aliases, finished promote/rollback jobs move production. */
  private settle(): void {
    const now = this.now();
    const due: { at: number; run: () => void }[] = [];
    for (const d of this.deployments.values()) {
      if (d.settled) continue;
      const state = this.stateOf(d, now);
      if (state === 'READY' || state === 'ERROR' || state === 'CANCELED') {
        const at = state === 'CANCELED' ? d.canceledAt! : d.createdAt + 3 * this.stepMs;
        due.push({ at, run: () => this.finish(d, state) });
      }
    }
    for (const p of this.projects.values()) {
      const job = p.lastAliasRequest;
      if (job && job.jobStatus === 'in-progress' && job.completesAt <= now) {
        due.push({ at: job.completesAt, run: () => this.completeAliasJob(p) });
      }
    }
    for (const { run } of due.sort((a, b) => a.at - b.at)) run();
  }

  private finish(d: VercelSimDeployment, state: VercelReadyState): void {
    d.settled = true;
    if (state !== 'READY') return;
    const project = this.projects.get(d.projectId)!;
    const scope = this.scopeSlug(d.ownerId);
    d.alias.push(`${project.name}-${scope}.vercel.app`);
    const branch = d.meta.githubCommitRef;
    if (branch && d.target !== 'production') {
      d.alias.push(`${project.name}-git-${slug(branch)}-${scope}.vercel.app`);
    }
    for (const a of d.alias) this.setAlias(a, d.id);
    const outcome = d.outcome as Extract<VercelBuildOutcome, { state: 'READY' }>;
    if (outcome.aliasError) {
      d.aliasError = outcome.aliasError;
      return;
    }
    if (d.target === 'production') {
      if (!d.autoAssignCustomDomains || project.rolledBack) {
        d.readySubstate = 'STAGED';
      } else {
        const unverified = project.domains.find((x) => !x.verified);
        if (unverified) {
          d.aliasError = {
            code: 'DOMAIN_NOT_VERIFIED',
            message: `The domain ${unverified.name} is not verified: add the DNS records shown in the project's domain settings, then redeploy`,
          };
          return;
        }
        this.makeProduction(project, d);
      }
    }
    d.aliasAssigned = this.now();
  }

  private makeProduction(project: Project, d: VercelSimDeployment): void {
    project.productionId = d.id;
    d.everProduction = true;
    d.readySubstate = 'PROMOTED';
    for (const other of this.deployments.values()) {
      if (other.projectId === project.id && other.id !== d.id && other.readySubstate === 'PROMOTED') {
        other.readySubstate = undefined;
      }
    }
    for (const dom of project.domains) {
      this.setAlias(dom.name, d.id);
      if (!d.alias.includes(dom.name)) d.alias.unshift(dom.name);
    }
  }

  private completeAliasJob(p: Project): void {
    const job = p.lastAliasRequest!;
    const d = this.deployments.get(job.toDeploymentId)!;
    job.jobStatus = 'succeeded';
    this.makeProduction(p, d);
    d.aliasAssigned ??= job.completesAt;
    // A promote hands the domains back to new deployments; a rollback keeps them pinned.
    p.rolledBack = job.type === 'rollback';
  }

  private scopeSlug(ownerId: string): string {
    return this.teams.find((t) => t.id === ownerId)?.slug ?? this.username;
  }

  /** The account a request acts for: `teamId` (must be a team of the token's user) or the user. */
  private scope(req: SimRequest): Scope | SimResponse {
    const teamId = req.query.teamId;
    if (teamId !== undefined) {
      const team = this.teams.find((t) => t.id === teamId);
      if (!team) return err(403, 'forbidden', 'Not authorized: you are not a member of this team');
      return { ownerId: team.id, slug: team.slug };
    }
    return { ownerId: this.userId, slug: this.username };
  }

  private projectIn(scope: Scope, idOrName: string): Project | undefined {
    for (const p of this.projects.values()) {
      if (p.accountId === scope.ownerId && (p.id === idOrName || p.name === idOrName)) return p;
    }
    return undefined;
  }

  private deploymentIn(scope: Scope, idOrUrl: string): VercelSimDeployment | undefined {
    const host = idOrUrl.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    const d =
      this.deployments.get(idOrUrl) ??
      [...this.deployments.values()].find((x) => x.url === host) ??
      this.deployments.get(this.aliases.get(host) ?? '');
    return d && d.ownerId === scope.ownerId ? d : undefined;
  }

  private deploymentBody(d: VercelSimDeployment): Record<string, unknown> {
    const state = this.stateOf(d);
    const final = d.createdAt + 3 * this.stepMs;
    const project = this.projects.get(d.projectId)!;
    const errorOutcome = d.outcome.state === 'ERROR' && state === 'ERROR' ? d.outcome : undefined;
    return {
      id: d.id,
      url: d.url,
      name: d.name,
      projectId: d.projectId,
      ownerId: d.ownerId,
      type: 'LAMBDAS',
      version: 2,
      public: false,
      source: 'cli',
      target: d.target,
      customEnvironment: d.customEnvironment ? { slug: d.customEnvironment } : undefined,
      readyState: state,
      status: state,
      readySubstate: state === 'READY' ? d.readySubstate : undefined,
      createdAt: d.createdAt,
      buildingAt: d.createdAt + 2 * this.stepMs,
      ready: state === 'READY' ? final : undefined,
      canceledAt: state === 'CANCELED' ? d.canceledAt : undefined,
      errorCode: errorOutcome ? (errorOutcome.errorCode ?? 'BUILD_FAILED') : undefined,
      errorMessage: errorOutcome ? (errorOutcome.errorMessage ?? 'Command "npm run build" exited with 1') : undefined,
      aliasAssigned: state === 'READY' ? d.aliasAssigned : null,
      aliasError: state === 'READY' ? d.aliasError : null,
      alias: state === 'READY' ? d.alias : [],
      autoAssignCustomDomains: d.autoAssignCustomDomains,
      inspectorUrl: `https://vercel.com/${this.scopeSlug(d.ownerId)}/${project.name}/${d.id.slice(4)}`,
      meta: d.meta,
      gitMetadata: d.gitMetadata,
      isRollbackCandidate: d.everProduction,
      regions: ['iad1'],
    };
  }

  private uploadFile(req: SimRequest): SimResponse {
    const scope = this.scope(req);
    if ('status' in scope) return scope;
    const digest = String(req.headers['x-vercel-digest'] ?? req.headers['x-now-digest'] ?? '');
    if (!SHA1.test(digest)) {
      return err(
        400,
        'missing_digest',
        'Missing or invalid `x-vercel-digest` header: send the SHA-1 of the file (40 hex digits)',
      );
    }
    const body = req.rawBody;
    const declared = req.headers['x-now-size'] ?? req.headers['content-length'];
    if (declared === undefined) return err(400, 'missing_size', 'Missing `Content-Length` header');
    if (Number(declared) !== body.length) {
      return err(400, 'invalid_size', `File size ${body.length} does not match the declared size ${declared}`);
    }
    const actual = createHash('sha1').update(body).digest('hex');
    if (actual !== digest) {
      return err(400, 'invalid_sha', `The file's SHA-1 is ${actual}, not the ${digest} given in x-vercel-digest`);
    }
    let store = this.files.get(scope.ownerId);
    if (!store) {
      store = new Map();
      this.files.set(scope.ownerId, store);
    }
    store.set(digest, Buffer.from(body));
    return { status: 200 };
  }

  private createDeployment(req: SimRequest): SimResponse {
    const scope = this.scope(req);
    if ('status' in scope) return scope;
    const b = req.body as Record<string, unknown> | undefined;
    if (!b || typeof b !== 'object') return err(400, 'bad_request', 'Invalid request: the body must be a JSON object');
    if (typeof b.name !== 'string' || b.name === '') {
      return err(400, 'bad_request', 'Invalid request: missing required property `name`.');
    }
    const project = this.projectIn(scope, typeof b.project === 'string' ? b.project : b.name);
    if (!project) {
      return typeof b.project === 'string'
        ? err(404, 'not_found', 'Project not found')
        : err(400, 'missing_project_settings', 'The `projectSettings` object is required for new projects');
    }
    if (b.meta !== undefined) {
      if (!b.meta || typeof b.meta !== 'object' || Object.values(b.meta).some((v) => typeof v !== 'string')) {
        return err(400, 'bad_request', 'Invalid request: `meta` values must be strings.');
      }
    }
    let target: string | null = null;
    let customEnvironment: string | undefined;
    const env = typeof b.customEnvironmentSlugOrId === 'string' ? b.customEnvironmentSlugOrId : undefined;
    if (b.target !== undefined && b.target !== null) {
      if (typeof b.target !== 'string') return err(400, 'bad_request', 'Invalid request: `target` must be a string.');
      if (b.target === 'production' || b.target === 'staging') target = b.target;
      else customEnvironment = b.target;
    }
    if (env) customEnvironment = env;
    if (customEnvironment && !project.customEnvironments.includes(customEnvironment)) {
      return err(
        404,
        'custom_environment_not_found',
        `Custom environment "${customEnvironment}" was not found in project ${project.name}`,
      );
    }
    if (!Array.isArray(b.files) || b.files.length === 0) {
      return err(400, 'bad_request', 'Invalid request: `files` must be a non-empty array (or use gitSource).');
    }
    const store = this.files.get(scope.ownerId) ?? new Map<string, Buffer>();
    const missing: string[] = [];
    const files: VercelSimFile[] = [];
    for (const f of b.files as Record<string, unknown>[]) {
      if (
        !f ||
        typeof f.file !== 'string' ||
        f.file === '' ||
        f.file.startsWith('/') ||
        f.file.split('/').includes('..')
      ) {
        return err(
          400,
          'bad_request',
          `Invalid request: file name ${JSON.stringify(f?.file)} must be a relative path.`,
        );
      }
      if (typeof f.sha !== 'string' || !SHA1.test(f.sha)) {
        return err(400, 'bad_request', `Invalid request: \`files\` entry ${f.file} needs a 40-hex \`sha\`.`);
      }
      if (f.mode !== undefined && (typeof f.mode !== 'number' || !Number.isInteger(f.mode))) {
        return err(400, 'bad_request', `Invalid request: \`mode\` of ${f.file} must be an integer.`);
      }
      const stored = store.get(f.sha);
      if (!stored) {
        if (!missing.includes(f.sha)) missing.push(f.sha);
      } else if (typeof f.size === 'number' && f.size !== stored.length) {
        return err(400, 'bad_request', `Invalid request: size of ${f.file} is ${stored.length}, not ${f.size}.`);
      }
      files.push({
        file: f.file,
        sha: f.sha,
        size: typeof f.size === 'number' ? f.size : undefined,
        mode: f.mode as number | undefined,
      });
    }
    const stringMap = (v: unknown) =>
      v === undefined || (!!v && typeof v === 'object' && Object.values(v).every((x) => typeof x === 'string'));
    const build = b.build as { env?: unknown } | undefined;
    if (!stringMap(b.env) || (build !== undefined && (typeof build !== 'object' || !stringMap(build.env)))) {
      return err(400, 'bad_request', 'Invalid request: `env` and `build.env` must map names to string values.');
    }
    const sent = b.projectSettings as Record<string, unknown> | undefined;
    if (
      sent !== undefined &&
      (!sent || typeof sent !== 'object' || Object.values(sent).some((v) => v !== null && typeof v !== 'string'))
    ) {
      return err(400, 'bad_request', 'Invalid request: `projectSettings` values must be strings or null.');
    }
    if (missing.length) return err(400, 'missing_files', 'Missing files', { missing });
    const projectSettings: Record<string, string | null> = {
      ...project.settings,
      rootDirectory: project.rootDirectory,
      ...(sent as Record<string, string | null> | undefined),
    };
    const root = projectSettings.rootDirectory;
    // Vercel looks for the Build Output API under the project's Root Directory.
    const prebuilt = files.some((f) => f.file === `${root ? `${root}/` : ''}.vercel/output/config.json`);
    let outcome = this.outcomes.shift() ?? { state: 'READY' };
    if (!prebuilt && root && !files.some((f) => f.file.startsWith(`${root}/`))) {
      outcome = {
        state: 'ERROR',
        errorCode: 'ROOT_DIRECTORY_NOT_FOUND',
        errorMessage: `The specified Root Directory "${root}" does not exist. Please update your Project Settings.`,
      };
    }
    const id = `dpl_${rand(28)}`;
    const d: VercelSimDeployment = {
      id,
      url: this.serveDeployments
        ? `${this.url}/_sites/${id}/`
        : `${project.name}-${rand(9, 'abcdefghijklmnopqrstuvwxyz0123456789')}-${scope.slug}.vercel.app`,
      name: project.name,
      projectId: project.id,
      ownerId: scope.ownerId,
      target,
      customEnvironment,
      meta: (b.meta as Record<string, string>) ?? {},
      gitMetadata: b.gitMetadata as Record<string, unknown> | undefined,
      files,
      prebuilt,
      projectSettings,
      env: (b.env as Record<string, string> | undefined) ?? {},
      buildEnv: (build?.env as Record<string, string> | undefined) ?? {},
      autoAssignCustomDomains: b.autoAssignCustomDomains !== false,
      createdAt: this.now(),
      outcome,
      canceledAt: undefined,
      settled: false,
      aliasAssigned: null,
      aliasError: null,
      alias: [],
      readySubstate: undefined,
      everProduction: false,
    };
    this.deployments.set(id, d);
    return { status: 200, body: this.deploymentBody(d) };
  }

  private getDeployment(req: SimRequest): SimResponse {
    const scope = this.scope(req);
    if ('status' in scope) return scope;
    const d = this.deploymentIn(scope, req.params.idOrUrl!);
    if (!d) return err(404, 'not_found', 'Deployment not found');
    return { status: 200, body: this.deploymentBody(d) };
  }

  private cancelDeployment(req: SimRequest): SimResponse {
    const scope = this.scope(req);
    if ('status' in scope) return scope;
    const d = this.deploymentIn(scope, req.params.id!);
    if (!d) return err(404, 'not_found', 'Deployment not found');
    const state = this.stateOf(d);
    if (state === 'READY' || state === 'ERROR' || state === 'CANCELED') {
      return err(400, 'bad_request', `Cannot cancel a deployment in state ${state}`);
    }
    d.canceledAt = this.now();
    this.settle();
    return { status: 200, body: this.deploymentBody(d) };
  }

  private eventList(d: VercelSimDeployment): { created: number; type: string; text: string }[] {
    const s = this.stepMs;
    const t0 = d.createdAt;
    const out: { created: number; type: string; text: string }[] = [
      { created: t0 + s, type: 'stdout', text: 'Running build in Washington, D.C., USA (East) – iad1' },
      { created: t0 + s, type: 'stdout', text: 'Retrieving list of deployment files...' },
      { created: t0 + s + 1, type: 'stdout', text: `Downloading ${d.files.length} deployment files...` },
    ];
    if (d.prebuilt)
      out.push({ created: t0 + 2 * s, type: 'stdout', text: 'Using prebuilt build artifacts from .vercel/output' });
    else {
      const ps = d.projectSettings;
      out.push(
        { created: t0 + 2 * s, type: 'command', text: 'Running "vercel build"' },
        {
          created: t0 + 2 * s,
          type: 'command',
          text: `Running "install" command: \`${ps.installCommand ?? 'npm install'}\`...`,
        },
        { created: t0 + 2 * s, type: 'command', text: `Running "${ps.buildCommand ?? 'npm run build'}"` },
      );
    }
    const log = 'log' in d.outcome ? (d.outcome.log ?? []) : [];
    for (const [i, text] of log.entries()) out.push({ created: t0 + 2 * s + 1 + i, type: 'stdout', text });
    const end = t0 + 3 * s;
    const state = this.stateOf(d);
    if (state === 'CANCELED') out.push({ created: d.canceledAt!, type: 'stderr', text: 'The deployment was canceled' });
    else if (d.outcome.state === 'ERROR') {
      out.push({
        created: end,
        type: 'stderr',
        text: `Error: ${d.outcome.errorMessage ?? 'Command "npm run build" exited with 1'}`,
      });
    } else if (d.outcome.state === 'READY') {
      out.push(
        { created: end, type: 'stdout', text: `Build Completed in /vercel/output [${s}ms]` },
        { created: end, type: 'stdout', text: 'Deploying outputs...' },
        { created: end + 1, type: 'stdout', text: 'Deployment completed' },
      );
    }
    const until = state === 'CANCELED' ? d.canceledAt! : Number.POSITIVE_INFINITY;
    return out.filter((e) => e.created <= until);
  }

  private events(req: SimRequest): SimResponse {
    const scope = this.scope(req);
    if ('status' in scope) return scope;
    const d = this.deploymentIn(scope, req.params.idOrUrl!);
    if (!d) return err(404, 'not_found', 'Deployment not found');
    const now = this.now();
    const since = req.query.since !== undefined ? Number(req.query.since) : undefined;
    const until = req.query.until !== undefined ? Number(req.query.until) : undefined;
    let list = this.eventList(d)
      .map((e, serial) => ({ ...e, serial }))
      .filter(
        (e) =>
          e.created <= now &&
          (since === undefined || e.created >= since) &&
          (until === undefined || e.created <= until),
      );
    if (req.query.direction === 'backward') list.reverse();
    const limit = req.query.limit !== undefined ? Number(req.query.limit) : 100;
    if (limit >= 0) list = list.slice(0, limit);
    return {
      status: 200,
      body: list.map((e) => {
        const payload = {
          id: `${d.id}-${e.serial}`,
          date: e.created,
          serial: String(e.serial).padStart(6, '0'),
          text: e.text,
          deploymentId: d.id,
          info: { type: 'build', name: `bld_${d.id.slice(4, 16)}`, entrypoint: '.' },
        };
        return { type: e.type, created: e.created, payload };
      }),
    };
  }

  private listDeployments(req: SimRequest): SimResponse {
    const scope = this.scope(req);
    if ('status' in scope) return scope;
    const q = req.query;
    let project: Project | undefined;
    if (q.projectId) {
      project = this.projectIn(scope, q.projectId);
      if (!project) return err(404, 'not_found', 'Project not found');
    }
    const limit = Math.min(Number(q.limit ?? 20), 100);
    if (!Number.isInteger(limit) || limit < 1)
      return err(400, 'bad_request', 'Invalid request: `limit` must be 1..100');
    const states = q.state ? q.state.split(',') : undefined;
    const meta = Object.entries(q)
      .filter(([k]) => k.startsWith('meta-'))
      .map(([k, v]) => [k.slice(5), v] as const);
    const list = [...this.deployments.values()]
      .filter((d) => d.ownerId === scope.ownerId && (!project || d.projectId === project.id))
      .filter(
        (d) =>
          !q.target ||
          (q.target === 'preview'
            ? d.target === null && !d.customEnvironment
            : d.target === q.target || d.customEnvironment === q.target),
      )
      .filter((d) => !states || states.includes(this.stateOf(d)))
      .filter((d) => meta.every(([k, v]) => d.meta[k] === v))
      .filter((d) => (!q.until || d.createdAt < Number(q.until)) && (!q.since || d.createdAt > Number(q.since)))
      .sort((a, b) => b.createdAt - a.createdAt);
    const page = list.slice(0, limit);
    return {
      status: 200,
      body: {
        deployments: page.map((d) => {
          const full = this.deploymentBody(d);
          return {
            uid: d.id,
            name: d.name,
            url: d.url,
            created: d.createdAt,
            createdAt: d.createdAt,
            buildingAt: full.buildingAt,
            ready: full.ready,
            state: full.readyState,
            readyState: full.readyState,
            readySubstate: full.readySubstate,
            type: 'LAMBDAS',
            source: 'cli',
            creator: { uid: this.userId, username: this.username },
            inspectorUrl: full.inspectorUrl,
            meta: d.meta,
            target: d.target,
            projectId: d.projectId,
            aliasAssigned: full.aliasAssigned,
            aliasError: full.aliasError,
            isRollbackCandidate: d.everProduction,
          };
        }),
        pagination: {
          count: page.length,
          next: list.length > limit ? page.at(-1)!.createdAt : null,
          prev: page[0]?.createdAt ?? null,
        },
      },
    };
  }

  private assignAlias(req: SimRequest): SimResponse {
    const scope = this.scope(req);
    if ('status' in scope) return scope;
    const d = this.deploymentIn(scope, req.params.id!);
    if (!d || d.id !== req.params.id) return err(404, 'not_found', 'Deployment not found');
    if (this.stateOf(d) !== 'READY') return err(400, 'deployment_not_ready', 'The deployment is not READY yet');
    const alias = (req.body as { alias?: unknown } | undefined)?.alias;
    if (typeof alias !== 'string' || !HOSTNAME.test(alias)) {
      return err(400, 'invalid_alias', `The alias ${JSON.stringify(alias)} is not a valid hostname`);
    }
    const holder = this.deployments.get(this.aliases.get(alias) ?? '');
    if (alias.endsWith('.vercel.app')) {
      if (holder && holder.projectId !== d.projectId) {
        return err(409, 'alias_in_use', `The alias ${alias} is already in use by another project`);
      }
    } else {
      const domain = [...this.projects.values()]
        .filter((p) => p.accountId === scope.ownerId)
        .flatMap((p) => p.domains)
        .find((x) => alias === x.name || alias.endsWith(`.${x.name}`));
      if (!domain) return err(404, 'not_found', `The domain for ${alias} was not found in this account; add it first`);
      if (!domain.verified) return err(400, 'domain_not_verified', `The domain ${domain.name} is not verified`);
    }
    const { uid } = this.setAlias(alias, d.id);
    if (!d.alias.includes(alias)) d.alias.push(alias);
    return {
      status: 200,
      body: {
        uid,
        alias,
        created: new Date(this.now()).toISOString(),
        oldDeploymentId: holder && holder.id !== d.id ? holder.id : null,
      },
    };
  }

  private setAlias(alias: string, deploymentId: string): { uid: string; created: number } {
    this.aliases.set(alias, deploymentId);
    let meta = this.aliasMeta.get(alias);
    if (!meta) {
      meta = { uid: `alias_${rand(20)}`, created: this.now() };
      this.aliasMeta.set(alias, meta);
    }
    return meta;
  }

  /** The alias named by hostname or uid, if its deployment belongs to the request's account. */
  private aliasIn(scope: Scope, aliasOrId: string): { alias: string; d: VercelSimDeployment } | undefined {
    const host = aliasOrId.toLowerCase();
    const alias = this.aliases.has(host)
      ? host
      : [...this.aliasMeta.entries()].find(([a, m]) => m.uid === aliasOrId && this.aliases.has(a))?.[0];
    const d = alias ? this.deployments.get(this.aliases.get(alias)!) : undefined;
    return alias && d && d.ownerId === scope.ownerId ? { alias, d } : undefined;
  }

  /** GET /v4/aliases: the account's aliases (projectId narrows them), newest first, a page of `limit` before `until`. */
  private listAliases(req: SimRequest): SimResponse {
    const scope = this.scope(req);
    if ('status' in scope) return scope;
    const limit = Math.min(Number(req.query.limit ?? 20) || 20, 100);
    const until = req.query.until ? Number(req.query.until) : Number.POSITIVE_INFINITY;
    const all = [...this.aliases.entries()]
      .map(([alias, deploymentId]) => ({
        alias,
        d: this.deployments.get(deploymentId),
        meta: this.aliasMeta.get(alias)!,
      }))
      .filter(
        ({ d }) => d && d.ownerId === scope.ownerId && (!req.query.projectId || d.projectId === req.query.projectId),
      )
      .filter(({ meta }) => meta.created < until)
      .sort((a, b) => b.meta.created - a.meta.created);
    const page = all.slice(0, limit);
    return {
      status: 200,
      body: {
        aliases: page.map(({ alias, d, meta }) => ({
          alias,
          uid: meta.uid,
          created: new Date(meta.created).toISOString(),
          createdAt: meta.created,
          deploymentId: d!.id,
          projectId: d!.projectId,
          deployment: { id: d!.id, url: d!.url },
        })),
        pagination: {
          count: page.length,
          next: all.length > limit ? page.at(-1)!.meta.created : null,
          prev: page[0]?.meta.created ?? null,
        },
      },
    };
  }

  private getAlias(req: SimRequest): SimResponse {
    const scope = this.scope(req);
    if ('status' in scope) return scope;
    const found = this.aliasIn(scope, req.params.idOrAlias!);
    // projectId narrows the lookup: an alias of another project is "not found", as documented.
    if (!found || (req.query.projectId && found.d.projectId !== req.query.projectId)) {
      return err(404, 'not_found', 'The alias was not found');
    }
    const meta = this.aliasMeta.get(found.alias)!;
    return {
      status: 200,
      body: {
        alias: found.alias,
        uid: meta.uid,
        created: new Date(meta.created).toISOString(),
        createdAt: meta.created,
        deploymentId: found.d.id,
        projectId: found.d.projectId,
        deployment: { id: found.d.id, url: found.d.url },
      },
    };
  }

  /** DELETE /v2/aliases/{aliasId}: the hostname stops resolving; the deployment itself stays. */
  private deleteAlias(req: SimRequest): SimResponse {
    const scope = this.scope(req);
    if ('status' in scope) return scope;
    const found = this.aliasIn(scope, req.params.aliasOrId!);
    if (!found) return err(404, 'not_found', 'The alias was not found');
    this.aliases.delete(found.alias);
    this.aliasMeta.delete(found.alias);
    for (const d of this.deployments.values()) d.alias = d.alias.filter((a) => a !== found.alias);
    return { status: 200, body: { status: 'SUCCESS' } };
  }

  /** A project environment variable, as the dashboard or `vercel env add` sets it. */
  addEnv(
    projectId: string,
    env: {
      key: string;
      value: string;
      type?: VercelSimEnv['type'];
      target?: VercelSimEnv['target'];
      customEnvironments?: string[];
    },
  ): VercelSimEnv {
    const project = this.projects.get(projectId);
    if (!project) throw new Error(`addEnv: no project ${projectId}`);
    const e: VercelSimEnv = {
      id: rand(16),
      key: env.key,
      value: env.value,
      type: env.type ?? 'encrypted',
      target: env.target ?? ['production', 'preview', 'development'],
      customEnvironments: env.customEnvironments ?? [],
    };
    project.env.push(e);
    return e;
  }

  /** The token may no longer read the project's environment variables (a member without the role). */
  forbidEnv(projectId: string): void {
    this.projects.get(projectId)!.envForbidden = true;
  }

  private envScope(req: SimRequest): Project | SimResponse {
    const scope = this.scope(req);
    if ('status' in scope) return scope;
    const p = this.projectIn(scope, req.params.idOrName!);
    if (!p) return err(404, 'not_found', 'Project not found');
    if (p.envForbidden)
      return err(403, 'forbidden', "You don't have permission to read the environment variables of this project");
    return p;
  }

  /** GET /v10/projects/{id}/env: every record; encrypted values as ciphertext (decrypt is deprecated), sensitive empty. */
  private listEnv(req: SimRequest): SimResponse {
    const p = this.envScope(req);
    if ('status' in p) return p;
    const envs = p.env.map((e) => ({
      id: e.id,
      key: e.key,
      type: e.type,
      value: e.type === 'plain' ? e.value : e.type === 'encrypted' ? Buffer.from(`enc:${e.id}`).toString('base64') : '',
      decrypted: false,
      target: e.target,
      customEnvironmentIds: e.customEnvironments.map((slug) => `env_${slug}`),
      createdAt: p.createdAt,
      updatedAt: p.createdAt,
    }));
    return { status: 200, body: { envs, pagination: { count: envs.length, next: null, prev: null } } };
  }

  /** GET /v3/env/pull/{id}/{target}: what `vercel env pull` reads, decrypted; sensitive values come back empty. */
  private pullEnv(req: SimRequest): SimResponse {
    const p = this.envScope(req);
    if ('status' in p) return p;
    const target = req.params.target!;
    const custom = target.startsWith('env_') ? target.slice(4) : undefined;
    if (custom !== undefined && !p.customEnvironments.includes(custom))
      return err(
        404,
        'custom_environment_not_found',
        `Custom environment "${target}" was not found in project ${p.name}`,
      );
    if (custom === undefined && !['production', 'preview', 'development'].includes(target))
      return err(400, 'bad_request', `Invalid target: ${target}`);
    const env: Record<string, string> = {};
    for (const e of p.env) {
      const covers = custom !== undefined ? e.customEnvironments.includes(custom) : e.target.includes(target as never);
      if (covers) env[e.key] = e.type === 'sensitive' ? '' : e.value;
    }
    return { status: 200, body: { env, buildEnv: env } };
  }

  private listCustomEnvironments(req: SimRequest): SimResponse {
    const scope = this.scope(req);
    if ('status' in scope) return scope;
    const p = this.projectIn(scope, req.params.idOrName!);
    if (!p) return err(404, 'not_found', 'Project not found');
    return {
      status: 200,
      body: {
        accountLimit: { total: 12 },
        environments: p.customEnvironments.map((slug) => ({
          id: `env_${slug}`,
          slug,
          type: 'preview',
          createdAt: p.createdAt,
          updatedAt: p.createdAt,
        })),
      },
    };
  }

  private getProject(req: SimRequest): SimResponse {
    const scope = this.scope(req);
    if ('status' in scope) return scope;
    const p = this.projectIn(scope, req.params.idOrName!);
    if (!p) return err(404, 'not_found', 'Project not found');
    const prod = p.productionId ? this.deployments.get(p.productionId) : undefined;
    const job = p.lastAliasRequest;
    return {
      status: 200,
      body: {
        id: p.id,
        name: p.name,
        accountId: p.accountId,
        createdAt: p.createdAt,
        updatedAt: this.now(),
        ...p.settings,
        rootDirectory: p.rootDirectory,
        ...(p.bypassSecrets.length
          ? {
              protectionBypass: Object.fromEntries(
                p.bypassSecrets.map((secret) => [secret, { createdAt: p.createdAt, scope: 'automation-bypass' }]),
              ),
            }
          : {}),
        autoAssignCustomDomains: true,
        targets: prod ? { production: this.deploymentBody(prod) } : {},
        lastAliasRequest: job
          ? {
              fromDeploymentId: job.fromDeploymentId,
              toDeploymentId: job.toDeploymentId,
              jobStatus: job.jobStatus,
              requestedAt: job.requestedAt,
              type: job.type,
            }
          : null,
        lastRollbackTarget: null,
      },
    };
  }

  private aliasJobTarget(req: SimRequest): { p: Project; d: VercelSimDeployment } | SimResponse {
    const scope = this.scope(req);
    if ('status' in scope) return scope;
    const p = this.projectIn(scope, req.params.projectId!);
    if (!p) return err(404, 'not_found', 'Project not found');
    const d = this.deployments.get(req.params.deploymentId!);
    if (!d || d.projectId !== p.id) return err(404, 'not_found', 'Deployment not found');
    if (this.stateOf(d) !== 'READY') return err(400, 'deployment_not_ready', `Deployment ${d.id} is not READY`);
    if (d.target !== 'production') {
      return err(
        400,
        'bad_request',
        `Deployment ${d.id} was not built for production; only production deployments can receive the production domains`,
      );
    }
    if (p.lastAliasRequest?.jobStatus === 'in-progress') {
      return err(409, 'conflict', `Another ${p.lastAliasRequest.type} of ${p.name} is in progress`);
    }
    return { p, d };
  }

  private startJob(p: Project, d: VercelSimDeployment, type: 'promote' | 'rollback'): void {
    const now = this.now();
    p.lastAliasRequest = {
      fromDeploymentId: p.productionId ?? null,
      toDeploymentId: d.id,
      jobStatus: 'in-progress',
      requestedAt: now,
      completesAt: now + this.stepMs,
      type,
    };
  }

  private promote(req: SimRequest): SimResponse {
    const t = this.aliasJobTarget(req);
    if ('status' in t) return t;
    if (t.p.productionId === t.d.id && !t.p.rolledBack) return { status: 201 };
    this.startJob(t.p, t.d, 'promote');
    return { status: 202 };
  }

  /** The production deployment before the current one: what a Hobby plan may roll back to. */
  previousProduction(projectId: string): string | undefined {
    const p = this.projects.get(projectId);
    const current = p?.productionId ? this.deployments.get(p.productionId) : undefined;
    if (!p || !current) return undefined;
    return [...this.deployments.values()]
      .filter((d) => d.projectId === p.id && d.everProduction && d.id !== current.id && d.createdAt < current.createdAt)
      .sort((a, b) => b.createdAt - a.createdAt)[0]?.id;
  }

  private rollback(req: SimRequest): SimResponse {
    const t = this.aliasJobTarget(req);
    if ('status' in t) return t;
    const { p, d } = t;
    if (p.productionId === d.id) return err(409, 'conflict', `Deployment ${d.id} is already the production deployment`);
    if (!d.everProduction) {
      return err(
        400,
        'bad_request',
        `Deployment ${d.id} has never served production traffic and is not a rollback candidate; promote it instead`,
      );
    }
    if (p.plan === 'hobby' && d.id !== this.previousProduction(p.id)) {
      return err(
        402,
        'payment_required',
        'On the Hobby plan you can only roll back to the previous production deployment; upgrade to Pro to roll back further',
      );
    }
    this.startJob(p, d, 'rollback');
    return { status: 201 };
  }
}

function slug(branch: string): string {
  return branch
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
}

// A Supabase Management API simulator for preview branches, as the OpenAPI spec bundled with the
// Supabase CLI (packages/api/src/generated/openapi.json) and the CLI's own handling describe them:
//  - POST /v1/projects/{ref}/branches → 201 BranchResponse (status CREATING_PROJECT, then
//    RUNNING_MIGRATIONS → MIGRATIONS_PASSED on a clock; preview_project_status COMING_UP → ACTIVE_HEALTHY);
//    402 "Branching is supported only on the Pro plan or above" on a plan without branching, 409 on a
//    name already in use;
//  - GET /v1/projects/{ref}/branches → array (422 "Preview branching is not enabled for this project."
//    when branching is off), GET /v1/projects/{ref}/branches/{name};
//  - GET /v1/branches/{ref|id} → BranchDetailResponse (db_host, db_port, db_user, db_pass, jwt_secret);
//  - DELETE /v1/branches/{ref|id} → 200 {"message":"ok"}, 404 once gone;
//  - GET /v1/projects/{branch ref}/api-keys → [{name: 'anon' | 'service_role', api_key, type: 'legacy'}];
//  - GET /v1/projects/{ref}/database/backups → V1BackupsResponse (region, walg_enabled, pitr_enabled,
//    backups [{id, is_physical_backup, status COMPLETED|FAILED|PENDING|REMOVED|ARCHIVED|CANCELLED, inserted_at}],
//    physical_backup_data {earliest,latest}_physical_backup_date_unix); 403 for a project the token's
//    organization does not own; the restore endpoints are deliberately absent (404): nothing may call them;
//  - 120 requests a minute, then 429 with X-RateLimit-Limit/Remaining/Reset.
// Each branch is a real PostgreSQL server (its own `postgres` database, as a Supabase project has),
// shaped like a fresh Supabase project, so migrations can be applied to it; its project API (the
// platform's https://{ref}.supabase.co) answers under branchApiUrl: the Data API on that database,
// taking only the branch's own keys, and nothing once the branch is deleted.
import { randomBytes, randomUUID } from 'node:crypto';
import { SUPABASE_DATABASE_SQL, SUPABASE_ROLES_SQL } from '@wingman/supabase-platform';
import pg from 'pg';
import { type DataApi, signHs256, startDataApi } from './data-api';
import { type PostgresServer, startPostgresServer } from './postgres';
import { type SimRequest, type SimResponse, Simulator } from './simulator';

export type BranchStatus =
  | 'CREATING_PROJECT'
  | 'RUNNING_MIGRATIONS'
  | 'MIGRATIONS_PASSED'
  | 'MIGRATIONS_FAILED'
  | 'FUNCTIONS_DEPLOYED'
  | 'FUNCTIONS_FAILED';
export type ProjectStatus = 'COMING_UP' | 'ACTIVE_HEALTHY' | 'INIT_FAILED' | 'REMOVED';

export interface SupabaseSimOptions {
  /** The access token the simulator accepts; default 'sbp_sim_token'. */
  token?: string;
  /** Time between status transitions. Default 50 ms. */
  stepMs?: number;
  /** Requests a minute before 429. Default 120. */
  ratePerMinute?: number;
}

export interface SimBranch {
  id: string;
  name: string;
  /** The branch's own project ref. */
  project_ref: string;
  parent_project_ref: string;
  git_branch?: string;
  is_default: boolean;
  persistent: boolean;
  with_data: boolean;
  status: BranchStatus;
  preview_project_status: ProjectStatus;
  created_at: string;
  updated_at: string;
  db_pass: string;
  jwt_secret: string;
  anonKey: string;
  serviceRoleKey: string;
  server?: PostgresServer;
  deleted: boolean;
}

export interface SimBackups {
  region?: string;
  pitr_enabled: boolean;
  walg_enabled?: boolean;
  backups: { status: string; inserted_at: string; is_physical_backup?: boolean }[];
  physical_backup_data?: { earliest_physical_backup_date_unix?: number; latest_physical_backup_date_unix?: number };
}

interface SimProject {
  ref: string;
  /** Owned by another organization than the token's: 403 on its backups. */
  foreign: boolean;
  backups: SimBackups;
  /** 'enabled'; 'off' (422 on list); 'plan' (no branching on this plan: 402 on create). */
  branching: 'enabled' | 'off' | 'plan';
  /** How the next branches end: 'ok' (default), 'init-failed' or 'migrations-failed'. */
  nextOutcomes: ('ok' | 'init-failed' | 'migrations-failed')[];
}

const now = () => new Date().toISOString();
/** A project ref: 20 lowercase letters. */
const ref20 = () => Array.from(randomBytes(20), (b) => String.fromCharCode(97 + (b % 26))).join('');

export class SupabaseSim extends Simulator {
  private readonly projects = new Map<string, SimProject>();
  private readonly all: SimBranch[] = [];
  private readonly stepMs: number;
  private readonly ratePerMinute: number;
  private windowStart = Date.now();
  private used = 0;
  private readonly pending = new Set<Promise<unknown>>();
  /** Each branch's Data API, started on its first request. */
  private readonly branchApis = new Map<string, Promise<DataApi>>();

  constructor(options: SupabaseSimOptions = {}) {
    super({ name: 'Supabase', token: options.token ?? 'sbp_sim_token' });
    this.requestIdHeader = 'sb-request-id';
    this.stepMs = options.stepMs ?? 50;
    this.ratePerMinute = options.ratePerMinute ?? 120;
    this.defineRoutes();
  }

  /** A project (the staging project, parent of the preview branches). */
  addProject(
    ref: string,
    options: { branching?: SimProject['branching']; foreign?: boolean; backups?: SimBackups } = {},
  ): void {
    this.projects.set(ref, {
      ref,
      branching: options.branching ?? 'enabled',
      foreign: options.foreign ?? false,
      // A free-plan project: no backups kept, no PITR.
      backups: options.backups ?? { pitr_enabled: false, backups: [] },
      nextOutcomes: [],
    });
  }

  /** What the project's backups list answers from now on. */
  setBackups(ref: string, backups: SimBackups): void {
    this.mustProject(ref).backups = backups;
  }

  /** How the next branch of `ref` ends. */
  nextBranch(ref: string, outcome: SimProject['nextOutcomes'][number]): void {
    this.mustProject(ref).nextOutcomes.push(outcome);
  }

  /** Branches of a project, deleted ones excluded. */
  branches(ref: string): SimBranch[] {
    return this.all.filter((b) => b.parent_project_ref === ref && !b.deleted);
  }

  /** Resolves once every branch being created is up (or failed). */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /**
   * A branch's project URL, {ref} being its project ref: https://{ref}.supabase.co on the platform, here
   * a path of this server where the branch's Data API answers (/rest/v1 on its database, its own keys).
   */
  get branchApiUrl(): string {
    return `${this.url}/project/{ref}`;
  }

  override async stop(): Promise<void> {
    await this.settled();
    await Promise.all([...this.branchApis.values()].map(async (api) => (await api.catch(() => undefined))?.stop()));
    await Promise.all(this.all.map((b) => b.server?.stop()));
    await super.stop();
  }

  private mustProject(ref: string): SimProject {
    const p = this.projects.get(ref);
    if (!p) throw new Error(`SupabaseSim: no project ${ref}`);
    return p;
  }

  private defineRoutes(): void {
    const api = (method: string, pattern: string, handler: (req: SimRequest) => SimResponse) =>
      this.route(method, pattern, (req) => {
        const limited = this.rateLimit();
        if (limited) return limited;
        const answer = handler(req);
        return { ...answer, headers: { ...this.rateHeaders(), ...answer.headers } };
      });

    api('POST', '/v1/projects/:ref/branches', (req) => this.create(req));
    // The branch's project API: the gateway takes its apikey, not the Management API's token.
    this.route('*', '/project/:ref/*', (req) => this.projectApi(req), { auth: false });
    api('GET', '/v1/projects/:ref/database/backups', (req) => {
      const project = this.projects.get(req.params.ref!);
      if (!project) return notFound('Project');
      if (project.foreign) return { status: 403, body: { message: 'Forbidden action' } };
      const b = project.backups;
      return {
        status: 200,
        body: {
          region: b.region ?? 'eu-central-1',
          walg_enabled: b.walg_enabled ?? true,
          pitr_enabled: b.pitr_enabled,
          backups: b.backups.map((x, i) => ({ id: i + 1, is_physical_backup: x.is_physical_backup ?? true, ...x })),
          physical_backup_data: b.physical_backup_data ?? {},
        },
      };
    });
    api('GET', '/v1/projects/:ref/branches', (req) => {
      const project = this.projects.get(req.params.ref!);
      if (!project) return notFound('Project');
      if (project.branching !== 'enabled')
        return { status: 422, body: { message: 'Preview branching is not enabled for this project.' } };
      return { status: 200, body: this.branches(project.ref).map((b) => branchJson(b)) };
    });
    api('GET', '/v1/projects/:ref/branches/:name', (req) => {
      const b = this.branches(req.params.ref!).find((x) => x.name === req.params.name);
      return b ? { status: 200, body: branchJson(b) } : notFound('Branch');
    });
    api('GET', '/v1/branches/:branch', (req) => {
      const b = this.find(req.params.branch!);
      if (!b) return notFound('Branch');
      return {
        status: 200,
        body: {
          ref: b.project_ref,
          postgres_version: '17.6.1.136',
          postgres_engine: '17',
          release_channel: 'ga',
          status: b.preview_project_status,
          db_host: '127.0.0.1',
          db_port: b.server?.port ?? 5432,
          db_user: 'postgres',
          db_pass: b.db_pass,
          jwt_secret: b.jwt_secret,
        },
      };
    });
    api('DELETE', '/v1/branches/:branch', (req) => {
      const b = this.find(req.params.branch!);
      if (!b) return notFound('Branch');
      b.deleted = true;
      b.preview_project_status = 'REMOVED';
      const server = b.server;
      b.server = undefined;
      if (server) this.track(server.stop());
      return { status: 200, body: { message: 'ok' } };
    });
    api('GET', '/v1/projects/:ref/api-keys', (req) => {
      const b = this.all.find((x) => x.project_ref === req.params.ref && !x.deleted);
      if (!b) return notFound('Project');
      return {
        status: 200,
        body: [
          { name: 'anon', api_key: b.anonKey, type: 'legacy', id: 'anon' },
          { name: 'service_role', api_key: b.serviceRoleKey, type: 'legacy', id: 'service_role' },
        ],
      };
    });
  }

  private create(req: SimRequest): SimResponse {
    const project = this.projects.get(req.params.ref!);
    if (!project) return notFound('Project');
    if (project.branching === 'plan')
      return { status: 402, body: { message: 'Branching is supported only on the Pro plan or above' } };
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body.branch_name !== 'string' || body.branch_name === '')
      return { status: 400, body: { message: 'branch_name must be a non-empty string' } };
    if (this.branches(project.ref).some((b) => b.name === body.branch_name))
      return { status: 409, body: { message: `Branch name already in use: ${body.branch_name}` } };
    project.branching = 'enabled';
    const jwt = randomBytes(24).toString('base64url');
    const ref = ref20();
    const branch: SimBranch = {
      id: randomUUID(),
      name: body.branch_name,
      project_ref: ref,
      parent_project_ref: project.ref,
      git_branch: typeof body.git_branch === 'string' ? body.git_branch : undefined,
      is_default: false,
      persistent: body.persistent === true,
      with_data: body.with_data === true,
      status: 'CREATING_PROJECT',
      preview_project_status: 'COMING_UP',
      created_at: now(),
      updated_at: now(),
      db_pass: randomBytes(12).toString('hex'),
      jwt_secret: jwt,
      anonKey: signHs256({ iss: 'supabase', ref, role: 'anon' }, jwt),
      serviceRoleKey: signHs256({ iss: 'supabase', ref, role: 'service_role' }, jwt),
      deleted: false,
    };
    this.all.push(branch);
    this.track(this.provision(branch, project.nextOutcomes.shift() ?? 'ok'));
    return { status: 201, body: branchJson(branch) };
  }

  /** The branch's project comes up: a server shaped like a fresh Supabase project, then migrations. */
  private async provision(b: SimBranch, outcome: SimProject['nextOutcomes'][number]): Promise<void> {
    const step = () => new Promise((r) => setTimeout(r, this.stepMs));
    await step();
    if (outcome === 'init-failed') {
      b.preview_project_status = 'INIT_FAILED';
      b.updated_at = now();
      return;
    }
    const server = await startPostgresServer();
    if (b.deleted) {
      await server.stop();
      return;
    }
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      await client.query(`alter user postgres password '${b.db_pass}'`);
      await client.query(SUPABASE_ROLES_SQL);
      await client.query(SUPABASE_DATABASE_SQL);
    } finally {
      await client.end();
    }
    b.server = server;
    b.preview_project_status = 'ACTIVE_HEALTHY';
    b.status = 'RUNNING_MIGRATIONS';
    b.updated_at = now();
    await step();
    b.status = outcome === 'migrations-failed' ? 'MIGRATIONS_FAILED' : 'MIGRATIONS_PASSED';
    b.updated_at = now();
  }

  /** Forwards a request to the branch's Data API; a branch that is gone or not up has no host to answer. */
  private async projectApi(req: SimRequest): Promise<SimResponse> {
    const b = this.all.find((x) => x.project_ref === req.params.ref && !x.deleted && x.server);
    if (!b?.server) return { status: 404, body: { message: `no project ${req.params.ref} is up` } };
    const server = b.server;
    let api = this.branchApis.get(b.project_ref);
    if (!api) {
      // The branch's postgres role has the branch's password (provision set it), not the server's first one.
      const databaseUrl = new URL(server.url);
      databaseUrl.password = b.db_pass;
      api = startDataApi({
        databaseUrl: databaseUrl.toString(),
        jwtSecret: b.jwt_secret,
        keys: { anon: b.anonKey, serviceRole: b.serviceRoleKey },
      });
      this.branchApis.set(b.project_ref, api);
    }
    const target = new URL(`${(await api).url}/${req.params['*']}`);
    for (const [k, v] of Object.entries(req.query)) target.searchParams.set(k, v);
    const headers: Record<string, string> = {};
    for (const name of [
      'apikey',
      'authorization',
      'accept',
      'content-type',
      'prefer',
      'range',
      'accept-profile',
      'content-profile',
    ]) {
      const v = req.headers[name];
      if (typeof v === 'string') headers[name] = v;
    }
    const res = await fetch(target, {
      method: req.method,
      headers,
      body: req.method === 'GET' || req.method === 'HEAD' || !req.rawBody.length ? undefined : req.rawBody,
    });
    const out: Record<string, string> = {};
    for (const name of ['content-type', 'content-range', 'preference-applied']) {
      const v = res.headers.get(name);
      if (v) out[name] = v;
    }
    return { status: res.status, headers: out, body: Buffer.from(await res.arrayBuffer()) };
  }

  private track(p: Promise<unknown>): void {
    const tracked = p.catch(() => {}).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  private find(idOrRef: string): SimBranch | undefined {
    return this.all.find((b) => !b.deleted && (b.id === idOrRef || b.project_ref === idOrRef));
  }

  private rateLimit(): SimResponse | undefined {
    if (Date.now() - this.windowStart >= 60_000) {
      this.windowStart = Date.now();
      this.used = 0;
    }
    this.used += 1;
    if (this.used <= this.ratePerMinute) return undefined;
    return { status: 429, headers: this.rateHeaders(), body: { message: 'Too Many Requests' } };
  }

  private rateHeaders(): Record<string, string> {
    return {
      'x-ratelimit-limit': String(this.ratePerMinute),
      'x-ratelimit-remaining': String(Math.max(0, this.ratePerMinute - this.used)),
      'x-ratelimit-reset': String(Math.max(1, Math.ceil((60_000 - (Date.now() - this.windowStart)) / 1000))),
    };
  }

  protected override unauthorized(): SimResponse {
    return { status: 401, body: { message: 'Unauthorized' } };
  }

  protected override notFound(req: SimRequest): SimResponse {
    return { status: 404, body: { message: `Cannot ${req.method} ${req.path}` } };
  }
}

function notFound(what: string): SimResponse {
  return { status: 404, body: { message: `${what} not found` } };
}

function branchJson(b: SimBranch): Record<string, unknown> {
  return {
    id: b.id,
    name: b.name,
    project_ref: b.project_ref,
    parent_project_ref: b.parent_project_ref,
    is_default: b.is_default,
    git_branch: b.git_branch,
    persistent: b.persistent,
    status: b.status,
    preview_project_status: b.preview_project_status,
    with_data: b.with_data,
    created_at: b.created_at,
    updated_at: b.updated_at,
  };
}

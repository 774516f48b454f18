// The Vercel REST endpoints deploy-vercel uses, on @wingman/http. `teamId` goes on every call when set:
// without it Vercel looks in the token owner's personal account and answers 404 for team resources.
import { createHttpClient, type ErrorParser, type HttpClient, type HttpClientOptions, HttpError } from '@wingman/http';
import { deploymentListShape, deploymentShape, eventsShape, projectShape } from './shapes';

export type ReadyState = 'QUEUED' | 'INITIALIZING' | 'BUILDING' | 'READY' | 'ERROR' | 'CANCELED';

export interface VercelDeployment {
  id: string;
  url: string;
  name: string;
  projectId?: string;
  ownerId?: string;
  target?: string | null;
  readyState: ReadyState;
  readySubstate?: 'STAGED' | 'ROLLING' | 'PROMOTED';
  createdAt?: number;
  inspectorUrl?: string | null;
  aliasAssigned?: number | boolean | null;
  aliasError?: { code: string; message: string } | null;
  alias?: string[];
  errorCode?: string;
  errorMessage?: string;
  meta?: Record<string, string>;
  autoAssignCustomDomains?: boolean;
}

/** An entry of GET /v6/deployments (older shape: `uid`, `state`, `created`). */
export interface VercelDeploymentListItem {
  uid: string;
  url: string;
  name: string;
  created: number;
  state?: ReadyState;
  readyState?: ReadyState;
  target?: string | null;
  meta?: Record<string, string>;
  inspectorUrl?: string | null;
  isRollbackCandidate?: boolean | null;
}

export interface VercelProject {
  id: string;
  name: string;
  accountId: string;
  /** The project's Root Directory setting (monorepos): Vercel looks for .vercel/output under it. */
  rootDirectory?: string | null;
  /** Build settings (null: the framework's default). */
  framework?: string | null;
  buildCommand?: string | null;
  installCommand?: string | null;
  outputDirectory?: string | null;
  nodeVersion?: string;
  /** Protection Bypass for Automation secrets, keyed by the secret. */
  protectionBypass?: Record<string, { scope?: string }> | null;
  targets?: { production?: VercelDeployment | null } | null;
  lastAliasRequest?: {
    fromDeploymentId: string | null;
    toDeploymentId: string;
    jobStatus: 'pending' | 'in-progress' | 'succeeded' | 'failed' | 'skipped';
    requestedAt: number;
    type: 'promote' | 'rollback';
  } | null;
}

/** GET /v4/aliases/{idOrAlias}. */
export interface VercelAlias {
  uid: string;
  alias: string;
  deploymentId: string | null;
  projectId: string | null;
  created?: string;
}

export interface VercelEvent {
  type: string;
  created: number;
  text?: string;
  payload?: { id?: string; text?: string; date?: number };
}

export interface PreparedFile {
  file: string;
  sha: string;
  size: number;
  mode: number;
}

export interface CreateDeploymentBody {
  name: string;
  project: string;
  files: PreparedFile[];
  target?: string;
  customEnvironmentSlugOrId?: string;
  meta?: Record<string, string>;
  gitMetadata?: Record<string, unknown>;
  projectSettings?: Record<string, unknown>;
  autoAssignCustomDomains?: boolean;
  source?: string;
  /** Runtime environment of this deployment (the CLI's --env). */
  env?: Record<string, string>;
  /** Build-time environment (the CLI's --build-env). */
  build?: { env: Record<string, string> };
}

/** `missing_files`: the files Vercel does not have yet, by SHA-1. */
export class MissingFilesError extends Error {
  override name = 'MissingFilesError';
  constructor(readonly missing: string[]) {
    super(`Vercel is missing ${missing.length} file(s)`);
  }
}

/** Vercel's `{error: {code, message}}` (and the occasional `{code, message}` or plain text). */
export const vercelErrorParser: ErrorParser = (_status, body) => {
  if (typeof body === 'string') return { message: body.split('\n')[0]?.trim() || undefined };
  if (!body || typeof body !== 'object') return undefined;
  const b = body as { error?: unknown; code?: unknown; message?: unknown };
  const e = (b.error && typeof b.error === 'object' ? b.error : b) as { code?: unknown; message?: unknown };
  return {
    code: typeof e.code === 'string' ? e.code : undefined,
    message: typeof e.message === 'string' ? e.message : undefined,
  };
};

export interface VercelApiOptions
  extends Pick<
    HttpClientOptions,
    | 'retries'
    | 'minDelayMs'
    | 'maxDelayMs'
    | 'maxRetryAfterMs'
    | 'sleep'
    | 'onRetry'
    | 'timeoutMs'
    | 'dispatcher'
    | 'signal'
  > {
  token: string;
  teamId?: string;
  /** Default https://api.vercel.com. */
  apiUrl?: string;
}

export interface VercelEnvRecord {
  id?: string;
  key: string;
  type: string;
  target?: string[] | string;
  customEnvironmentIds?: string[];
}

export interface VercelApi {
  readonly http: HttpClient;
  readonly teamId: string | undefined;
  getProject(idOrName: string): Promise<VercelProject>;
  /** Throws MissingFilesError when Vercel lacks some files. */
  createDeployment(body: CreateDeploymentBody, options?: { forceNew?: boolean }): Promise<VercelDeployment>;
  uploadFile(sha: string, data: Uint8Array): Promise<void>;
  getDeployment(idOrUrl: string): Promise<VercelDeployment>;
  listDeployments(query: Record<string, string | number | undefined>): Promise<VercelDeploymentListItem[]>;
  events(idOrUrl: string, since?: number): Promise<VercelEvent[]>;
  assignAlias(deploymentId: string, alias: string): Promise<{ alias: string; oldDeploymentId?: string | null }>;
  getAlias(aliasOrId: string): Promise<VercelAlias>;
  /** GET /v4/aliases?projectId=, every page (newest first). */
  listAliases(projectId: string): Promise<VercelAlias[]>;
  /** DELETE /v2/aliases/{aliasId} (a hostname is accepted as the id); 404 when it does not exist. */
  deleteAlias(aliasOrId: string): Promise<void>;
  promote(projectId: string, deploymentId: string): Promise<void>;
  /** The project's environment variable records (values of encrypted ones are not plaintext here). */
  listEnv(projectId: string): Promise<VercelEnvRecord[]>;
  /** A target's variables decrypted, as `vercel env pull` reads them; sensitive ones come back empty. */
  pullEnv(projectId: string, target: string): Promise<Record<string, string>>;
  /** The project's custom environments (none when the plan has them not: 404). */
  listCustomEnvironments(projectId: string): Promise<{ id: string; slug: string }[]>;
  rollback(projectId: string, deploymentId: string, description?: string): Promise<void>;
  close(): Promise<void>;
}

const seg = (s: string) => encodeURIComponent(s);

export function createVercelApi(options: VercelApiOptions): VercelApi {
  const teamId = options.teamId || undefined;
  const http = createHttpClient({
    baseUrl: options.apiUrl ?? 'https://api.vercel.com',
    token: options.token,
    provider: 'Vercel',
    json: true,
    userAgent: 'wingman-deploy (deploy-vercel)',
    errorParser: vercelErrorParser,
    retries: options.retries,
    minDelayMs: options.minDelayMs,
    maxDelayMs: options.maxDelayMs,
    maxRetryAfterMs: options.maxRetryAfterMs,
    sleep: options.sleep,
    onRetry: options.onRetry,
    timeoutMs: options.timeoutMs,
    dispatcher: options.dispatcher,
    signal: options.signal,
  });
  const q = (extra: Record<string, string | number | undefined> = {}) => ({ teamId, ...extra });

  return {
    http,
    teamId,
    getProject: (idOrName) =>
      http.get<VercelProject>(`/v9/projects/${seg(idOrName)}`, { query: q(), schema: projectShape }),
    async createDeployment(body, opts = {}) {
      try {
        return await http.post<VercelDeployment>('/v13/deployments', body, {
          query: q({ forceNew: opts.forceNew ? 1 : undefined, skipAutoDetectionConfirmation: 1 }),
          schema: deploymentShape,
        });
      } catch (err) {
        if (err instanceof HttpError && err.code === 'missing_files') {
          const missing = (err.body as { error?: { missing?: unknown } } | undefined)?.error?.missing;
          if (Array.isArray(missing))
            throw new MissingFilesError(missing.filter((s): s is string => typeof s === 'string'));
        }
        throw err;
      }
    },
    async uploadFile(sha, data) {
      await http.request('POST', '/v2/files', {
        query: q(),
        rawBody: data,
        headers: { 'content-type': 'application/octet-stream', 'x-vercel-digest': sha },
        // Content-addressed: sending the same bytes twice is harmless, so connection drops are retried.
        idempotent: true,
      });
    },
    getDeployment: (idOrUrl) =>
      http.get<VercelDeployment>(`/v13/deployments/${seg(idOrUrl)}`, { query: q(), schema: deploymentShape }),
    async listDeployments(query) {
      const res = await http.get<{ deployments: VercelDeploymentListItem[] }>('/v6/deployments', {
        query: q(query),
        schema: deploymentListShape,
      });
      return res.deployments ?? [];
    },
    events: (idOrUrl, since) =>
      http.get<VercelEvent[]>(`/v3/deployments/${seg(idOrUrl)}/events`, {
        query: q({ direction: 'forward', follow: 0, limit: -1, since }),
        schema: eventsShape,
      }),
    assignAlias: (deploymentId, alias) =>
      http.post(`/v2/deployments/${seg(deploymentId)}/aliases`, { alias }, { query: q(), idempotent: true }),
    getAlias: (aliasOrId) => http.get<VercelAlias>(`/v4/aliases/${seg(aliasOrId)}`, { query: q() }),
    listAliases: (projectId) =>
      everyPage(
        async (until) => {
          const body = await http.get<{ aliases?: VercelAlias[]; pagination?: { next?: number | null } }>(
            '/v4/aliases',
            { query: q({ projectId, limit: 100, until }) },
          );
          return { items: body.aliases, next: body.pagination?.next };
        },
        (a) => a.uid || a.alias,
      ),
    async deleteAlias(aliasOrId) {
      await http.request('DELETE', `/v2/aliases/${seg(aliasOrId)}`, { query: q() });
    },
    listEnv: (projectId) =>
      everyPage(
        async (until) => {
          const body = await http.get<{ envs?: VercelEnvRecord[]; pagination?: { next?: number | null } }>(
            `/v10/projects/${seg(projectId)}/env`,
            { query: q({ until }) },
          );
          return { items: body.envs, next: body.pagination?.next };
        },
        // Every record has its id; one without is told apart by its key and targets.
        (e) => e.id ?? `${e.key} ${String(e.target)}`,
      ),
    async pullEnv(projectId, target) {
      const body = await http.get<{ env?: Record<string, string> }>(`/v3/env/pull/${seg(projectId)}/${seg(target)}`, {
        query: q({ source: 'vercel-cli:env:pull' }),
      });
      return body.env ?? {};
    },
    async listCustomEnvironments(projectId) {
      try {
        const body = await http.get<{ environments?: { id: string; slug: string }[] }>(
          `/v9/projects/${seg(projectId)}/custom-environments`,
          { query: q() },
        );
        return body.environments ?? [];
      } catch (err) {
        if (err instanceof HttpError && err.status === 404) return [];
        throw err;
      }
    },
    async promote(projectId, deploymentId) {
      await http.request('POST', `/v10/projects/${seg(projectId)}/promote/${seg(deploymentId)}`, {
        query: q(),
        body: {},
      });
    },
    async rollback(projectId, deploymentId, description) {
      await http.request('POST', `/v1/projects/${seg(projectId)}/rollback/${seg(deploymentId)}`, {
        query: q({ description }),
        body: {},
      });
    },
    close: () => http.close(),
  };
}

/**
 * Every page of a Vercel list. A page ends at a creation time (the next page is `until` it: created
 * before it), and records made together share one, so each page asks up to and including the last
 * one's and the repeats are dropped; a page with nothing new ends the list.
 */
async function everyPage<T>(
  page: (until: number | undefined) => Promise<{ items?: T[]; next?: number | null }>,
  key: (item: T) => string,
): Promise<T[]> {
  const out = new Map<string, T>();
  let until: number | undefined;
  for (let n = 0; n < 1000; n++) {
    const { items, next } = await page(until);
    const before = out.size;
    for (const item of items ?? []) out.set(key(item), item);
    if (next === null || next === undefined || out.size === before) break;
    until = next + 1;
  }
  return [...out.values()];
}

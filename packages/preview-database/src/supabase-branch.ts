// A pull request's Supabase preview branch, through the Management API: created (or found) as
// `wingman-pr-<n>` on the staging project, awaited until its project is ACTIVE_HEALTHY, then read for
// its connection string and API keys; deleted on close. The name carries the PR number so a sweep
// finds the branches of closed pull requests.
import { createHttpClient, type HttpClient, type HttpClientOptions, HttpError } from '@wingman/http';
import type { Log } from '@wingman/log';
import { sleep } from '@wingman/time';
import { z } from 'zod';
import {
  type PreviewDatabase,
  PreviewError,
  type PreviewOptions,
  type PreviewStore,
  previewName,
  prOfName,
} from './preview';

export interface SupabaseBranchOptions {
  accessToken: string;
  /** The project whose preview branches these are (staging). */
  projectRef: string;
  /** Default https://api.supabase.com. */
  apiUrl?: string;
  /** A project's API URL from its ref; default https://{ref}.supabase.co. */
  projectUrl?: string;
  log: Log;
  http?: Partial<HttpClientOptions>;
}

const branchShape = z.looseObject({
  id: z.string(),
  name: z.string(),
  project_ref: z.string(),
  parent_project_ref: z.string(),
  git_branch: z.string().nullish(),
  status: z.string(),
  preview_project_status: z.string().nullish(),
});
type Branch = z.infer<typeof branchShape>;
const detailShape = z.looseObject({
  ref: z.string(),
  status: z.string(),
  db_host: z.string(),
  db_port: z.number(),
  db_user: z.string().nullish(),
  db_pass: z.string().nullish(),
});
const keysShape = z.array(z.looseObject({ name: z.string(), api_key: z.string().nullish() }));

/** Branch statuses that end the wait in failure (a project that never came up, or its setup failed). */
const FAILED = new Set(['MIGRATIONS_FAILED', 'FUNCTIONS_FAILED', 'INIT_FAILED', 'RESTORE_FAILED', 'REMOVED']);
const SETTING_UP = new Set(['CREATING_PROJECT', 'RUNNING_MIGRATIONS']);

export class SupabaseBranches implements PreviewStore {
  readonly client: HttpClient;

  constructor(private readonly o: SupabaseBranchOptions) {
    this.client = createHttpClient({
      baseUrl: o.apiUrl ?? 'https://api.supabase.com',
      token: o.accessToken,
      provider: 'Supabase Management',
      json: true,
      baseUrlInput: 'management-api-url',
      requestIdHeaders: ['sb-request-id', 'x-request-id'],
      onRetry: (r) =>
        o.log.info(`Supabase API ${r.method} ${r.path}: ${r.reason}, retry ${r.retry} in ${r.delayMs} ms`),
      ...o.http,
    });
  }

  /** The project's preview branches made for pull requests, by PR number. Branching off: none. */
  async previews(): Promise<Map<number, Branch>> {
    let branches: Branch[];
    try {
      branches = await this.client.get<Branch[]>(`/v1/projects/${this.o.projectRef}/branches`, {
        schema: z.array(branchShape),
      });
    } catch (err) {
      if (err instanceof HttpError && err.status === 422) return new Map();
      throw this.explain(err, `list the preview branches of project ${this.o.projectRef}`);
    }
    const out = new Map<number, Branch>();
    for (const b of branches) {
      const pr = prOfName(b.name);
      if (pr !== undefined) out.set(pr, b);
    }
    return out;
  }

  async prs(): Promise<number[]> {
    return [...(await this.previews()).keys()].sort((a, b) => a - b);
  }

  /** The PR's branch, created when missing (within the preview limit), once its project is up. */
  async ensure(p: PreviewOptions): Promise<PreviewDatabase> {
    const name = previewName(p.pr, 'branch');
    const existing = await this.previews();
    let branch = existing.get(p.pr);
    const created = !branch;
    if (!branch) {
      const others = [...existing.keys()].filter((n) => n !== p.pr);
      if (others.length >= p.maxPreviews)
        throw new PreviewError(
          `the preview limit is reached: ${others.length} pull requests (#${others.sort((a, b) => a - b).join(', #')}) have a Supabase preview branch and max-previews is ${p.maxPreviews}; close one of them, or raise max-previews`,
          'limit',
        );
      this.o.log.info(
        `Creating Supabase preview branch ${name} of project ${this.o.projectRef} (git branch ${p.gitBranch})`,
      );
      try {
        branch = await this.client.post<Branch>(
          `/v1/projects/${this.o.projectRef}/branches`,
          { branch_name: name, git_branch: p.gitBranch, persistent: false },
          { schema: branchShape },
        );
      } catch (err) {
        throw this.explain(err, `create preview branch ${name}`);
      }
    } else {
      this.o.log.info(`Supabase preview branch ${name} exists (${branch.project_ref}): reusing it`);
    }
    const detail = await this.waitUntilUp(branch, p.deadline);
    const keys = await this.client
      .get<z.infer<typeof keysShape>>(`/v1/projects/${detail.ref}/api-keys`, { schema: keysShape })
      .catch((err) => {
        throw this.explain(err, `read the API keys of preview branch ${name}`);
      });
    const key = (n: string) => keys.find((k) => k.name === n)?.api_key ?? undefined;
    const url = new URL(`postgresql://${detail.db_host}:${detail.db_port}/postgres`);
    url.username = detail.db_user ?? 'postgres';
    url.password = detail.db_pass ?? '';
    return {
      kind: 'supabase-branch',
      name,
      ref: detail.ref,
      created,
      databaseUrl: url.toString(),
      apiUrl: (this.o.projectUrl ?? 'https://{ref}.supabase.co').replace('{ref}', detail.ref),
      anonKey: key('anon'),
      serviceRoleKey: key('service_role'),
    };
  }

  /** Deletes the PR's branch; false when it was already gone. */
  async remove(pr: number): Promise<boolean> {
    const branch = (await this.previews()).get(pr);
    if (!branch) return false;
    try {
      await this.client.delete(`/v1/branches/${branch.project_ref}`, { idempotent: true });
    } catch (err) {
      if (err instanceof HttpError && err.status === 404) return false;
      throw this.explain(err, `delete preview branch ${branch.name}`);
    }
    this.o.log.info(`Deleted Supabase preview branch ${branch.name} (${branch.project_ref})`);
    return true;
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** Polls the branch until its project is ACTIVE_HEALTHY and its setup finished, or failed. */
  private async waitUntilUp(branch: Branch, deadline: number) {
    let delay = 1000;
    for (;;) {
      const [detail, current] = await Promise.all([
        this.client.get<z.infer<typeof detailShape>>(`/v1/branches/${branch.project_ref}`, { schema: detailShape }),
        this.client.get<Branch>(`/v1/projects/${this.o.projectRef}/branches/${encodeURIComponent(branch.name)}`, {
          schema: branchShape,
        }),
      ]).catch((err) => {
        throw this.explain(err, `read preview branch ${branch.name}`);
      });
      const failed = [detail.status, current.status].find((s) => FAILED.has(s));
      if (failed)
        throw new PreviewError(
          `Supabase preview branch ${branch.name} (${branch.project_ref}) failed: ${failed}; see the branch in the Supabase dashboard, delete it and re-run`,
          'branch_failed',
        );
      if (detail.status === 'ACTIVE_HEALTHY' && !SETTING_UP.has(current.status)) return detail;
      if (Date.now() + delay > deadline)
        throw new PreviewError(
          `Supabase preview branch ${branch.name} is still ${detail.status}/${current.status} at the end of timeout: raise timeout, or re-run, which reuses the branch`,
          'timeout',
        );
      await sleep(delay);
      delay = Math.min(delay * 2, 10_000);
    }
  }

  private explain(err: unknown, what: string): Error {
    if (!(err instanceof HttpError)) return err as Error;
    const message = err.providerMessage ?? err.message;
    if (err.status === 402)
      return new PreviewError(
        `could not ${what}: ${message} (402); Supabase branching needs a paid plan: upgrade the project, or give staging-database-url for a per-PR database instead`,
        'plan',
      );
    if (err.status === 401)
      return new PreviewError(
        `could not ${what}: the Supabase access token was refused (401); check input 'supabase-access-token'`,
        'auth',
      );
    if (err.status === 404)
      return new PreviewError(
        `could not ${what}: not found (404); check input 'project-ref' (${this.o.projectRef})`,
        'not_found',
      );
    return new PreviewError(`could not ${what}: ${message} (${err.status})`, 'api');
  }
}

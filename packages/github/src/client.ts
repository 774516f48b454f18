// A small GitHub REST client on @wingman/http: issue comments (found again by a hidden marker),
// deployments and deployment statuses, with Link-header pagination; and the commits between two SHAs.
import { createHttpClient, type HttpClient, type HttpClientOptions, type QueryValue } from '@wingman/http';
import { explainPermission, githubErrorParser } from './errors';

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface GitHubUser {
  login: string;
  id?: number;
  type?: string;
}

export interface IssueComment {
  id: number;
  node_id?: string;
  body: string;
  html_url: string;
  user?: GitHubUser | null;
  created_at: string;
  updated_at: string;
}

export type DeploymentState = 'error' | 'failure' | 'inactive' | 'in_progress' | 'queued' | 'pending' | 'success';

export interface GitHubDeployment {
  id: number;
  node_id?: string;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  description?: string | null;
  transient_environment?: boolean;
  production_environment?: boolean;
  payload?: unknown;
  statuses_url?: string;
}

export interface GitHubDeploymentStatus {
  id: number;
  state: DeploymentState;
  description?: string;
  environment?: string;
  environment_url?: string;
  log_url?: string;
}

export interface CreateDeploymentParams {
  ref: string;
  environment: string;
  task?: string;
  description?: string;
  payload?: Record<string, unknown>;
  transientEnvironment?: boolean;
  productionEnvironment?: boolean;
  autoMerge?: boolean;
  /** Status contexts that must pass first; [] deploys whatever the checks say. */
  requiredContexts?: string[];
}

export interface CreateDeploymentStatusParams {
  state: DeploymentState;
  description?: string;
  environment?: string;
  environmentUrl?: string;
  logUrl?: string;
  /** Marks earlier non-transient, non-production deployments of the environment inactive. GitHub's default: true. */
  autoInactive?: boolean;
}

/** One commit of a compare, as GitHub lists it. */
export interface GitHubCommit {
  sha: string;
  commit: { message: string; author?: { name?: string; email?: string; date?: string } | null };
}

/** GET /repos/{o}/{r}/deployments filters; GitHub matches each exactly (ref is the ref the deployment was created with). */
export interface ListDeploymentsParams {
  sha?: string;
  ref?: string;
  task?: string;
  environment?: string;
}

export interface GitHubClientOptions
  extends Pick<
    HttpClientOptions,
    'retries' | 'minDelayMs' | 'maxDelayMs' | 'sleep' | 'onRetry' | 'dispatcher' | 'timeoutMs' | 'signal'
  > {
  /** Without one, only public repositories can be read. */
  token?: string;
  /** Default: GITHUB_API_URL, else https://api.github.com (GitHub Enterprise sets GITHUB_API_URL). */
  apiUrl?: string;
  userAgent?: string;
}

/** One attempt of a workflow run, as GET …/actions/runs/{id}/attempts/{n} gives it. */
export interface WorkflowRunAttempt {
  id: number;
  run_attempt: number;
  /** When this attempt started (a re-run starts a new attempt). */
  run_started_at: string;
  status?: string;
}

export interface PullRequestState {
  number: number;
  state: 'open' | 'closed';
  merged: boolean;
}

export interface GitHubClient {
  readonly http: HttpClient;
  /** Every page of a list endpoint, following `Link: <…>; rel="next"`. */
  paginate<T>(path: string, query?: Record<string, QueryValue>): Promise<T[]>;
  /** A pull request's state ('open' or 'closed') and whether it was merged. */
  getPullRequest(repo: RepoRef, number: number): Promise<PullRequestState>;
  listIssueComments(repo: RepoRef, issue: number): Promise<IssueComment[]>;
  createIssueComment(repo: RepoRef, issue: number, body: string): Promise<IssueComment>;
  updateIssueComment(repo: RepoRef, commentId: number, body: string): Promise<IssueComment>;
  /**
   * Updates the comment whose body contains `marker` (an HTML comment, invisible when rendered),
   * or creates one: re-runs edit the same comment instead of piling up new ones.
   */
  upsertIssueComment(
    repo: RepoRef,
    issue: number,
    marker: string,
    body: string,
  ): Promise<{ comment: IssueComment; created: boolean }>;
  createDeployment(repo: RepoRef, params: CreateDeploymentParams): Promise<GitHubDeployment>;
  createDeploymentStatus(
    repo: RepoRef,
    deploymentId: number,
    params: CreateDeploymentStatusParams,
  ): Promise<GitHubDeploymentStatus>;
  /** Every deployment matching the filters (all pages), newest first. */
  listDeployments(repo: RepoRef, params?: ListDeploymentsParams): Promise<GitHubDeployment[]>;
  /** The newest status of a deployment (GitHub lists statuses newest first), undefined when it has none. */
  latestDeploymentStatus(repo: RepoRef, deploymentId: number): Promise<GitHubDeploymentStatus | undefined>;
  /**
   * The commits in base...head, oldest first as GitHub lists them: the newest `maxCommits` (default 250, what
   * GitHub's compare lists without paging anyway). Failures are not reworded as permission errors: callers
   * that compare fall back on any failure.
   */
  compareCommits(repo: RepoRef, base: string, head: string, maxCommits?: number): Promise<GitHubCommit[]>;
  /** A workflow run's attempt (GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT); needs `actions: read` on a private repository. */
  getWorkflowRunAttempt(repo: RepoRef, runId: string | number, attempt: string | number): Promise<WorkflowRunAttempt>;
  close(): Promise<void>;
}

const API_VERSION = '2022-11-28';
const COMPARE_PAGE_SIZE = 100;

/** The URL of rel="next" in a Link header, if any. */
export function nextLink(link: string | undefined): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim());
    if (m && m[2]!.split(/\s+/).includes('next')) return m[1];
  }
  return undefined;
}

const seg = (s: string | number) => encodeURIComponent(String(s));
const repoPath = (r: RepoRef) => `/repos/${seg(r.owner)}/${seg(r.repo)}`;

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const http = createHttpClient({
    baseUrl: options.apiUrl ?? process.env.GITHUB_API_URL ?? 'https://api.github.com',
    token: options.token,
    provider: 'GitHub',
    json: true,
    userAgent: options.userAgent ?? 'wingman-deploy',
    headers: { accept: 'application/vnd.github+json', 'x-github-api-version': API_VERSION },
    errorParser: githubErrorParser,
    retries: options.retries,
    minDelayMs: options.minDelayMs,
    maxDelayMs: options.maxDelayMs,
    sleep: options.sleep,
    onRetry: options.onRetry,
    dispatcher: options.dispatcher,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
  });

  async function paginate<T>(path: string, query?: Record<string, QueryValue>): Promise<T[]> {
    const out: T[] = [];
    let next: string | undefined = path;
    let q: Record<string, QueryValue> | undefined = { per_page: 100, ...query };
    // A bound against a server that links a page to itself.
    for (let page = 0; next && page < 1000; page++) {
      const res: { body: T[]; headers: Record<string, string> } = await http.request<T[]>('GET', next, { query: q });
      if (!Array.isArray(res.body)) throw new Error(`GitHub API GET ${path} answered with a non-list body`);
      out.push(...res.body);
      next = nextLink(res.headers.link);
      q = undefined; // the next link carries the query
    }
    return out;
  }

  const client: GitHubClient = {
    http,
    paginate,
    getPullRequest: (repo, number) => http.get<PullRequestState>(`${repoPath(repo)}/pulls/${seg(number)}`),
    listIssueComments: (repo, issue) => paginate<IssueComment>(`${repoPath(repo)}/issues/${seg(issue)}/comments`),
    async createIssueComment(repo, issue, body) {
      try {
        return await http.post<IssueComment>(`${repoPath(repo)}/issues/${seg(issue)}/comments`, { body });
      } catch (err) {
        return explainPermission(err, `comment on #${issue}`, 'pull-requests: write');
      }
    },
    async updateIssueComment(repo, commentId, body) {
      try {
        // PATCH with the full body is safe to repeat.
        return await http.patch<IssueComment>(
          `${repoPath(repo)}/issues/comments/${seg(commentId)}`,
          { body },
          { idempotent: true },
        );
      } catch (err) {
        return explainPermission(err, `update comment ${commentId}`, 'pull-requests: write');
      }
    },
    async upsertIssueComment(repo, issue, marker, body) {
      const text = body.includes(marker) ? body : `${marker}\n${body}`;
      let existing: IssueComment | undefined;
      try {
        existing = (await client.listIssueComments(repo, issue)).find((c) => c.body?.includes(marker));
      } catch (err) {
        return explainPermission(err, `read the comments of #${issue}`, 'pull-requests: write');
      }
      if (existing) return { comment: await client.updateIssueComment(repo, existing.id, text), created: false };
      return { comment: await client.createIssueComment(repo, issue, text), created: true };
    },
    async createDeployment(repo, p) {
      try {
        return await http.post<GitHubDeployment>(
          `${repoPath(repo)}/deployments`,
          {
            ref: p.ref,
            task: p.task ?? 'deploy',
            environment: p.environment,
            description: p.description,
            payload: p.payload ?? {},
            transient_environment: p.transientEnvironment ?? false,
            production_environment: p.productionEnvironment ?? false,
            auto_merge: p.autoMerge ?? false,
            required_contexts: p.requiredContexts ?? [],
          },
          { expectedStatus: 201 },
        );
      } catch (err) {
        return explainPermission(err, `create a deployment for ${p.environment}`, 'deployments: write');
      }
    },
    async createDeploymentStatus(repo, deploymentId, p) {
      try {
        return await http.post<GitHubDeploymentStatus>(
          `${repoPath(repo)}/deployments/${seg(deploymentId)}/statuses`,
          {
            state: p.state,
            description: p.description?.slice(0, 140), // GitHub rejects longer descriptions
            environment: p.environment,
            environment_url: p.environmentUrl,
            log_url: p.logUrl,
            auto_inactive: p.autoInactive,
          },
          { expectedStatus: 201 },
        );
      } catch (err) {
        return explainPermission(err, `set the status of deployment ${deploymentId}`, 'deployments: write');
      }
    },
    async listDeployments(repo, p = {}) {
      try {
        return await paginate<GitHubDeployment>(`${repoPath(repo)}/deployments`, {
          sha: p.sha,
          ref: p.ref,
          task: p.task,
          environment: p.environment,
        });
      } catch (err) {
        return explainPermission(err, 'list deployments', 'deployments: read');
      }
    },
    async latestDeploymentStatus(repo, deploymentId) {
      try {
        const list = await http.get<GitHubDeploymentStatus[]>(
          `${repoPath(repo)}/deployments/${seg(deploymentId)}/statuses`,
          { query: { per_page: 1 } },
        );
        return Array.isArray(list) ? list[0] : undefined;
      } catch (err) {
        return explainPermission(err, `read the statuses of deployment ${deploymentId}`, 'deployments: read');
      }
    },
    async compareCommits(repo, base, head, maxCommits = 250) {
      const commits: GitHubCommit[] = [];
      // Paged by number: GitHub's compare counts its commits (total_commits) rather than linking the next page.
      for (let page = 1; commits.length < maxCommits; page++) {
        const res = await http.get<{ total_commits: number; commits: GitHubCommit[] }>(
          `${repoPath(repo)}/compare/${seg(base)}...${seg(head)}`,
          { query: { per_page: COMPARE_PAGE_SIZE, page } },
        );
        commits.push(...res.commits);
        if (res.commits.length < COMPARE_PAGE_SIZE || commits.length >= res.total_commits) break;
      }
      return commits.slice(-maxCommits);
    },
    async getWorkflowRunAttempt(repo, runId, attempt) {
      try {
        return await http.get<WorkflowRunAttempt>(
          `${repoPath(repo)}/actions/runs/${seg(runId)}/attempts/${seg(attempt)}`,
        );
      } catch (err) {
        return explainPermission(err, `read workflow run ${runId}`, 'actions: read');
      }
    },
    close: () => http.close(),
  };
  return client;
}

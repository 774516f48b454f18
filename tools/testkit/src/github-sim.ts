// A GitHub REST API stand-in for the pull-request paths: issue comments (paged with Link headers),
// deployments and deployment statuses, a workflow run attempt (when it started), GitHub's error bodies, and
// the GITHUB_TOKEN permission model (a job without `pull-requests: write` gets 403 "Resource not accessible
// by integration").
import { type SimRequest, type SimResponse, Simulator } from './simulator';

export type GitHubPermissionLevel = 'none' | 'read' | 'write';

export interface GitHubSimPermissions {
  issues: GitHubPermissionLevel;
  pullRequests: GitHubPermissionLevel;
  deployments: GitHubPermissionLevel;
  /** Workflow runs (GET …/actions/runs/…), read when unset; a private repository's GITHUB_TOKEN may have none. */
  actions?: GitHubPermissionLevel;
}

export interface SimWorkflowRunAttempt {
  id: number;
  run_attempt: number;
  run_started_at: string;
  created_at: string;
  status: string;
  head_sha: string;
  html_url: string;
}

export interface SimIssueComment {
  id: number;
  node_id: string;
  body: string;
  html_url: string;
  issue_url: string;
  user: { login: string; id: number; type: string };
  created_at: string;
  updated_at: string;
}

export interface SimGitHubDeployment {
  id: number;
  node_id: string;
  url: string;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  original_environment: string;
  description: string | null;
  payload: unknown;
  transient_environment: boolean;
  production_environment: boolean;
  creator: { login: string; id: number; type: string };
  created_at: string;
  updated_at: string;
  statuses_url: string;
  repository_url: string;
  /** Not part of GitHub's body: what the request asked for, kept for assertions. */
  request: { auto_merge: unknown; required_contexts: unknown };
}

export interface SimGitHubDeploymentStatus {
  id: number;
  node_id: string;
  state: string;
  description: string;
  environment: string;
  environment_url: string;
  log_url: string;
  target_url: string;
  creator: { login: string; id: number; type: string };
  created_at: string;
  updated_at: string;
  deployment_url: string;
}

export interface GitHubSimOptions {
  /** Token the API accepts (Bearer or token scheme). Default: any token is accepted, none is refused. */
  token?: string;
  permissions?: Partial<GitHubSimPermissions>;
  /** Login of the token's user; GITHUB_TOKEN comments come from github-actions[bot]. */
  login?: string;
}

const DOCS = 'https://docs.github.com/rest';
const STATES = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'];

interface Repo {
  issues: Map<
    number,
    { pullRequest: boolean; head?: { sha: string; ref: string }; state?: 'open' | 'closed'; merged?: boolean }
  >;
  comments: SimIssueComment[];
  deployments: SimGitHubDeployment[];
  statuses: Map<number, SimGitHubDeploymentStatus[]>;
  refs: Set<string>;
  /** `<run id>/<attempt>` → the attempt. */
  runs: Map<string, SimWorkflowRunAttempt>;
}

export class GitHubSimulator extends Simulator {
  permissions: GitHubSimPermissions;
  readonly login: string;
  private readonly repos = new Map<string, Repo>();
  private nextId = 1_000_000;
  private readonly botId = 41898282;

  constructor(options: GitHubSimOptions = {}) {
    super({ name: 'GitHub', token: options.token });
    this.requestIdHeader = 'x-github-request-id';
    this.login = options.login ?? 'github-actions[bot]';
    this.permissions = {
      issues: 'write',
      pullRequests: 'write',
      deployments: 'write',
      actions: 'read',
      ...options.permissions,
    };

    this.route('GET', '/repos/:owner/:repo/pulls/:number', (req) => this.getPull(req));
    this.route('GET', '/repos/:owner/:repo/issues/:number/comments', (req) => this.listComments(req));
    this.route('POST', '/repos/:owner/:repo/issues/:number/comments', (req) => this.createComment(req));
    this.route('PATCH', '/repos/:owner/:repo/issues/comments/:id', (req) => this.updateComment(req));
    this.route('GET', '/repos/:owner/:repo/deployments', (req) => this.listDeployments(req));
    this.route('POST', '/repos/:owner/:repo/deployments', (req) => this.createDeployment(req));
    this.route('GET', '/repos/:owner/:repo/deployments/:id/statuses', (req) => this.listStatuses(req));
    this.route('POST', '/repos/:owner/:repo/deployments/:id/statuses', (req) => this.createStatus(req));
    this.route('GET', '/repos/:owner/:repo/actions/runs/:run/attempts/:attempt', (req) => this.getRunAttempt(req));
  }

  /** Registers a workflow run attempt and when it started (the runner's GITHUB_RUN_ID and GITHUB_RUN_ATTEMPT). */
  addWorkflowRun(repository: string, runId: string | number, startedAt: Date, attempt = 1): SimWorkflowRunAttempt {
    const run: SimWorkflowRunAttempt = {
      id: Number(runId),
      run_attempt: attempt,
      run_started_at: startedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      created_at: startedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      status: 'in_progress',
      head_sha: '',
      html_url: `https://github.com/${repository}/actions/runs/${runId}/attempts/${attempt}`,
    };
    this.repoOf(repository, true)!.runs.set(`${runId}/${attempt}`, run);
    return run;
  }

  /** Registers a repository with a pull request (an issue number that is a PR) and its head commit. */
  addPullRequest(repository: string, number: number, head: { sha: string; ref: string }): this {
    const repo = this.repoOf(repository, true)!;
    repo.issues.set(number, { pullRequest: true, head });
    repo.refs.add(head.sha).add(head.ref);
    return this;
  }

  /** Closes a pull request (merged or not), as a merge or the close button does. */
  closePullRequest(repository: string, number: number, options: { merged?: boolean } = {}): this {
    const issue = this.repoOf(repository)?.issues.get(number);
    if (!issue?.pullRequest) throw new Error(`GitHubSimulator: ${repository} has no pull request #${number}`);
    issue.state = 'closed';
    issue.merged = options.merged ?? false;
    return this;
  }

  /** Adds a comment as another user (a reviewer), to prove the marker search skips other comments. */
  addComment(repository: string, number: number, body: string, login = 'octocat'): SimIssueComment {
    const repo = this.repoOf(repository, true)!;
    const c = this.comment(repository, number, body, { login, id: 583231, type: 'User' });
    repo.comments.push(c);
    return c;
  }

  comments(repository: string, number: number): SimIssueComment[] {
    return (this.repoOf(repository)?.comments ?? []).filter((c) => c.issue_url.endsWith(`/issues/${number}`));
  }

  deployments(repository: string): SimGitHubDeployment[] {
    return this.repoOf(repository)?.deployments ?? [];
  }

  statuses(repository: string, deploymentId: number): SimGitHubDeploymentStatus[] {
    return this.repoOf(repository)?.statuses.get(deploymentId) ?? [];
  }

  protected override authorized(req: SimRequest): boolean {
    if (this.requiredToken === undefined) return true;
    const h = req.headers.authorization ?? '';
    return h === `Bearer ${this.requiredToken}` || h === `token ${this.requiredToken}`;
  }

  protected override unauthorized(): SimResponse {
    return { status: 401, body: { message: 'Bad credentials', documentation_url: DOCS, status: '401' } };
  }

  protected override notFound(): SimResponse {
    return notFound();
  }

  private repoOf(full: string, create = false): Repo | undefined {
    const key = full.toLowerCase();
    let repo = this.repos.get(key);
    if (!repo && create) {
      repo = {
        issues: new Map(),
        comments: [],
        deployments: [],
        statuses: new Map(),
        refs: new Set(),
        runs: new Map(),
      };
      this.repos.set(key, repo);
    }
    return repo;
  }

  /** One page of a list (per_page default 30, at most 100) with GitHub's Link header; the links keep the filters. */
  private page(req: SimRequest, all: unknown[], path: string, filters: Record<string, string> = {}): SimResponse {
    const perPage = Number(req.query.per_page ?? 30);
    const page = Number(req.query.page ?? 1);
    if (!Number.isInteger(perPage) || perPage < 1 || !Number.isInteger(page) || page < 1) {
      return validation('per_page and page must be positive integers');
    }
    const size = Math.min(perPage, 100);
    const last = Math.max(1, Math.ceil(all.length / size));
    const items = all.slice((page - 1) * size, page * size);
    const extra = Object.entries(filters)
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
      .join('&');
    const link = (p: number, rel: string) =>
      `<${this.base(req)}${path}?${extra ? `${extra}&` : ''}per_page=${size}&page=${p}>; rel="${rel}"`;
    const links: string[] = [];
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
    return { status: 200, headers: links.length ? { link: links.join(', ') } : {}, body: items };
  }

  private base(req: SimRequest): string {
    return `${this.url}/repos/${req.params.owner}/${req.params.repo}`;
  }

  private now(): string {
    return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  private comment(repository: string, number: number, body: string, user: SimIssueComment['user']): SimIssueComment {
    const id = this.nextId++;
    const now = this.now();
    return {
      id,
      node_id: `IC_kwDO${id.toString(36)}`,
      body,
      html_url: `https://github.com/${repository}/pull/${number}#issuecomment-${id}`,
      issue_url: `${this.url}/repos/${repository}/issues/${number}`,
      user,
      created_at: now,
      updated_at: now,
    };
  }

  /** Commenting on a PR through the issues API needs pull-requests or issues write. */
  private canComment(isPr: boolean, level: 'read' | 'write'): boolean {
    const ok = (p: GitHubPermissionLevel) => (level === 'read' ? p !== 'none' : p === 'write');
    return isPr ? ok(this.permissions.pullRequests) || ok(this.permissions.issues) : ok(this.permissions.issues);
  }

  /** GET /repos/{owner}/{repo}/pulls/{n}: the fields a pull request's state is read from. */
  private getPull(req: SimRequest): SimResponse {
    const full = `${req.params.owner}/${req.params.repo}`;
    const number = Number(req.params.number);
    const issue = this.repoOf(full)?.issues.get(number);
    if (!issue?.pullRequest) return notFound();
    if (!this.canComment(true, 'read')) return forbidden();
    const state = issue.state ?? 'open';
    return {
      status: 200,
      body: {
        number,
        state,
        merged: issue.merged ?? false,
        head: { sha: issue.head?.sha, ref: issue.head?.ref },
        html_url: `https://github.com/${full}/pull/${number}`,
      },
    };
  }

  private listComments(req: SimRequest): SimResponse {
    const full = `${req.params.owner}/${req.params.repo}`;
    const repo = this.repoOf(full);
    const number = Number(req.params.number);
    const issue = repo?.issues.get(number);
    if (!repo || !issue) return notFound();
    if (!this.canComment(issue.pullRequest, 'read')) return forbidden();
    return this.page(req, this.comments(full, number), `/issues/${number}/comments`);
  }

  private createComment(req: SimRequest): SimResponse {
    const full = `${req.params.owner}/${req.params.repo}`;
    const repo = this.repoOf(full);
    const number = Number(req.params.number);
    const issue = repo?.issues.get(number);
    if (!repo || !issue) return notFound();
    if (!this.canComment(issue.pullRequest, 'write')) return forbidden();
    const body = (req.body as { body?: unknown } | undefined)?.body;
    if (typeof body !== 'string' || body === '') return validation('body is missing', 'IssueComment', 'body');
    if (body.length > 65536)
      return validation('Body is too long (maximum is 65536 characters)', 'IssueComment', 'body');
    const c = this.comment(full, number, body, { login: this.login, id: this.botId, type: 'Bot' });
    repo.comments.push(c);
    return { status: 201, headers: { location: `${this.base(req)}/issues/comments/${c.id}` }, body: c };
  }

  private updateComment(req: SimRequest): SimResponse {
    const full = `${req.params.owner}/${req.params.repo}`;
    const repo = this.repoOf(full);
    const c = repo?.comments.find((x) => x.id === Number(req.params.id));
    if (!repo || !c) return notFound();
    const number = Number(c.issue_url.split('/').pop());
    if (!this.canComment(repo.issues.get(number)?.pullRequest ?? false, 'write')) return forbidden();
    const body = (req.body as { body?: unknown } | undefined)?.body;
    if (typeof body !== 'string' || body === '') return validation('body is missing', 'IssueComment', 'body');
    c.body = body;
    c.updated_at = this.now();
    return { status: 200, body: c };
  }

  /** GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}: needs `actions: read`. */
  private getRunAttempt(req: SimRequest): SimResponse {
    const repo = this.repoOf(`${req.params.owner}/${req.params.repo}`);
    const run = repo?.runs.get(`${req.params.run}/${req.params.attempt}`);
    if (!repo || !run) return notFound();
    if (this.permissions.actions === 'none') return forbidden('actions=read');
    return { status: 200, body: run };
  }

  private listDeployments(req: SimRequest): SimResponse {
    const repo = this.repoOf(`${req.params.owner}/${req.params.repo}`);
    if (!repo) return notFound();
    if (this.permissions.deployments === 'none') return forbidden();
    let list = [...repo.deployments].reverse(); // newest first, as GitHub lists them
    const filters: Record<string, string> = {};
    for (const k of ['sha', 'ref', 'task', 'environment'] as const) {
      const want = req.query[k];
      if (want) {
        filters[k] = want;
        list = list.filter((d) => d[k] === want);
      }
    }
    return this.page(req, list.map(strip), '/deployments', filters);
  }

  private createDeployment(req: SimRequest): SimResponse {
    const full = `${req.params.owner}/${req.params.repo}`;
    const repo = this.repoOf(full);
    if (!repo) return notFound();
    if (this.permissions.deployments !== 'write') return forbidden();
    const b = (req.body ?? {}) as Record<string, unknown>;
    if (typeof b.ref !== 'string' || b.ref === '') return validation('ref is missing', 'Deployment', 'ref');
    if (!repo.refs.has(b.ref)) return validation(`No ref found for: ${b.ref}`, 'Deployment', 'ref', 422, 'Conflict');
    if (b.required_contexts !== undefined && !Array.isArray(b.required_contexts)) {
      return validation('required_contexts must be an array', 'Deployment', 'required_contexts');
    }
    // With auto_merge (GitHub's default true) a PR head behind its base is merged first: 202 + message.
    if (b.auto_merge === undefined || b.auto_merge === true) {
      return { status: 202, body: { message: `Auto-merged main into ${b.ref} on deployment.` } };
    }
    // Default required_contexts is every status context, and the deploying job's own check is still
    // pending while it runs: GitHub answers 409.
    if (b.required_contexts === undefined) {
      return {
        status: 409,
        body: {
          message: `Conflict: Commit status checks failed for ${b.ref}.`,
          documentation_url: DOCS,
          status: '409',
        },
      };
    }
    const id = this.nextId++;
    const now = this.now();
    const environment = typeof b.environment === 'string' ? b.environment : 'production';
    const d: SimGitHubDeployment = {
      id,
      node_id: `DE_kwDO${id.toString(36)}`,
      url: `${this.base(req)}/deployments/${id}`,
      sha: [...repo.issues.values()].find((i) => i.head?.ref === b.ref)?.head?.sha ?? b.ref,
      ref: b.ref,
      task: typeof b.task === 'string' ? b.task : 'deploy',
      environment,
      original_environment: environment,
      description: typeof b.description === 'string' ? b.description : null,
      payload: b.payload ?? {},
      transient_environment: b.transient_environment === true,
      production_environment:
        b.production_environment === true || (b.production_environment === undefined && environment === 'production'),
      creator: { login: this.login, id: this.botId, type: 'Bot' },
      created_at: now,
      updated_at: now,
      statuses_url: `${this.base(req)}/deployments/${id}/statuses`,
      repository_url: `${this.url}/repos/${full}`,
      request: { auto_merge: b.auto_merge, required_contexts: b.required_contexts },
    };
    repo.deployments.push(d);
    repo.statuses.set(id, []);
    return { status: 201, body: strip(d) };
  }

  private listStatuses(req: SimRequest): SimResponse {
    const repo = this.repoOf(`${req.params.owner}/${req.params.repo}`);
    const list = repo?.statuses.get(Number(req.params.id));
    if (!repo || !list) return notFound();
    if (this.permissions.deployments === 'none') return forbidden();
    return this.page(req, [...list].reverse(), `/deployments/${req.params.id}/statuses`);
  }

  private createStatus(req: SimRequest): SimResponse {
    const repo = this.repoOf(`${req.params.owner}/${req.params.repo}`);
    const id = Number(req.params.id);
    const deployment = repo?.deployments.find((d) => d.id === id);
    if (!repo || !deployment) return notFound();
    if (this.permissions.deployments !== 'write') return forbidden();
    const b = (req.body ?? {}) as Record<string, unknown>;
    if (typeof b.state !== 'string' || !STATES.includes(b.state)) {
      return validation(`state is not included in the list`, 'DeploymentStatus', 'state');
    }
    if (typeof b.description === 'string' && b.description.length > 140) {
      return validation('description is too long (maximum is 140 characters)', 'DeploymentStatus', 'description');
    }
    const sid = this.nextId++;
    const now = this.now();
    const status: SimGitHubDeploymentStatus = {
      id: sid,
      node_id: `DES_kwDO${sid.toString(36)}`,
      state: b.state,
      description: typeof b.description === 'string' ? b.description : '',
      environment: typeof b.environment === 'string' ? b.environment : deployment.environment,
      environment_url: typeof b.environment_url === 'string' ? b.environment_url : '',
      log_url: typeof b.log_url === 'string' ? b.log_url : '',
      target_url: typeof b.log_url === 'string' ? b.log_url : '',
      creator: { login: this.login, id: this.botId, type: 'Bot' },
      created_at: now,
      updated_at: now,
      deployment_url: deployment.url,
    };
    repo.statuses.get(id)!.push(status);
    if (b.state === 'success' && b.auto_inactive !== false) this.autoInactive(repo, deployment, now);
    return { status: 201, body: status };
  }

  /**
   * auto_inactive (default true) on a success status: every prior non-transient, non-production deployment
   * of the same environment whose latest status is success gets an inactive status. Transient ones (PR
   * previews) are left alone: they stay active until someone marks them inactive.
   */
  private autoInactive(repo: Repo, deployment: SimGitHubDeployment, now: string): void {
    for (const other of repo.deployments) {
      if (other.id >= deployment.id) continue;
      if (other.environment !== deployment.environment) continue;
      if (other.transient_environment || other.production_environment) continue;
      const statuses = repo.statuses.get(other.id)!;
      if (statuses.at(-1)?.state !== 'success') continue;
      const sid = this.nextId++;
      statuses.push({
        ...statuses.at(-1)!,
        id: sid,
        node_id: `DES_kwDO${sid.toString(36)}`,
        state: 'inactive',
        description: '',
        created_at: now,
        updated_at: now,
      });
    }
  }
}

function strip(d: SimGitHubDeployment): Omit<SimGitHubDeployment, 'request'> {
  const { request: _request, ...rest } = d;
  return rest;
}

function notFound(): SimResponse {
  return { status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } };
}

function forbidden(accepted = 'pull_requests=write; issues=write'): SimResponse {
  return {
    status: 403,
    headers: { 'x-accepted-github-permissions': accepted },
    body: { message: 'Resource not accessible by integration', documentation_url: DOCS, status: '403' },
  };
}

function validation(
  message: string,
  resource = 'Issue',
  field = 'body',
  status = 422,
  title = 'Validation Failed',
): SimResponse {
  return {
    status,
    body: {
      message: title,
      errors: [{ resource, code: 'custom', field, message }],
      documentation_url: DOCS,
      status: String(status),
    },
  };
}

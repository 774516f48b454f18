// What GitHub keeps outside the workflow files, modelled from its documentation: repositories at a
// commit with their tags, a repository's secrets and variables, its environments (required
// reviewers, deployment-branch policy, environment secrets and variables), and concurrency groups.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** A repository as the rehearsal has it: one snapshot (a folder) at one commit, with refs naming it. */
export interface Repository {
  /** owner/name */
  name: string;
  /** The snapshot's files. */
  root: string;
  sha: string;
  /** Branches and tags that point at `sha` (v1, main …). */
  refs: string[];
  /** Older commits reachable by sha (a pull request's base): sha → the snapshot's files. */
  history?: Record<string, string>;
}

export interface EnvironmentSettings {
  /** Required reviewers: each job that references the environment waits for one of them. */
  reviewers?: string[];
  /** Deployment-branch policy: the branches (globs) that may deploy; absent = any. */
  branches?: string[];
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
}

/** Settings of the repository whose workflows run (the caller). */
export interface RepositorySettings {
  secrets: Record<string, string>;
  vars: Record<string, string>;
  environments: Record<string, EnvironmentSettings>;
}

export class Repositories {
  private readonly byName = new Map<string, Repository>();
  constructor(repositories: Repository[]) {
    for (const r of repositories) this.byName.set(r.name.toLowerCase(), r);
  }

  get(name: string): Repository | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** owner/name@ref → the repository, or the runner's message when it cannot be resolved. */
  resolve(name: string, ref: string): Repository | string {
    const repo = this.get(name);
    if (!repo) return `Unable to resolve action \`${name}@${ref}\`, repository not found`;
    const older = repo.history?.[ref];
    if (older) return { ...repo, root: older, sha: ref, refs: [] };
    if (ref !== repo.sha && !repo.refs.includes(ref))
      return `Unable to resolve action \`${name}@${ref}\`, unable to find version \`${ref}\``;
    return repo;
  }
}

/** The runner's message for `uses: ./path` when the workspace has no action there. */
export const missingLocalAction = (dir: string) =>
  `Can't find 'action.yml', 'action.yaml' or 'Dockerfile' under '${dir}'. Did you forget to run actions/checkout before running your local action?`;

export const actionFileIn = (dir: string): string | undefined =>
  ['action.yml', 'action.yaml'].map((f) => join(dir, f)).find((f) => existsSync(f));

/** GitHub's branch-policy globs: * matches within a segment, ** across. */
export function branchAllowed(patterns: string[] | undefined, ref: string): boolean {
  if (!patterns) return true;
  const branch = ref.replace(/^refs\/heads\//, '');
  return patterns.some((p) => {
    const re = p
      .split('**')
      .map((part) =>
        part
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '[^/]*')
          .replace(/\?/g, '.'),
      )
      .join('.*');
    return new RegExp(`^${re}$`).test(branch);
  });
}

export interface ConcurrencySetting {
  group: string;
  cancelInProgress?: boolean;
  /** 'max': up to 100 pending runs wait in order instead of replacing each other. */
  queue?: 'single' | 'max';
}

/**
 * Concurrency groups as GitHub documents them: one running and one pending run per group; a newer
 * pending run cancels the older pending one, unless the group queues (queue: max, up to 100 waiting
 * in order); cancel-in-progress cancels the running one too.
 */
export class ConcurrencyGroups {
  private readonly groups = new Map<string, { running?: string; pending: string[] }>();
  readonly cancelled: string[] = [];

  /** A run enters the group: returns 'running' or 'pending' (and cancels what GitHub would cancel). */
  enter(run: string, setting: ConcurrencySetting): 'running' | 'pending' {
    const g = this.groups.get(setting.group) ?? { pending: [] };
    this.groups.set(setting.group, g);
    if (setting.cancelInProgress && g.running) {
      this.cancelled.push(g.running);
      g.running = undefined;
    }
    if (!g.running && g.pending.length === 0) {
      g.running = run;
      return 'running';
    }
    if (setting.queue === 'max') {
      if (g.pending.length >= 100) {
        this.cancelled.push(run);
        return 'pending';
      }
    } else {
      this.cancelled.push(...g.pending.splice(0));
    }
    g.pending.push(run);
    return 'pending';
  }

  /** The running run finished: the next pending one starts. */
  leave(group: string): string | undefined {
    const g = this.groups.get(group);
    if (!g) return undefined;
    g.running = g.pending.shift();
    return g.running;
  }

  state(group: string): { running?: string; pending: string[] } {
    const g = this.groups.get(group);
    return { running: g?.running, pending: [...(g?.pending ?? [])] };
  }
}

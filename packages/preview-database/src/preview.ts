// What every kind of preview database shares: the names that carry the PR number (so a sweep can tell
// which pull request a resource belongs to), the options of a run and what it gives back.

export interface PreviewOptions {
  pr: number;
  /** The pull request's head branch, recorded on a Supabase branch. */
  gitBranch: string;
  /** Previews of other pull requests allowed at once before a new one is refused. */
  maxPreviews: number;
  /** Epoch ms by which the database must be up. */
  deadline: number;
}

export interface PreviewDatabase {
  kind: 'supabase-branch' | 'database';
  /** wingman-pr-<n> (branch) or wingman_pr_<n> (database). */
  name: string;
  /** The Supabase branch's project ref. */
  ref?: string;
  /** False when an earlier run made it (a push to the PR reuses it). */
  created: boolean;
  /** Session connection string (a secret). */
  databaseUrl: string;
  /** The branch's API URL, anon and service_role keys (Supabase branch only). */
  apiUrl?: string;
  anonKey?: string;
  serviceRoleKey?: string;
}

/** Where the previews live: a Supabase project's branches, or a server's wingman_pr_<n> databases. */
export interface PreviewStore {
  /** PR numbers that have a preview here. */
  prs(): Promise<number[]>;
  ensure(p: PreviewOptions): Promise<PreviewDatabase>;
  /** False when there was nothing to remove. */
  remove(pr: number): Promise<boolean>;
  close(): Promise<void>;
}

export class PreviewError extends Error {
  override name = 'PreviewError';
  constructor(
    message: string,
    readonly code: 'limit' | 'plan' | 'auth' | 'not_found' | 'api' | 'branch_failed' | 'timeout' | 'refused',
  ) {
    super(message);
  }
}

const BRANCH = /^wingman-pr-(\d+)$/;
const DATABASE = /^wingman_pr_(\d+)$/;

export function previewName(pr: number, kind: 'branch' | 'database'): string {
  return kind === 'branch' ? `wingman-pr-${pr}` : `wingman_pr_${pr}`;
}

/** The PR number a preview resource is named after, or undefined for anything else. */
export function prOfName(name: string): number | undefined {
  const m = BRANCH.exec(name) ?? DATABASE.exec(name);
  return m ? Number(m[1]) : undefined;
}

// What a run-migrations call is given, and the defaults every verb reads it with.
import type { Log } from '@wingman/log';

export interface MigrateOptions {
  databaseUrl: string;
  /** As the user gave it: file paths in reports and annotations are shown under it. */
  migrationsDir: string;
  rollbacksDir: string;
  direction: 'up' | 'down';
  /**
   * migrate (up/down, the default); repair: only the history table, as `supabase migration repair`;
   * baseline: record the migrations up to targetVersion as applied, when the schema is what they build.
   */
  mode?: 'migrate' | 'repair' | 'baseline';
  /** mode baseline: a throwaway database the migrations are built in, to compare with. */
  shadowDatabaseUrl?: string;
  /** mode repair: what the versions become. */
  repairStatus?: 'applied' | 'reverted';
  /** mode repair: the versions to mark. */
  versions?: string[];
  /** up: apply up to and including it; down: revert every applied version above it (default: the newest one only). */
  targetVersion?: string;
  dryRun?: boolean;
  atomic?: boolean;
  allowOutOfOrder?: boolean;
  lockTimeoutMs?: number;
  lockRetries?: number;
  statementTimeoutMs?: number;
  waitForLockMs?: number;
  /** Seed files or patterns (relative to projectRoot); given, they win over config.toml and imply includeSeed. */
  seedFiles?: string[];
  /** Seed after migrating (db push --include-seed): config.toml's [db.seed], else supabase/seed.sql. */
  includeSeed?: boolean;
  /** The repository root: where supabase/config.toml is looked for and seed paths are relative to (default: the working directory). */
  projectRoot?: string;
  verifyRollbacks?: boolean;
  /** The migration safety lint over the pending files: error stops the run on a hazard, warn reports, off skips. */
  lint?: 'error' | 'warn' | 'off';
  /** Locking findings on existing tables with fewer estimated rows are notices. */
  lintSmallTableRows?: number;
  /** 'supabase': first give a fresh throwaway database a Supabase project's shape (refused once it has history). */
  bootstrap?: 'supabase' | 'none';
  log: Log;
  applicationName?: string;
  /** The input databaseUrl came from, named in connection errors (default database-url). */
  databaseInput?: string;
  /** Backoff base for lock-timeout retries. */
  retryDelayMs?: number;
}

const DEFAULTS = {
  lint: 'warn' as 'error' | 'warn' | 'off',
  lintSmallTableRows: 10_000,
  lockTimeoutMs: 5000,
  lockRetries: 3,
  statementTimeoutMs: 0,
  waitForLockMs: 300_000,
  retryDelayMs: 1000,
};

/** The options with every default filled in. */
export type RunOptions = MigrateOptions & typeof DEFAULTS;

export function withDefaults(options: MigrateOptions): RunOptions {
  return { ...DEFAULTS, ...stripUndefined(options) };
}

// An option given as undefined still takes its default.
function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

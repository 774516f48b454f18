// What a run reports: per file applied / failed / not run, warnings, and the error that stopped it.
import type { Log } from '@wingman/log';
import type { LintFinding } from '@wingman/migration-lint';
import { locationOf, MigrationsError } from './errors';

export type FileStatus = 'applied' | 'reverted' | 'failed' | 'not run' | 'pending' | 'to revert';

export interface FileReport {
  version: string;
  name: string;
  file: string;
  statements: number;
  status: FileStatus;
  durationMs?: number;
  note?: string;
}

export interface MigrateResult {
  direction: 'up' | 'down';
  dryRun: boolean;
  applied: string[];
  reverted: string[];
  /** Migrations still not applied after the run (in a dry run: the ones it would apply). */
  pending: number;
  currentVersion: string | null;
  files: FileReport[];
  warnings: string[];
  /** Each seed file and what happened to it, in order. */
  seeds?: { file: string; status: 'applied' | 'unchanged' | 'hash updated' | 'would apply' | 'would update hash' }[];
  /** Where the seed files came from (input, config.toml, the default), or why none ran. */
  seedSource?: string;
  /** mode baseline: the versions recorded as applied (in a dry run: that would be). */
  baselined?: string[];
  /** mode repair: what was (or in a dry run, would be) marked. */
  repaired?: { status: 'applied' | 'reverted'; versions: string[] };
  /** The migration lint's findings on the pending files (absent with lint: off). */
  lint?: LintFinding[];
  /** Set when the run was asked to give the database a Supabase project's shape first. */
  bootstrap?: 'applied' | 'would apply';
  durationMs: number;
}

/** Carries what was done before the failure, so the report can show applied / failed / not run. */
export class MigrationRunError extends MigrationsError {
  override name = 'MigrationRunError';
  constructor(
    override readonly cause: Error,
    readonly result: MigrateResult,
  ) {
    super(cause.message, locationOf(cause));
  }
}

export function warn(log: Log, result: MigrateResult, message: string, where?: { file: string; line?: number }) {
  // verify-rollbacks applies a file twice; say it once.
  if (result.warnings.includes(message)) return;
  result.warnings.push(message);
  log.warning(message, where);
}

/** SQL quoted on one line of a message. */
export const short = (text: string, max = 100) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

// Errors a user reads: one line naming the file or resource, what was expected, what to do.
import { type SourceLocation, withholdRowValues } from '@wingman/log';

export class MigrationsError extends Error {
  override name = 'MigrationsError';
  constructor(
    message: string,
    readonly where?: SourceLocation,
  ) {
    super(message);
  }
}

/** Postgres refused a statement of a migration, seed or down script. */
export class StatementError extends MigrationsError {
  override name = 'StatementError';
  constructor(
    message: string,
    where: SourceLocation,
    readonly sqlstate: string | undefined,
  ) {
    super(message, where);
  }
}

export interface PgErrorFields {
  code?: string;
  message: string;
  detail?: string;
  hint?: string;
  position?: string;
  where?: string;
}

export function isPgError(err: unknown): err is Error & PgErrorFields {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'string' && 'severity' in err;
}

/**
 * "42P07 relation "x" already exists — detail: … — hint: …", with the row values Postgres quotes
 * (a duplicate key, a failing row) withheld: on production they are customer data, bound for a CI log.
 */
export function describePgError(err: PgErrorFields): string {
  const parts = [`${err.code ? `${err.code} ` : ''}${err.message}`];
  if (err.detail) parts.push(`detail: ${err.detail}`);
  if (err.hint) parts.push(`hint: ${err.hint}`);
  return withholdRowValues(parts.join(' — '));
}

/** Where an error points in the user's files, whichever layer raised it. */
export function locationOf(err: unknown): SourceLocation | undefined {
  if (err instanceof MigrationsError) return err.where;
  const e = err as { file?: unknown; line?: unknown };
  if (typeof e?.file === 'string') return { file: e.file, line: typeof e.line === 'number' ? e.line : undefined };
  return undefined;
}

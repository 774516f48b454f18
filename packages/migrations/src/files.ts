// Local migration files, listed and ordered the way the Supabase CLI does
// (apps/cli-go/pkg/migration/list.go ListLocalMigrations, file.go NewMigrationFromFile).

// Synchronous reads on purpose: 200 small files take ~3 ms this way and ~40 ms through the promise
// API's thread-pool hops, on a run that waits for nothing else meanwhile.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  compareVersions,
  isLegacyInitFile,
  MIGRATE_FILE_PATTERN,
  SKIP_INIT_REASON,
  SKIP_PATTERN_REASON,
} from './cli-compat';
import { SqlSplitError, type Statement, splitStatements } from './splitter';

export { compareVersions };

export interface MigrationFile {
  /** Digits before the first `_`, as the CLI stores it in schema_migrations.version. */
  version: string;
  /** Text between `_` and `.sql` (may be empty), as stored in schema_migrations.name. */
  name: string;
  /** Path relative to `root` with forward slashes: what annotations and summaries show. */
  file: string;
  /** Absolute path. */
  path: string;
  sql: string;
  statements: Statement[];
}

export interface SkippedFile {
  file: string;
  reason: string;
}

export interface ListOptions {
  /** Base for `MigrationFile.file` (the repository root). Default: process.cwd(). */
  root?: string;
  /** Input name used in error messages. Default: "migrations-dir". */
  input?: string;
}

/** A problem with the migration files a user must fix; the message is one line. */
export class MigrationFilesError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'MigrationFilesError';
  }
}

/**
 * Reads `<dir>/<version>_<name>.sql` in the order supabase@2.117.0 applies them: by version
 * string, ties (impossible here) by file-name byte order. Sub-directories are ignored
 * silently, other names are returned in `skipped` with the CLI's reason. Throws
 * MigrationFilesError when the directory is missing or two files share a version, and
 * SqlSplitError (message prefixed with the file) when a file cannot be split.
 */
export async function listMigrations(
  dir: string,
  options: ListOptions = {},
): Promise<{ migrations: MigrationFile[]; skipped: SkippedFile[] }> {
  const root = path.resolve(options.root ?? process.cwd());
  const input = options.input ?? 'migrations-dir';
  const absDir = path.resolve(root, dir);
  assertDirectory(absDir, input, 'that holds <timestamp>_name.sql files (Supabase default: supabase/migrations)');

  const entries = readdirSync(absDir, { withFileTypes: true });
  // list.go / 2.117.0: file names in UTF-8 byte order
  entries.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));

  const migrations: MigrationFile[] = [];
  const skipped: SkippedFile[] = [];
  for (const [index, entry] of entries.entries()) {
    // Let the connection that opens meanwhile take its turns (its handshake waits on the loop).
    if (index % 25 === 24) await new Promise((resolve) => setImmediate(resolve));
    if (entry.isDirectory()) continue;
    const abs = path.join(absDir, entry.name);
    const file = relativeTo(root, abs);
    // list.go checks the legacy init name on the first directory entry only
    if (index === 0 && isLegacyInitFile(entry.name)) {
      skipped.push({ file, reason: SKIP_INIT_REASON });
      continue;
    }
    const m = MIGRATE_FILE_PATTERN.exec(entry.name);
    if (!m) {
      skipped.push({ file, reason: SKIP_PATTERN_REASON });
      continue;
    }
    const sql = readSql(abs, file);
    migrations.push({
      version: m[1] as string,
      name: m[2] as string,
      file,
      path: abs,
      sql,
      statements: split(sql, file),
    });
  }
  // 2.117.0 then sorts by version string, stably: "1_b.sql" before "10_a.sql" (Go kept
  // file-name order there, and then failed its own history check on the next push)
  migrations.sort((a, b) => compareVersions(a.version, b.version));
  for (let k = 1; k < migrations.length; k++) {
    const a = migrations[k - 1] as MigrationFile;
    const b = migrations[k] as MigrationFile;
    if (a.version === b.version) {
      // the CLI would apply the first and fail on the second's history insert
      throw new MigrationFilesError(
        `${input}: ${a.file} and ${b.file} share version ${a.version}; each migration needs its own version: rename one (supabase migration new gives a fresh timestamp)`,
        b.file,
      );
    }
  }
  return { migrations, skipped };
}

export interface DownScript {
  version: string;
  name: string;
  file: string;
  path: string;
  sql: string;
  statements: Statement[];
  /** Reason from a first line `-- irreversible: <reason>`; null when the script is reversible. */
  irreversible: string | null;
}

/**
 * Reads `<rollbacksDir>/<version>_<name>.sql`, the down script of `migration`.
 * Returns null when the file does not exist (the caller decides whether that is an error);
 * throws MigrationFilesError when `rollbacksDir` itself is missing.
 */
export async function readDownScript(
  rollbacksDir: string,
  migration: Pick<MigrationFile, 'version' | 'name'>,
  options: ListOptions = {},
): Promise<DownScript | null> {
  const root = path.resolve(options.root ?? process.cwd());
  const input = options.input ?? 'rollbacks-dir';
  const absDir = path.resolve(root, rollbacksDir);
  assertDirectory(absDir, input, 'that holds <version>_<name>.sql down scripts');
  const abs = path.join(absDir, `${migration.version}_${migration.name}.sql`);
  const file = relativeTo(root, abs);
  let sql: string;
  try {
    sql = readSql(abs, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const irreversible = parseIrreversible(sql);
  return {
    version: migration.version,
    name: migration.name,
    file,
    path: abs,
    sql,
    // an irreversible marker may stand alone: nothing to run, nothing to split
    statements: split(sql, file),
    irreversible,
  };
}

/** `-- irreversible: <reason>` on the first line (case-insensitive); the reason, or null. */
export function parseIrreversible(sql: string): string | null {
  const body = sql.charCodeAt(0) === 0xfeff ? sql.slice(1) : sql;
  const nl = body.indexOf('\n');
  const first = (nl < 0 ? body : body.slice(0, nl)).trim();
  const m = /^--\s*irreversible\s*:(.*)$/i.exec(first);
  if (!m) return null;
  const reason = (m[1] as string).trim();
  return reason.length > 0 ? reason : 'marked irreversible (no reason given)';
}

function assertDirectory(abs: string, input: string, what: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(abs).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new MigrationFilesError(`${input}: directory ${abs} does not exist; set ${input} to the folder ${what}`);
    }
    throw new MigrationFilesError(
      `${input}: cannot read ${abs} (${code ?? String(err)}); check the path and its permissions`,
    );
  }
  if (!isDir) {
    throw new MigrationFilesError(`${input}: ${abs} is a file, not a directory; set ${input} to the folder ${what}`);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function readSql(abs: string, file: string): string {
  const bytes = readFileSync(abs);
  try {
    return utf8.decode(bytes);
  } catch {
    throw new MigrationFilesError(`${file}: not valid UTF-8; PostgreSQL rejects it: save the file as UTF-8`, file);
  }
}

function split(sql: string, file: string): Statement[] {
  try {
    return splitStatements(sql);
  } catch (err) {
    if (err instanceof SqlSplitError) throw err.withFile(file);
    throw err;
  }
}

function relativeTo(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).join('/');
}

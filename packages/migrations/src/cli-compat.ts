// What the Supabase CLI writes and expects, mirrored so that a database migrated by either
// tool is up to date for the other. Two sources, which agree on everything stored:
//  - the Go CLI, github.com/supabase/cli apps/cli-go/pkg/{migration,parser} (all 2.x up to the
//    TypeScript port), quoted in .tmp/cli-notes.md;
//  - npm supabase@2.117.0 (the pinned interop version): its `db push`, `migration up|repair`
//    run a TypeScript port bundled in @supabase/cli-linux-x64/bin/supabase. Where the two
//    differ, this file follows 2.117.0 and says so.

import { createHash } from 'node:crypto';

// ---- pkg/migration/history.go -------------------------------------------------------------

/** history.go SET_LOCK_TIMEOUT (Go, inside the create batch's implicit transaction). */
export const SET_LOCK_TIMEOUT = "SET lock_timeout = '4s'";
/** 2.117.0: the same inside an explicit BEGIN ... COMMIT. */
export const SET_LOCAL_LOCK_TIMEOUT = "SET LOCAL lock_timeout = '4s'";
/** history.go CREATE_VERSION_SCHEMA */
export const CREATE_VERSION_SCHEMA = 'CREATE SCHEMA IF NOT EXISTS supabase_migrations';
/** history.go CREATE_VERSION_TABLE */
export const CREATE_VERSION_TABLE =
  'CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY)';
/** history.go ADD_STATEMENTS_COLUMN */
export const ADD_STATEMENTS_COLUMN =
  'ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS statements text[]';
/** history.go ADD_NAME_COLUMN */
export const ADD_NAME_COLUMN = 'ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS name text';
/** history.go INSERT_MIGRATION_VERSION: $1 version text, $2 name text, $3 statements text[]. */
export const INSERT_MIGRATION_VERSION =
  'INSERT INTO supabase_migrations.schema_migrations(version, name, statements) VALUES($1, $2, $3)';
/** history.go UPSERT_MIGRATION_VERSION (used by `migration repair --status applied`). */
export const UPSERT_MIGRATION_VERSION = `${INSERT_MIGRATION_VERSION} ON CONFLICT (version) DO UPDATE SET name = EXCLUDED.name, statements = EXCLUDED.statements`;
/** history.go DELETE_MIGRATION_VERSION (`migration repair --status reverted`): $1 text[]. */
export const DELETE_MIGRATION_VERSION = 'DELETE FROM supabase_migrations.schema_migrations WHERE version = ANY($1)';
/** history.go SELECT_VERSION_TABLE */
export const SELECT_VERSION_TABLE =
  "SELECT version, coalesce(name, '') as name, statements FROM supabase_migrations.schema_migrations";
/** history.go LIST_MIGRATION_VERSION (undefined_table 42P01 means "no migrations yet"). */
export const LIST_MIGRATION_VERSION = 'SELECT version FROM supabase_migrations.schema_migrations ORDER BY version';
/** history.go CREATE_SEED_TABLE */
export const CREATE_SEED_TABLE =
  'CREATE TABLE IF NOT EXISTS supabase_migrations.seed_files (path text NOT NULL PRIMARY KEY, hash text NOT NULL)';
/** history.go UPSERT_SEED_FILE: $1 path (e.g. "supabase/seed.sql"), $2 hash. */
export const UPSERT_SEED_FILE =
  'INSERT INTO supabase_migrations.seed_files(path, hash) VALUES($1, $2) ON CONFLICT (path) DO UPDATE SET hash = EXCLUDED.hash';
/** history.go SELECT_SEED_TABLE */
export const SELECT_SEED_TABLE = 'SELECT path, hash FROM supabase_migrations.seed_files';

/**
 * 2.117.0 creates the history table only when this returns provisioned = false, then runs
 * BEGIN; SET LOCAL lock_timeout = '4s'; CREATE SCHEMA ...; CREATE TABLE ...; ALTER ... ADD
 * statements; ALTER ... ADD name; COMMIT (the Go CLI: the same five statements, with
 * SET lock_timeout, as one implicit-transaction batch, every time).
 */
export const SELECT_MIGRATION_TABLE_PROVISIONED =
  "SELECT count(*) = 3 AS provisioned FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid WHERE a.attrelid = pg_catalog.to_regclass('supabase_migrations.schema_migrations') AND c.relkind IN ('r', 'p') AND NOT a.attisdropped AND a.attname IN ('version', 'name', 'statements')";
export const CREATE_MIGRATION_TABLE_STATEMENTS: readonly string[] = [
  SET_LOCAL_LOCK_TIMEOUT,
  CREATE_VERSION_SCHEMA,
  CREATE_VERSION_TABLE,
  ADD_STATEMENTS_COLUMN,
  ADD_NAME_COLUMN,
];

/** Seed table counterpart: provisioned check, then BEGIN; these; COMMIT. */
export const SELECT_SEED_TABLE_PROVISIONED =
  "SELECT count(*) = 2 AS provisioned FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid WHERE a.attrelid = pg_catalog.to_regclass('supabase_migrations.seed_files') AND c.relkind IN ('r', 'p') AND NOT a.attisdropped AND a.attname IN ('path', 'hash')";
export const CREATE_SEED_TABLE_STATEMENTS: readonly string[] = [
  SET_LOCAL_LOCK_TIMEOUT,
  CREATE_VERSION_SCHEMA,
  CREATE_SEED_TABLE,
];

/** apply.go ApplyMigrations / 2.117.0: sent on its own before every migration file. */
export const RESET_ALL = 'RESET ALL';

/**
 * 2.117.0 step-down: a remote login as supabase_admin or cli_login_* runs this right after
 * connecting, and again after any statement matching `isRoleReset` (utils/connect.go in Go).
 */
export const SET_SESSION_ROLE = 'SET SESSION ROLE postgres';

// ---- pkg/migration/file.go, list.go ------------------------------------------------------

/** file.go migrateFilePattern; 2.117.0 uses this JS regex verbatim. */
export const MIGRATE_FILE_PATTERN = /^([0-9]+)_(.*)\.sql$/u;

/** list.go skip message for names that do not match MIGRATE_FILE_PATTERN. */
export const SKIP_PATTERN_REASON = 'file name must match pattern "<timestamp>_name.sql"';
/** list.go skip message for a legacy `<timestamp>_init.sql` first file. */
export const SKIP_INIT_REASON = 'replace "init" with a different file name to apply this migration';

/**
 * list.go shouldSkip: a first directory entry `<14 digits>_init.sql` older than 20211209000000
 * is skipped (schema dumps of CLI versions before Dec 2021). Unanchored, as in the CLI.
 */
export function isLegacyInitFile(name: string): boolean {
  const m = /([0-9]{14})_init\.sql/.exec(name);
  return m !== null && Number(m[1]) < 20211209000000;
}

/**
 * The CLI compares versions as strings (Go byte order; 2.117.0 JS `<`): "10" < "9".
 * Versions are ASCII digits, so both orders agree.
 */
export function compareVersions(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface PendingPlan {
  /** Local versions to apply, in apply order. */
  pending: string[];
  /** Remote versions with no local file: the CLI refuses to push (suggests `migration repair`). */
  missingLocal: string[];
  /** Local versions older than the newest remote one and not applied: needs `--include-all`. */
  outOfOrder: string[];
}

/**
 * apply.go FindPendingMigrations + up.go GetPendingMigrations (same algorithm in 2.117.0).
 * `local` in listMigrations order, `remote` as LIST_MIGRATION_VERSION returns them.
 * When missingLocal or (outOfOrder and !includeAll) is non-empty the CLI fails and applies nothing.
 */
export function findPendingMigrations(
  local: readonly string[],
  remote: readonly string[],
  includeAll = false,
): PendingPlan {
  const unapplied: string[] = [];
  const missing: string[] = [];
  let i = 0;
  let j = 0;
  while (i < remote.length && j < local.length) {
    const r = remote[i] as string;
    const l = local[j] as string;
    if (r === l) {
      i++;
      j++;
    } else if (r < l) {
      missing.push(r);
      i++;
    } else {
      unapplied.push(l);
      j++;
    }
  }
  if (j === local.length) missing.push(...remote.slice(i));
  if (missing.length > 0) return { pending: [], missingLocal: missing, outOfOrder: [] };
  if (unapplied.length > 0) {
    if (!includeAll) return { pending: [], missingLocal: [], outOfOrder: unapplied };
    // up.go: append(diff, localMigrations[len(remote)+len(diff):]...)
    return {
      pending: [...unapplied, ...local.slice(remote.length + unapplied.length)],
      missingLocal: [],
      outOfOrder: unapplied,
    };
  }
  return { pending: local.slice(remote.length), missingLocal: [], outOfOrder: [] };
}

// ---- seed files (pkg/migration/file.go NewSeedFile, seed.go) -----------------------------

/**
 * file.go NewSeedFile: hex (lowercase) SHA-256 of the file's raw bytes, no normalisation.
 * The row's path is the config glob match, e.g. "supabase/seed.sql" (forward slashes).
 */
export function seedFileHash(content: Uint8Array | string): string {
  return createHash('sha256').update(content).digest('hex');
}

// ---- 2.117.0 splitter and apply rules: exact ports, limitations included ---------------

/**
 * 2.117.0 `SplitAndTrim` (a line-by-line port of Go's pkg/parser state machine over code
 * points). `splitStatements` is the splitter to use; this port exists to prove both agree on
 * every file the CLI handles, and to recognise history rows the CLI wrote for files it
 * mis-splits (see .tmp/cli-notes.md for its limitations).
 */
export function cliSplitAndTrim(sql: string): string[] {
  const out: string[] = [];
  let state: CliState = new Ready();
  let token = '';
  for (const ch of sql) {
    token += ch;
    const next = state.next(ch, token);
    if (next === null) {
      pushTrimmed(out, token);
      token = '';
      state = new Ready();
    } else state = next;
  }
  if (token.length > 0) pushTrimmed(out, token);
  return out;
}

function pushTrimmed(out: string[], token: string): void {
  const text = token.replace(/;+$/u, '').trim();
  if (text.length > 0) out.push(text);
}

interface CliState {
  next(ch: string, token: string): CliState | null;
}

const isIdentifierChar = (ch: string | undefined) => ch !== undefined && /[\p{L}\p{Nd}_$]/u.test(ch);

function isBeginAtomic(t: string): boolean {
  let n = t.length - 6;
  if (n < 0 || t.slice(n).toUpperCase() !== 'ATOMIC') return false;
  if (n > 0 && isIdentifierChar(t[n - 1])) return false;
  const h = t.slice(0, n).replace(/\s+$/u, '');
  n = h.length - 5;
  if (n < 0 || h.slice(n).toUpperCase() !== 'BEGIN') return false;
  if (n === 0) return true;
  return !isIdentifierChar(h[n - 1]);
}

class Ready implements CliState {
  next(ch: string, token: string): CliState | null {
    switch (ch) {
      case '$':
        return new Tag(token.length - ch.length);
      case "'":
      case '"':
        return new Quote(ch);
      case '-':
        return new Dash();
      case '/':
        return new Block();
      case '\\':
        return new Escape();
      case ';':
        return null;
      case '(':
        return new Atomic(new Ready(), ')');
      case 'c':
      case 'C':
        return isBeginAtomic(token) ? new Atomic(new Ready(), 'END') : this;
      default:
        return this;
    }
  }
}

class Dash implements CliState {
  next(ch: string, token: string): CliState | null {
    return ch === '-' ? new Until('\n') : new Ready().next(ch, token);
  }
}

class Block implements CliState {
  private depth = 0;
  next(ch: string, token: string): CliState | null {
    const w = token.slice(-2);
    if (w === '/*') {
      this.depth += 1;
      return this;
    }
    if (this.depth === 0) return new Ready().next(ch, token);
    if (w === '*/') {
      this.depth -= 1;
      if (this.depth === 0) return new Ready();
    }
    return this;
  }
}

class Quote implements CliState {
  private closed = false;
  constructor(private readonly delimiter: string) {}
  next(ch: string, token: string): CliState | null {
    if (this.closed) {
      if (ch === this.delimiter) {
        this.closed = false;
        return this;
      }
      return new Ready().next(ch, token);
    }
    if (ch === this.delimiter) this.closed = true;
    return this;
  }
}

class Until implements CliState {
  constructor(private readonly delimiter: string) {}
  next(_ch: string, token: string): CliState | null {
    return token.slice(-this.delimiter.length) === this.delimiter ? new Ready() : this;
  }
}

class Tag implements CliState {
  constructor(private readonly offset: number) {}
  next(ch: string, token: string): CliState | null {
    if (ch === '$') return new Until(token.slice(this.offset));
    if (/[\p{L}\p{Nd}_]/u.test(ch)) return this;
    return new Ready().next(ch, token);
  }
}

class Escape implements CliState {
  next(): CliState | null {
    return new Ready();
  }
}

class Atomic implements CliState {
  constructor(
    private prev: CliState,
    private readonly delimiter: string,
  ) {}
  next(ch: string, token: string): CliState | null {
    const h = this.prev.next(ch, token);
    if (h !== null) this.prev = h;
    if (this.prev instanceof Ready) {
      if (token.slice(-this.delimiter.length).toUpperCase() === this.delimiter.toUpperCase()) return new Ready();
    }
    return this;
  }
}

/** 2.117.0: a file whose first line (after a BOM, without \r) is exactly this runs outside any transaction. */
export const NO_TRANSACTION_MARKER = '-- pg-delta: transaction=false';

/**
 * 2.117.0 how a file is applied:
 *  - 'none': NO_TRANSACTION_MARKER first line: each statement on its own (autocommit), then
 *    the history insert;
 *  - 'sequential': a statement is transaction control (`isTransactionControl`): each
 *    statement on its own, then the history insert; on error ROLLBACK;
 *  - 'batched': statements in one implicit transaction (a pipeline with one Sync) ending with
 *    the history insert; a statement matching `isNonTransactional` (CREATE INDEX
 *    CONCURRENTLY ...) flushes the batch so far (without the insert) and runs alone.
 */
export function applyMode(sql: string): 'none' | 'sequential' | 'batched' {
  const body = sql.charCodeAt(0) === 0xfeff ? sql.slice(1) : sql;
  const nl = body.indexOf('\n');
  const first = nl < 0 ? body : body.slice(0, nl);
  if ((first.endsWith('\r') ? first.slice(0, -1) : first) === NO_TRANSACTION_MARKER) return 'none';
  return cliSplitAndTrim(sql).some(isTransactionControl) ? 'sequential' : 'batched';
}

/** 2.117.0: the statement with leading whitespace, BOMs and comments removed (block comments not nested). */
export function stripLeadingComments(statement: string): string {
  const ws = /^[ \t\n\r]+/u;
  let n = statement.replace(ws, '');
  while (n.charCodeAt(0) === 0xfeff) n = n.slice(1).replace(ws, '');
  for (;;) {
    if (n.startsWith('--')) {
      const i = n.indexOf('\n');
      if (i < 0) return '';
      n = n.slice(i + 1).replace(ws, '');
    } else if (n.startsWith('/*')) {
      const i = n.indexOf('*/');
      if (i < 0) return n;
      n = n.slice(i + 2).replace(ws, '');
    } else return n.trim();
  }
}

const NON_TRANSACTIONAL = [
  /^CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY(?:\s|$)/u,
  /^DROP\s+INDEX\s+CONCURRENTLY(?:\s|$)/u,
  /^REINDEX(?:\s|\().*\sCONCURRENTLY(?:\s|$)/u,
  /^VACUUM(?:\s|\(|$)/u,
  /^ALTER\s+SYSTEM(?:\s|$)/u,
  /^CLUSTER(?:\s|$)/u,
];

/** 2.117.0: statements it runs outside the batch because they cannot run in a transaction block. */
export function isNonTransactional(statement: string): boolean {
  const n = stripLeadingComments(statement).toUpperCase();
  return NON_TRANSACTIONAL.some((re) => re.test(n));
}

/** 2.117.0: BEGIN / START TRANSACTION / COMMIT / END / ABORT / PREPARE TRANSACTION / ROLLBACK (not ROLLBACK TO). */
export function isTransactionControl(statement: string): boolean {
  const n = stripLeadingComments(statement).toUpperCase();
  const words = n.split(/\s+/u);
  if (words[0] === 'ROLLBACK') {
    const i = words[1] === 'WORK' || words[1] === 'TRANSACTION' ? 2 : 1;
    return words[i] !== 'TO';
  }
  return /^(?:BEGIN|START\s+TRANSACTION|COMMIT|END|ABORT|PREPARE\s+TRANSACTION)(?:\s|$)/u.test(n);
}

/** 2.117.0: statements after which a stepped-down session runs SET_SESSION_ROLE again. */
export function isRoleReset(statement: string): boolean {
  const n = stripLeadingComments(statement);
  return (
    /^(?:RESET\s+ROLE|RESET\s+SESSION\s+AUTHORIZATION|SET\s+(?:SESSION\s+)?ROLE(?:\s+TO\s+|\s*=\s*|\s+)(?:NONE|DEFAULT)|SET\s+SESSION\s+AUTHORIZATION\s+DEFAULT|DISCARD\s+ALL)(?:\s|;|$)/u.test(
      n.toUpperCase(),
    ) || /^SET\s+(?:SESSION\s+)?ROLE(?:\s+TO\s+|\s*=\s*|\s+)(['"])(.*?)\1(?:\s|;|$)/iu.exec(n)?.[2] === 'none'
  );
}

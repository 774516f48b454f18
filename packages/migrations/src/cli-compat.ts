// What the Supabase CLI writes and expects, mirrored so that a database migrated by either
// tool is up to date for the other. Two sources, which agree on everything stored:
//  - the Go CLI (all 2.x up to the TypeScript port), in the github.com/supabase/cli repository:
//    pkg/migration/{history,file,list,apply,seed}.go, internal/migration/up/up.go and
//    pkg/parser/{token,state}.go, under apps/cli-go/ in its newer layout (each rule below names
//    its file);
//  - npm supabase@2.117.0 (the pinned interop version): its `db push`, `migration up|repair`
//    run a TypeScript port bundled in @supabase/cli-linux-x64/bin/supabase. Where the two
//    differ, this file follows 2.117.0 and says so.
// The CLI's own splitter is ported only for the tests (test/supabase-cli-port.ts): run-migrations
// splits with src/splitter.ts.

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

// ---- 2.117.0 apply rules: which statements cannot run in a transaction, or control one ------

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

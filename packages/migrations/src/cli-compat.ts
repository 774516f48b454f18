// What the Supabase CLI (github.com/supabase/cli, Go code under apps/cli-go/, which the npm
// `supabase` 2.x binary runs for `db push`) writes and expects, mirrored so that a database
// migrated by either tool is up to date for the other.

import { createHash } from 'node:crypto';
import { cliTrim, isGoSpace } from './splitter';

// ---- pkg/migration/history.go -------------------------------------------------------------

/** history.go SET_LOCK_TIMEOUT: sent before creating the history table (not before migrations). */
export const SET_LOCK_TIMEOUT = "SET lock_timeout = '4s'";
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
 * history.go CreateMigrationTable: one implicit transaction (a pgconn batch), in this order.
 * The CLI runs it once before the first pending migration.
 */
export const CREATE_MIGRATION_TABLE_BATCH: readonly string[] = [
  SET_LOCK_TIMEOUT,
  CREATE_VERSION_SCHEMA,
  CREATE_VERSION_TABLE,
  ADD_STATEMENTS_COLUMN,
  ADD_NAME_COLUMN,
];

/** history.go CreateSeedTable: one implicit transaction, in this order. */
export const CREATE_SEED_TABLE_BATCH: readonly string[] = [SET_LOCK_TIMEOUT, CREATE_VERSION_SCHEMA, CREATE_SEED_TABLE];

/** apply.go ApplyMigrations: sent (own statement, outside the batch) before every file. */
export const RESET_ALL = 'RESET ALL';

// ---- pkg/migration/file.go, list.go ------------------------------------------------------

/** file.go migrateFilePattern `^([0-9]+)_(.*)\.sql$` (Go's `.` matches everything but \n). */
export const MIGRATE_FILE_PATTERN = /^([0-9]+)_([^\n]*)\.sql$/;

/** list.go skip message for names that do not match MIGRATE_FILE_PATTERN. */
export const SKIP_PATTERN_REASON = 'file name must match pattern "<timestamp>_name.sql"';
/** list.go skip message for a legacy `<timestamp>_init.sql` first file. */
export const SKIP_INIT_REASON = 'replace "init" with a different file name to apply this migration';

/**
 * list.go shouldSkip: a first directory entry `<14 digits>_init.sql` older than 20211209000000
 * is skipped (schema dumps of CLI versions before Dec 2021). Go's regexp here is unanchored.
 */
export function isLegacyInitFile(name: string): boolean {
  const m = /([0-9]{14})_init\.sql/.exec(name);
  return m !== null && Number(m[1]) < 20211209000000;
}

/**
 * apply.go FindPendingMigrations compares versions as Go strings (byte order): "10" < "9".
 * Versions are ASCII digits, so JS string order is the same.
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
 * apply.go FindPendingMigrations + internal/migration/up GetPendingMigrations, on versions.
 * `local` in file-name order (listMigrations), `remote` as LIST_MIGRATION_VERSION returns them.
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

// ---- pkg/parser (token.go, state.go): an exact port, bugs included -----------------------

/**
 * The CLI's `parser.SplitAndTrim`, byte for byte, including its limitations (see
 * .tmp/cli-notes.md): `splitStatements` is the splitter to use; this port exists to check
 * that both agree and to recognise history rows the CLI wrote for files it mis-splits.
 */
export function cliSplitAndTrim(sql: string | Uint8Array): string[] {
  const data = typeof sql === 'string' ? Buffer.from(sql, 'utf8') : Buffer.from(sql);
  const out: string[] = [];
  let state: CliState = ready;
  let tokenStart = 0;
  const push = (end: number) => {
    const { text } = cliTrim(data.subarray(tokenStart, end).toString('utf8'));
    if (text.length > 0) out.push(text);
    tokenStart = end;
  };
  // token.go ScanToken steps one byte at a time (the rune width is shadowed) and decodes a
  // rune at every offset: continuation bytes read as U+FFFD.
  for (let pos = 0; pos < data.length; pos++) {
    const { rune, width } = decodeRune(data, pos);
    const end = Math.min(pos + width, data.length);
    const tok = { data, start: tokenStart, end };
    const next = state.next(rune, tok);
    if (next === null) {
      push(end);
      state = ready;
      pos = end - 1;
    } else state = next;
  }
  if (tokenStart < data.length) push(data.length);
  return out;
}

interface Tok {
  data: Buffer;
  start: number; // token start in data
  end: number; // exclusive: the token so far, including the current rune
}
interface CliState {
  next(r: number, t: Tok): CliState | null;
}

const tokLen = (t: Tok) => t.end - t.start;
const tail = (t: Tok, len: number) => (tokLen(t) >= len ? t.data.toString('latin1', t.end - len, t.end) : null);
const isLetter = (r: number) => r >= 0 && /\p{L}/u.test(String.fromCodePoint(r));
const isGoDigit = (r: number) => r >= 0 && /\p{Nd}/u.test(String.fromCodePoint(r));
const isIdentifierRune = (r: number) => isLetter(r) || isGoDigit(r) || r === 95 || r === 36;

const ready: CliState = {
  next(r, t) {
    switch (r) {
      case 36: // $
        return tagState(t.end - 1);
      case 39: // '
      case 34: // "
        return quoteState(r);
      case 45: // -
        return commentState;
      case 47: // /
        return blockState();
      case 92: // \
        return escapeState;
      case 59: // ;
        return null;
      case 40: // (
        return atomicState(ready, ')');
      case 99: // c
      case 67: // C
        if (isBeginAtomic(t)) return atomicState(ready, 'END');
    }
    return ready;
  },
};

// state.go isBeginAtomic: token ends with ATOMIC, preceded by whitespace and a BEGIN word.
function isBeginAtomic(t: Tok): boolean {
  const w = tail(t, 6);
  if (w === null || w.toUpperCase() !== 'ATOMIC') return false;
  let off = t.end - 6;
  if (off > t.start && isIdentifierRune(decodeLastRune(t.data, t.start, off))) return false;
  // bytes.TrimRightFunc(data[:offset], unicode.IsSpace)
  while (off > t.start) {
    const r = decodeLastRune(t.data, t.start, off);
    if (!isGoSpace(r)) break;
    off -= runeLen(t.data, t.start, off);
  }
  if (off - t.start < 5) return false;
  if (t.data.toString('latin1', off - 5, off).toUpperCase() !== 'BEGIN') return false;
  if (off - 5 === t.start) return true;
  return !isIdentifierRune(decodeLastRune(t.data, t.start, off - 5));
}

const commentState: CliState = {
  next(r, t) {
    if (r === 45) return dollarState('\n');
    return ready.next(r, t);
  },
};

function blockState(): CliState {
  let depth = 0;
  const self: CliState = {
    next(r, t) {
      const w = tail(t, 2);
      if (w === '/*') {
        depth++;
        return self;
      }
      if (depth === 0) return ready.next(r, t);
      if (w === '*/') {
        depth--;
        if (depth === 0) return ready;
      }
      return self;
    },
  };
  return self;
}

function quoteState(delimiter: number): CliState {
  let closed = false;
  const self: CliState = {
    next(r, t) {
      if (closed) {
        if (r === delimiter) {
          closed = false;
          return self;
        }
        return ready.next(r, t);
      }
      if (r === delimiter) closed = true;
      return self;
    },
  };
  return self;
}

function dollarState(delimiter: string): CliState {
  const self: CliState = {
    next(_r, t) {
      return tail(t, Buffer.byteLength(delimiter, 'latin1')) === delimiter ? ready : self;
    },
  };
  return self;
}

function tagState(offset: number): CliState {
  const self: CliState = {
    next(r, t) {
      if (r === 36) return dollarState(t.data.toString('latin1', offset, t.end));
      if (isLetter(r) || isGoDigit(r) || r === 95) return self;
      return ready.next(r, t);
    },
  };
  return self;
}

const escapeState: CliState = { next: () => ready };

function atomicState(prev0: CliState, delimiter: string): CliState {
  let prev: CliState = prev0;
  const self: CliState = {
    next(r, t) {
      const curr = prev.next(r, t);
      if (curr !== null) prev = curr;
      if (prev === ready) {
        const w = tail(t, delimiter.length);
        if (w !== null && w.toUpperCase() === delimiter.toUpperCase()) return ready;
      }
      return self;
    },
  };
  return self;
}

// Go's utf8.DecodeRune: invalid or truncated sequences decode as U+FFFD with width 1.
function decodeRune(b: Buffer, i: number): { rune: number; width: number } {
  const c = b[i] as number;
  if (c < 0x80) return { rune: c, width: 1 };
  const need = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
  if (need === 0 || c > 0xf4 || i + need > b.length) return { rune: 0xfffd, width: 1 };
  const s = b.toString('utf8', i, i + need);
  const cp = s.codePointAt(0) as number;
  const literalFffd = need === 3 && c === 0xef && b[i + 1] === 0xbf && b[i + 2] === 0xbd;
  if ((cp === 0xfffd && !literalFffd) || String.fromCodePoint(cp).length !== s.length) {
    return { rune: 0xfffd, width: 1 };
  }
  return { rune: cp, width: need };
}

function runeLen(b: Buffer, start: number, end: number): number {
  for (let w = 1; w <= 4 && end - w >= start; w++) {
    const c = b[end - w] as number;
    if ((c & 0xc0) !== 0x80) {
      return decodeRune(b, end - w).width === w ? w : 1;
    }
  }
  return 1;
}

function decodeLastRune(b: Buffer, start: number, end: number): number {
  if (end <= start) return 0xfffd;
  const w = runeLen(b, start, end);
  return w === 1 ? decodeRune(b, end - 1).rune : decodeRune(b, end - w).rune;
}

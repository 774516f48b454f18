// Splits a migration file into the statements `supabase db push` would send and store.
//
// Boundaries come from a PostgreSQL-aware lexer (the rules psql's psqlscan.l uses): quotes,
// E'' strings, quoted identifiers, dollar quotes, nested comments, parentheses and
// BEGIN ... END bodies of CREATE FUNCTION/PROCEDURE. The stored text follows the Supabase CLI
// (Go pkg/parser/token.go `SplitAndTrim`, ported as-is to TypeScript in supabase@2.117.0):
// a statement runs from just after the previous `;` to its own `;`, so comments before it
// belong to it; trailing `;` are cut, then the text is trimmed; empty results are dropped,
// comment-only ones are kept. For every file the CLI splits correctly the texts are
// byte-identical (tests compare with the CLI's splitter ported in test/supabase-cli-port.ts
// and with what a real `supabase db push` stored).

export interface Statement {
  /** Exactly what the Supabase CLI stores in schema_migrations.statements. */
  text: string;
  /** Offset (UTF-16 index into the file text) of the statement's first non-space char. */
  start: number;
  /** 1-based line of `start`. */
  line: number;
  /** Offset of the first char that is neither whitespace nor comment (= start if none). */
  codeStart: number;
  /** 1-based line of `codeStart`: where an annotation for this statement should point. */
  codeLine: number;
  /** Only comments: the server answers an empty query. The CLI still sends and stores it. */
  commentOnly: boolean;
}

/** Base class of every error the splitter throws; `line` is 1-based in the file. */
export class SqlSplitError extends Error {
  file?: string;
  constructor(
    readonly detail: string,
    readonly line: number,
  ) {
    super(`${detail}`);
    this.name = 'SqlSplitError';
  }
  /** Prefixes the message with the file, once the caller knows it. */
  withFile(file: string): this {
    this.file = file;
    this.message = `${file}: ${this.detail}`;
    return this;
  }
}

export class MetaCommandError extends SqlSplitError {
  constructor(
    readonly command: string,
    line: number,
  ) {
    super(
      `psql meta-command ${command} at line ${line} is not SQL: run-migrations sends statements to the server; inline the file or use SQL`,
      line,
    );
    this.name = 'MetaCommandError';
  }
}

export class UnterminatedError extends SqlSplitError {
  constructor(
    readonly what: string,
    line: number,
  ) {
    super(`${what} opened at line ${line} is never closed: close it or remove it`, line);
    this.name = 'UnterminatedError';
  }
}

/** 1-based line number of a UTF-16 offset. */
export function lineAt(sql: string, offset: number): number {
  let line = 1;
  const end = Math.min(offset, sql.length);
  for (let i = 0; i < end; i++) if (sql.charCodeAt(i) === 10) line++;
  return line;
}

/** Line numbers for increasing offsets in O(file) total (big dumps have many statements). */
function lineCounter(sql: string) {
  let pos = 0;
  let line = 1;
  return {
    at(offset: number): number {
      if (offset < pos) {
        pos = 0;
        line = 1;
      }
      for (; pos < offset; pos++) if (sql.charCodeAt(pos) === 10) line++;
      return line;
    },
  };
}

/**
 * The CLI's per-statement transform: cut trailing `;`, then trim. 2.117.0 uses JS `trim()`
 * (Go's strings.TrimSpace differs only on U+0085, kept, and U+FEFF, trimmed by JS).
 */
export function cliTrim(token: string): { text: string; lead: number } {
  const cut = token.replace(/;+$/u, '');
  const text = cut.trim();
  return { text, lead: cut.length - cut.trimStart().length };
}

const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 0x80;
const isIdentCont = (c: number) => isIdentStart(c) || (c >= 48 && c <= 57) || c === 36; /* $ */
const isDigit = (c: number) => c >= 48 && c <= 57;
// Whitespace the PostgreSQL lexer skips between tokens (plus BOM, see splitStatements).
const isSqlSpace = (c: number) => c === 32 || (c >= 9 && c <= 13) || c === 0xfeff;

/**
 * Splits `sql` into statements. Throws MetaCommandError for a backslash outside strings
 * and comments (psql meta-commands such as \i, \set, \copy), UnterminatedError for a quote,
 * dollar quote or block comment that never closes (the server would reject those too).
 */
export function splitStatements(sql: string): Statement[] {
  const out: Statement[] = [];
  const n = sql.length;
  // BOMs: the CLI trims them off statements (JS trim); PostgreSQL would reject them.
  let i = sql.charCodeAt(0) === 0xfeff ? 1 : 0;

  const lines = lineCounter(sql);
  let tokenStart = i;
  let codeStart = -1;
  let parenDepth = 0;
  let beginDepth = 0;
  // psql's CREATE [OR REPLACE] FUNCTION|PROCEDURE detection: first letters of the first words.
  let words: string[] = [];
  let wordCount = 0;

  const emit = (end: number) => {
    const raw = sql.slice(tokenStart, end);
    const { text, lead } = cliTrim(raw);
    if (text.length > 0) {
      const start = tokenStart + lead;
      const line = lines.at(start);
      const cs = codeStart >= 0 ? codeStart : start;
      out.push({
        text,
        start,
        line,
        codeStart: cs,
        codeLine: lines.at(cs),
        commentOnly: codeStart < 0,
      });
    }
    tokenStart = end;
    codeStart = -1;
    parenDepth = 0;
    beginDepth = 0;
    words = [];
    wordCount = 0;
  };
  const code = (at: number) => {
    if (codeStart < 0) codeStart = at;
  };
  const inRoutine = () =>
    words[0] === 'c' &&
    (words[1] === 'f' ||
      words[1] === 'p' ||
      (words[1] === 'o' && words[2] === 'r' && (words[3] === 'f' || words[3] === 'p')));

  while (i < n) {
    const c = sql.charCodeAt(i);
    const next = i + 1 < n ? sql.charCodeAt(i + 1) : -1;

    if (isSqlSpace(c)) {
      i++;
      continue;
    }
    // -- line comment, to end of line
    if (c === 45 && next === 45) {
      const nl = sql.indexOf('\n', i + 2);
      i = nl < 0 ? n : nl;
      continue;
    }
    // /* block comment */, nested
    if (c === 47 && next === 42) {
      const open = i;
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        const a = sql.charCodeAt(i);
        const b = i + 1 < n ? sql.charCodeAt(i + 1) : -1;
        if (a === 47 && b === 42) {
          depth++;
          i += 2;
        } else if (a === 42 && b === 47) {
          depth--;
          i += 2;
        } else i++;
      }
      if (depth > 0) throw new UnterminatedError('block comment /*', lineAt(sql, open));
      continue;
    }
    if (c === 59 /* ; */ && parenDepth === 0 && beginDepth === 0) {
      emit(i + 1);
      i++;
      continue;
    }
    code(i);
    if (c === 39 /* ' */) {
      i = skipQuoted(sql, i, 39, false);
      continue;
    }
    if (c === 34 /* " */) {
      i = skipQuoted(sql, i, 34, false);
      continue;
    }
    if (c === 36 /* $ */) {
      if (isDigit(next)) {
        // $1 positional parameter
        i++;
        while (i < n && isDigit(sql.charCodeAt(i))) i++;
        continue;
      }
      const tag = dollarTagAt(sql, i);
      if (tag) {
        const close = sql.indexOf(tag, i + tag.length);
        if (close < 0) throw new UnterminatedError(`dollar-quoted string ${tag}`, lineAt(sql, i));
        i = close + tag.length;
        continue;
      }
      i++;
      continue;
    }
    if (c === 92 /* \ */) {
      // the command is the letters after the backslash (\i, \set, \copy), else one char (\!)
      let j = i + 1;
      while (j < n && /[A-Za-z]/.test(sql.charAt(j))) j++;
      if (j === i + 1 && j < n && !isSqlSpace(sql.charCodeAt(j))) j++;
      throw new MetaCommandError(sql.slice(i, j), lines.at(i));
    }
    if (isDigit(c)) {
      // numbers never contain $ (so `1$$` starts a dollar quote, as in PostgreSQL)
      i++;
      while (i < n) {
        const d = sql.charCodeAt(i);
        if (isDigit(d) || (d >= 65 && d <= 90) || (d >= 97 && d <= 122) || d === 95 || d === 46) i++;
        else break;
      }
      continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentCont(sql.charCodeAt(j))) j++;
      const word = sql.slice(i, j);
      // E'...' string: backslash escapes apply
      if ((word === 'E' || word === 'e') && sql.charCodeAt(j) === 39) {
        i = skipQuoted(sql, j, 39, true);
        continue;
      }
      const lower = word.toLowerCase();
      if (
        lower === 'create' ||
        lower === 'function' ||
        lower === 'procedure' ||
        lower === 'or' ||
        lower === 'replace'
      ) {
        if (wordCount < 4) words[wordCount] = lower[0] as string;
      }
      wordCount++;
      if (parenDepth === 0 && inRoutine()) {
        if (lower === 'begin') beginDepth++;
        else if (lower === 'case') {
          // CASE also ends with END; it only matters inside a BEGIN body
          if (beginDepth >= 1) beginDepth++;
        } else if (lower === 'end' && beginDepth > 0) beginDepth--;
      }
      i = j;
      continue;
    }
    if (c === 40 /* ( */) parenDepth++;
    else if (c === 41 /* ) */ && parenDepth > 0) parenDepth--;
    i++;
  }
  if (tokenStart < n) emit(n);
  return out;
}

/** Returns the index just past the closing quote. `backslash`: E'' string rules. */
function skipQuoted(sql: string, open: number, quote: number, backslash: boolean): number {
  const n = sql.length;
  let i = open + 1;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (backslash && c === 92) {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (sql.charCodeAt(i + 1) === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  const what = quote === 34 ? 'quoted identifier "' : backslash ? "escape string E'" : "string literal '";
  throw new UnterminatedError(what, lineAt(sql, open));
}

/** `$tag$` or `$$` starting at `i`, per PostgreSQL's dolqdelim; null if none. */
function dollarTagAt(sql: string, i: number): string | null {
  const n = sql.length;
  let j = i + 1;
  if (j < n && sql.charCodeAt(j) === 36) return '$$';
  if (j >= n || !isIdentStart(sql.charCodeAt(j))) return null;
  j++;
  while (j < n) {
    const c = sql.charCodeAt(j);
    if (c === 36) return sql.slice(i, j + 1);
    // tag chars: identifier chars without $
    if (isIdentStart(c) || isDigit(c)) j++;
    else return null;
  }
  return null;
}

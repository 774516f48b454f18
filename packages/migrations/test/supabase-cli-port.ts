// The Supabase CLI's statement splitter and the rules it applies files by, as supabase@2.117.0 runs
// them (a line-by-line TypeScript port of the Go CLI), ported again here as the reference the
// tests compare with. run-migrations has one splitter, src/splitter.ts; splitter.test.ts checks
// that it stores exactly what this one does for every file the CLI splits correctly.
// The Go original is in the github.com/supabase/cli repository: pkg/parser/token.go
// (SplitAndTrim) and pkg/parser/state.go (the states below), under apps/cli-go/ in its newer
// layout; pkg/migration/apply.go for how files are applied.
import { isTransactionControl, stripLeadingComments } from '../src/cli-compat';

/** apply.go ApplyMigrations / 2.117.0: sent on its own before every migration file. */
export const RESET_ALL = 'RESET ALL';

/**
 * 2.117.0 step-down: a remote login as supabase_admin or cli_login_* runs this right after
 * connecting, and again after any statement matching `isRoleReset` (utils/connect.go in Go).
 */
export const SET_SESSION_ROLE = 'SET SESSION ROLE postgres';

/**
 * 2.117.0 `SplitAndTrim`, limitations included (splitter.test.ts pins them): a quote ends at the
 * next quote character, so E'it\'s' ends at the backslash-escaped quote, and a BEGIN ATOMIC body
 * ends at its first END, even one that closes a CASE.
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

/** 2.117.0: statements after which a stepped-down session runs SET_SESSION_ROLE again. */
export function isRoleReset(statement: string): boolean {
  const n = stripLeadingComments(statement);
  return (
    /^(?:RESET\s+ROLE|RESET\s+SESSION\s+AUTHORIZATION|SET\s+(?:SESSION\s+)?ROLE(?:\s+TO\s+|\s*=\s*|\s+)(?:NONE|DEFAULT)|SET\s+SESSION\s+AUTHORIZATION\s+DEFAULT|DISCARD\s+ALL)(?:\s|;|$)/u.test(
      n.toUpperCase(),
    ) || /^SET\s+(?:SESSION\s+)?ROLE(?:\s+TO\s+|\s*=\s*|\s+)(['"])(.*?)\1(?:\s|;|$)/iu.exec(n)?.[2] === 'none'
  );
}

// Running statements and turning a refusal into an error at the file and line to change.
import type pg from 'pg';
import { describePgError, isPgError, StatementError } from './errors';
import { lineAt, type Statement } from './splitter';

/** What the server refuses to run inside a transaction block. */
const NON_TRANSACTIONAL =
  /^(create\s+(unique\s+)?index\s+concurrently|drop\s+index\s+concurrently|reindex\s+(\(.*?\)\s*)?(\w+\s+)?concurrently|reindex\s+(\(.*?\)\s*)?(database|system)|alter\s+system|vacuum|create\s+database|drop\s+database|create\s+tablespace|drop\s+tablespace|alter\s+table\s+.+\s+detach\s+partition\s+.+\s+concurrently|cluster\s*$|create\s+subscription|drop\s+subscription|alter\s+subscription\s+\S+\s+(refresh|enable|disable))/is;
const LEADING_COMMENTS = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/;

export function codeOf(statement: Statement): string {
  return statement.text.replace(LEADING_COMMENTS, '');
}

export function needsNoTransaction(statement: Statement): boolean {
  return NON_TRANSACTIONAL.test(codeOf(statement));
}

export interface SqlSource {
  /** The path a user sees and an annotation points at. */
  file: string;
  sql: string;
}

/** Sends one statement; a refusal becomes a StatementError at the exact line Postgres points to. */
export async function runStatement(client: pg.Client, source: SqlSource, statement: Statement): Promise<void> {
  // Comment-only statements are stored like the CLI stores them, but there is nothing to send.
  if (statement.commentOnly) return;
  try {
    await client.query(statement.text);
  } catch (err) {
    throw locateError(err, source, statement);
  }
}

export function locateError(err: unknown, source: SqlSource, statement: Statement): Error {
  if (!isPgError(err)) return err as Error;
  const position = Number(err.position);
  // position is 1-based in the text sent, which is the file's text from statement.start.
  const line = position > 0 ? lineAt(source.sql, statement.start + position - 1) : statement.codeLine;
  return new StatementError(
    `${source.file}:${line}: ${describePgError(err)}`,
    { file: source.file, line, title: err.code },
    err.code,
  );
}

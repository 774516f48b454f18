// Running SQL and turning a refusal into an error at the file and line to change.
import pg from 'pg';
import { isNonTransactional, isTransactionControl, stripLeadingComments } from './cli-compat';
import { describePgError, isPgError, StatementError } from './errors';
import { lineAt, type Statement } from './splitter';

// Beyond the CLI's list (cli-compat isNonTransactional): more that Postgres refuses in a transaction block.
const ALSO_NON_TRANSACTIONAL =
  /^(create\s+database|drop\s+database|create\s+tablespace|drop\s+tablespace|reindex\s+(\(.*?\)\s*)?(database|system)\s|alter\s+table\s+.+\s+detach\s+partition\s+.+\s+concurrently|create\s+subscription|drop\s+subscription|alter\s+subscription\s+\S+\s+(refresh|enable|disable))/is;

export const codeOf = (statement: Statement): string => stripLeadingComments(statement.text);

export const needsNoTransaction = (statement: Statement): boolean =>
  isNonTransactional(statement.text) || ALSO_NON_TRANSACTIONAL.test(codeOf(statement));

/** A file that opens or ends transactions itself runs statement by statement, as the CLI runs it. */
export const managesOwnTransaction = (statements: Statement[]): boolean =>
  statements.some((s) => isTransactionControl(s.text));

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
    throw locateError(err, source, statement, statement.start);
  }
}

/** Counts the statements the server completed, to name the one that failed when the error has no position. */
class CountingQuery extends pg.Query {
  completed = 0;
  handleCommandComplete(msg: unknown, connection: unknown): void {
    this.completed++;
    (
      pg.Query.prototype as unknown as { handleCommandComplete(m: unknown, c: unknown): void }
    ).handleCommandComplete.call(this, msg, connection);
  }
}

/**
 * Runs `prefix` (control statements, each completing once) and then every statement of `source` in
 * one round trip, as one simple query: the file's own text from its first statement on, so an error
 * position maps straight back to the file. Without a position, the count of completed statements
 * names the failing one.
 */
export async function runScript(
  client: pg.Client,
  source: SqlSource,
  statements: Statement[],
  prefix: string[],
): Promise<void> {
  const executable = statements.filter((s) => !s.commentOnly);
  if (executable.length === 0) {
    if (prefix.length) await client.query(prefix.join('; '));
    return;
  }
  const from = statements[0]!.start;
  const head = prefix.length ? `${prefix.join('; ')};\n` : '';
  // A newline first: the file may end inside a line comment.
  const text = `${head}${source.sql.slice(from)}\n;`;
  const query = new CountingQuery(text);
  try {
    await new Promise<void>((resolve, reject) => {
      query.on('end', () => resolve());
      query.on('error', reject);
      client.query(query);
    });
  } catch (err) {
    const failing = executable[Math.min(Math.max(query.completed - prefix.length, 0), executable.length - 1)]!;
    throw locateError(err, source, failing, from - head.length);
  }
}

/** `base` is the file offset of the sent text's first character (negative when a prefix came first). */
export function locateError(err: unknown, source: SqlSource, statement: Statement, base: number): Error {
  if (!isPgError(err)) return err as Error;
  const position = Number(err.position);
  const line = position > 0 ? lineAt(source.sql, base + position - 1) : statement.codeLine;
  return new StatementError(
    `${source.file}:${line}: ${describePgError(err)}`,
    { file: source.file, line, title: err.code },
    err.code,
  );
}

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

/** What surrounds a script in its one round trip: statements before it and after it, each completing once. */
export interface ScriptFrame {
  prefix: string[];
  suffix: string[];
  /** What the suffix does, for an error in it: "record 001 in the migration history". */
  suffixPurpose?: string;
}

/**
 * Runs `prefix`, every statement of `source`, then `suffix`, in one round trip as one simple query:
 * the file's own text from its first statement on, so an error position maps straight back to the
 * file. Without a position, the count of completed statements names the failing one.
 */
export async function runScript(
  client: pg.Client,
  source: SqlSource,
  statements: Statement[],
  frame: ScriptFrame,
): Promise<void> {
  const executable = statements.filter((s) => !s.commentOnly);
  const from = statements[0]?.start ?? 0;
  const head = frame.prefix.length ? `${frame.prefix.join('; ')};\n` : '';
  // The file's text ends on a new line: it may end inside a line comment.
  const body = executable.length ? `${source.sql.slice(from)}\n;` : '';
  const tail = frame.suffix.length ? `\n${frame.suffix.join('; ')}` : '';
  const query = new CountingQuery(`${head}${body}${tail}`);
  try {
    await new Promise<void>((resolve, reject) => {
      query.on('end', () => resolve());
      query.on('error', reject);
      client.query(query);
    });
  } catch (err) {
    const index = query.completed - frame.prefix.length;
    if (index >= executable.length && isPgError(err))
      throw new StatementError(
        `${source.file}: could not ${frame.suffixPurpose ?? 'finish'}: ${describePgError(err)}`,
        { file: source.file, line: executable.at(-1)?.codeLine ?? 1, title: err.code },
        err.code,
      );
    throw locateError(err, source, executable[Math.max(index, 0)] ?? statements[0]!, from - head.length);
  }
}

/** The CLI's parameterised SQL with its $n parameters written as literals, to travel in a simple query. */
export function inlineParams(client: pg.Client, sql: string, params: (string | string[])[]): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => {
    const value = params[Number(n) - 1]!;
    if (!Array.isArray(value)) return client.escapeLiteral(value);
    return value.length ? `ARRAY[${value.map((v) => client.escapeLiteral(v)).join(', ')}]::text[]` : `'{}'::text[]`;
  });
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

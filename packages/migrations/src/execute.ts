// Running SQL and turning a refusal into an error at the file and line to change.

import { SUPABASE_POSTGRES_IMAGE } from '@wingman/supabase-platform';
import pg from 'pg';
import { isNonTransactional, isTransactionControl, stripLeadingComments } from './cli-compat';
import { describePgError, isPgError, type PgErrorFields, StatementError } from './errors';
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
  constructor(
    text: string,
    private readonly onCompleted?: (completed: number) => void,
  ) {
    super(text);
  }
  handleCommandComplete(msg: unknown, connection: unknown): void {
    this.completed++;
    this.onCompleted?.(this.completed);
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

export interface Script {
  source: SqlSource;
  statements: Statement[];
  frame: ScriptFrame;
}

/** A script's text as sent, and how to read an error in it back to its file. */
function framed({ source, statements, frame }: Script) {
  const executable = statements.filter((s) => !s.commentOnly);
  const from = statements[0]?.start ?? 0;
  const head = frame.prefix.length ? `${frame.prefix.join('; ')};\n` : '';
  // The file's text ends on a new line: it may end inside a line comment.
  const body = executable.length ? `${source.sql.slice(from)}\n;` : '';
  const tail = frame.suffix.length ? `\n${frame.suffix.join('; ')}` : '';
  return {
    text: `${head}${body}${tail}`,
    executable,
    from,
    head,
    commands: frame.prefix.length + executable.length + frame.suffix.length,
  };
}

/** The error of a failed runScripts: the located error, and which script it stopped in. */
export class ScriptsError extends Error {
  constructor(
    readonly located: Error,
    readonly index: number,
    readonly pgError: unknown,
  ) {
    super(located.message);
  }
}

/**
 * Runs the scripts in order in one round trip as one simple query: each is its prefix, every statement
 * of its source (the file's own text from its first statement on, so an error position maps straight
 * back to the file), then its suffix. `onDone(i)` is called as script i's last statement completes.
 * The server stops at the first error: the scripts before it ran whole, and a ScriptsError names the
 * failing one with its error at the file and line to change (without a position, the count of
 * completed statements names the statement).
 */
export async function runScripts(
  client: pg.Client,
  scripts: Script[],
  onDone?: (index: number) => void,
): Promise<void> {
  const parts = scripts.map(framed);
  const ends: number[] = [];
  for (const p of parts) ends.push((ends.at(-1) ?? 0) + p.commands);
  let next = 0;
  const query = new CountingQuery(
    parts.map((p) => p.text).join(';\n'),
    onDone &&
      ((completed) => {
        while (next < ends.length && completed >= ends[next]!) onDone(next++);
      }),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      query.on('end', () => resolve());
      query.on('error', reject);
      client.query(query);
    });
  } catch (err) {
    let k = 0;
    while (k < parts.length - 1 && query.completed >= ends[k]!) k++;
    const { source, statements, frame } = scripts[k]!;
    const { executable, from, head } = parts[k]!;
    const offset = parts.slice(0, k).reduce((n, p) => n + p.text.length + 2, 0);
    const index = query.completed - (k ? ends[k - 1]! : 0) - frame.prefix.length;
    const located =
      index >= executable.length && isPgError(err)
        ? new StatementError(
            `${source.file}: could not ${frame.suffixPurpose ?? 'finish'}: ${describePgError(err)}`,
            { file: source.file, line: executable.at(-1)?.codeLine ?? 1, title: err.code },
            err.code,
          )
        : locateError(err, source, executable[Math.max(index, 0)] ?? statements[0]!, from - head.length - offset);
    throw new ScriptsError(located, k, err);
  }
}

/** One script in its own round trip (see runScripts); throws the located error itself. */
export async function runScript(
  client: pg.Client,
  source: SqlSource,
  statements: Statement[],
  frame: ScriptFrame,
): Promise<void> {
  try {
    await runScripts(client, [{ source, statements, frame }]);
  } catch (err) {
    throw err instanceof ScriptsError ? err.located : err;
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

/**
 * A compiled extension (vector, pg_net, http, pg_graphql …) the server lacks: say which, and where it
 * is. PostgreSQL 16+ reports 0A000 "extension "x" is not available"; older ones 58P01 on the control file.
 */
function missingExtensionAdvice(err: PgErrorFields): string {
  const name =
    (err.code === '0A000' && /^extension "([^"]+)" is not available/.exec(err.message)?.[1]) ||
    (err.code === '58P01' && /extension control file ".*\/([^/"]+)\.control"/.exec(err.message)?.[1]);
  if (!name) return '';
  return ` — the extension ${name} is not installed on this server: Supabase projects have it; rehearse on Supabase's own image (${SUPABASE_POSTGRES_IMAGE}, the preview workflow's postgres-image default) or install ${name} on the server`;
}

/** `base` is the file offset of the sent text's first character (negative when a prefix came first). */
export function locateError(err: unknown, source: SqlSource, statement: Statement, base: number): Error {
  if (!isPgError(err)) return err as Error;
  const position = Number(err.position);
  const line = position > 0 ? lineAt(source.sql, base + position - 1) : statement.codeLine;
  return new StatementError(
    `${source.file}:${line}: ${describePgError(err)}${missingExtensionAdvice(err)}`,
    { file: source.file, line, title: err.code },
    err.code,
  );
}

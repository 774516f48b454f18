// A configuration file in the repository (YAML, or JSON, which is YAML), validated with a zod schema; a
// mistake is reported as "<file>:<line>: <path>: <what was expected>" at the line of the value at fault.
import { type Document, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';

export class StructuredFileError extends Error {
  override name = 'StructuredFileError';
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

export interface StructuredFile<T> {
  value: T;
  /** The line a path's value starts on (the deepest part of the path that exists), 1-based. */
  lineOf(path: (string | number)[]): number;
}

export function parseStructuredFile<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  format = 'YAML',
): StructuredFile<z.infer<S>> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length) {
    const line = lineCounter.linePos(doc.errors[0]!.pos[0]).line;
    throw new StructuredFileError(
      `${file}:${line}: not valid ${format} (${doc.errors[0]!.message.split('\n')[0]})`,
      file,
      line,
    );
  }
  const lineOf = (path: (string | number)[]) => lineAt(doc, lineCounter, path);
  const parsed = schema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
    const line = lineOf(path);
    throw new StructuredFileError(
      `${file}:${line}: ${path.join('.') || 'the top level'}: ${issue.message}`,
      file,
      line,
    );
  }
  return { value: parsed.data, lineOf };
}

function lineAt(doc: Document, lineCounter: LineCounter, path: (string | number)[]): number {
  for (let n = path.length; n >= 0; n--) {
    // A mapping's key starts the line a person reads as the entry's; a value node may start after it.
    const parent =
      n > 0
        ? (doc.getIn(path.slice(0, n - 1), true) as
            | { items?: { key?: { value?: unknown; range?: number[] } }[] }
            | undefined)
        : undefined;
    const key = parent?.items?.find((i) => i.key?.value === path[n - 1])?.key;
    const node = doc.getIn(path.slice(0, n), true) as { range?: number[] } | undefined;
    const at = key?.range?.[0] ?? node?.range?.[0];
    if (at !== undefined) return lineCounter.linePos(at).line;
  }
  return 1;
}

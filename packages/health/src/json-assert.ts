// A small JSON-path assertion language for health bodies: `$.status == "ok"`, `$.db.latency_ms < 500`,
// `$.checks[0].name exists`. Paths are `$` followed by `.name`, `[n]` or `["odd key"]`; operators are
// == != < <= > >= (ordering on numbers only), `exists` and `not exists`; literals are JSON numbers,
// "double" or 'single' quoted strings, true, false and null. Deliberately no filters or wildcards: an
// assertion names one value, so a failure can say exactly which value was wrong.

export type PathSegment = string | number;
export type Literal = string | number | boolean | null;
export type Operator = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'exists' | 'not exists';

export interface JsonAssertion {
  /** The assertion as written (trimmed). */
  source: string;
  path: PathSegment[];
  /** The path as written, e.g. $.db.latency_ms */
  pathText: string;
  op: Operator;
  value?: Literal;
}

export class AssertionSyntaxError extends Error {
  override name = 'AssertionSyntaxError';
}

const IDENT = /^[A-Za-z_$][\w$-]*/;
const INDEX = /^\d+/;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/;
const OPERATORS = ['==', '!=', '<=', '>=', '<', '>'] as const;

export function parseJsonAssertion(text: string): JsonAssertion {
  const src = text.trim();
  let i = 0;
  const fail = (what: string): never => {
    throw new AssertionSyntaxError(
      `"${src}": ${what} at column ${i + 1}; expected e.g. $.status == "ok", $.db.latency_ms < 500 or $.version exists`,
    );
  };
  const skipSpace = () => {
    while (i < src.length && /\s/.test(src[i]!)) i++;
  };
  const readString = (): string => {
    const quote = src[i]!;
    let j = i + 1;
    let out = '';
    while (j < src.length && src[j] !== quote) {
      if (src[j] === '\\') {
        const next = src[j + 1];
        if (next === undefined) break;
        const esc: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", '/': '/' };
        if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(j + 2, j + 6))) {
          out += String.fromCharCode(Number.parseInt(src.slice(j + 2, j + 6), 16));
          j += 6;
          continue;
        }
        if (esc[next] === undefined) {
          i = j;
          fail(`unknown escape \\${next}`);
        }
        out += esc[next];
        j += 2;
        continue;
      }
      out += src[j];
      j++;
    }
    if (src[j] !== quote) fail('unterminated string');
    i = j + 1;
    return out;
  };

  skipSpace();
  if (src[i] !== '$') fail('a path must start with $');
  i++;
  const path: PathSegment[] = [];
  for (;;) {
    if (src[i] === '.') {
      i++;
      const m = IDENT.exec(src.slice(i));
      if (!m) fail('expected a key name after "."');
      path.push(m![0]);
      i += m![0].length;
    } else if (src[i] === '[') {
      i++;
      const m = INDEX.exec(src.slice(i));
      if (m) {
        path.push(Number(m[0]));
        i += m[0].length;
      } else if (src[i] === '"' || src[i] === "'") {
        path.push(readString());
      } else fail('expected an index like [0] or a quoted key like ["a b"]');
      if (src[i] !== ']') fail('expected "]"');
      i++;
    } else break;
  }
  const pathText = src.slice(0, i).trim();
  skipSpace();

  const rest = src.slice(i);
  if (/^not\s+exists\s*$/.test(rest)) return { source: src, path, pathText, op: 'not exists' };
  if (/^exists\s*$/.test(rest)) return { source: src, path, pathText, op: 'exists' };
  const op = OPERATORS.find((o) => rest.startsWith(o));
  if (!op) fail(`expected an operator (== != < <= > >= exists, not exists) after ${pathText}`);
  i += op!.length;
  skipSpace();

  let value: Literal;
  const tail = src.slice(i);
  if (tail.startsWith('"') || tail.startsWith("'")) value = readString();
  else if (/^true\b/.test(tail)) {
    value = true;
    i += 4;
  } else if (/^false\b/.test(tail)) {
    value = false;
    i += 5;
  } else if (/^null\b/.test(tail)) {
    value = null;
    i += 4;
  } else {
    const m = NUMBER.exec(tail);
    if (!m) fail('expected a value: a number, a quoted string, true, false or null');
    value = Number(m![0]);
    i += m![0].length;
  }
  skipSpace();
  if (i < src.length) fail(`unexpected "${src.slice(i)}"`);
  if (!['==', '!='].includes(op!) && typeof value !== 'number')
    fail(`${op} compares numbers; got ${JSON.stringify(value)}`);
  return { source: src, path, pathText, op: op!, value };
}

/** The value at a path: found=false when a key or index along the way is missing. */
export function valueAt(doc: unknown, path: readonly PathSegment[]): { found: boolean; value?: unknown } {
  let cur: unknown = doc;
  for (const seg of path) {
    if (typeof seg === 'number') {
      if (!Array.isArray(cur) || seg >= cur.length) return { found: false };
      cur = cur[seg];
    } else {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, seg))
        return { found: false };
      cur = (cur as Record<string, unknown>)[seg];
    }
  }
  return { found: true, value: cur };
}

/** JSON of a value, cut to `max` characters: failure messages never carry a whole body. */
export function preview(value: unknown, max = 120): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** undefined when the assertion holds, else one line saying what the value actually was. */
export function checkJsonAssertion(a: JsonAssertion, doc: unknown): string | undefined {
  const { found, value } = valueAt(doc, a.path);
  if (a.op === 'exists') return found ? undefined : `${a.source} failed: ${a.pathText} is missing`;
  if (a.op === 'not exists') return found ? `${a.source} failed: ${a.pathText} is ${preview(value)}` : undefined;
  if (!found) return `${a.source} failed: ${a.pathText} is missing`;
  const actual = `actual ${preview(value)}`;
  switch (a.op) {
    case '==':
      return value === a.value ? undefined : `${a.source} failed: ${actual}`;
    case '!=':
      return value !== a.value ? undefined : `${a.source} failed: ${actual}`;
    default: {
      if (typeof value !== 'number') return `${a.source} failed: ${actual}, not a number`;
      const n = a.value as number;
      const ok = a.op === '<' ? value < n : a.op === '<=' ? value <= n : a.op === '>' ? value > n : value >= n;
      return ok ? undefined : `${a.source} failed: ${actual}`;
    }
  }
}

// Postgres's own parser (libpg_query as WebAssembly), loaded on first use only: a run with the lint
// off never pays for the ~1 MB module.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';

/** A parsed statement: its node (one key: IndexStmt, AlterTableStmt …) and where it starts. */
export interface ParsedStatement {
  kind: string;
  node: Record<string, unknown>;
  /** 1-based line of the statement's first code character (past leading comments). */
  line: number;
}

type Parser = (sql: string) => { stmts?: { stmt: Record<string, Record<string, unknown>>; stmt_location?: number }[] };
let parser: Promise<Parser> | undefined;

async function load(): Promise<Parser> {
  // The module locates its .wasm through the CommonJS __dirname, which an ES module (our bundles)
  // lacks: point it at the package's own folder, or in a bundle at the chunk's (the build copies
  // the .wasm there).
  const g = globalThis as { __dirname?: string };
  if (g.__dirname === undefined) g.__dirname = wasmFolder();
  // V8 tiers the parser's hot functions up to TurboFan in the background, and the process waits for
  // that compile when it exits: 1.6 s on Node 24 here, for a parse that took 30 ms. The baseline
  // compiler is fast enough for migrations; read when a module is compiled, so set before loading.
  setFlagsFromString('--no-wasm-dynamic-tiering');
  setFlagsFromString('--no-wasm-tier-up');
  const lib = await import('libpg-query');
  await lib.loadModule();
  return lib.parseSync as unknown as Parser;
}

/** The file's statements, or the parser's message when it is not valid SQL (Postgres will say so too). */
export async function parseStatements(sql: string): Promise<ParsedStatement[] | { error: string }> {
  parser ??= load();
  const parse = await parser;
  let tree: ReturnType<Parser>;
  try {
    tree = parse(sql);
  } catch (err) {
    return { error: (err as Error).message };
  }
  // Statement locations are byte offsets into the UTF-8 text.
  const bytes = Buffer.from(sql, 'utf8');
  return (tree.stmts ?? []).map((s) => {
    const kind = Object.keys(s.stmt)[0]!;
    return { kind, node: s.stmt[kind]!, line: lineOf(bytes, codeStart(bytes, s.stmt_location ?? 0)) };
  });
}

function wasmFolder(): string {
  try {
    return dirname(fileURLToPath(import.meta.resolve('libpg-query')));
  } catch {
    return dirname(fileURLToPath(import.meta.url));
  }
}

const NL = 0x0a;

/** Skips whitespace, -- comments and /* *\/ comments (nested, as Postgres nests them). */
function codeStart(b: Buffer, from: number): number {
  let i = from;
  while (i < b.length) {
    const c = b[i]!;
    if (c === 0x20 || c === 0x09 || c === NL || c === 0x0d || c === 0x0c) i++;
    else if (c === 0x2d && b[i + 1] === 0x2d) {
      while (i < b.length && b[i] !== NL) i++;
    } else if (c === 0x2f && b[i + 1] === 0x2a) {
      let depth = 1;
      i += 2;
      while (i < b.length && depth > 0) {
        if (b[i] === 0x2f && b[i + 1] === 0x2a) {
          depth++;
          i += 2;
        } else if (b[i] === 0x2a && b[i + 1] === 0x2f) {
          depth--;
          i += 2;
        } else i++;
      }
    } else break;
  }
  return i;
}

function lineOf(b: Buffer, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < b.length; i++) if (b[i] === NL) line++;
  return line;
}

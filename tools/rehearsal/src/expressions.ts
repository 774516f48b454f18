// Workflow files read and evaluated with GitHub's own libraries: @actions/workflow-parser turns the
// YAML into template tokens (validating it against GitHub's workflow schema, turning "a ${{ x }} b"
// into format('a {0} b', x)), @actions/expressions evaluates each expression. What is ours: the
// status functions and hashFiles (the runner provides them, the library does not), and the plain
// values the rest of the rehearsal works with.
import { data, Evaluator, Lexer, Parser } from '@actions/expressions';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';
import { isBasicExpression, isBoolean, isMapping, isNumber, isSequence, isString } from '@actions/workflow-parser';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';

export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

/** An expression as the workflow parser left it (without `${{ }}`). */
export interface Expr {
  readonly expression: string;
}
/** A workflow value still to be evaluated: literals, and expressions where the YAML had `${{ }}`. */
export type Template = string | number | boolean | null | Expr | Template[] | { [key: string]: Template };

export interface ExpressionContext {
  contexts: Record<string, Value>;
  /** The status so far, for success() / failure() / cancelled(); 'skipped': a needed job was skipped. */
  status: 'success' | 'failure' | 'cancelled' | 'skipped';
  /** hashFiles() reads here (the job's workspace). */
  hashFiles?: (patterns: string[]) => string;
}

export class ExpressionError extends Error {
  override name = 'ExpressionError';
}

const CONTEXTS = [
  'github',
  'inputs',
  'secrets',
  'vars',
  'needs',
  'env',
  'runner',
  'job',
  'jobs',
  'steps',
  'matrix',
  'strategy',
];

const isExpr = (t: unknown): t is Expr =>
  typeof t === 'object' &&
  t !== null &&
  !Array.isArray(t) &&
  typeof (t as Expr).expression === 'string' &&
  Object.keys(t).length === 1;

/** A parsed token tree as plain data, expressions kept as Expr. */
export function toTemplate(token: TemplateToken): Template {
  if (isBasicExpression(token)) {
    if (token.blockScalarHeader && token.source !== undefined)
      return { expression: formatExpression(blockScalarValue(token.source, token.blockScalarHeader)) };
    return { expression: token.expression };
  }
  if (isString(token)) return token.value;
  if (isNumber(token)) return token.value;
  if (isBoolean(token)) return token.value;
  if (isSequence(token)) {
    const out: Template[] = [];
    for (let i = 0; i < token.count; i++) out.push(toTemplate(token.get(i)));
    return out;
  }
  if (isMapping(token)) {
    const out: Record<string, Template> = {};
    for (let i = 0; i < token.count; i++) {
      const { key, value } = token.get(i);
      out[isString(key) ? key.value : String((key as { toString(): string }).toString())] = toTemplate(value);
    }
    return out;
  }
  return null;
}

/**
 * The value of a YAML block scalar from its source lines. The parser builds the expression of a block
 * scalar holding `${{ }}` from the raw source, indentation included, where GitHub's own parser (and
 * YAML) use the block's value: "- url: …\n  expect-json:" and not "- url: …\n              expect-json:".
 */
export function blockScalarValue(source: string, header: string): string {
  const lines = source.replace(/\n$/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  const body = lines.map((l) => l.slice(indent));
  let text: string;
  if (header.startsWith('>')) {
    // Folding: lines of the same indentation join with a space, blank lines become newlines.
    text = body.reduce((acc, line, i) => {
      if (i === 0) return line;
      const prev = body[i - 1]!;
      if (line === '' || prev === '' || /^\s/.test(line) || /^\s/.test(prev)) return `${acc}\n${line}`;
      return `${acc} ${line}`;
    }, '');
  } else text = body.join('\n');
  text = text.replace(/\n+$/, '');
  if (header.endsWith('-')) return text;
  if (header.endsWith('+')) return `${text}${source.match(/\n*$/)![0]}`;
  return `${text}\n`;
}

/** "a ${{ x }} b" → format('a {0} b', x), the way GitHub turns an interpolated string into one expression. */
export function formatExpression(text: string): string {
  const parts = text.split(/\$\{\{([\s\S]*?)\}\}/);
  const literals = parts.filter((_, i) => i % 2 === 0);
  const args = parts.filter((_, i) => i % 2 === 1).map((a) => a.trim());
  if (args.length === 1 && literals.every((l) => l === '')) return args[0]!;
  const escaped = (l: string) => l.replace(/'/g, "''").replace(/\{/g, '{{').replace(/\}/g, '}}');
  const fmt = literals.map((l, i) => (i < args.length ? `${escaped(l)}{${i}}` : escaped(l))).join('');
  return `format('${fmt}', ${args.join(', ')})`;
}

const toData = (v: Value): data.ExpressionData => JSON.parse(JSON.stringify(v ?? null), data.reviver);
const fromData = (d: data.ExpressionData): Value => JSON.parse(JSON.stringify(d, data.replacer) ?? 'null');

function functions(ctx: ExpressionContext): Map<string, FunctionDefinition> {
  const status = (name: string, value: () => boolean): [string, FunctionDefinition] => [
    name,
    { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(value()) },
  ];
  return new Map<string, FunctionDefinition>([
    status('success', () => ctx.status === 'success'),
    status('failure', () => ctx.status === 'failure'),
    status('cancelled', () => ctx.status === 'cancelled'),
    status('always', () => true),
    [
      'hashfiles',
      {
        name: 'hashFiles',
        minArgs: 1,
        maxArgs: 255,
        call: (...args) => {
          if (!ctx.hashFiles) throw new ExpressionError('hashFiles() is only available in steps');
          return new data.StringData(ctx.hashFiles(args.map((a) => a.coerceString())));
        },
      },
    ],
  ]);
}

/** Evaluates one expression (without `${{ }}`) with GitHub's expression engine. */
export function evaluateExpression(src: string, ctx: ExpressionContext): Value {
  try {
    const fns = functions(ctx);
    const tokens = new Lexer(src).lex().tokens;
    const ast = new Parser(tokens, CONTEXTS, [...fns.values()]).parse();
    const dict = new data.Dictionary();
    for (const [k, v] of Object.entries(ctx.contexts)) dict.add(k, toData(v));
    return fromData(new Evaluator(ast, dict, fns).evaluate());
  } catch (error) {
    if (error instanceof ExpressionError) throw error;
    throw new ExpressionError(`\${{ ${src} }}: ${(error as Error).message}`);
  }
}

/** Truthiness as the runner judges it: false, 0, '', null are false. */
const truthy = (v: Value): boolean => !(v === false || v === 0 || v === '' || v === null || Number.isNaN(v));

/** An `if:` as the converted template holds it (status function already implied by the parser). */
export function evaluateCondition(condition: string | undefined, ctx: ExpressionContext): boolean {
  return truthy(evaluateExpression(condition?.trim() ? condition : 'success()', ctx));
}

/** Evaluates every expression in a template value. */
export function evaluate(template: Template | undefined, ctx: ExpressionContext): Value {
  if (template === undefined) return null;
  if (isExpr(template)) return evaluateExpression(template.expression, ctx);
  if (Array.isArray(template)) return template.map((t) => evaluate(t, ctx));
  if (template !== null && typeof template === 'object')
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, evaluate(v, ctx)]));
  return template;
}

/** A value as a step input or env var sees it. */
export const stringify = (v: Value): string =>
  v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** Evaluates a mapping of templates to strings (with:, env:, outputs:). */
export const evaluateStrings = (o: Template | undefined, ctx: ExpressionContext): Record<string, string> =>
  Object.fromEntries(
    Object.entries((o ?? {}) as Record<string, Template>).map(([k, v]) => [k, stringify(evaluate(v, ctx))]),
  );

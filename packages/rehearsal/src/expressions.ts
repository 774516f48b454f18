// The subset of GitHub Actions expressions our workflows use, evaluated the way the runner does:
// contexts (inputs, secrets, steps, needs, jobs, github, env, vars, job, runner), literals, ! && || == !=
// < <= > >=, parentheses, and the functions success, failure, always, cancelled, contains, startsWith,
// endsWith, format, toJSON, fromJSON, join. Anything else fails with the expression named, so a
// workflow that leans on something the rehearsal cannot model says so instead of passing by accident.

export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

export interface ExpressionContext {
  contexts: Record<string, Value>;
  /** The status so far, for success() / failure() / cancelled(); 'skipped': a needed job was skipped (neither success nor failure). */
  status: 'success' | 'failure' | 'cancelled' | 'skipped';
}

export class ExpressionError extends Error {
  override name = 'ExpressionError';
}

type Token =
  | { t: 'num'; v: number }
  | { t: 'str'; v: string }
  | { t: 'id'; v: string }
  | { t: 'op'; v: string }
  | { t: 'end' };

const OPS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')', '[', ']', '.', ','];

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new ExpressionError(`unterminated string in \${{ ${src} }}`);
        if (src[i] === "'" && src[i + 1] === "'") {
          s += "'";
          i += 2;
        } else if (src[i] === "'") {
          i++;
          break;
        } else s += src[i++];
      }
      out.push({ t: 'str', v: s });
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^-?(0x[0-9a-f]+|\d+(\.\d+)?(e[+-]?\d+)?)/i.exec(src.slice(i))!;
      out.push({ t: 'num', v: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      // Property names may contain hyphens (steps.migrate.outputs.applied-versions).
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i))!;
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else {
      const op = OPS.find((o) => src.startsWith(o, i));
      if (!op) throw new ExpressionError(`unexpected '${c}' in \${{ ${src} }}`);
      out.push({ t: 'op', v: op });
      i += op.length;
    }
  }
  out.push({ t: 'end' });
  return out;
}

type Node =
  | { k: 'lit'; v: Value }
  | { k: 'ctx'; name: string }
  | { k: 'prop'; of: Node; key: Node }
  | { k: 'not'; of: Node }
  | { k: 'bin'; op: string; l: Node; r: Node }
  | { k: 'call'; fn: string; args: Node[] };

function parse(src: string): Node {
  const tokens = tokenize(src);
  let p = 0;
  const peek = () => tokens[p]!;
  const isOp = (v: string) => {
    const t = peek();
    return t.t === 'op' && t.v === v;
  };
  const expect = (v: string) => {
    if (!isOp(v)) throw new ExpressionError(`expected '${v}' in \${{ ${src} }}`);
    p++;
  };
  const binary = (next: () => Node, ops: string[]) => (): Node => {
    let l = next();
    for (;;) {
      const t = peek();
      if (t.t !== 'op' || !ops.includes(t.v)) return l;
      p++;
      l = { k: 'bin', op: t.v, l, r: next() };
    }
  };
  const primary = (): Node => {
    const t = tokens[p++]!;
    let node: Node;
    if (t.t === 'num' || t.t === 'str') node = { k: 'lit', v: t.v };
    else if (t.t === 'op' && t.v === '(') {
      node = or();
      expect(')');
    } else if (t.t === 'op' && t.v === '!') return { k: 'not', of: primary() };
    else if (t.t === 'id') {
      if (t.v === 'true' || t.v === 'false') node = { k: 'lit', v: t.v === 'true' };
      else if (t.v === 'null') node = { k: 'lit', v: null };
      else if (isOp('(')) {
        p++;
        const args: Node[] = [];
        if (!isOp(')'))
          for (;;) {
            args.push(or());
            if (isOp(',')) p++;
            else break;
          }
        expect(')');
        node = { k: 'call', fn: t.v, args };
      } else node = { k: 'ctx', name: t.v };
    } else
      throw new ExpressionError(`unexpected ${t.t === 'end' ? 'end' : `'${'v' in t ? t.v : ''}'`} in \${{ ${src} }}`);
    for (;;) {
      if (isOp('.')) {
        p++;
        const key = tokens[p++]!;
        if (key.t !== 'id' && !(key.t === 'op' && key.v === '*'))
          throw new ExpressionError(`expected a property name after '.' in \${{ ${src} }}`);
        node = { k: 'prop', of: node, key: { k: 'lit', v: (key as { v: string }).v } };
      } else if (isOp('[')) {
        p++;
        const key = or();
        expect(']');
        node = { k: 'prop', of: node, key };
      } else return node;
    }
  };
  const compare = binary(primary, ['<', '<=', '>', '>=']);
  const equality = binary(compare, ['==', '!=']);
  const and = binary(equality, ['&&']);
  const or = binary(and, ['||']);
  const root = or();
  if (peek().t !== 'end') throw new ExpressionError(`unexpected text after the expression in \${{ ${src} }}`);
  return root;
}

const truthy = (v: Value): boolean => !(v === false || v === null || v === 0 || v === '' || Number.isNaN(v));

function toNumber(v: Value): number {
  if (v === null) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return v.trim() === '' ? 0 : Number(v);
  return Number.NaN;
}

/** The runner's loose comparison: strings case-insensitively, otherwise as numbers. */
function compare(a: Value, b: Value): number | undefined {
  if (typeof a === 'string' && typeof b === 'string') {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'object' && a !== null) return a === b ? 0 : undefined;
  const x = toNumber(a);
  const y = toNumber(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return undefined;
  return x < y ? -1 : x > y ? 1 : 0;
}

export const stringify = (v: Value): string =>
  v === null ? '' : typeof v === 'object' ? JSON.stringify(v, null, 2) : String(v);

function evaluate(node: Node, ctx: ExpressionContext, src: string): Value {
  switch (node.k) {
    case 'lit':
      return node.v;
    case 'ctx': {
      const name = Object.keys(ctx.contexts).find((c) => c.toLowerCase() === node.name.toLowerCase());
      if (name === undefined) throw new ExpressionError(`unknown context '${node.name}' in \${{ ${src} }}`);
      return ctx.contexts[name]!;
    }
    case 'prop': {
      const of = evaluate(node.of, ctx, src);
      const key = evaluate(node.key, ctx, src);
      if (of === null || typeof of !== 'object') return null;
      if (Array.isArray(of)) return of[toNumber(key)] ?? null;
      // Property names are case-insensitive, as the runner reads them.
      const want = String(key).toLowerCase();
      const found = Object.keys(of).find((k) => k.toLowerCase() === want);
      return found === undefined ? null : of[found]!;
    }
    case 'not':
      return !truthy(evaluate(node.of, ctx, src));
    case 'bin': {
      if (node.op === '&&') {
        const l = evaluate(node.l, ctx, src);
        return truthy(l) ? evaluate(node.r, ctx, src) : l;
      }
      if (node.op === '||') {
        const l = evaluate(node.l, ctx, src);
        return truthy(l) ? l : evaluate(node.r, ctx, src);
      }
      const c = compare(evaluate(node.l, ctx, src), evaluate(node.r, ctx, src));
      switch (node.op) {
        case '==':
          return c === 0;
        case '!=':
          return c !== 0;
        case '<':
          return c !== undefined && c < 0;
        case '<=':
          return c !== undefined && c <= 0;
        case '>':
          return c !== undefined && c > 0;
        default:
          return c !== undefined && c >= 0;
      }
    }
    case 'call': {
      const args = () => node.args.map((a) => evaluate(a, ctx, src));
      switch (node.fn.toLowerCase()) {
        case 'success':
          return ctx.status === 'success';
        case 'failure':
          return ctx.status === 'failure';
        case 'cancelled':
          return ctx.status === 'cancelled';
        case 'always':
          return true;
        case 'contains': {
          const [hay, needle] = args();
          if (Array.isArray(hay)) return hay.some((h) => compare(h, needle!) === 0);
          return stringify(hay!).toLowerCase().includes(stringify(needle!).toLowerCase());
        }
        case 'startswith': {
          const [s, p] = args();
          return stringify(s!).toLowerCase().startsWith(stringify(p!).toLowerCase());
        }
        case 'endswith': {
          const [s, p] = args();
          return stringify(s!).toLowerCase().endsWith(stringify(p!).toLowerCase());
        }
        case 'format': {
          const [fmt, ...rest] = args();
          return stringify(fmt!).replace(/\{(\d+)\}/g, (_, i: string) => stringify(rest[Number(i)] ?? null));
        }
        case 'join': {
          const [arr, sep] = args();
          return Array.isArray(arr)
            ? arr.map(stringify).join(sep === undefined ? ',' : stringify(sep))
            : stringify(arr!);
        }
        case 'tojson':
          return JSON.stringify(args()[0], null, 2);
        case 'fromjson':
          return JSON.parse(stringify(args()[0]!)) as Value;
        default:
          throw new ExpressionError(`the rehearsal does not model the function ${node.fn}() in \${{ ${src} }}`);
      }
    }
  }
}

/** Evaluates one expression (the text between ${{ and }}). */
export function evaluateExpression(src: string, ctx: ExpressionContext): Value {
  return evaluate(parse(src), ctx, src);
}

const usesStatusFunction = (src: string) => /\b(success|failure|always|cancelled)\s*\(/i.test(src);

/** An `if:` condition: with or without ${{ }}; implicitly `success() && (…)` unless it calls a status function. */
export function evaluateCondition(condition: string | boolean | undefined, ctx: ExpressionContext): boolean {
  if (condition === undefined || condition === '') return ctx.status === 'success';
  if (typeof condition === 'boolean') return condition && ctx.status === 'success';
  const src = condition
    .trim()
    .replace(/^\$\{\{([\s\S]*)\}\}$/, '$1')
    .trim();
  const value = truthy(evaluateExpression(src, ctx));
  return usesStatusFunction(src) ? value : ctx.status === 'success' && value;
}

/** A string with ${{ }} templates: one whole-string expression keeps its type; otherwise the parts are joined as text. */
export function interpolate(template: Value, ctx: ExpressionContext): Value {
  if (typeof template !== 'string') return template;
  const whole = /^\$\{\{([\s\S]*?)\}\}$/.exec(template.trim());
  if (whole && !whole[1]!.includes('}}')) return evaluateExpression(whole[1]!.trim(), ctx);
  return template.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, src: string) => stringify(evaluateExpression(src.trim(), ctx)));
}

// auth_rls_initplan: finding the auth.uid()/jwt()/role()/email() and current_setting() calls that
// PostgreSQL re-runs for every row of a policy check, and wrapping them as (select …) so they run
// once per statement. The query finds candidates; which calls are left unwrapped is decided here,
// on the expression text as pg_get_expr prints it.
import type { Finding } from '../../findings';
import { list, policyObject, rule, type TableRow, WARNING } from './rule';
import { notSystem } from './sql';

const AUTH_CALL = /^auth\.(?:uid|jwt|role|email)\(\)/;
const IDENT_CHAR = /[A-Za-z0-9_$."]/;

/** Index just past the quoted literal or identifier that starts at `i` ('' and "" escape the quote). */
function skipQuoted(text: string, i: number): number {
  const quote = text[i];
  let j = i + 1;
  while (j < text.length) {
    if (text[j] === quote) {
      if (text[j + 1] === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return j;
}

/** Index of the `)` matching the `(` at `open`, or -1. */
function closingParen(text: string, open: number): number {
  let depth = 0;
  for (let j = open; j < text.length; j++) {
    const c = text[j];
    if (c === "'" || c === '"') {
      j = skipQuoted(text, j) - 1;
    } else if (c === '(') {
      depth++;
    } else if (c === ')') {
      depth--;
      if (depth === 0) return j;
    }
  }
  return -1;
}

/** True when the call at `start` is what a sub-select selects: `( SELECT auth.uid() AS uid)`, `( SELECT (auth.uid())::text …)`. */
function selectedDirectly(text: string, start: number): boolean {
  let j = start - 1;
  while (j >= 0 && /[\s(]/.test(text[j] ?? '')) j--;
  return /(?:^|[^A-Za-z0-9_$])select$/i.test(text.slice(0, j + 1));
}

/** The per-row call that starts at `i`, as its end index and the name it is reported under; undefined if none does. */
function perRowCallAt(expr: string, i: number): { end: number; name: string } | undefined {
  if (IDENT_CHAR.test(expr[i - 1] ?? '')) return undefined;
  const auth = AUTH_CALL.exec(expr.slice(i));
  if (auth) return { end: i + auth[0].length, name: auth[0] };
  if (expr.startsWith('current_setting(', i)) {
    const close = closingParen(expr, i + 'current_setting'.length);
    if (close >= 0) return { end: close + 1, name: 'current_setting()' };
  }
  return undefined;
}

/**
 * Wraps every auth.uid()/jwt()/role()/email() and current_setting(…) call in a policy expression
 * (as pg_get_expr prints it) that is not already the target of a sub-select, so PostgreSQL runs it
 * once per statement (an initplan) instead of once per row. `calls` names what was wrapped.
 */
export function wrapPerRowCalls(expr: string): { text: string; calls: string[] } {
  let text = '';
  const calls: string[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i];
    if (c === "'" || c === '"') {
      const end = skipQuoted(expr, i);
      text += expr.slice(i, end);
      i = end;
      continue;
    }
    const call = perRowCallAt(expr, i);
    if (call) {
      const callText = expr.slice(i, call.end);
      if (selectedDirectly(expr, i)) {
        text += callText;
      } else {
        text += `(select ${callText})`;
        if (!calls.includes(call.name)) calls.push(call.name);
      }
      i = call.end;
      continue;
    }
    text += c;
    i++;
  }
  return { text, calls };
}

/** `(a = b)` → `a = b`, so `using (…)` does not print doubled parentheses. */
function withoutOuterParens(expr: string): string {
  const t = expr.trim();
  return t.startsWith('(') && closingParen(t, 0) === t.length - 1 ? t.slice(1, -1) : t;
}

// Candidates only: which calls are left unwrapped is decided on the deparsed text above.
// realtime is kept: Realtime Authorization policies on realtime.messages are the user's own.
const AUTH_RLS_INITPLAN_SQL = `
select n.nspname as schema_name, c.relname as table_name, p.polname as policy_name,
       format('%I.%I', n.nspname, c.relname) as qtable, quote_ident(p.polname) as qpolicy,
       pg_get_expr(p.polqual, p.polrelid) as using_expr,
       pg_get_expr(p.polwithcheck, p.polrelid) as check_expr
from pg_catalog.pg_policy p
join pg_catalog.pg_class c on c.oid = p.polrelid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relrowsecurity
  and ${notSystem('n.nspname', ['realtime'])}
  and (coalesce(pg_get_expr(p.polqual, p.polrelid), '') || ' ' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), ''))
      ~ '(auth\\.(uid|jwt|role|email)\\(\\)|current_setting\\()'
order by 1, 2, 3`;

export const authRlsInitplan = rule(
  {
    name: 'auth_rls_initplan',
    title: 'Auth RLS Initialization Plan',
    level: WARNING,
    categories: ['PERFORMANCE'],
    description:
      'A policy that calls auth.uid(), auth.jwt(), auth.role(), auth.email() or current_setting() directly re-evaluates it for every row scanned; wrapped as (select auth.uid()) it runs once per statement.',
  },
  async (ctx, found) => {
    const rows = await ctx.query<
      TableRow & { policy_name: string; qpolicy: string; using_expr: string | null; check_expr: string | null }
    >(AUTH_RLS_INITPLAN_SQL);
    const findings: Finding[] = [];
    for (const r of rows) {
      const using = r.using_expr === null ? undefined : wrapPerRowCalls(r.using_expr);
      const check = r.check_expr === null ? undefined : wrapPerRowCalls(r.check_expr);
      const calls = [...new Set([...(using?.calls ?? []), ...(check?.calls ?? [])])];
      if (calls.length === 0) continue; // every call is already a sub-select
      const clauses = [
        using?.calls.length ? `using (${withoutOuterParens(using.text)})` : '',
        check?.calls.length ? `with check (${withoutOuterParens(check.text)})` : '',
      ].filter(Boolean);
      findings.push(
        found({
          object: policyObject(r),
          message: `Policy ${r.policy_name} on ${r.qtable} re-evaluates ${list(calls)} for every row; call it as (select …)`,
          fix: `alter policy ${r.qpolicy} on ${r.qtable} ${clauses.join(' ')};`,
        }),
      );
    }
    return findings;
  },
);

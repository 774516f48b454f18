// Policy coverage matrix: for every relation in the exposed schemas, what `anon` and
// `authenticated` can do with each command, derived from grants, RLS flags and policies in one
// catalog query. The classification itself is plain TypeScript over that query's rows.
import { type Finding, type LintContext, qualified } from './findings';

export const API_ROLES = ['anon', 'authenticated'] as const;
export type ApiRole = (typeof API_ROLES)[number];

export const COMMANDS = ['select', 'insert', 'update', 'delete'] as const;
export type Command = (typeof COMMANDS)[number];

/**
 * - `denied by grant`: no privilege (or no USAGE on the schema, or the view cannot be written).
 * - `denied by RLS`: RLS is on and no permissive policy applies to this role and command, so no row qualifies.
 * - `filtered by policy`: RLS is on and the applicable policies decide row by row.
 * - `open`: every row: RLS disabled, a permissive policy that is literally `true` (and no restrictive one),
 *   the role owns the table or has BYPASSRLS, or the relation cannot have RLS (views running as their owner,
 *   materialized views, foreign tables). `detail` says which.
 */
export type CoverageStatus = 'denied by grant' | 'denied by RLS' | 'filtered by policy' | 'open';

export type RelationKind = 'table' | 'view' | 'materialized view' | 'foreign table';

export interface CoveragePolicy {
  name: string;
  permissive: boolean;
  command: Command | 'all';
  using: string | null;
  check: string | null;
}

export interface CoverageRow {
  schema: string;
  /** The relation's name, unqualified. */
  name: string;
  kind: RelationKind;
  role: ApiRole;
  command: Command;
  status: CoverageStatus;
  /** Why, in a few words: 'RLS disabled', 'policy "x" is true', 'no INSERT grant' … */
  detail: string;
  /** `status (detail)`, e.g. 'open (policy "Anyone" is true)'. */
  text: string;
  /** The policies that apply to this role and command (PUBLIC or a role it inherits from). */
  policies: CoveragePolicy[];
  /** The permissive `true` policy that makes the cell open, when that is the reason. */
  truePolicy?: string;
  rlsEnabled: boolean;
  rlsForced: boolean;
}

interface MatrixQueryRow extends Record<string, unknown> {
  schema: string;
  name: string;
  relkind: string;
  role: ApiRole;
  command: Command;
  schema_usage: boolean;
  granted: boolean;
  writable: boolean;
  rls_enabled: boolean;
  rls_forced: boolean;
  bypass_rls: boolean;
  owns: boolean;
  security_invoker: boolean;
  policies: { name: string; permissive: boolean; polcmd: string; using: string | null; check: string | null }[];
}

// One query: relations × roles × commands, with the privilege checks done by the server
// (has_*_privilege and pg_has_role follow role inheritance and PUBLIC, as the executor does).
// A policy applies when its roles include PUBLIC (0) or a role whose privileges the API role has.
const MATRIX_SQL = `
with rel as (
  select c.oid, n.oid as nspoid, n.nspname, c.relname, c.relkind, c.relowner,
         c.relrowsecurity, c.relforcerowsecurity,
         coalesce((select lower(o.option_value) in ('true', 'on', '1', 'yes')
                   from pg_options_to_table(c.reloptions) o
                   where o.option_name = 'security_invoker'), false) as security_invoker
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
  where n.nspname = any($1::text[]) and c.relkind in ('r', 'p', 'v', 'm', 'f')
),
api_role as (
  select r.oid, r.rolname, r.rolbypassrls from pg_roles r where r.rolname in ('anon', 'authenticated')
),
cmd as (
  select * from (values ('select', 'r', 'SELECT', 1, 0), ('insert', 'a', 'INSERT', 2, 8),
                        ('update', 'w', 'UPDATE', 3, 4), ('delete', 'd', 'DELETE', 4, 16))
    as v(name, polcmd, priv, ord, updatable_bit)
)
select rel.nspname as schema, rel.relname as name, rel.relkind::text as relkind,
       api_role.rolname as role, cmd.name as command,
       has_schema_privilege(api_role.oid, rel.nspoid, 'USAGE') as schema_usage,
       case when cmd.name = 'delete' then has_table_privilege(api_role.oid, rel.oid, cmd.priv)
            else has_any_column_privilege(api_role.oid, rel.oid, cmd.priv) end as granted,
       case when cmd.name = 'select' or rel.relkind in ('r', 'p') then true
            when rel.relkind = 'm' then false
            else (pg_relation_is_updatable(rel.oid, true) & cmd.updatable_bit) <> 0 end as writable,
       rel.relrowsecurity as rls_enabled, rel.relforcerowsecurity as rls_forced,
       api_role.rolbypassrls as bypass_rls,
       pg_has_role(api_role.oid, rel.relowner, 'USAGE') as owns,
       rel.security_invoker,
       coalesce(p.policies, '[]'::jsonb) as policies
from rel
cross join api_role
cross join cmd
left join lateral (
  select jsonb_agg(jsonb_build_object(
           'name', pol.polname, 'permissive', pol.polpermissive, 'polcmd', pol.polcmd::text,
           'using', pg_get_expr(pol.polqual, pol.polrelid),
           'check', pg_get_expr(pol.polwithcheck, pol.polrelid)) order by pol.polname) as policies
  from pg_policy pol
  where pol.polrelid = rel.oid
    and pol.polcmd in (cmd.polcmd::"char", '*')
    and (0::oid = any(pol.polroles)
         or exists (select 1 from unnest(pol.polroles) pr(oid) where pg_has_role(api_role.oid, pr.oid, 'USAGE')))
) p on true
order by rel.nspname, rel.relname, api_role.rolname, cmd.ord
`;

const KIND: Record<string, RelationKind> = {
  r: 'table',
  p: 'table',
  v: 'view',
  m: 'materialized view',
  f: 'foreign table',
};

const POLCMD: Record<string, Command | 'all'> = { r: 'select', a: 'insert', w: 'update', d: 'delete', '*': 'all' };

export async function coverageMatrix(ctx: LintContext): Promise<CoverageRow[]> {
  const rows = await ctx.query<MatrixQueryRow>(MATRIX_SQL, [ctx.exposedSchemas]);
  return rows.map(classify);
}

/**
 * The expression a policy contributes for a command. A policy without one (an INSERT policy with no
 * WITH CHECK, a SELECT policy with no USING) lets nothing through: the server skips it.
 */
function effectiveExpr(p: CoveragePolicy, command: Command): string | null {
  // WITH CHECK falls back to USING when absent (an ALL policy with only USING checks new rows with it).
  return command === 'insert' ? (p.check ?? p.using) : p.using;
}

/** Whether a policy lets every row through for this command (the expression is literally `true`). */
function isTrueFor(p: CoveragePolicy, command: Command): boolean {
  const t = (e: string | null) => e !== null && e.trim().toLowerCase() === 'true';
  if (!t(effectiveExpr(p, command))) return false;
  return command !== 'update' || p.check === null || t(p.check);
}

function classify(r: MatrixQueryRow): CoverageRow {
  const kind = KIND[r.relkind] ?? 'table';
  const policies: CoveragePolicy[] = r.policies.map((p) => ({
    name: p.name,
    permissive: p.permissive,
    command: POLCMD[p.polcmd] ?? 'all',
    using: p.using,
    check: p.check,
  }));
  const row = (status: CoverageStatus, detail: string, truePolicy?: string): CoverageRow => ({
    schema: r.schema,
    name: r.name,
    kind,
    role: r.role,
    command: r.command,
    status,
    detail,
    text: `${status} (${detail})`,
    policies,
    ...(truePolicy ? { truePolicy } : {}),
    rlsEnabled: r.rls_enabled,
    rlsForced: r.rls_forced,
  });
  const priv = r.command.toUpperCase();
  if (!r.schema_usage) return row('denied by grant', `no USAGE on schema ${r.schema}`);
  if (!r.granted) return row('denied by grant', `no ${priv} grant`);
  if (!r.writable) return row('denied by grant', `the ${kind} cannot be written`);
  if (kind === 'view') {
    return r.security_invoker
      ? row('filtered by policy', "security_invoker view: its tables' RLS applies")
      : row('open', "view runs with its owner's rights, bypassing the caller's RLS");
  }
  if (kind === 'materialized view') return row('open', 'materialized views have no RLS');
  if (kind === 'foreign table') return row('open', 'foreign tables have no RLS');
  if (!r.rls_enabled) return row('open', 'RLS disabled');
  if (r.bypass_rls) return row('open', `${r.role} has BYPASSRLS`);
  if (r.owns && !r.rls_forced) return row('open', `${r.role} owns the table and RLS is not forced`);
  const permissive = policies.filter((p) => p.permissive && effectiveExpr(p, r.command) !== null);
  const restrictive = policies.filter((p) => !p.permissive);
  if (permissive.length === 0) {
    return row(
      'denied by RLS',
      policies.length === 0 ? 'RLS enabled, no policy' : 'RLS enabled, no permissive policy lets a row through',
    );
  }
  const truePolicy = permissive.find((p) => isTrueFor(p, r.command));
  if (truePolicy && restrictive.length === 0)
    return row('open', `policy "${truePolicy.name}" is true`, truePolicy.name);
  const names = policies.map((p) => `"${p.name}"`).join(', ');
  return row('filtered by policy', `${policies.length === 1 ? 'policy' : 'policies'} ${names}`);
}

/** The cell of the matrix for one relation, role and command. */
export function coverageFor(
  rows: CoverageRow[],
  schema: string,
  name: string,
  role: ApiRole,
  command: Command,
): CoverageRow | undefined {
  return rows.find((r) => r.schema === schema && r.name === name && r.role === role && r.command === command);
}

/** Open to every row without any policy that says so (RLS off, owner, BYPASSRLS, no RLS possible). */
export function openWithoutPolicy(row: CoverageRow): boolean {
  return row.status === 'open' && row.truePolicy === undefined;
}

export const COVERAGE_RULE = 'rls_coverage_open_to_anon';

const COVERAGE_WHY =
  'The anon key ships in every client, so anything anon can read or write through the Data API is public. ' +
  'A table anon reaches without a policy (RLS disabled), or that a write policy of `true` opens to anon, ' +
  'can be read or changed by anyone on the internet.';

/**
 * Errors for tables (and foreign tables) that `anon` can read or write without a policy, or write
 * through a policy that is literally `true`. A `true` SELECT policy is a deliberate public read
 * (feature flags, catalogues) and is shown in the matrix, not reported. Views and materialized
 * views are left to splinter's security_definer_view and materialized_view_in_api.
 */
export function coverageFindings(rows: CoverageRow[]): Finding[] {
  const findings: Finding[] = [];
  const byTable = new Map<string, CoverageRow[]>();
  for (const r of rows) {
    if (r.role !== 'anon' || (r.kind !== 'table' && r.kind !== 'foreign table')) continue;
    const key = `${r.schema}\u0000${r.name}`;
    byTable.set(key, [...(byTable.get(key) ?? []), r]);
  }
  for (const cells of byTable.values()) {
    const first = cells[0];
    if (!first) continue;
    const table = qualified({ schema: first.schema, name: first.name });
    const object = { type: first.kind, schema: first.schema, name: first.name } as const;

    const bare = cells.filter(openWithoutPolicy);
    if (bare.length > 0) {
      const detail = bare[0]?.detail ?? '';
      const cmds = bare.map((c) => c.command);
      findings.push({
        rule: COVERAGE_RULE,
        level: 'error',
        object,
        message: `anon can ${listOf(cmds)} every row of ${table} without any policy: ${detail}`,
        why: COVERAGE_WHY,
        fix: coverageFix(first, cmds),
      });
    }

    const trueWrites = cells.filter((c) => c.command !== 'select' && c.status === 'open' && c.truePolicy !== undefined);
    for (const [policy, group] of groupBy(trueWrites, (c) => c.truePolicy ?? '')) {
      const cmds = group.map((c) => c.command);
      findings.push({
        rule: COVERAGE_RULE,
        level: 'error',
        object,
        message: `anon can ${listOf(cmds)} any row of ${table}: policy "${policy}" is true`,
        why: COVERAGE_WHY,
        fix: `revoke ${cmds.join(', ')} on ${table} from anon;`,
      });
    }
  }
  return findings;
}

/** The one statement that closes a cell that is open without a policy. */
export function coverageFix(row: CoverageRow, commands: Command[] = [row.command]): string {
  const table = qualified({ schema: row.schema, name: row.name });
  if (row.kind === 'table' && !row.rlsEnabled) return `alter table ${table} enable row level security;`;
  if (row.kind === 'table' && /owns the table/.test(row.detail))
    return `alter table ${table} force row level security;`;
  if (/BYPASSRLS/.test(row.detail)) return `alter role ${row.role} nobypassrls;`;
  return `revoke ${commands.join(', ')} on ${table} from ${row.role};`;
}

function listOf(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const i of items) m.set(key(i), [...(m.get(key(i)) ?? []), i]);
  return m;
}

/** Short cell text for the summary table. */
export function cellText(row: CoverageRow | undefined): string {
  if (!row) return '?';
  switch (row.status) {
    case 'denied by grant':
    case 'denied by RLS':
      return '—';
    case 'filtered by policy':
      return 'policy';
    case 'open':
      return row.truePolicy !== undefined ? 'OPEN (true policy)' : 'OPEN';
  }
}

/** The matrix as a Markdown table for the job summary: one line per relation, eight cells. */
export function renderCoverageMarkdown(rows: CoverageRow[]): string {
  const header = ['table', ...API_ROLES.flatMap((role) => COMMANDS.map((c) => `${role} ${c}`))];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  const cell = new Map(rows.map((r) => [`${r.schema}\u0000${r.name}\u0000${r.role}\u0000${r.command}`, r]));
  const seen = new Set<string>();
  for (const r of rows) {
    const key = `${r.schema}\u0000${r.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const label = `\`${qualified({ schema: r.schema, name: r.name })}\`${r.kind === 'table' ? '' : ` (${r.kind})`}`;
    const cells = API_ROLES.flatMap((role) => COMMANDS.map((c) => cellText(cell.get(`${key}\u0000${role}\u0000${c}`))));
    lines.push(`| ${[label, ...cells].map(escapeCell).join(' | ')} |`);
  }
  if (seen.size === 0) lines.push(`| (no tables in the exposed schemas) |${' |'.repeat(header.length - 1)}`);
  lines.push('', '— denied (grant or RLS without a policy) · policy: rows filtered by RLS policies · OPEN: every row');
  return lines.join('\n');
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

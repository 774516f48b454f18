// What the policies themselves say: several permissive policies where one would do, decisions on
// user_metadata (which users write themselves), and write policies that are just `true`.
// auth_rls_initplan, about how a policy calls auth.uid(), has its own module (initplan.ts).
import { ERROR, list, policyObject, rule, type TableRow, tableObject, WARNING } from './rule';
import { notExtensionOwned, notSystem } from './sql';

// One row per (table, command, set of overlapping policies), with the roles that get that set.
const MULTIPLE_PERMISSIVE_POLICIES_SQL = `
with applied as (
  select c.oid, n.nspname, c.relname, r.rolname, cmd, p.polname
  from pg_catalog.pg_policy p
  join pg_catalog.pg_class c on c.oid = p.polrelid
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  join pg_catalog.pg_roles r on p.polroles = '{0}' or r.oid = any(p.polroles)
  cross join lateral unnest(case p.polcmd
      when 'r' then array['select'] when 'a' then array['insert']
      when 'w' then array['update'] when 'd' then array['delete']
      else array['select', 'insert', 'update', 'delete'] end) cmd
  where p.polpermissive
    and c.relkind in ('r', 'p')
    and ${notSystem('n.nspname')}
    and ${notExtensionOwned('c.oid')}
    and r.rolname !~ '^pg_' and r.rolname !~ '^supabase.*admin$'
    and not r.rolbypassrls and not r.rolsuper
), overlapping as (
  select oid, nspname, relname, rolname, cmd, array_agg(polname::text order by polname) as policies
  from applied
  group by oid, nspname, relname, rolname, cmd
  having count(*) > 1
)
select nspname as schema_name, relname as table_name, format('%I.%I', nspname, relname) as qtable,
       cmd as command, policies, array_agg(rolname::text order by rolname) as roles
from overlapping
group by nspname, relname, cmd, policies
order by 1, 2, array_position(array['select', 'insert', 'update', 'delete'], cmd), policies`;

export const multiplePermissivePolicies = rule(
  {
    name: 'multiple_permissive_policies',
    title: 'Multiple Permissive Policies',
    level: WARNING,
    categories: ['PERFORMANCE'],
    description:
      'Several permissive policies for the same role and command are OR-ed together, and PostgreSQL evaluates every one of them for every row; one policy with the combined condition is cheaper and easier to audit.',
  },
  async (ctx, found) => {
    const rows = await ctx.query<TableRow & { command: string; policies: string[]; roles: string[] }>(
      MULTIPLE_PERMISSIVE_POLICIES_SQL,
    );
    return rows.map((r) =>
      found({
        object: tableObject(r),
        message: `Table ${r.qtable} has ${r.policies.length} permissive ${r.command} policies for ${list(r.roles)} (${list(r.policies)}); merge them into one`,
      }),
    );
  },
);

// user_metadata is what auth.updateUser() lets a signed-in user write about themselves;
// raw_user_meta_data is where GoTrue stores it in auth.users.
const RLS_REFERENCES_USER_METADATA_SQL = `
with policies as (
  select n.nspname as schema_name, c.relname as table_name, p.polname as policy_name,
         format('%I.%I', n.nspname, c.relname) as qtable,
         pg_get_expr(p.polqual, p.polrelid) as using_expr, pg_get_expr(p.polwithcheck, p.polrelid) as check_expr
  from pg_catalog.pg_policy p
  join pg_catalog.pg_class c on c.oid = p.polrelid
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where ${notSystem('n.nspname')}
)
select schema_name, table_name, policy_name, qtable from policies
where using_expr ~ '(auth\\.jwt\\(\\)|current_setting\\(''request\\.jwt\\.claim).*user_metadata'
   or check_expr ~ '(auth\\.jwt\\(\\)|current_setting\\(''request\\.jwt\\.claim).*user_metadata'
   or using_expr ~ 'raw_user_meta_data' or check_expr ~ 'raw_user_meta_data'
order by 1, 2, 3`;

export const rlsReferencesUserMetadata = rule(
  {
    name: 'rls_references_user_metadata',
    title: 'RLS references user metadata',
    level: ERROR,
    categories: ['SECURITY'],
    description:
      'A policy decides on Supabase Auth user_metadata, which every signed-in user can edit about themselves (auth.updateUser), so the check is theirs to pass; keep authorization claims in app_metadata, which only the server can set.',
  },
  async (ctx, found) => {
    const rows = await ctx.query<TableRow & { policy_name: string }>(RLS_REFERENCES_USER_METADATA_SQL);
    return rows.map((r) =>
      found({
        object: policyObject(r),
        message: `Policy ${r.policy_name} on ${r.qtable} trusts user_metadata, which users can edit; use app_metadata or a table the user cannot write`,
      }),
    );
  },
);

const policyCommand = `case p.polcmd when 'r' then 'select' when 'a' then 'insert' when 'w' then 'update' when 'd' then 'delete' else 'all' end`;

const policyRoles = `array(select case when x = 0 then 'public' else x::regrole::text end from unnest(p.polroles) x order by 1)`;

// `true` and `1 = 1` as PostgreSQL deparses them, compared without spaces or outer parentheses.
const alwaysTrue = (expr: string) =>
  `coalesce(regexp_replace(lower(${expr}), '[\\s()]', '', 'g') in ('true', '1=1'), false)`;

// Permissive write policies on RLS tables that the API roles (or PUBLIC) get. A missing USING or
// WITH CHECK grants nothing (PostgreSQL skips it), so only written-out `true` counts; an UPDATE or
// ALL policy with no WITH CHECK reuses its USING for new rows.
const RLS_POLICY_ALWAYS_TRUE_SQL = `
with policies as (
  select n.nspname as schema_name, c.relname as table_name, p.polname as policy_name,
         format('%I.%I', n.nspname, c.relname) as qtable, ${policyCommand} as command, ${policyRoles} as roles,
         p.polcmd, p.polwithcheck is null as no_check,
         ${alwaysTrue('pg_get_expr(p.polqual, p.polrelid)')} as using_true,
         ${alwaysTrue('pg_get_expr(p.polwithcheck, p.polrelid)')} as check_true
  from pg_catalog.pg_policy p
  join pg_catalog.pg_class c on c.oid = p.polrelid
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p')
    and c.relrowsecurity
    and p.polpermissive
    and p.polcmd <> 'r'
    and ${notSystem('n.nspname')}
    and (p.polroles = '{0}' or exists (select 1 from pg_catalog.pg_roles r
                                        where r.oid = any(p.polroles) and r.rolname in ('anon', 'authenticated')))
)
select schema_name, table_name, policy_name, qtable, command, roles,
       using_true and polcmd in ('w', 'd', '*') as using_true,
       (check_true or (no_check and using_true and polcmd in ('w', '*'))) and polcmd in ('a', 'w', '*') as check_true
from policies
where (using_true and polcmd in ('w', 'd', '*')) or (check_true and polcmd in ('a', 'w', '*'))
order by 1, 2, 3`;

export const rlsPolicyAlwaysTrue = rule(
  {
    name: 'rls_policy_always_true',
    title: 'RLS Policy Always True',
    level: WARNING,
    categories: ['SECURITY'],
    description:
      'A permissive INSERT, UPDATE, DELETE or ALL policy for anon, authenticated or PUBLIC whose USING or WITH CHECK is just `true` lets those roles write every row, which is RLS in name only. A SELECT policy with USING (true) is left alone: public read access is a common, deliberate choice.',
  },
  async (ctx, found) => {
    const rows = await ctx.query<
      TableRow & {
        policy_name: string;
        command: string;
        roles: string[];
        using_true: boolean;
        check_true: boolean;
      }
    >(RLS_POLICY_ALWAYS_TRUE_SQL);
    return rows.map((r) => {
      const clause =
        r.using_true && r.check_true ? 'USING and WITH CHECK are' : r.using_true ? 'USING is' : 'WITH CHECK is';
      return found({
        object: policyObject(r),
        message: `Policy ${r.policy_name} on ${r.qtable} (${r.command.toUpperCase()} for ${list(r.roles)}): ${clause} always true, so any row can be written; restrict it to the rows the role owns`,
      });
    });
  },
);

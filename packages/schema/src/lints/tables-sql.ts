// Catalog queries behind the table and policy rules (tables.ts). Each is one set-based query over
// pg_catalog; identifiers that end up in a fix are quoted here with format('%I') / quote_ident so
// keywords and mixed case survive. $1 is always the exposed schemas where a rule takes them.
import { SYSTEM_SCHEMAS } from '../system-schemas';

export { SYSTEM_SCHEMAS };

const sqlList = (names: string[]) => names.map((s) => `'${s}'`).join(', ');

/** `<column> not in (system schemas)`; `keep` re-admits schemas (realtime.messages policies are user-written). */
function notSystem(column: string, keep: string[] = []): string {
  return `${column} not in (${sqlList(SYSTEM_SCHEMAS.filter((s) => !keep.includes(s)))})`;
}

/** Tables created by `create extension` belong to the extension, not to the user's migrations. */
const notExtensionOwned = (oid: string) =>
  `not exists (select 1 from pg_catalog.pg_depend e where e.classid = 'pg_catalog.pg_class'::regclass and e.objid = ${oid} and e.deptype = 'e')`;

/** Does anon or authenticated hold `check` (an expression over r.oid)? Roles that do not exist count as no. */
const apiRoleHas = (check: string) =>
  `exists (select 1 from pg_catalog.pg_roles r where r.rolname in ('anon', 'authenticated') and ${check})`;

const policyCommand = `case p.polcmd when 'r' then 'select' when 'a' then 'insert' when 'w' then 'update' when 'd' then 'delete' else 'all' end`;

const policyRoles = `array(select case when x = 0 then 'public' else x::regrole::text end from unnest(p.polroles) x order by 1)`;

// A foreign key is covered when some valid, non-partial index starts with exactly its columns (any
// order): that index serves the lookups a delete or update on the referenced row makes.
export const UNINDEXED_FOREIGN_KEYS_SQL = `
select n.nspname as schema_name, c.relname as table_name, ct.conname as constraint_name,
       format('%I.%I', n.nspname, c.relname) as qtable,
       (select string_agg(quote_ident(a.attname), ', ' order by k.ord)
          from unnest(ct.conkey) with ordinality k(attnum, ord)
          join pg_catalog.pg_attribute a on a.attrelid = ct.conrelid and a.attnum = k.attnum) as columns
from pg_catalog.pg_constraint ct
join pg_catalog.pg_class c on c.oid = ct.conrelid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where ct.contype = 'f'
  and ct.conparentid = 0
  and ${notSystem('n.nspname')}
  and ${notExtensionOwned('c.oid')}
  and not exists (
    select 1
    from pg_catalog.pg_index i,
         lateral (select (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(ct.conkey)] as lead) l
    where i.indrelid = ct.conrelid
      and i.indisvalid
      and i.indpred is null
      and cardinality(ct.conkey) <= i.indnkeyatts
      and l.lead @> ct.conkey and l.lead <@ ct.conkey
  )
order by 1, 2, 3`;

// Views and materialized views in exposed schemas whose rewrite rule reads auth.users directly.
export const AUTH_USERS_EXPOSED_SQL = `
select n.nspname as schema_name, v.relname as view_name, v.relkind::text as relkind,
       format('%I.%I', n.nspname, v.relname) as qview,
       array(select r.rolname::text from pg_catalog.pg_roles r
             where r.rolname in ('anon', 'authenticated') and has_table_privilege(r.oid, v.oid, 'SELECT')
             order by 1) as roles,
       exists (select 1 from aclexplode(v.relacl) a where a.grantee = 0 and a.privilege_type = 'SELECT') as public_grant
from pg_catalog.pg_class u
join pg_catalog.pg_namespace un on un.oid = u.relnamespace
join pg_catalog.pg_class v on v.relkind in ('v', 'm')
join pg_catalog.pg_namespace n on n.oid = v.relnamespace
where un.nspname = 'auth' and u.relname = 'users'
  and n.nspname = any($1::text[])
  and exists (
    select 1
    from pg_catalog.pg_rewrite rw
    join pg_catalog.pg_depend d on d.classid = 'pg_catalog.pg_rewrite'::regclass and d.objid = rw.oid
    where rw.ev_class = v.oid and d.deptype = 'n'
      and d.refclassid = 'pg_catalog.pg_class'::regclass and d.refobjid = u.oid
  )
  and ${apiRoleHas(`has_table_privilege(r.oid, v.oid, 'SELECT')`)}
  and (
    v.relkind = 'm' -- no RLS on materialized views
    or not exists (select 1 from pg_options_to_table(v.reloptions) o
                   where o.option_name = 'security_invoker' and lower(o.option_value) in ('on', 'true', 'yes', '1'))
    or not u.relrowsecurity -- invoker's rights, but nothing filters auth.users rows
  )
order by 1, 2`;

// Candidates only: which calls are left unwrapped is decided on the deparsed text in tables.ts.
// realtime is kept: Realtime Authorization policies on realtime.messages are the user's own.
export const AUTH_RLS_INITPLAN_SQL = `
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

// For the fix: a unique, full, plain-column btree index on NOT NULL columns that no constraint
// owns can become the primary key as is; else an existing "id" column; else a new identity column.
export const NO_PRIMARY_KEY_SQL = `
select n.nspname as schema_name, c.relname as table_name, format('%I.%I', n.nspname, c.relname) as qtable,
       (select quote_ident(ic.relname)
          from pg_catalog.pg_index i
          join pg_catalog.pg_class ic on ic.oid = i.indexrelid
          join pg_catalog.pg_am am on am.oid = ic.relam and am.amname = 'btree'
         where i.indrelid = c.oid and i.indisunique and i.indisvalid and i.indimmediate
           and i.indpred is null and i.indexprs is null and i.indnkeyatts = i.indnatts
           and not exists (select 1 from pg_catalog.pg_constraint k where k.conindid = i.indexrelid)
           and not exists (select 1 from unnest(i.indkey) k(attnum)
                             join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
                            where not a.attnotnull)
         order by i.indnatts, ic.relname
         limit 1) as candidate_index,
       exists (select 1 from pg_catalog.pg_attribute a
                where a.attrelid = c.oid and a.attname = 'id' and a.attnum > 0 and not a.attisdropped) as has_id
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relkind = 'r'
  and ${notSystem('n.nspname')}
  and ${notExtensionOwned('c.oid')}
  and not exists (select 1 from pg_catalog.pg_index i where i.indrelid = c.oid and i.indisprimary)
order by 1, 2`;

// One row per (table, command, set of overlapping policies), with the roles that get that set.
export const MULTIPLE_PERMISSIVE_POLICIES_SQL = `
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

export const POLICY_EXISTS_RLS_DISABLED_SQL = `
select n.nspname as schema_name, c.relname as table_name, format('%I.%I', n.nspname, c.relname) as qtable,
       array_agg(p.polname::text order by p.polname) as policies
from pg_catalog.pg_policy p
join pg_catalog.pg_class c on c.oid = p.polrelid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p')
  and not c.relrowsecurity
  and ${notSystem('n.nspname')}
  and ${notExtensionOwned('c.oid')}
group by n.nspname, c.relname
order by 1, 2`;

export const RLS_ENABLED_NO_POLICY_SQL = `
select n.nspname as schema_name, c.relname as table_name, format('%I.%I', n.nspname, c.relname) as qtable
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p')
  and c.relrowsecurity
  and not exists (select 1 from pg_catalog.pg_policy p where p.polrelid = c.oid)
  and ${notSystem('n.nspname')}
  and ${notExtensionOwned('c.oid')}
order by 1, 2`;

// Two indexes are the same when their definitions match once the index name is taken out. Per
// group the one kept is the primary key, then one a constraint owns, then one a foreign key
// depends on, then the first by name; every other one is reported.
export const DUPLICATE_INDEX_SQL = `
with idx as (
  select c.oid as table_oid, n.nspname as schema_name, c.relname as table_name, ic.relname as index_name,
         format('%I.%I', n.nspname, c.relname) as qtable, format('%I.%I', n.nspname, ic.relname) as qindex,
         con.conname as constraint_name, quote_ident(con.conname) as qconstraint, i.indisprimary,
         exists (select 1 from pg_catalog.pg_constraint f where f.contype = 'f' and f.conindid = i.indexrelid) as fk_uses,
         replace(pg_get_indexdef(i.indexrelid), ' INDEX ' || quote_ident(ic.relname) || ' ON ', ' INDEX ON ') as shape
  from pg_catalog.pg_index i
  join pg_catalog.pg_class ic on ic.oid = i.indexrelid
  join pg_catalog.pg_class c on c.oid = i.indrelid
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  left join pg_catalog.pg_constraint con on con.conindid = i.indexrelid and con.conrelid = c.oid and con.contype in ('p', 'u', 'x')
  where c.relkind in ('r', 'm', 'p')
    and not ic.relispartition -- a partition's index follows its parent's: fix it there
    and ${notSystem('n.nspname')}
    and ${notExtensionOwned('c.oid')}
), ranked as (
  select idx.*,
         row_number() over w as place,
         first_value(index_name) over w as kept,
         count(*) over (partition by table_oid, shape) as copies
  from idx
  window w as (partition by table_oid, shape
               order by indisprimary desc, (constraint_name is not null) desc, fk_uses desc, index_name)
)
select schema_name, table_name, index_name, qtable, qindex, constraint_name, qconstraint, kept
from ranked
where copies > 1 and place > 1
order by 1, 2, 3`;

// Any table privilege counts, not only SELECT: an API role that can insert or delete rows of a
// table without RLS is as much a hole as one that can read them.
export const RLS_DISABLED_IN_PUBLIC_SQL = `
select n.nspname as schema_name, c.relname as table_name, format('%I.%I', n.nspname, c.relname) as qtable
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p')
  and not c.relrowsecurity
  and n.nspname = any($1::text[])
  and ${notSystem('n.nspname')}
  and ${apiRoleHas(
    `(has_any_column_privilege(r.oid, c.oid, 'SELECT, INSERT, UPDATE') or has_table_privilege(r.oid, c.oid, 'DELETE'))`,
  )}
order by 1, 2`;

// user_metadata is what auth.updateUser() lets a signed-in user write about themselves;
// raw_user_meta_data is where GoTrue stores it in auth.users.
export const RLS_REFERENCES_USER_METADATA_SQL = `
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

// `true` and `1 = 1` as PostgreSQL deparses them, compared without spaces or outer parentheses.
const alwaysTrue = (expr: string) =>
  `coalesce(regexp_replace(lower(${expr}), '[\\s()]', '', 'g') in ('true', '1=1'), false)`;

// Permissive write policies on RLS tables that the API roles (or PUBLIC) get. A missing USING or
// WITH CHECK grants nothing (PostgreSQL skips it), so only written-out `true` counts; an UPDATE or
// ALL policy with no WITH CHECK reuses its USING for new rows.
export const RLS_POLICY_ALWAYS_TRUE_SQL = `
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

// $2: names that are sensitive as a whole; $3: names that are sensitive also as the last word of a
// longer name (stripe_api_key, hashed_password). Names are compared in snake_case.
export const SENSITIVE_COLUMNS_EXPOSED_SQL = `
with cols as (
  select n.nspname as schema_name, c.relname as table_name, format('%I.%I', n.nspname, c.relname) as qtable,
         a.attname::text as column_name,
         lower(translate(regexp_replace(a.attname, '([a-z0-9])([A-Z])', '\\1_\\2', 'g'), '- ', '__')) as norm
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
  where c.relkind in ('r', 'p')
    and not c.relrowsecurity
    and n.nspname = any($1::text[])
    and ${notSystem('n.nspname')}
    and ${apiRoleHas(`has_column_privilege(r.oid, c.oid, a.attnum, 'SELECT')`)}
)
select schema_name, table_name, qtable, array_agg(column_name order by column_name) as columns
from cols
where norm = any($2::text[])
   or exists (select 1 from unnest($3::text[]) s(word) where norm like '%\\_' || s.word)
group by schema_name, table_name, qtable
order by 1, 2`;

export const FKEY_TO_AUTH_UNIQUE_SQL = `
select n.nspname as schema_name, c.relname as table_name, ct.conname as constraint_name,
       format('%I.%I', n.nspname, c.relname) as qtable, quote_ident(ct.conname) as qconstraint,
       format('%I.%I', rn.nspname, rc.relname) as referenced, ic.relname as referenced_index
from pg_catalog.pg_constraint ct
join pg_catalog.pg_class c on c.oid = ct.conrelid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
join pg_catalog.pg_class rc on rc.oid = ct.confrelid
join pg_catalog.pg_namespace rn on rn.oid = rc.relnamespace
join pg_catalog.pg_index i on i.indexrelid = ct.conindid
join pg_catalog.pg_class ic on ic.oid = i.indexrelid
where ct.contype = 'f'
  and ct.conparentid = 0
  and rn.nspname = 'auth'
  and i.indisunique and not i.indisprimary
  and ${notSystem('n.nspname')}
order by 1, 2, 3`;

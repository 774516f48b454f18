// Where the user's schema reaches into Supabase Auth's: views that hand auth.users to the Data API,
// and foreign keys tied to an Auth-internal unique constraint instead of auth.users(id).
import { constraintObject, ERROR, list, rule, type TableRow } from './rule';
import { apiRoleHas, notSystem } from './sql';

// Views and materialized views in exposed schemas whose rewrite rule reads auth.users directly.
const AUTH_USERS_EXPOSED_SQL = `
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

export const authUsersExposed = rule(
  {
    name: 'auth_users_exposed',
    title: 'Exposed Auth Users',
    level: ERROR,
    categories: ['SECURITY'],
    description:
      "A view or materialized view over auth.users in an exposed schema hands the Data API every user's email, phone and metadata: it runs with its owner's rights (or is a materialized copy), so no RLS protects the rows.",
  },
  async (ctx, found) => {
    const rows = await ctx.query<{
      schema_name: string;
      view_name: string;
      relkind: string;
      qview: string;
      roles: string[];
      public_grant: boolean;
    }>(AUTH_USERS_EXPOSED_SQL, [ctx.exposedSchemas]);
    return rows.map((r) => {
      const type = r.relkind === 'm' ? 'materialized view' : 'view';
      // A grant to PUBLIC reaches anon too: it has to go as well.
      const grantees = r.public_grant ? ['public', 'anon', 'authenticated'] : ['anon', 'authenticated'];
      return found({
        object: { type, schema: r.schema_name, name: r.view_name },
        message: `${type === 'view' ? 'View' : 'Materialized view'} ${r.qview} exposes auth.users to ${list(r.roles)} through the Data API`,
        fix: `revoke select on ${r.qview} from ${list(grantees)};`,
      });
    });
  },
);

const FKEY_TO_AUTH_UNIQUE_SQL = `
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

export const fkeyToAuthUnique = rule(
  {
    name: 'fkey_to_auth_unique',
    title: 'Foreign Key to Auth Unique Constraint',
    level: ERROR,
    categories: ['SECURITY'],
    description:
      'A foreign key to a unique constraint in the auth schema (other than a primary key) ties your table to an internal of Supabase Auth that its upgrades may change or drop, which then fails or blocks them; reference auth.users(id) instead.',
  },
  async (ctx, found) => {
    const rows = await ctx.query<
      TableRow & { constraint_name: string; qconstraint: string; referenced: string; referenced_index: string }
    >(FKEY_TO_AUTH_UNIQUE_SQL);
    return rows.map((r) =>
      found({
        object: constraintObject(r),
        message: `Foreign key ${r.constraint_name} on ${r.qtable} references ${r.referenced} through its unique index ${r.referenced_index}, not its primary key`,
        fix: `alter table ${r.qtable} drop constraint ${r.qconstraint};`,
      }),
    );
  },
);

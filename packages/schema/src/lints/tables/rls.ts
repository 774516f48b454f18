// Whether row level security is on where it has to be, and has something to enforce: policies on a
// table without RLS, RLS without policies, and tables the Data API exposes without RLS.
import { ERROR, INFO, list, rule, type TableRow, tableObject } from './rule';
import { apiRoleHas, notExtensionOwned, notSystem } from './sql';

const POLICY_EXISTS_RLS_DISABLED_SQL = `
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

export const policyExistsRlsDisabled = rule(
  {
    name: 'policy_exists_rls_disabled',
    title: 'Policy Exists RLS Disabled',
    level: ERROR,
    categories: ['SECURITY'],
    description:
      'The table has row level security policies but RLS is not enabled on it, so the policies are ignored and every role with a grant sees and changes every row.',
  },
  async (ctx, found) => {
    const rows = await ctx.query<TableRow & { policies: string[] }>(POLICY_EXISTS_RLS_DISABLED_SQL);
    return rows.map((r) =>
      found({
        object: tableObject(r),
        message: `Table ${r.qtable} has policies (${list(r.policies)}) but row level security is disabled, so they are ignored`,
        fix: `alter table ${r.qtable} enable row level security;`,
      }),
    );
  },
);

const RLS_ENABLED_NO_POLICY_SQL = `
select n.nspname as schema_name, c.relname as table_name, format('%I.%I', n.nspname, c.relname) as qtable
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p')
  and c.relrowsecurity
  and not exists (select 1 from pg_catalog.pg_policy p where p.polrelid = c.oid)
  and ${notSystem('n.nspname')}
  and ${notExtensionOwned('c.oid')}
order by 1, 2`;

export const rlsEnabledNoPolicy = rule(
  {
    name: 'rls_enabled_no_policy',
    title: 'RLS Enabled No Policy',
    level: INFO,
    categories: ['SECURITY'],
    description:
      'Row level security is enabled but no policy exists, so the API roles get no rows at all; fine for a table only the server reads, otherwise a policy is missing.',
  },
  async (ctx, found) => {
    const rows = await ctx.query<TableRow>(RLS_ENABLED_NO_POLICY_SQL);
    return rows.map((r) =>
      found({
        object: tableObject(r),
        message: `Table ${r.qtable} has row level security enabled but no policies: anon and authenticated get no rows; add a policy or ignore this if that is intended`,
      }),
    );
  },
);

// Any table privilege counts, not only SELECT: an API role that can insert or delete rows of a
// table without RLS is as much a hole as one that can read them.
const RLS_DISABLED_IN_PUBLIC_SQL = `
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

export const rlsDisabledInPublic = rule(
  {
    name: 'rls_disabled_in_public',
    title: 'RLS Disabled in Public',
    level: ERROR,
    categories: ['SECURITY'],
    description:
      'A table in a schema the Data API exposes has row level security disabled while anon or authenticated hold privileges on it: anyone with the public anon key can read or change every row.',
  },
  async (ctx, found) => {
    const rows = await ctx.query<TableRow>(RLS_DISABLED_IN_PUBLIC_SQL, [ctx.exposedSchemas]);
    return rows.map((r) =>
      found({
        object: tableObject(r),
        message: `Table ${r.qtable} is exposed to the Data API but row level security is disabled`,
        fix: `alter table ${r.qtable} enable row level security;`,
      }),
    );
  },
);

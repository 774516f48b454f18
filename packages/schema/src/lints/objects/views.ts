// Relations the Data API serves that RLS does not protect: views running with their owner's
// rights, and materialized and foreign tables, which have no row level security at all.
import { type DbObject, qualified, type Rule } from '../../findings';
import { exposed, finding, RELKIND_TYPE, rule } from './rule';
import { apiRoleCanSelect, notExtensionMember, userSchema } from './sql';

/** Relations of one kind in the exposed schemas ($1) that anon or authenticated can select, plus `extra` conditions. */
const apiRelationsSql = (relkind: 'v' | 'm' | 'f', extra = '') =>
  `select n.nspname as schema, c.relname as name
   from pg_catalog.pg_class c
   join pg_catalog.pg_namespace n on n.oid = c.relnamespace
   where c.relkind = '${relkind}'
     and n.nspname = any($1::text[])
     and ${userSchema('n.nspname')}
     and ${notExtensionMember('pg_catalog.pg_class', 'c.oid')}
     and ${apiRoleCanSelect('c.oid')}
     ${extra}
   order by 1, 2`;

export const securityDefinerView = rule<{ schema: string; name: string }>(
  {
    name: 'security_definer_view',
    title: 'Security Definer View',
    level: 'error',
    categories: ['SECURITY'],
    description:
      "A view without security_invoker runs with its owner's privileges, so the querying user's RLS policies and grants on the underlying tables are bypassed.",
  },
  apiRelationsSql(
    'v',
    `-- security_invoker exists from PostgreSQL 15; before that there is nothing to switch on
     and current_setting('server_version_num')::int >= 150000
     and not exists (
       select 1 from pg_catalog.pg_options_to_table(c.reloptions) o
       where o.option_name = 'security_invoker' and lower(o.option_value) in ('true', 'on', 'yes', '1')
     )`,
  ),
  exposed,
  (r, self) => {
    const object: DbObject = { type: 'view', schema: r.schema, name: r.name };
    return finding(
      self,
      object,
      `View ${qualified(object)} runs as its owner (no security_invoker), bypassing the caller's RLS`,
      `alter view ${qualified(object)} set (security_invoker = on);`,
    );
  },
);

/** materialized_view_in_api and foreign_table_in_api: same shape, another relkind. */
function relationInApi(spec: Omit<Rule, 'run'>, relkind: 'm' | 'f', noun: string, problem: string): Rule {
  return rule<{ schema: string; name: string }>(spec, apiRelationsSql(relkind), exposed, (r, self) => {
    const object: DbObject = { type: RELKIND_TYPE[relkind]!, schema: r.schema, name: r.name };
    return finding(
      self,
      object,
      `${noun} ${qualified(object)} is selectable by anon or authenticated through the Data API; ${problem}`,
      `revoke select on ${qualified(object)} from anon, authenticated;`,
    );
  });
}

export const materializedViewInApi = relationInApi(
  {
    name: 'materialized_view_in_api',
    title: 'Materialized View in API',
    level: 'warning',
    categories: ['SECURITY'],
    description:
      'A materialized view in an exposed schema is served by the Data API, and materialized views have no row level security: every API user reads every row.',
  },
  'm',
  'Materialized view',
  'it has no RLS',
);

export const foreignTableInApi = relationInApi(
  {
    name: 'foreign_table_in_api',
    title: 'Foreign Table in API',
    level: 'warning',
    categories: ['SECURITY'],
    description:
      'A foreign table in an exposed schema is served by the Data API, and foreign tables do not enforce row level security policies.',
  },
  'f',
  'Foreign table',
  'foreign tables ignore RLS',
);

// pg_graphql_*_table_exposed: pg_graphql's introspection shows a relation to a role that can
// SELECT any of its columns (and use its schema), whatever RLS then filters.
import { type DbObject, qualified, type Rule } from '../../findings';
import { finding, RELKIND_TYPE, rule } from './rule';
import { userSchema } from './sql';

function graphqlTableExposed(spec: Omit<Rule, 'run'>, role: 'anon' | 'authenticated', audience: string): Rule {
  return rule<{ schema: string; name: string; relkind: string }>(
    { ...spec, requires: { extension: 'pg_graphql' } },
    `select n.nspname as schema, c.relname as name, c.relkind::text as relkind
     from pg_catalog.pg_class c
     join pg_catalog.pg_namespace n on n.oid = c.relnamespace
     join pg_catalog.pg_roles r on r.rolname = $1
     where c.relkind in ('r', 'v', 'm', 'f')
       and exists (select 1 from pg_catalog.pg_extension where extname = 'pg_graphql')
       and ${userSchema('n.nspname')}
       and pg_catalog.has_schema_privilege(r.oid, n.oid, 'USAGE')
       and exists (
         select 1 from pg_catalog.pg_attribute a
         where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
           and pg_catalog.has_column_privilege(r.oid, c.oid, a.attnum, 'SELECT')
       )
     order by 1, 2`,
    () => [role],
    (r, self) => {
      const object: DbObject = { type: RELKIND_TYPE[r.relkind] ?? 'table', schema: r.schema, name: r.name };
      return finding(
        self,
        object,
        `${object.type[0]!.toUpperCase()}${object.type.slice(1)} ${qualified(object)} appears in the GraphQL schema to ${audience} because ${role} can select from it`,
        // A table-level REVOKE also takes back column-level SELECT grants.
        `revoke select on ${qualified(object)} from ${role};`,
      );
    },
  );
}

export const pgGraphqlAnonTableExposed = graphqlTableExposed(
  {
    name: 'pg_graphql_anon_table_exposed',
    title: 'Public Can See Object in GraphQL Schema',
    level: 'warning',
    categories: ['SECURITY'],
    description:
      'pg_graphql introspection lists every table, view, materialized view and foreign table the anon role can select from: its name, columns and relationships are visible to anyone holding the public anon key, even when RLS hides the rows.',
  },
  'anon',
  'anyone with the anon key',
);

export const pgGraphqlAuthenticatedTableExposed = graphqlTableExposed(
  {
    name: 'pg_graphql_authenticated_table_exposed',
    title: 'Signed-In Users Can See Object in GraphQL Schema',
    level: 'warning',
    categories: ['SECURITY'],
    description:
      'pg_graphql introspection lists every table, view, materialized view and foreign table the authenticated role can select from: its name, columns and relationships are visible to every signed-in user (with open sign-up, anyone), even when RLS hides the rows.',
  },
  'authenticated',
  'every signed-in user',
);

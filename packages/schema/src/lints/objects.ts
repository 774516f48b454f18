// Splinter's lints about objects other than plain table security: views, functions, extensions,
// materialized and foreign tables, reg* columns, queues, buckets, GraphQL exposure, and the two
// workload lints. Each rule is one set-based catalog query (public_bucket_allows_listing: two).
// Where splinter reads pgrst.db_schemas we take ctx.exposedSchemas ($1), so CI runs see them too.
import { type DbObject, type Finding, type LintContext, qualified, type Rule } from '../findings';
import { SYSTEM_SCHEMAS } from '../system-schemas';

/** SQL predicate: schema column `col` is a user schema (also skips pg_toast, pg_temp_N). */
const userSchema = (col: string) =>
  `(${col} <> all (array[${SYSTEM_SCHEMAS.map((s) => `'${s}'`).join(', ')}]) and ${col} !~ '^pg_')`;

/** SQL predicate: the object `oid` of catalog `catalog` is not a member of an extension. */
const notExtensionMember = (catalog: string, oid: string) =>
  `not exists (select 1 from pg_catalog.pg_depend d where d.classid = '${catalog}'::regclass and d.objid = ${oid} and d.deptype = 'e')`;

/** SQL predicate: anon or authenticated may SELECT relation `oid` (roles looked up by oid: absent roles are no error). */
const apiRoleCanSelect = (oid: string) =>
  `exists (select 1 from pg_catalog.pg_roles r where r.rolname in ('anon', 'authenticated') and pg_catalog.has_table_privilege(r.oid, ${oid}, 'SELECT'))`;

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

const RELKIND_TYPE: Record<string, DbObject['type']> = {
  r: 'table',
  p: 'table',
  v: 'view',
  m: 'materialized view',
  f: 'foreign table',
};

function finding(rule: Rule, object: DbObject, message: string, fix?: string): Finding {
  return { rule: rule.name, level: rule.level, object, message, why: rule.description, ...(fix ? { fix } : {}) };
}

type Row = Record<string, unknown>;

/** Declares a rule whose run() maps each row of `query` to a finding. */
function rule<T extends Row>(
  spec: Omit<Rule, 'run'>,
  query: string,
  params: (ctx: LintContext) => unknown[],
  toFinding: (row: T, self: Rule) => Finding,
): Rule {
  const self: Rule = {
    ...spec,
    async run(ctx) {
      const rows = await ctx.query<T>(query, params(ctx));
      return rows.map((row) => toFinding(row, self));
    },
  };
  return self;
}

const exposed = (ctx: LintContext) => [ctx.exposedSchemas];

// ---------------------------------------------------------------------------------------------

const securityDefinerView = rule<{ schema: string; name: string }>(
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

const functionSearchPathMutable = rule<{ schema: string; name: string; signature: string; procedure: boolean }>(
  {
    name: 'function_search_path_mutable',
    title: 'Function Search Path Mutable',
    level: 'warning',
    categories: ['SECURITY'],
    description:
      "A function that does not pin search_path resolves unqualified names through the caller's search_path, so a caller who can create objects earlier on that path can make it run their code.",
  },
  // Aggregates are left out: they cannot carry a search_path setting, so there is nothing to fix.
  `select n.nspname as schema, p.proname as name, p.prokind = 'p' as procedure,
     format('%I.%I(%s)', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)) as signature
   from pg_catalog.pg_proc p
   join pg_catalog.pg_namespace n on n.oid = p.pronamespace
   where p.prokind in ('f', 'p')
     and ${userSchema('n.nspname')}
     and ${notExtensionMember('pg_catalog.pg_proc', 'p.oid')}
     and not exists (select 1 from unnest(coalesce(p.proconfig, '{}')) cfg where cfg like 'search\\_path=%')
   order by 1, 2, 4`,
  () => [],
  (r, self) =>
    finding(
      self,
      { type: 'function', schema: r.schema, name: r.name },
      `${r.procedure ? 'Procedure' : 'Function'} ${r.signature} does not set search_path, so it resolves names through the caller's`,
      `alter ${r.procedure ? 'procedure' : 'function'} ${r.signature} set search_path = '';`,
    ),
);

const extensionInPublic = rule<{ name: string; relocatable: boolean }>(
  {
    name: 'extension_in_public',
    title: 'Extension in Public',
    level: 'warning',
    categories: ['SECURITY'],
    description:
      "An extension installed in public puts its functions and types in the Data API's schema and on everyone's search_path; extensions belong in their own schema (extensions).",
  },
  // plpgsql is left out as in splinter: initdb installs it, not the user.
  `select e.extname as name, e.extrelocatable as relocatable
   from pg_catalog.pg_extension e
   join pg_catalog.pg_namespace n on n.oid = e.extnamespace
   where n.nspname = 'public' and e.extname <> 'plpgsql'
   order by 1`,
  () => [],
  (r, self) =>
    finding(
      self,
      { type: 'extension', name: r.name },
      r.relocatable
        ? `Extension ${qualified({ name: r.name })} is installed in schema public`
        : `Extension ${qualified({ name: r.name })} is installed in schema public and cannot be moved: drop it and create it again with schema extensions`,
      r.relocatable ? `alter extension ${qualified({ name: r.name })} set schema extensions;` : undefined,
    ),
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

const materializedViewInApi = relationInApi(
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

const foreignTableInApi = relationInApi(
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

// The reg* types whose values are OIDs pg_upgrade cannot carry over (regclass, regtype, regrole are fine).
const UNSUPPORTED_REG_TYPES = [
  'regcollation',
  'regconfig',
  'regdictionary',
  'regnamespace',
  'regoper',
  'regoperator',
  'regproc',
  'regprocedure',
];

const unsupportedRegTypes = rule<{ schema: string; table: string; column: string; type: string; array: boolean }>(
  {
    name: 'unsupported_reg_types',
    title: 'Unsupported reg types',
    level: 'warning',
    categories: ['SECURITY'],
    description:
      'Columns of the reg* types that store OIDs (regproc, regconfig, …) block pg_upgrade, so the database cannot be upgraded to a new major version.',
  },
  // Stored relations only (views hold no values); partitions are covered by their parent's finding.
  `select n.nspname as schema, c.relname as "table", a.attname as column,
     coalesce(et.typname, t.typname) as type, et.oid is not null as array
   from pg_catalog.pg_attribute a
   join pg_catalog.pg_class c on c.oid = a.attrelid
   join pg_catalog.pg_namespace n on n.oid = c.relnamespace
   join pg_catalog.pg_type t on t.oid = a.atttypid
   left join pg_catalog.pg_type et on et.oid = t.typelem and t.typcategory = 'A'
   where c.relkind in ('r', 'p', 'm')
     and not c.relispartition
     and a.attnum > 0 and not a.attisdropped
     and coalesce(et.oid, t.oid) = any (array[${UNSUPPORTED_REG_TYPES.map((t) => `'pg_catalog.${t}'::regtype`).join(', ')}]::oid[])
     and n.nspname not in ('pg_catalog', 'information_schema', 'pgsodium')
   order by 1, 2, 3`,
  () => [],
  (r, self) => {
    const table = { schema: r.schema, name: r.table };
    const column = qualified({ name: r.column });
    const typeName = `${r.type}${r.array ? '[]' : ''}`;
    return finding(
      self,
      { type: 'column', schema: r.schema, table: r.table, name: r.column },
      `Column ${column} of ${qualified(table)} has type ${typeName}, which blocks pg_upgrade`,
      `alter table ${qualified(table)} alter column ${column} type text${r.array ? '[]' : ''};`,
    );
  },
);

const insecureQueueExposedInApi = rule<{ table: string }>(
  {
    name: 'insecure_queue_exposed_in_api',
    title: 'Insecure Queue Exposed in API',
    level: 'error',
    categories: ['SECURITY'],
    description:
      "With Queues exposed through the Data API (schema pgmq_public), a queue table without row level security lets anon and authenticated read, send and delete every queue's messages.",
    requires: { schema: 'pgmq' },
  },
  // pgmq's queue tables are extension members, so unlike most rules this one keeps them.
  `select c.relname as "table"
   from pg_catalog.pg_class c
   join pg_catalog.pg_namespace n on n.oid = c.relnamespace
   where n.nspname = 'pgmq'
     and c.relkind in ('r', 'p') and not c.relispartition
     and left(c.relname, 2) = 'q_'
     and not c.relrowsecurity
     and ${apiRoleCanSelect('c.oid')}
     and ('pgmq_public' = any($1::text[]) or 'pgmq' = any($1::text[]))
   order by 1`,
  exposed,
  (r, self) => {
    const table = { schema: 'pgmq', name: r.table };
    return finding(
      self,
      { type: 'queue', schema: 'pgmq', name: r.table.slice(2) },
      `Queue ${r.table.slice(2)} (table ${qualified(table)}) has RLS disabled and is reachable by anon or authenticated through the exposed queue API`,
      `alter table ${qualified(table)} enable row level security;`,
    );
  },
);

const extensionVersionsOutdated = rule<{ name: string; installed: string; latest: string }>(
  {
    name: 'extension_versions_outdated',
    title: 'Extension Versions Outdated',
    level: 'warning',
    categories: ['SECURITY'],
    description:
      'An extension running an older version than the default one the server ships misses that version’s fixes, security fixes included.',
  },
  // Installed versions the server no longer has scripts for (pg_upgrade residue) cannot be updated: left out.
  `select a.name::text as name, a.installed_version as installed, a.default_version as latest
   from pg_catalog.pg_available_extensions a
   where a.installed_version is not null
     and a.default_version is not null
     and a.installed_version <> a.default_version
     and exists (
       select 1 from pg_catalog.pg_available_extension_versions v
       where v.name = a.name and v.version = a.installed_version
     )
   order by 1`,
  () => [],
  (r, self) =>
    finding(
      self,
      { type: 'extension', name: r.name },
      `Extension ${qualified({ name: r.name })} is at version ${r.installed}; the server's default is ${r.latest}`,
      `alter extension ${qualified({ name: r.name })} update to '${r.latest.replace(/'/g, "''")}';`,
    ),
);

// ---------------------------------------------------------------------------------------------
// public_bucket_allows_listing: a public bucket serves object URLs without any policy, so a
// SELECT policy on storage.objects that matches the whole bucket only adds listing of its files.

const BUCKET_SPEC: Omit<Rule, 'run'> = {
  name: 'public_bucket_allows_listing',
  title: 'Public Bucket Allows Listing',
  level: 'warning',
  categories: ['SECURITY'],
  description:
    'A public bucket needs no SELECT policy for its object URLs to work; a broad SELECT policy on storage.objects for that bucket lets any client list every file in it, including ones whose URLs were never shared.',
  requires: { schema: 'storage' },
};

// Broad: a permissive SELECT/ALL policy for public/anon/authenticated whose USING is empty,
// always true, or nothing but `bucket_id = '<this bucket>'` (either side, any cast, any parentheses).
const BUCKET_QUERY = String.raw`
with broad as (
  select p.policyname, p.qual,
    coalesce(
      (regexp_match(p.qual, '^[\s(]*bucket_id\s*=\s*''((?:[^'']|'''')*)''(?:\s*::\s*[\w."" ]+?)?[\s)]*$', 'i'))[1],
      (regexp_match(p.qual, '^[\s(]*''((?:[^'']|'''')*)''(?:\s*::\s*[\w."" ]+?)?\s*=\s*bucket_id[\s)]*$', 'i'))[1]
    ) as bucket_literal
  from pg_catalog.pg_policies p
  where p.schemaname = 'storage' and p.tablename = 'objects'
    and p.cmd in ('SELECT', 'ALL')
    and p.permissive = 'PERMISSIVE'
    and p.roles && array['public', 'anon', 'authenticated']::name[]
)
select b.id::text as id, b.name::text as name,
  array_agg(br.policyname::text order by br.policyname) as policies,
  string_agg(format('drop policy %I on storage.objects;', br.policyname), ' ' order by br.policyname) as fix
from storage.buckets b
join broad br on (
  br.qual is null
  or regexp_replace(lower(br.qual), '[\s()]', '', 'g') in ('true', '1=1')
  or replace(br.bucket_literal, '''''', '''') = b.id::text
)
where b.public
group by b.id, b.name
order by b.id`;

const publicBucketAllowsListing: Rule = {
  ...BUCKET_SPEC,
  async run(ctx) {
    // Splinter's view must compile without storage; we simply look first.
    const [present] = await ctx.query<{ ok: boolean }>(
      `select to_regclass('storage.buckets') is not null and to_regclass('storage.objects') is not null as ok`,
    );
    if (!present?.ok) return [];
    const rows = await ctx.query<{ id: string; name: string; policies: string[]; fix: string }>(BUCKET_QUERY);
    return rows.map((r) =>
      finding(
        publicBucketAllowsListing,
        { type: 'bucket', schema: 'storage', name: r.name },
        `Public bucket ${r.name} can be listed by any client: broad SELECT ${r.policies.length === 1 ? 'policy' : 'policies'} ${r.policies.map((p) => `"${p}"`).join(', ')} on storage.objects`,
        r.fix,
      ),
    );
  },
};

// ---------------------------------------------------------------------------------------------
// pg_graphql_*_table_exposed: pg_graphql's introspection shows a relation to a role that can
// SELECT any of its columns (and use its schema), whatever RLS then filters.

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

const pgGraphqlAnonTableExposed = graphqlTableExposed(
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

const pgGraphqlAuthenticatedTableExposed = graphqlTableExposed(
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

// ---------------------------------------------------------------------------------------------
// *_security_definer_function_executable: a SECURITY DEFINER function in an exposed schema that
// the role may execute is a /rest/v1/rpc endpoint running with its owner's rights.

function securityDefinerExecutable(spec: Omit<Rule, 'run'>, role: 'anon' | 'authenticated'): Rule {
  return rule<{ schema: string; name: string; signature: string }>(
    spec,
    // Trigger functions are left out: PostgreSQL refuses to call them other than as triggers.
    `select n.nspname as schema, p.proname as name,
       format('%I.%I(%s)', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)) as signature
     from pg_catalog.pg_proc p
     join pg_catalog.pg_namespace n on n.oid = p.pronamespace
     join pg_catalog.pg_roles r on r.rolname = $2
     where p.prosecdef
       and p.prokind = 'f'
       and p.prorettype not in ('pg_catalog.trigger'::regtype, 'pg_catalog.event_trigger'::regtype)
       and n.nspname = any($1::text[])
       and ${userSchema('n.nspname')}
       and pg_catalog.has_schema_privilege(r.oid, n.oid, 'USAGE')
       and pg_catalog.has_function_privilege(r.oid, p.oid, 'EXECUTE')
     order by 1, 2, 3`,
    (ctx) => [ctx.exposedSchemas, role],
    (r, self) =>
      finding(
        self,
        { type: 'function', schema: r.schema, name: r.name },
        `SECURITY DEFINER function ${r.signature} can be executed by ${role} via /rest/v1/rpc/${r.name}, with its owner's privileges`,
        // EXECUTE is granted to PUBLIC by default: revoking from the role alone would change nothing.
        `revoke execute on function ${r.signature} from public, ${role};`,
      ),
  );
}

const anonSecurityDefinerFunctionExecutable = securityDefinerExecutable(
  {
    name: 'anon_security_definer_function_executable',
    title: 'Public Can Execute SECURITY DEFINER Function',
    level: 'warning',
    categories: ['SECURITY'],
    description:
      "A SECURITY DEFINER function runs with its owner's privileges and bypasses RLS; if anon may execute it, anyone with the public anon key can call it through the Data API. Revoke EXECUTE, make it SECURITY INVOKER, or move it out of the exposed schemas.",
  },
  'anon',
);

const authenticatedSecurityDefinerFunctionExecutable = securityDefinerExecutable(
  {
    name: 'authenticated_security_definer_function_executable',
    title: 'Signed-In Users Can Execute SECURITY DEFINER Function',
    level: 'warning',
    categories: ['SECURITY'],
    description:
      "A SECURITY DEFINER function runs with its owner's privileges and bypasses RLS; if authenticated may execute it, every signed-in user can call it through the Data API. Revoke EXECUTE, make it SECURITY INVOKER, or move it out of the exposed schemas.",
  },
  'authenticated',
);

// ---------------------------------------------------------------------------------------------
// Workload lints: they read statistics, which only mean something on a database with traffic.

const unusedIndex = rule<{ schema: string; table: string; name: string }>(
  {
    name: 'unused_index',
    title: 'Unused Index',
    level: 'info',
    categories: ['PERFORMANCE'],
    description:
      'An index that has never been scanned since statistics were last reset costs write time and disk space for nothing and may be a candidate for removal.',
    workload: true,
  },
  // Unique, primary-key and exclusion indexes enforce constraints, and an index leading with a
  // foreign key's columns is what unindexed_foreign_keys asks for: none of them is "unused".
  `select s.schemaname as schema, s.relname as "table", s.indexrelname as name
   from pg_catalog.pg_stat_user_indexes s
   join pg_catalog.pg_index i on i.indexrelid = s.indexrelid
   where s.idx_scan = 0
     and not i.indisunique and not i.indisprimary
     and not exists (select 1 from pg_catalog.pg_constraint k where k.conindid = i.indexrelid and k.contype in ('p', 'u', 'x'))
     and not exists (
       select 1 from pg_catalog.pg_constraint fk
       where fk.contype = 'f' and fk.conrelid = i.indrelid
         and (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(fk.conkey)] @> fk.conkey
         and (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(fk.conkey)] <@ fk.conkey
     )
     and ${userSchema('s.schemaname')}
     and ${notExtensionMember('pg_catalog.pg_class', 's.relid')}
   order by 1, 2, 3`,
  () => [],
  (r, self) => {
    const index = { schema: r.schema, name: r.name };
    return finding(
      self,
      { type: 'index', schema: r.schema, name: r.name, table: r.table },
      `Index ${qualified(index)} on ${qualified({ schema: r.schema, name: r.table })} has not been scanned since statistics were last reset`,
      `drop index ${qualified(index)};`,
    );
  },
);

/** Splinter's thresholds: at least 70× the pages the rows need and more than 20 MiB wasted. */
const BLOAT_RATIO = 70;
const BLOAT_WASTE_BYTES = 20 * 1024 * 1024;

const tableBloat = rule<{ schema: string; name: string; bytes: string; needed: string }>(
  {
    name: 'table_bloat',
    title: 'Table Bloat',
    level: 'info',
    categories: ['PERFORMANCE'],
    description:
      'A table whose file is far larger than its live rows need (dead tuples never reclaimed) slows sequential scans and wastes disk; VACUUM FULL (or pg_repack, without the exclusive lock) rewrites it compactly.',
    workload: true,
  },
  // Estimate from ANALYZE statistics: each row needs its aligned header (null bitmap when some
  // column has nulls), its average data width and a line pointer; pages hold block size minus
  // the page header, times the fillfactor. Tables never analyzed have no statistics: skipped.
  `with widths as (
     select s.schemaname, s.tablename,
       sum((1 - s.null_frac) * s.avg_width) as data_width,
       bool_or(s.null_frac > 0) as has_nulls,
       count(*) as columns
     from pg_catalog.pg_stats s
     where not s.inherited
     group by 1, 2
   ),
   estimate as (
     select n.nspname as schema, c.relname as name, c.relpages::numeric as pages,
       current_setting('block_size')::numeric as block_size,
       ceil(c.reltuples::numeric * (
         8 * ceil((23 + case when w.has_nulls then ceil(w.columns / 8.0) else 0 end) / 8.0)
         + 8 * ceil(w.data_width / 8.0) + 4
       ) / ((current_setting('block_size')::numeric - 24) * coalesce(
         (select o.option_value::numeric from pg_catalog.pg_options_to_table(c.reloptions) o where o.option_name = 'fillfactor'),
         100) / 100)) as needed_pages
     from widths w
     join pg_catalog.pg_namespace n on n.nspname = w.schemaname
     join pg_catalog.pg_class c on c.relnamespace = n.oid and c.relname = w.tablename
     where c.relkind = 'r'
       and c.relam = (select oid from pg_catalog.pg_am where amname = 'heap')
       and c.reltuples >= 0
       and n.nspname <> 'information_schema'
   )
   select schema, name, (pages * block_size)::text as bytes, (needed_pages * block_size)::text as needed
   from estimate
   where pages > ${BLOAT_RATIO} * greatest(needed_pages, 1)
     and (pages - needed_pages) * block_size > ${BLOAT_WASTE_BYTES}
   order by 1, 2`,
  () => [],
  (r, self) => {
    const object: DbObject = { type: 'table', schema: r.schema, name: r.name };
    const mib = (bytes: string) => `${(Number(bytes) / 1024 / 1024).toFixed(1)} MiB`;
    return finding(
      self,
      object,
      `Table ${qualified(object)} takes ${mib(r.bytes)} on disk but its live rows need about ${mib(r.needed)}`,
      `vacuum full ${qualified(object)};`,
    );
  },
);

export const objectRules: Rule[] = [
  securityDefinerView,
  functionSearchPathMutable,
  extensionInPublic,
  materializedViewInApi,
  foreignTableInApi,
  unsupportedRegTypes,
  insecureQueueExposedInApi,
  extensionVersionsOutdated,
  publicBucketAllowsListing,
  pgGraphqlAnonTableExposed,
  pgGraphqlAuthenticatedTableExposed,
  anonSecurityDefinerFunctionExecutable,
  authenticatedSecurityDefinerFunctionExecutable,
  unusedIndex,
  tableBloat,
];

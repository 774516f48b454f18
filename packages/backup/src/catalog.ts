// The catalog questions the drill asks: what to copy, how to count and sample it, and what the copy needs
// around it (roles, extensions, the platform tables' extra columns, triggers and policies a project's
// migrations put on them). Each runs on the source inside the drill's snapshot; the counting and sampling
// queries run on the copy too, so both sides are measured by the same SQL.
import { SYSTEM_SCHEMAS } from '@wingman/supabase-platform';
import pg from 'pg';

export interface TableRef {
  schema: string;
  name: string;
}

export interface CopiedTable extends TableRef {
  /** 'schema': definition and rows from the dump; 'data': a platform table the bootstrap makes, rows only. */
  kind: 'schema' | 'data';
  /**
   * ORDER BY of the sample over the table aliased wm_row: the primary key (text columns in C order, so both
   * servers pick the same rows), else the whole row as text.
   */
  sampleOrder: string;
  /**
   * What the sample's checksum covers: the source's columns of a platform table (the copy's bootstrap may
   * have more, or another order); every column of a table the dump made.
   */
  columns: string;
  rls: boolean;
}

export interface TableStats extends TableRef {
  rows: number;
  checksum: string;
}

/** Platform schemas whose rows a restore needs (foreign keys to auth.users, buckets), as the CLI's data dump keeps. */
export const PLATFORM_DATA_SCHEMAS = ['auth', 'storage'];
/** Each platform service's own migration bookkeeping: the bootstrap writes it, never the dump. */
const PLATFORM_BOOKKEEPING = ['auth.schema_migrations', 'storage.migrations'];
/** Where run-migrations keeps the history: copied whole, so the copy's history can be compared. */
export const HISTORY_SCHEMA = 'supabase_migrations';

export const ident = (s: string) => pg.escapeIdentifier(s);
export const qualified = (t: TableRef) => `${ident(t.schema)}.${ident(t.name)}`;
export const tableName = (t: TableRef) => `${t.schema}.${t.name}`;

/**
 * Text rendering that is the same on both servers whatever their settings, for the sample checksums; an empty
 * search_path so the definitions read from the catalog name every object with its schema.
 */
export const STABLE_OUTPUT_SQL = `set local search_path = ''; set local timezone = 'UTC'; set local datestyle = 'ISO, YMD'; set local intervalstyle = 'postgres'; set local extra_float_digits = 1; set local bytea_output = 'hex'`;

/** Every user schema: not PostgreSQL's, not the platform's, not an extension's. */
export const USER_SCHEMAS_SQL = `
select n.nspname as name from pg_namespace n
where n.nspname <> all($1::text[]) and n.nspname !~ '^pg_'
  and not exists (select 1 from pg_depend d
                  where d.classid = 'pg_namespace'::regclass and d.objid = n.oid and d.deptype = 'e')
order by 1`;
export const SYSTEM_SCHEMA_LIST = [...SYSTEM_SCHEMAS];

/** Tables of the given schemas, with their primary key's sample order and whether RLS applies to the reader. */
export const TABLES_SQL = `
select n.nspname as schema, c.relname as name,
       c.relrowsecurity and (c.relforcerowsecurity or c.relowner <> (select oid from pg_roles where rolname = current_user)) as rls,
       (select string_agg(format('%I', a.attname) || case when t.typcollation <> 0 then ' collate "C"' else '' end, ', ' order by k.ord)
          from pg_index i
          cross join lateral unnest(i.indkey) with ordinality k(attnum, ord)
          join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
          join pg_type t on t.oid = a.atttypid
         where i.indrelid = c.oid and i.indisprimary) as pk
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = any($1::text[]) and c.relkind in ('r', 'p')
  and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
order by 1, 2`;

export function platformDataTable(t: TableRef): boolean {
  return PLATFORM_DATA_SCHEMAS.includes(t.schema) && !PLATFORM_BOOKKEEPING.includes(tableName(t));
}

/** One query for every table's row count and a checksum of a sample of its rows. */
export function statsQuery(tables: CopiedTable[], sampleRows: number): string {
  return tables
    .map(
      (t) => `select ${literal(t.schema)} as schema, ${literal(t.name)} as name,
  (select count(*) from ${qualified(t)})::bigint as rows,
  (select md5(coalesce(string_agg(r::text, E'\\n' order by r::text collate "C"), ''))
     from (select ${t.columns} from ${qualified(t)} wm_row order by ${t.sampleOrder} limit ${sampleRows}) r) as checksum`,
    )
    .join('\nunion all\n');
}

export const literal = (s: string) => pg.escapeLiteral(s);

/** Roles named by grants, default privileges and policies in the copied schemas: the copy must have them. */
export const GRANTEES_SQL = `
with ns as (select oid from pg_namespace where nspname = any($1::text[])),
acl as (
  select (aclexplode(relacl)).grantee from pg_class where relnamespace in (select oid from ns) and relacl is not null
  union select (aclexplode(proacl)).grantee from pg_proc where pronamespace in (select oid from ns) and proacl is not null
  union select (aclexplode(typacl)).grantee from pg_type where typnamespace in (select oid from ns) and typacl is not null
  union select (aclexplode(nspacl)).grantee from pg_namespace where oid in (select oid from ns) and nspacl is not null
  union select (aclexplode(defaclacl)).grantee from pg_default_acl where defaclnamespace in (select oid from ns)
  union select defaclrole from pg_default_acl where defaclnamespace in (select oid from ns)
  union select unnest(polroles) from pg_policy p join pg_class c on c.oid = p.polrelid
        where c.relnamespace in (select oid from ns) or c.relnamespace in (select oid from pg_namespace where nspname = any($2::text[]))
)
select distinct r.rolname as name from acl join pg_roles r on r.oid = acl.grantee
where r.rolname !~ '^pg_' order by 1`;

export const EXTENSIONS_SQL = `
select e.extname as name, n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace
where e.extname <> 'plpgsql' order by 1`;

/** Columns of platform tables as the source has them (generated ones are not in a dump's rows). */
export const PLATFORM_COLUMNS_SQL = `
select n.nspname as schema, c.relname as name, a.attname as column, format_type(a.atttypid, a.atttypmod) as type
from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
where n.nspname = any($1::text[]) and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
order by 1, 2, a.attnum`;

/**
 * Triggers and policies a project's migrations put on platform tables (a trigger on auth.users that makes
 * a profile, policies on storage.objects): a dump of the user schemas leaves them out, as it leaves the
 * platform tables out, so they are rebuilt from the catalog.
 */
export const PLATFORM_EXTRAS_SQL = `
select 'trigger' as kind, n.nspname as schema, c.relname as table, t.tgname as name, pg_get_triggerdef(t.oid) || ';' as sql
from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
join pg_proc p on p.oid = t.tgfoid join pg_namespace pn on pn.oid = p.pronamespace
where n.nspname = any($1::text[]) and not t.tgisinternal and pn.nspname = any($2::text[])
union all
select 'policy', p.schemaname, p.tablename, p.policyname, format('create policy %I on %I.%I as %s for %s to %s%s%s;', p.policyname, p.schemaname, p.tablename,
              p.permissive, p.cmd, (select string_agg(case when r = 'public' then 'public' else format('%I', r) end, ', ') from unnest(p.roles) r),
              coalesce(' using (' || p.qual || ')', ''), coalesce(' with check (' || p.with_check || ')', ''))
from pg_policies p
where p.schemaname = any($1::text[])`;

/** The same names on the copy: what its bootstrap made already is left as it is. */
export const EXISTING_EXTRAS_SQL = `
select 'trigger' as kind, n.nspname as schema, c.relname as table, t.tgname as name
from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
where n.nspname = any($1::text[]) and not t.tgisinternal
union all
select 'policy', schemaname, tablename, policyname from pg_policies where schemaname = any($1::text[])`;

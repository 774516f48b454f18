// What the probe reads about the database before it writes anything: every user table's columns
// (with what it takes to fill each one) and its foreign keys, looked up by table oid. And the quoting
// for the SQL the probe builds from those names.
import pg from 'pg';

export interface ColumnInfo extends Record<string, unknown> {
  relid: string;
  schema: string;
  table: string;
  relkind: string;
  column: string;
  sql_type: string;
  not_null: boolean;
  default_expr: string | null;
  identity: string;
  generated: string;
  category: string;
  base_type: string;
  first_label: string | null;
  in_unique: boolean;
  updaters: string[] | null;
}

export interface ForeignKey extends Record<string, unknown> {
  relid: string;
  ref_relid: string;
  conname: string;
  cols: string[];
  ref_cols: string[];
}

// Every user table, not only the exposed ones: parents a probe row needs may live elsewhere (auth.users).
const COLUMNS_SQL = `
select c.oid::int8::text as relid, n.nspname as schema, c.relname as table, c.relkind::text as relkind,
       a.attname as column, format_type(a.atttypid, a.atttypmod) as sql_type, a.attnotnull as not_null,
       pg_get_expr(d.adbin, d.adrelid) as default_expr, a.attidentity::text as identity,
       a.attgenerated::text as generated,
       coalesce(bt.typcategory, t.typcategory)::text as category, coalesce(bt.typname, t.typname)::text as base_type,
       (select e.enumlabel from pg_enum e where e.enumtypid = coalesce(bt.oid, t.oid)
        order by e.enumsortorder limit 1) as first_label,
       exists (select 1 from pg_index i where i.indrelid = c.oid and i.indisunique and a.attnum = any(i.indkey)) as in_unique,
       (select array_agg(r.rolname::text) from pg_roles r
        where r.rolname in ('anon', 'authenticated') and has_column_privilege(r.oid, c.oid, a.attnum, 'UPDATE')) as updaters
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
join pg_type t on t.oid = a.atttypid
left join pg_type bt on t.typtype = 'd' and bt.oid = t.typbasetype
left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
where c.relkind in ('r', 'p', 'f') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_toast'
order by c.oid, a.attnum
`;

const FOREIGN_KEYS_SQL = `
select con.conrelid::int8::text as relid, con.confrelid::int8::text as ref_relid, con.conname::text as conname,
       array(select a.attname::text from unnest(con.conkey) with ordinality k(num, i)
             join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.num order by k.i) as cols,
       array(select a.attname::text from unnest(con.confkey) with ordinality k(num, i)
             join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.num order by k.i) as ref_cols
from pg_constraint con
join pg_class c on c.oid = con.conrelid
join pg_namespace n on n.oid = c.relnamespace
where con.contype = 'f' and n.nspname not in ('pg_catalog', 'information_schema')
`;

export interface ProbeCatalog {
  /** Columns by table oid, in column order. */
  columnsOf: Map<string, ColumnInfo[]>;
  /** Foreign keys by the oid of the table that holds them. */
  fksOf: Map<string, ForeignKey[]>;
  /** The oid of a table; undefined when it has no columns. */
  relidOf(schema: string, table: string): string | undefined;
}

/** Two statements, whatever the number of tables. */
export async function readCatalog(client: pg.Client): Promise<ProbeCatalog> {
  const columns = (await client.query<ColumnInfo>(COLUMNS_SQL)).rows;
  const foreignKeys = (await client.query<ForeignKey>(FOREIGN_KEYS_SQL)).rows;
  const columnsOf = new Map<string, ColumnInfo[]>();
  for (const c of columns) columnsOf.set(c.relid, [...(columnsOf.get(c.relid) ?? []), c]);
  const fksOf = new Map<string, ForeignKey[]>();
  for (const fk of foreignKeys) fksOf.set(fk.relid, [...(fksOf.get(fk.relid) ?? []), fk]);
  const relids = new Map<string, string>();
  for (const c of columns) relids.set(`${c.schema}\u0000${c.table}`, c.relid);
  return { columnsOf, fksOf, relidOf: (schema, table) => relids.get(`${schema}\u0000${table}`) };
}

export const ident = (s: string) => pg.escapeIdentifier(s);
export const lit = (s: string) => pg.escapeLiteral(s);
export const tableSql = (c: { schema: string; table: string }) => `${ident(c.schema)}.${ident(c.table)}`;

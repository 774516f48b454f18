// What the target database knows that a file cannot: whether a table exists (so it is not new in
// this run), its size, its columns' types, its validated NOT NULL checks, an index's table, and a
// function's volatility. One query per kind for the whole run, from the catalog only: none of them
// takes a lock on a table, so the lint never waits behind the traffic it warns about.

export type Query = <T extends Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;

export interface TableFacts {
  /** As the migration names it (schema.table or table). */
  name: string;
  /** Estimated rows (reltuples, else the live-tuple count); null when never counted. */
  rows: number | null;
  bytes: number;
  /** Column → format_type, e.g. "character varying(20)". */
  columns: Record<string, string>;
  /** Columns with a validated CHECK (col IS NOT NULL): SET NOT NULL skips its scan. */
  notNullChecked: string[];
}

export interface Catalog {
  tables: Map<string, TableFacts>;
  /** Index name as written → the table it is on. */
  indexTables: Map<string, TableFacts>;
  /** Function name → whether any function of that name is volatile. */
  volatile: Map<string, boolean>;
}

export interface NameRef {
  schema?: string;
  name: string;
}

export const refKey = (r: NameRef) => (r.schema ? `${r.schema}.${r.name}` : r.name);

const FACTS = `
  select n.key, c.oid is not null as present,
         coalesce(nullif(greatest(c.reltuples, -1), -1), pg_stat_get_live_tuples(c.oid))::float8 as rows,
         -- relpages, not pg_relation_size(): that takes a lock, and would queue behind a migration's.
         coalesce(c.relpages::float8 * current_setting('block_size')::float8, 0) as bytes,
         (select coalesce(jsonb_object_agg(a.attname, format_type(a.atttypid, a.atttypmod)), '{}')
            from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped) as columns,
         -- From the stored node tree: pg_get_constraintdef() would lock the table to deparse it.
         (select coalesce(jsonb_agg(a.attname), '[]')
            from pg_constraint k
            join pg_attribute a on a.attrelid = k.conrelid
             and a.attnum = substring(k.conbin::text from '^\\{NULLTEST :arg \\{VAR :varno 1 :varattno (\\d+) ')::int
           where k.conrelid = c.oid and k.contype = 'c' and k.convalidated
             and k.conbin::text ~ ':nulltesttype 1 ') as checked
    from unnest($1::text[], $2::text[], $3::text[]) as n(key, sch, rel)
    left join pg_class c on c.oid = to_regclass(case when n.sch is null then quote_ident(n.rel)
                                                     else quote_ident(n.sch) || '.' || quote_ident(n.rel) end)
                          and c.relkind in ('r', 'p', 'm')`;

const INDEX_TABLES = `
  select n.key, format('%I.%I', tn.nspname, t.relname) as tbl, tn.nspname as sch, t.relname as rel
    from unnest($1::text[], $2::text[], $3::text[]) as n(key, sch, rel)
    join pg_class i on i.oid = to_regclass(case when n.sch is null then quote_ident(n.rel)
                                                else quote_ident(n.sch) || '.' || quote_ident(n.rel) end)
    join pg_index x on x.indexrelid = i.oid
    join pg_class t on t.oid = x.indrelid
    join pg_namespace tn on tn.oid = t.relnamespace`;

const VOLATILITY = `select proname as name, bool_or(provolatile = 'v') as volatile
  from pg_proc where proname = any($1::text[]) group by proname`;

const columnsOf = (refs: NameRef[]) => [refs.map(refKey), refs.map((r) => r.schema ?? null), refs.map((r) => r.name)];

export async function readCatalog(
  query: Query,
  tables: NameRef[],
  indexes: NameRef[],
  functions: string[],
): Promise<Catalog> {
  const catalog: Catalog = { tables: new Map(), indexTables: new Map(), volatile: new Map() };
  if (!tables.length && !indexes.length && !functions.length) return catalog;
  const facts = async (refs: NameRef[]) => {
    if (!refs.length) return [];
    const rows = await query<{
      key: string;
      present: boolean;
      rows: number | null;
      bytes: number;
      columns: Record<string, string>;
      checked: string[];
    }>(FACTS, columnsOf(refs));
    return rows
      .filter((r) => r.present)
      .map((r) => ({
        name: r.key,
        rows: r.rows === null ? null : Number(r.rows),
        bytes: Number(r.bytes),
        columns: r.columns,
        notNullChecked: r.checked,
      }));
  };
  for (const t of await facts(tables)) catalog.tables.set(t.name, t);
  if (indexes.length) {
    const owners = await query<{ key: string; sch: string; rel: string }>(INDEX_TABLES, columnsOf(indexes));
    const ownerFacts = await facts(owners.map((o) => ({ schema: o.sch, name: o.rel })));
    for (const o of owners) {
      const f = ownerFacts.find((x) => x.name === `${o.sch}.${o.rel}`);
      if (f) catalog.indexTables.set(o.key, f);
    }
  }
  if (functions.length)
    for (const r of await query<{ name: string; volatile: boolean }>(VOLATILITY, [functions]))
      catalog.volatile.set(r.name, r.volatile);
  return catalog;
}

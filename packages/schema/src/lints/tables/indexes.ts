// Keys and the indexes behind them: foreign keys no index serves, tables without a primary key,
// and indexes that duplicate another on the same table.
import { constraintObject, INFO, rule, type TableRow, tableObject, WARNING } from './rule';
import { notExtensionOwned, notSystem } from './sql';

// A foreign key is covered when some valid, non-partial index starts with exactly its columns (any
// order): that index serves the lookups a delete or update on the referenced row makes.
const UNINDEXED_FOREIGN_KEYS_SQL = `
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

export const unindexedForeignKeys = rule(
  {
    name: 'unindexed_foreign_keys',
    title: 'Unindexed foreign keys',
    level: INFO,
    categories: ['PERFORMANCE'],
    description:
      'A foreign key whose columns lead no index makes every delete or key update on the referenced table scan the referencing table, and joins along the key slow down as it grows.',
  },
  async (ctx, found) => {
    const rows = await ctx.query<TableRow & { constraint_name: string; columns: string }>(UNINDEXED_FOREIGN_KEYS_SQL);
    return rows.map((r) =>
      found({
        object: constraintObject(r),
        message: `Foreign key ${r.constraint_name} on ${r.qtable} (${r.columns}) has no index that starts with its columns`,
        fix: `create index on ${r.qtable} (${r.columns});`,
      }),
    );
  },
);

// For the fix: a unique, full, plain-column btree index on NOT NULL columns that no constraint
// owns can become the primary key as is; else an existing "id" column; else a new identity column.
const NO_PRIMARY_KEY_SQL = `
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

export const noPrimaryKey = rule(
  {
    name: 'no_primary_key',
    title: 'No Primary Key',
    level: INFO,
    categories: ['PERFORMANCE'],
    description:
      'A table without a primary key has no reliable way to address one row: updates and deletes through the Data API, logical replication and Realtime all need one, and lookups degrade at scale.',
  },
  async (ctx, found) => {
    const rows = await ctx.query<TableRow & { candidate_index: string | null; has_id: boolean }>(NO_PRIMARY_KEY_SQL);
    return rows.map((r) =>
      found({
        object: tableObject(r),
        message: `Table ${r.qtable} has no primary key`,
        fix: r.candidate_index
          ? `alter table ${r.qtable} add primary key using index ${r.candidate_index};`
          : r.has_id
            ? `alter table ${r.qtable} add primary key (id);`
            : `alter table ${r.qtable} add column id bigint generated always as identity primary key;`,
      }),
    );
  },
);

// Two indexes are the same when their definitions match once the index name is taken out. Per
// group the one kept is the primary key, then one a constraint owns, then one a foreign key
// depends on, then the first by name; every other one is reported.
const DUPLICATE_INDEX_SQL = `
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

export const duplicateIndex = rule(
  {
    name: 'duplicate_index',
    title: 'Duplicate Index',
    level: WARNING,
    categories: ['PERFORMANCE'],
    description:
      'Identical indexes on one table cost a write and storage each for no read benefit; keep one and drop the others.',
  },
  async (ctx, found) => {
    const rows = await ctx.query<
      TableRow & {
        index_name: string;
        qindex: string;
        constraint_name: string | null;
        qconstraint: string | null;
        kept: string;
      }
    >(DUPLICATE_INDEX_SQL);
    return rows.map((r) =>
      found({
        object: { type: 'index', schema: r.schema_name, name: r.index_name, table: r.table_name },
        message: `Index ${r.qindex} on ${r.qtable} is identical to ${r.kept}; drop it`,
        // An index a unique constraint owns goes with its constraint.
        fix: r.qconstraint ? `alter table ${r.qtable} drop constraint ${r.qconstraint};` : `drop index ${r.qindex};`,
      }),
    );
  },
);

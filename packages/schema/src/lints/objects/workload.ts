// Workload lints: they read statistics, which only mean something on a database with traffic.
import { type DbObject, qualified } from '../../findings';
import { finding, rule } from './rule';
import { notExtensionMember, userSchema } from './sql';

export const unusedIndex = rule<{ schema: string; table: string; name: string }>(
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
  // foreign key's columns is what unindexed_foreign_keys asks for: none of them is "unused". (The
  // foreign-key one is a departure from splinter, undone by splinter_parity.)
  `select s.schemaname as schema, s.relname as "table", s.indexrelname as name
   from pg_catalog.pg_stat_user_indexes s
   join pg_catalog.pg_index i on i.indexrelid = s.indexrelid
   where s.idx_scan = 0
     and not i.indisunique and not i.indisprimary
     and not exists (select 1 from pg_catalog.pg_constraint k where k.conindid = i.indexrelid and k.contype in ('p', 'u', 'x'))
     and ($1 or not exists (
       select 1 from pg_catalog.pg_constraint fk
       where fk.contype = 'f' and fk.conrelid = i.indrelid
         and (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(fk.conkey)] @> fk.conkey
         and (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(fk.conkey)] <@ fk.conkey
     ))
     and ${userSchema('s.schemaname')}
     and ${notExtensionMember('pg_catalog.pg_class', 's.relid')}
   order by 1, 2, 3`,
  (ctx) => [!!ctx.splinterParity],
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

export const tableBloat = rule<{ schema: string; name: string; bytes: string; needed: string }>(
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

// unsupported_reg_types: columns whose stored OIDs pg_upgrade cannot carry over, so the database
// cannot move to a new major version.
import { qualified } from '../../findings';
import { finding, rule } from './rule';

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

export const unsupportedRegTypes = rule<{
  schema: string;
  table: string;
  column: string;
  type: string;
  array: boolean;
}>(
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

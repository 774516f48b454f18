// insecure_queue_exposed_in_api: Supabase Queues (pgmq) tables reachable through the exposed queue API.
import { qualified } from '../../findings';
import { exposed, finding, rule } from './rule';
import { apiRoleCanSelect } from './sql';

export const insecureQueueExposedInApi = rule<{ table: string }>(
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

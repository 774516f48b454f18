// Sequences the probe must give back: a rollback does not restore them, so their exact state is read
// before the probe and set back afterwards wherever something (a default, a trigger) consumed them.
import type pg from 'pg';
import { lit } from './probe-catalog';

const SEQUENCES_SQL = `
select c.oid::int8::text as oid, format('%I.%I', n.nspname, c.relname) as name, n.nspname || '.' || c.relname as label
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind = 'S' and n.nspname not in ('pg_catalog', 'information_schema')
  -- CASE keeps the privilege check off non-sequences, whatever order the planner picks.
  and case when c.relkind = 'S' then has_sequence_privilege(c.oid, 'SELECT') else false end
order by c.oid
`;

export interface SequenceState {
  oid: string;
  label: string;
  last_value: string;
  is_called: boolean;
}

/** Every sequence's exact state; one statement however many sequences there are. */
export async function sequenceStates(client: pg.Client): Promise<SequenceState[]> {
  const seqs = (await client.query<{ oid: string; name: string; label: string }>(SEQUENCES_SQL)).rows;
  if (seqs.length === 0) return [];
  const sql = seqs
    .map((s) => `select ${lit(s.oid)} as oid, ${lit(s.label)} as label, last_value::text, is_called from ${s.name}`)
    .join('\nunion all\n');
  return (await client.query<SequenceState>(sql)).rows;
}

/** Sets back every sequence that moved since `before`; returns their names (`schema.name`). */
export async function restoreSequences(client: pg.Client, before: SequenceState[]): Promise<string[]> {
  const after = new Map((await sequenceStates(client)).map((s) => [s.oid, s]));
  const changed = before.filter((b) => {
    const a = after.get(b.oid);
    return a !== undefined && (a.last_value !== b.last_value || a.is_called !== b.is_called);
  });
  if (changed.length === 0) return [];
  await client.query(
    'select setval(s.oid::regclass, s.v, s.c) from unnest($1::oid[], $2::int8[], $3::bool[]) as s(oid, v, c)',
    [changed.map((c) => c.oid), changed.map((c) => c.last_value), changed.map((c) => c.is_called)],
  );
  return changed.map((c) => c.label);
}

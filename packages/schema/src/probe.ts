// Live RLS probe: for each exposed table, insert a synthetic row as the connected (owner) user, then
// act as `anon` and as `authenticated` with a random sub, the way the Data API does, and try to
// read, update and delete it. Everything happens in one transaction that is always rolled back;
// sequences, which a rollback does not restore, are given explicit values where we insert and
// are put back with setval afterwards if anything (a default, a trigger) consumed them anyway.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  API_ROLES,
  type ApiRole,
  type Command,
  type CoverageRow,
  coverageFix,
  coverageFor,
  coverageMatrix,
  openWithoutPolicy,
} from './coverage';
import type { Finding, LintContext } from './findings';

export type ProbeAction = 'read' | 'update' | 'delete';

/**
 * - `allowed`: the role read, updated or deleted the probe row.
 * - `hidden by RLS`: the statement ran but matched no row.
 * - `rejected by policy check`: the row was visible for update but WITH CHECK refused it.
 * - `denied by grant`: permission denied.
 * - `failed`: any other error (a trigger or policy function raised one); see `detail`.
 */
export type ProbeOutcome = 'allowed' | 'hidden by RLS' | 'rejected by policy check' | 'denied by grant' | 'failed';

export interface ProbeAttempt {
  role: ApiRole;
  action: ProbeAction;
  outcome: ProbeOutcome;
  /** For `allowed`: whether a policy grants it ('allowed by policy …') or not (the error case). */
  verdict: 'ok' | 'error';
  /** The coverage matrix's text for this role and command. */
  coverage: string;
  /** Policies that apply to this role and command. */
  policies: string[];
  detail?: string;
}

export interface ProbeResult {
  schema: string;
  table: string;
  probed: boolean;
  /** Why the table was not probed (the synthetic row could not be made). */
  reason?: string;
  attempts: ProbeAttempt[];
}

export interface ProbeOptions {
  /** Reuse a matrix already computed for the same database (else it is computed here). */
  coverage?: CoverageRow[];
  /** Roles to act as; default both. */
  roles?: ApiRole[];
  /**
   * How the owner's probe row gets past foreign keys. 'auto' (default): skip FK checks and
   * triggers for that insert (session_replication_role = replica; superuser or GRANT SET), else
   * create parent rows. 'create-parents': always create parent rows.
   */
  foreignKeys?: 'auto' | 'create-parents';
  /** Per statement; default 10 s. */
  statementTimeoutMs?: number;
  /** Waiting for a table lock; default 3 s, so a busy production table is reported, not waited on. */
  lockTimeoutMs?: number;
}

export interface ProbeReport {
  results: ProbeResult[];
  findings: Finding[];
  /** Sequences something consumed during the probe, set back afterwards (`schema.name`). */
  restoredSequences: string[];
}

const ACTION_COMMAND: Record<ProbeAction, Command> = { read: 'select', update: 'update', delete: 'delete' };
const ACTIONS: ProbeAction[] = ['read', 'update', 'delete'];
const MAX_PARENT_DEPTH = 4;

const WHY: Record<ProbeAction, string> = {
  read: 'The probe row was readable by a role that no policy grants it to: anyone holding that key (the anon key ships in every client) reads every row of this table through the Data API.',
  update:
    'The probe row could be changed by a role that no policy grants it to: anyone holding that key can rewrite every row of this table through the Data API.',
  delete:
    'The probe row could be deleted by a role that no policy grants it to: anyone holding that key can delete every row of this table through the Data API.',
};

const NOT_PROBED_WHY =
  'The live probe could not make a synthetic row in this table, so what anon and authenticated can do with its rows is unverified.';

interface ColumnInfo extends Record<string, unknown> {
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

interface ForeignKey extends Record<string, unknown> {
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

const SEQUENCES_SQL = `
select c.oid::int8::text as oid, format('%I.%I', n.nspname, c.relname) as name, n.nspname || '.' || c.relname as label
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind = 'S' and n.nspname not in ('pg_catalog', 'information_schema')
  -- CASE keeps the privilege check off non-sequences, whatever order the planner picks.
  and case when c.relkind = 'S' then has_sequence_privilege(c.oid, 'SELECT') else false end
order by c.oid
`;

interface SequenceState {
  oid: string;
  label: string;
  last_value: string;
  is_called: boolean;
}

/** Thrown while building a synthetic row: the table is reported as not probed, with this reason. */
class NotProbed extends Error {}

const ident = (s: string) => pg.escapeIdentifier(s);
const lit = (s: string) => pg.escapeLiteral(s);
const tableSql = (c: { schema: string; table: string }) => `${ident(c.schema)}.${ident(c.table)}`;

function contextOf(client: pg.Client, exposedSchemas: string[]): LintContext {
  return {
    exposedSchemas,
    query: async <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
      (await client.query(sql, params)).rows as T[],
  };
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

async function restoreSequences(client: pg.Client, before: SequenceState[]): Promise<string[]> {
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

/**
 * Probes every table of the exposed schemas. `client` is connected as the owner (postgres or a
 * superuser) and must not be inside a transaction: the probe opens one and always rolls it back.
 */
export async function probeRls(
  client: pg.Client,
  exposedSchemas: string[],
  options: ProbeOptions = {},
): Promise<ProbeReport> {
  const coverage = options.coverage ?? (await coverageMatrix(contextOf(client, exposedSchemas)));
  const findings: Finding[] = [];
  const results: ProbeResult[] = [];

  const membership = (
    await client.query<{ role: string; ok: boolean }>(
      `select r.rolname::text as role, pg_has_role(current_user, r.oid, 'MEMBER') as ok
       from pg_roles r where r.rolname = any($1::text[])`,
      [options.roles ?? [...API_ROLES]],
    )
  ).rows;
  const roles = (options.roles ?? [...API_ROLES]).filter((role) => membership.some((m) => m.role === role && m.ok));
  const currentUser = (await client.query<{ u: string }>('select current_user::text as u')).rows[0]?.u ?? 'this user';
  for (const role of options.roles ?? API_ROLES) {
    if (roles.includes(role)) continue;
    const exists = membership.some((m) => m.role === role);
    findings.push({
      rule: 'rls_probe_not_probed',
      level: 'warning',
      object: { type: 'role', name: role },
      message: exists
        ? `the RLS probe cannot act as ${role}: ${currentUser} is not a member of it; run \`grant ${role} to ${currentUser};\` or probe with the postgres user`
        : `the RLS probe cannot act as ${role}: the role does not exist in this database`,
      why: NOT_PROBED_WHY,
    });
  }

  const columns = (await client.query<ColumnInfo>(COLUMNS_SQL)).rows;
  const foreignKeys = (await client.query<ForeignKey>(FOREIGN_KEYS_SQL)).rows;
  const columnsOf = new Map<string, ColumnInfo[]>();
  for (const c of columns) columnsOf.set(c.relid, [...(columnsOf.get(c.relid) ?? []), c]);
  const fksOf = new Map<string, ForeignKey[]>();
  for (const fk of foreignKeys) fksOf.set(fk.relid, [...(fksOf.get(fk.relid) ?? []), fk]);

  const tables = new Map<string, { schema: string; name: string; kind: CoverageRow['kind'] }>();
  for (const r of coverage) {
    if (r.kind === 'table' || r.kind === 'foreign table') tables.set(`${r.schema}.${r.name}`, r);
  }
  const relidOf = new Map<string, string>();
  for (const c of columns) relidOf.set(`${c.schema}\u0000${c.table}`, c.relid);

  const sequencesBefore = await sequenceStates(client);
  let restoredSequences: string[] = [];
  await client.query('begin');
  try {
    await client.query(`select set_config('statement_timeout', $1, true), set_config('lock_timeout', $2, true)`, [
      `${options.statementTimeoutMs ?? 10_000}ms`,
      `${options.lockTimeoutMs ?? 3_000}ms`,
    ]);
    const replica = options.foreignKeys !== 'create-parents' && (await canUseReplicaMode(client));
    const builder = new RowBuilder(client, columnsOf, fksOf, replica);

    for (const t of tables.values()) {
      const result: ProbeResult = { schema: t.schema, table: t.name, probed: false, attempts: [] };
      results.push(result);
      const relid = relidOf.get(`${t.schema}\u0000${t.name}`);
      if (t.kind === 'foreign table' || relid === undefined) {
        result.reason =
          t.kind === 'foreign table' ? 'foreign table (rows live on another server)' : 'table has no columns';
        findings.push(notProbed(t.schema, t.name, result.reason));
        continue;
      }
      await client.query('savepoint wm_probe_table');
      try {
        const row = await builder.insert(relid);
        result.probed = true;
        for (const role of roles) {
          for (const action of ACTIONS) {
            const attempt = await attemptAs(client, role, action, row, columnsOf.get(relid) ?? [], coverage, t);
            result.attempts.push(attempt);
            if (attempt.verdict === 'error') findings.push(probeFinding(t.schema, t.name, attempt, coverage));
          }
        }
      } catch (error) {
        if (!(error instanceof NotProbed)) throw error;
        result.reason = error.message;
        findings.push(notProbed(t.schema, t.name, error.message));
      } finally {
        await client.query('rollback to savepoint wm_probe_table; release savepoint wm_probe_table');
      }
    }
  } finally {
    // A dead connection has rolled back on the server already; the sequence check below still reports it.
    await client.query('rollback').catch(() => undefined);
    restoredSequences = await restoreSequences(client, sequencesBefore);
  }
  return { results, findings, restoredSequences };
}

async function canUseReplicaMode(client: pg.Client): Promise<boolean> {
  await client.query('savepoint wm_probe_replica');
  try {
    await client.query('set local session_replication_role = replica');
    return true;
  } catch {
    return false;
  } finally {
    // Rolling back the savepoint also undoes the setting; each insert sets it for itself.
    await client.query('rollback to savepoint wm_probe_replica; release savepoint wm_probe_replica');
  }
}

interface ProbeRow {
  tableoid: string;
  ctid: string;
}

/** Makes synthetic rows: values for NOT NULL columns without a usable default, parents for foreign keys. */
class RowBuilder {
  constructor(
    private readonly client: pg.Client,
    private readonly columnsOf: Map<string, ColumnInfo[]>,
    private readonly fksOf: Map<string, ForeignKey[]>,
    private readonly replica: boolean,
  ) {}

  async insert(relid: string): Promise<ProbeRow> {
    const { row } = await this.insertRow(relid, new Map(), [], 0);
    return row;
  }

  private async insertRow(
    relid: string,
    given: Map<string, string>,
    wanted: string[],
    depth: number,
  ): Promise<{ row: ProbeRow; values: Map<string, string> }> {
    const cols = this.columnsOf.get(relid) ?? [];
    const first = cols[0];
    if (!first) throw new NotProbed('table has no columns');
    const table = tableSql(first);
    const values = new Map(given);

    if (!this.replica) {
      for (const fk of this.fksOf.get(relid) ?? []) {
        const needed = fk.cols.some((name) => {
          const c = cols.find((x) => x.column === name);
          return c !== undefined && mustFill(c) && !values.has(name);
        });
        if (!needed) continue;
        if (fk.ref_relid === relid) {
          throw new NotProbed(`foreign key ${fk.conname} references the table itself with a NOT NULL column`);
        }
        if (depth >= MAX_PARENT_DEPTH) {
          throw new NotProbed(`foreign key ${fk.conname} needs a chain of more than ${MAX_PARENT_DEPTH} parent rows`);
        }
        const parent = await this.insertRow(fk.ref_relid, new Map(), fk.ref_cols, depth + 1);
        fk.cols.forEach((name, i) => {
          const c = cols.find((x) => x.column === name);
          const v = parent.values.get(fk.ref_cols[i] ?? '');
          if (c && v !== undefined) values.set(name, `${lit(v)}::${c.sql_type}`);
        });
      }
    }

    let overriding = false;
    for (const c of cols) {
      if (values.has(c.column) || !mustFill(c)) continue;
      const v = valueFor(c, table);
      if (v === undefined) {
        throw new NotProbed(`cannot make a value for NOT NULL column ${c.column} of type ${c.sql_type}`);
      }
      values.set(c.column, v);
    }
    if (cols.some((c) => c.identity === 'a' && values.has(c.column))) overriding = true;

    const wantedSql = wanted.map((w, i) => `, (${ident(w)})::text as ${ident(`wm_want_${i}`)}`).join('');
    const names = [...values.keys()];
    const insert =
      names.length === 0
        ? `insert into ${table} default values`
        : `insert into ${table} (${names.map(ident).join(', ')})${overriding ? ' overriding system value' : ''} values (${names.map((n) => values.get(n)).join(', ')})`;
    const sql = `${insert} returning tableoid::int8::text as tableoid, ctid::text as ctid${wantedSql}`;

    await this.client.query('savepoint wm_probe_insert');
    let res: pg.QueryResult<Record<string, string>>;
    try {
      if (this.replica) await this.client.query('set local session_replication_role = replica');
      res = await this.client.query<Record<string, string>>(sql);
      if (this.replica) await this.client.query('set local session_replication_role = origin');
      await this.client.query('release savepoint wm_probe_insert');
    } catch (error) {
      await this.client.query('rollback to savepoint wm_probe_insert; release savepoint wm_probe_insert');
      const e = error as { code?: string; column?: string; message?: string };
      // A default that is NULL for the owner (auth.uid()) on a NOT NULL column: fill it and retry once.
      const col = cols.find((c) => c.column === e.column);
      if (e.code === '23502' && col && !given.has(col.column) && col.default_expr !== null) {
        const v = valueFor(col, table);
        if (v !== undefined) return this.insertRow(relid, new Map(given).set(col.column, v), wanted, depth);
      }
      throw new NotProbed(`insert of a synthetic row into ${table} failed: ${e.message ?? String(error)}`);
    }
    const r = res.rows[0];
    if (!r) throw new NotProbed(`insert into ${table} returned no row (a rule or trigger swallowed it)`);
    const out = new Map<string, string>();
    wanted.forEach((w, i) => {
      const v = r[`wm_want_${i}`];
      if (v !== undefined && v !== null) out.set(w, v);
    });
    return { row: { tableoid: r.tableoid ?? '', ctid: r.ctid ?? '' }, values: out };
  }
}

/** NOT NULL and nothing fills it safely: no default, or a default that would consume a sequence. */
function mustFill(c: ColumnInfo): boolean {
  if (c.generated !== '') return false;
  if (c.identity === 'a' || c.identity === 'd') return true;
  if (c.default_expr !== null) return /\bnextval\s*\(/i.test(c.default_expr);
  return c.not_null;
}

/** A literal (or expression) of the column's type; undefined when we do not know how to make one. */
function valueFor(c: ColumnInfo, table: string): string | undefined {
  const cast = (text: string) => `${lit(text)}::${c.sql_type}`;
  const suffix = randomUUID().replace(/-/g, '').slice(0, 12);
  const numericKey = c.identity !== '' || c.in_unique || (c.default_expr !== null && /nextval/i.test(c.default_expr));
  switch (c.category) {
    case 'S':
      return cast(`probe_${suffix}`);
    case 'N':
      // Keys get a fresh value without touching the sequence: one above the current maximum.
      return numericKey
        ? `((select coalesce(max(${ident(c.column)}), 0) + 1 from ${table}))::${c.sql_type}`
        : cast('1');
    case 'D':
      return `now()::${c.sql_type}`;
    case 'T':
      return cast('1 hour');
    case 'B':
      return 'false';
    case 'E':
      return c.first_label === null ? undefined : cast(c.first_label);
    case 'A':
      return cast('{}');
    case 'I':
      return cast('127.0.0.1');
    case 'R':
      return cast('empty');
    case 'V':
      return cast('0');
    case 'G':
      return c.base_type === 'point' ? cast('(0,0)') : undefined;
    case 'U':
      switch (c.base_type) {
        case 'uuid':
          return cast(randomUUID());
        case 'json':
        case 'jsonb':
          return cast('{}');
        case 'bytea':
          return cast('\\x00');
        case 'tsvector':
          return cast('probe');
        case 'xml':
          return cast('<probe/>');
        case 'macaddr':
          return cast('08:00:2b:01:02:03');
        default:
          return undefined;
      }
    default:
      return undefined;
  }
}

async function attemptAs(
  client: pg.Client,
  role: ApiRole,
  action: ProbeAction,
  row: ProbeRow,
  cols: ColumnInfo[],
  coverage: CoverageRow[],
  t: { schema: string; name: string },
): Promise<ProbeAttempt> {
  const cov = coverageFor(coverage, t.schema, t.name, role, ACTION_COMMAND[action]);
  const base = {
    role,
    action,
    coverage: cov?.text ?? 'not in the coverage matrix',
    policies: (cov?.policies ?? []).map((p) => p.name),
  };
  const table = `${ident(t.schema)}.${ident(t.name)}`;
  const where = `where tableoid = ${lit(row.tableoid)}::oid and ctid = ${lit(row.ctid)}::tid`;
  let statement: string;
  if (action === 'read') statement = `select count(*)::int as n from ${table} ${where}`;
  else if (action === 'delete') statement = `delete from ${table} ${where}`;
  else {
    // A no-op assignment of a column the role may update (column grants count), else of any column.
    const assignable = cols.filter((c) => c.generated === '' && c.identity !== 'a');
    const col = assignable.find((c) => c.updaters?.includes(role)) ?? assignable[0];
    if (!col) return { ...base, outcome: 'failed', verdict: 'ok', detail: 'no column can be assigned' };
    statement = `update ${table} set ${ident(col.column)} = ${ident(col.column)} ${where}`;
  }
  const sub = randomUUID();
  const claims = role === 'anon' ? { role } : { sub, role };
  const setup = [
    'savepoint wm_probe_attempt',
    `set local role ${ident(role)}`,
    `select set_config('request.jwt.claims', ${lit(JSON.stringify(claims))}, true), set_config('request.jwt.claim.sub', ${lit(role === 'anon' ? '' : sub)}, true), set_config('request.jwt.claim.role', ${lit(role)}, true)`,
  ].join('; ');

  let outcome: ProbeOutcome;
  let detail: string | undefined;
  await client.query(setup);
  try {
    const res = await client.query<{ n: number }>(statement);
    const touched = action === 'read' ? (res.rows[0]?.n ?? 0) : (res.rowCount ?? 0);
    outcome = touched > 0 ? 'allowed' : 'hidden by RLS';
  } catch (error) {
    const e = error as { code?: string; message?: string };
    detail = e.message;
    if (e.code === '42501' && /row-level security/i.test(e.message ?? '')) outcome = 'rejected by policy check';
    else if (e.code === '42501') outcome = 'denied by grant';
    else outcome = 'failed';
  } finally {
    // Undoes the statement, the role and the claims in one go.
    await client.query('rollback to savepoint wm_probe_attempt; release savepoint wm_probe_attempt');
  }
  const granted =
    cov !== undefined && (cov.status === 'filtered by policy' || (cov.status === 'open' && !openWithoutPolicy(cov)));
  const verdict = outcome === 'allowed' && !granted ? 'error' : 'ok';
  if (outcome === 'allowed' && granted && cov) {
    detail = cov.truePolicy ? `allowed by policy "${cov.truePolicy}" (true)` : `allowed by ${cov.detail}`;
  }
  return { ...base, outcome, verdict, ...(detail !== undefined ? { detail } : {}) };
}

function probeFinding(schema: string, name: string, a: ProbeAttempt, coverage: CoverageRow[]): Finding {
  const cov = coverageFor(coverage, schema, name, a.role, ACTION_COMMAND[a.action]);
  const table = `${schema}.${name}`;
  const reason = cov ? cov.text : 'not in the coverage matrix';
  const fix = cov && openWithoutPolicy(cov) ? coverageFix(cov) : undefined;
  return {
    rule: `rls_probe_${a.action}`,
    level: 'error',
    object: { type: 'table', schema, name },
    message: `${a.role} could ${a.action} a row of ${table} that no policy grants to ${a.role} (${reason})`,
    why: WHY[a.action],
    ...(fix ? { fix } : {}),
  };
}

function notProbed(schema: string, name: string, reason: string): Finding {
  return {
    rule: 'rls_probe_not_probed',
    level: 'warning',
    object: { type: 'table', schema, name },
    message: `${schema}.${name} was not probed: ${reason}`,
    why: NOT_PROBED_WHY,
  };
}

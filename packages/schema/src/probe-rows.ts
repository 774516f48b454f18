// Synthetic rows: one inserted as the owner into the table under probe, with values for the NOT NULL
// columns nothing fills safely and, unless foreign key checks are off for the insert (replica mode),
// parent rows for its foreign keys. A table no row can be made for is reported as not probed.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { type ColumnInfo, type ForeignKey, ident, lit, type ProbeCatalog, tableSql } from './probe-catalog';

const MAX_PARENT_DEPTH = 4;

/** Thrown while building a synthetic row: the table is reported as not probed, with this reason. */
export class NotProbed extends Error {}

/** Where the probe row is: what the attempts address it by. */
export interface ProbeRow {
  tableoid: string;
  ctid: string;
}

/**
 * Whether inserts may skip foreign key checks and triggers (session_replication_role = replica):
 * superusers and roles granted SET on it may. Tried in a savepoint, so nothing stays set.
 */
export async function canUseReplicaMode(client: pg.Client): Promise<boolean> {
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

/** Makes synthetic rows: values for NOT NULL columns without a usable default, parents for foreign keys. */
export class RowBuilder {
  constructor(
    private readonly client: pg.Client,
    private readonly catalog: ProbeCatalog,
    private readonly replica: boolean,
  ) {}

  async insert(relid: string): Promise<ProbeRow> {
    const { row } = await this.insertRow(relid, new Map(), [], 0);
    return row;
  }

  /** Inserts a row into `relid` with the `given` values; returns it and its `wanted` columns' values as text. */
  private async insertRow(
    relid: string,
    given: Map<string, string>,
    wanted: string[],
    depth: number,
  ): Promise<{ row: ProbeRow; values: Map<string, string> }> {
    const cols = this.catalog.columnsOf.get(relid) ?? [];
    const first = cols[0];
    if (!first) throw new NotProbed('table has no columns');
    const table = tableSql(first);
    const values = new Map(given);
    if (!this.replica) {
      for (const fk of this.catalog.fksOf.get(relid) ?? []) await this.fillFromParent(relid, fk, cols, values, depth);
    }
    fillRequired(cols, values, table);
    let res: pg.QueryResult<Record<string, string>>;
    try {
      res = await this.execute(insertSql(table, cols, values, wanted));
    } catch (error) {
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

  /** When `fk` has a column that must be filled, inserts a parent row and takes the key values from it. */
  private async fillFromParent(
    relid: string,
    fk: ForeignKey,
    cols: ColumnInfo[],
    values: Map<string, string>,
    depth: number,
  ): Promise<void> {
    const needed = fk.cols.some((name) => {
      const c = cols.find((x) => x.column === name);
      return c !== undefined && mustFill(c) && !values.has(name);
    });
    if (!needed) return;
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

  /**
   * Runs one insert in its own savepoint (in replica mode when allowed); a failed one leaves nothing
   * behind. One round trip: the statements run in order and stop at the first error, which leaves the
   * savepoint to roll back to.
   */
  private async execute(sql: string): Promise<pg.QueryResult<Record<string, string>>> {
    const statements = this.replica
      ? [
          'savepoint wm_probe_insert',
          'set local session_replication_role = replica',
          sql,
          'set local session_replication_role = origin',
          'release savepoint wm_probe_insert',
        ]
      : ['savepoint wm_probe_insert', sql, 'release savepoint wm_probe_insert'];
    try {
      // Several statements in one simple query: pg answers with one result per statement.
      const results = (await this.client.query(statements.join(';\n'))) as unknown as pg.QueryResult<
        Record<string, string>
      >[];
      return results[statements.indexOf(sql)]!;
    } catch (error) {
      await this.client.query('rollback to savepoint wm_probe_insert; release savepoint wm_probe_insert');
      throw error;
    }
  }
}

/** Adds a value for every column that must be filled and has none yet. */
function fillRequired(cols: ColumnInfo[], values: Map<string, string>, table: string): void {
  for (const c of cols) {
    if (values.has(c.column) || !mustFill(c)) continue;
    const v = valueFor(c, table);
    if (v === undefined) {
      throw new NotProbed(`cannot make a value for NOT NULL column ${c.column} of type ${c.sql_type}`);
    }
    values.set(c.column, v);
  }
}

/** The insert of `values`, returning where the row went and the `wanted` columns as text. */
function insertSql(table: string, cols: ColumnInfo[], values: Map<string, string>, wanted: string[]): string {
  const overriding = cols.some((c) => c.identity === 'a' && values.has(c.column));
  const wantedSql = wanted.map((w, i) => `, (${ident(w)})::text as ${ident(`wm_want_${i}`)}`).join('');
  const names = [...values.keys()];
  const insert =
    names.length === 0
      ? `insert into ${table} default values`
      : `insert into ${table} (${names.map(ident).join(', ')})${overriding ? ' overriding system value' : ''} values (${names.map((n) => values.get(n)).join(', ')})`;
  return `${insert} returning tableoid::int8::text as tableoid, ctid::text as ctid${wantedSql}`;
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

// One attempt: act as an API role the way the Data API does (SET ROLE plus the JWT claims PostgREST
// puts in request.jwt.claims) and try to read, update or delete the probe row, then judge what
// happened against the coverage matrix: getting through is only an error when no policy grants it.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { type ApiRole, type Command, type CoverageRow, coverageFor, openWithoutPolicy } from './coverage';
import { type ColumnInfo, ident, lit } from './probe-catalog';
import type { ProbeRow } from './probe-rows';

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

export const ACTION_COMMAND: Record<ProbeAction, Command> = { read: 'select', update: 'update', delete: 'delete' };
export const ACTIONS: ProbeAction[] = ['read', 'update', 'delete'];

/** The statement that tries `action` on the probe row; undefined for an update when no column can be assigned. */
function statementFor(
  action: ProbeAction,
  role: ApiRole,
  row: ProbeRow,
  cols: ColumnInfo[],
  t: { schema: string; name: string },
): string | undefined {
  const table = `${ident(t.schema)}.${ident(t.name)}`;
  const where = `where tableoid = ${lit(row.tableoid)}::oid and ctid = ${lit(row.ctid)}::tid`;
  if (action === 'read') return `select count(*)::int as n from ${table} ${where}`;
  if (action === 'delete') return `delete from ${table} ${where}`;
  // A no-op assignment of a column the role may update (column grants count), else of any column.
  const assignable = cols.filter((c) => c.generated === '' && c.identity !== 'a');
  const col = assignable.find((c) => c.updaters?.includes(role)) ?? assignable[0];
  return col ? `update ${table} set ${ident(col.column)} = ${ident(col.column)} ${where}` : undefined;
}

/**
 * What makes the session act as `role` with the claims of a fresh user (a random sub; anon has none),
 * behind a savepoint that undoes it together with whatever the attempt did. The caller must be inside
 * a transaction.
 */
function actAs(role: ApiRole): string {
  const sub = randomUUID();
  const claims = role === 'anon' ? { role } : { sub, role };
  return [
    'savepoint wm_probe_attempt',
    `set local role ${ident(role)}`,
    `select set_config('request.jwt.claims', ${lit(JSON.stringify(claims))}, true), set_config('request.jwt.claim.sub', ${lit(role === 'anon' ? '' : sub)}, true), set_config('request.jwt.claim.role', ${lit(role)}, true)`,
  ].join('; ');
}

/**
 * The attempts on one table, in one session: the role switch and the statement travel in one round
 * trip, and each attempt's savepoint is undone at the start of the next one's, so an attempt costs one
 * round trip (the probe makes six per table, and round trips are most of its time). The table's own
 * savepoint, rolled back after the last attempt, undoes that one. The caller must be inside a
 * transaction.
 */
export class AttemptSession {
  private open = false;
  constructor(private readonly client: pg.Client) {}

  /** Runs `statement` as `role`: did it touch the probe row, and if not, what stopped it. */
  async run(
    role: ApiRole,
    action: ProbeAction,
    statement: string,
  ): Promise<{ outcome: ProbeOutcome; detail?: string }> {
    const undoPrevious = this.open
      ? 'rollback to savepoint wm_probe_attempt; release savepoint wm_probe_attempt; '
      : '';
    this.open = true;
    try {
      // Several statements in one simple query: pg answers with one result per statement. An error in
      // the statement leaves the transaction aborted, which the next rollback to a savepoint ends.
      const results = (await this.client.query(
        `${undoPrevious}${actAs(role)}; ${statement}`,
      )) as unknown as pg.QueryResult<{
        n: number;
      }>[];
      const res = results[results.length - 1]!;
      const touched = action === 'read' ? (res.rows[0]?.n ?? 0) : (res.rowCount ?? 0);
      return { outcome: touched > 0 ? 'allowed' : 'hidden by RLS' };
    } catch (error) {
      const e = error as { code?: string; message?: string };
      if (e.code === '42501' && /row-level security/i.test(e.message ?? '')) {
        return { outcome: 'rejected by policy check', detail: e.message };
      }
      return { outcome: e.code === '42501' ? 'denied by grant' : 'failed', detail: e.message };
    }
  }
}

/** `role` tries `action` on the probe row of `t`; the attempt says what happened and whether a policy grants it. */
export async function attemptAs(
  session: AttemptSession,
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
  const statement = statementFor(action, role, row, cols, t);
  if (statement === undefined) {
    return { ...base, outcome: 'failed', verdict: 'ok', detail: 'no column can be assigned' };
  }
  const { outcome, ...result } = await session.run(role, action, statement);
  let detail = result.detail;
  const granted =
    cov !== undefined && (cov.status === 'filtered by policy' || (cov.status === 'open' && !openWithoutPolicy(cov)));
  const verdict = outcome === 'allowed' && !granted ? 'error' : 'ok';
  if (outcome === 'allowed' && granted && cov) {
    detail = cov.truePolicy ? `allowed by policy "${cov.truePolicy}" (true)` : `allowed by ${cov.detail}`;
  }
  return { ...base, outcome, verdict, ...(detail !== undefined ? { detail } : {}) };
}

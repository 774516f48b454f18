// Probing one table: make the synthetic row, then attempt every action as every role, each in a
// savepoint, and roll the table's savepoint back whatever happened.
import type pg from 'pg';
import type { ApiRole, CoverageRow } from './coverage';
import type { Finding } from './findings';
import { ACTIONS, AttemptSession, attemptAs, type ProbeAttempt } from './probe-attempt';
import type { ProbeCatalog } from './probe-catalog';
import { notProbed, probeFinding } from './probe-findings';
import { NotProbed, type RowBuilder } from './probe-rows';

export interface ProbeResult {
  schema: string;
  table: string;
  probed: boolean;
  /** Why the table was not probed (the synthetic row could not be made). */
  reason?: string;
  attempts: ProbeAttempt[];
}

/** What probing a table needs; the same for every table of one run. */
export interface TableProber {
  client: pg.Client;
  catalog: ProbeCatalog;
  rows: RowBuilder;
  /** The roles the connected user can act as. */
  roles: ApiRole[];
  coverage: CoverageRow[];
  /** A table's savepoint is still open (its work is undone when the next table's opens). */
  tableOpen?: boolean;
}

export interface ProbedTable {
  schema: string;
  name: string;
  kind: CoverageRow['kind'];
}

/** The tables and foreign tables of the coverage matrix, each once. */
export function tablesToProbe(coverage: CoverageRow[]): ProbedTable[] {
  const tables = new Map<string, ProbedTable>();
  for (const r of coverage) {
    if (r.kind === 'table' || r.kind === 'foreign table') tables.set(`${r.schema}.${r.name}`, r);
  }
  return [...tables.values()];
}

export async function probeTable(
  p: TableProber,
  t: ProbedTable,
): Promise<{ result: ProbeResult; findings: Finding[] }> {
  const result: ProbeResult = { schema: t.schema, table: t.name, probed: false, attempts: [] };
  const findings: Finding[] = [];
  const relid = p.catalog.relidOf(t.schema, t.name);
  if (t.kind === 'foreign table' || relid === undefined) {
    result.reason = t.kind === 'foreign table' ? 'foreign table (rows live on another server)' : 'table has no columns';
    findings.push(notProbed(t.schema, t.name, result.reason));
    return { result, findings };
  }
  // The previous table's savepoint is undone in the same round trip that opens this one's; the probe's
  // transaction, rolled back at the end, undoes the last table's.
  await p.client.query(
    `${p.tableOpen ? 'rollback to savepoint wm_probe_table; release savepoint wm_probe_table; ' : ''}savepoint wm_probe_table`,
  );
  p.tableOpen = true;
  try {
    const row = await p.rows.insert(relid);
    result.probed = true;
    const cols = p.catalog.columnsOf.get(relid) ?? [];
    const session = new AttemptSession(p.client);
    for (const role of p.roles) {
      for (const action of ACTIONS) {
        const attempt = await attemptAs(session, role, action, row, cols, p.coverage, t);
        result.attempts.push(attempt);
        if (attempt.verdict === 'error') findings.push(probeFinding(t.schema, t.name, attempt, p.coverage));
      }
    }
  } catch (error) {
    if (!(error instanceof NotProbed)) throw error;
    result.reason = error.message;
    findings.push(notProbed(t.schema, t.name, error.message));
  }
  return { result, findings };
}

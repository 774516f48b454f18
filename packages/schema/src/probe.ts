// Live RLS probe: for each exposed table, insert a synthetic row as the connected (owner) user, then
// act as `anon` and as `authenticated` with a random sub, the way the Data API does, and try to
// read, update and delete it. Everything happens in one transaction that is always rolled back;
// sequences, which a rollback does not restore, are given explicit values where we insert and
// are put back with setval afterwards if anything (a default, a trigger) consumed them anyway.
//
// The phases, one module each: which roles to act as (probe-roles), what the catalog says about the
// tables (probe-catalog), making the synthetic row (probe-rows), probing one table (probe-table) by
// attempts (probe-attempt), giving back the sequences (probe-sequences), and the findings (probe-findings).
import type pg from 'pg';
import { API_ROLES, type ApiRole, type CoverageRow, coverageMatrix } from './coverage';
import type { Finding, LintContext } from './findings';
import { readCatalog } from './probe-catalog';
import { actingRoles } from './probe-roles';
import { canUseReplicaMode, RowBuilder } from './probe-rows';
import { restoreSequences, sequenceStates } from './probe-sequences';
import { type ProbeResult, probeTable, tablesToProbe } from './probe-table';

export type { ProbeAction, ProbeAttempt, ProbeOutcome } from './probe-attempt';
export { sequenceStates } from './probe-sequences';
export type { ProbeResult } from './probe-table';

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

function contextOf(client: pg.Client, exposedSchemas: string[]): LintContext {
  return {
    exposedSchemas,
    query: async <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
      (await client.query(sql, params)).rows as T[],
  };
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
  const { roles, findings } = await actingRoles(client, options.roles ?? [...API_ROLES]);
  const catalog = await readCatalog(client);
  const results: ProbeResult[] = [];

  const sequencesBefore = await sequenceStates(client);
  let restoredSequences: string[] = [];
  await client.query('begin');
  try {
    await client.query(`select set_config('statement_timeout', $1, true), set_config('lock_timeout', $2, true)`, [
      `${options.statementTimeoutMs ?? 10_000}ms`,
      `${options.lockTimeoutMs ?? 3_000}ms`,
    ]);
    const replica = options.foreignKeys !== 'create-parents' && (await canUseReplicaMode(client));
    const prober = { client, catalog, rows: new RowBuilder(client, catalog, replica), roles, coverage };
    for (const t of tablesToProbe(coverage)) {
      const probed = await probeTable(prober, t);
      results.push(probed.result);
      findings.push(...probed.findings);
    }
  } finally {
    // A dead connection has rolled back on the server already; the sequence check below still reports it.
    await client.query('rollback').catch(() => undefined);
    restoredSequences = await restoreSequences(client, sequencesBefore);
  }
  return { results, findings, restoredSequences };
}

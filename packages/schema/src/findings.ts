// What every check of verify-schema reports: one shape, whichever check found it.

export type Level = 'error' | 'warning' | 'info';

export type ObjectType =
  | 'schema'
  | 'table'
  | 'view'
  | 'materialized view'
  | 'foreign table'
  | 'column'
  | 'index'
  | 'constraint'
  | 'policy'
  | 'function'
  | 'trigger'
  | 'extension'
  | 'type'
  | 'bucket'
  | 'queue'
  | 'role';

/** The database object a finding is about; `name` is unqualified, `schema` may be absent (extensions, roles). */
export interface DbObject {
  type: ObjectType;
  schema?: string;
  name: string;
  /** The table a column, index, constraint, policy or trigger belongs to. */
  table?: string;
}

export interface Finding {
  /** Splinter's rule name where there is one (unindexed_foreign_keys …), else our own (rls_probe_readable …). */
  rule: string;
  level: Level;
  object: DbObject;
  /** One line: what is wrong with this object. */
  message: string;
  /** Why it matters. */
  why: string;
  /** SQL that fixes it, when one statement can. */
  fix?: string;
  /** Filled in by the locator: the migration statement that created the object. */
  location?: { file: string; line: number };
}

export interface LintContext {
  /** Runs one query; rules never hold a client of their own. */
  query<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Schemas the Data API exposes (Supabase's db_schemas). */
  exposedSchemas: string[];
  /** Drop this suite's departures from splinter (see the verify-schema README), for parity with the dashboard's advisors. */
  splinterParity?: boolean;
}

export interface Rule {
  /** Splinter's name, e.g. 'unindexed_foreign_keys'. */
  name: string;
  /** Splinter's title, e.g. 'Unindexed foreign keys'. */
  title: string;
  /** Splinter's level. */
  level: Level;
  categories: ('SECURITY' | 'PERFORMANCE')[];
  /** Why it matters, once per rule (each finding repeats it as `why`). */
  description: string;
  /**
   * What must exist for the rule to mean anything: a schema (storage, pgmq_public) or an extension
   * (pg_graphql). When absent the rule reports 'not applicable', never a silent pass.
   */
  requires?: { schema?: string; extension?: string };
  /** Needs workload statistics (unused_index, table_bloat): off unless enabled. */
  workload?: boolean;
  /** One set-based catalog query (or a few), never one round trip per object. */
  run(ctx: LintContext): Promise<Finding[]>;
}

export type RuleOutcome =
  | { rule: string; status: 'ran'; findings: Finding[] }
  | { rule: string; status: 'not applicable'; reason: string }
  | { rule: string; status: 'disabled'; reason: string };

/** `schema.name` quoted for SQL only where needed. */
export function qualified(o: { schema?: string; name: string }): string {
  const q = (id: string) => (/^[a-z_][a-z0-9_$]*$/.test(id) ? id : `"${id.replace(/"/g, '""')}"`);
  return o.schema ? `${q(o.schema)}.${q(o.name)}` : q(o.name);
}

// What every table and policy rule is built from: the rule builder that stamps each finding with the
// rule's name, level and description, the row every catalog query returns, and the objects findings name.
import type { Finding, Level, LintContext, Rule } from '../../findings';

type Meta = Omit<Rule, 'run'>;

/** A finding before the rule stamps it. */
export type Found = (f: Omit<Finding, 'rule' | 'level' | 'why'>) => Finding;

/** Builds a rule whose findings all carry its name, level and description. */
export function rule(meta: Meta, run: (ctx: LintContext, found: Found) => Promise<Finding[]>): Rule {
  const found: Found = (f) => ({
    rule: meta.name,
    level: meta.level,
    why: meta.description,
    ...f,
  });
  return { ...meta, run: (ctx) => run(ctx, found) };
}

export const list = (names: string[]) => names.join(', ');

/** The columns every table query returns: the table's name, and its quoted name for fixes. */
export type TableRow = { schema_name: string; table_name: string; qtable: string };

export const tableObject = (r: { schema_name: string; table_name: string }) => ({
  type: 'table' as const,
  schema: r.schema_name,
  name: r.table_name,
});

export const policyObject = (r: { schema_name: string; table_name: string; policy_name: string }) => ({
  type: 'policy' as const,
  schema: r.schema_name,
  name: r.policy_name,
  table: r.table_name,
});

export const constraintObject = (r: { schema_name: string; table_name: string; constraint_name: string }) => ({
  type: 'constraint' as const,
  schema: r.schema_name,
  name: r.constraint_name,
  table: r.table_name,
});

export const ERROR: Level = 'error';
export const WARNING: Level = 'warning';
export const INFO: Level = 'info';

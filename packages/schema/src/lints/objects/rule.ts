// What every object rule is built from: one catalog query whose rows map one-to-one to findings,
// each stamped with the rule's name, level and description.
import type { DbObject, Finding, LintContext, Rule } from '../../findings';

/** pg_class.relkind → the object type a finding names. */
export const RELKIND_TYPE: Record<string, DbObject['type']> = {
  r: 'table',
  p: 'table',
  v: 'view',
  m: 'materialized view',
  f: 'foreign table',
};

export function finding(rule: Rule, object: DbObject, message: string, fix?: string): Finding {
  return { rule: rule.name, level: rule.level, object, message, why: rule.description, ...(fix ? { fix } : {}) };
}

type Row = Record<string, unknown>;

/** Declares a rule whose run() maps each row of `query` to a finding. */
export function rule<T extends Row>(
  spec: Omit<Rule, 'run'>,
  query: string,
  params: (ctx: LintContext) => unknown[],
  toFinding: (row: T, self: Rule) => Finding,
): Rule {
  const self: Rule = {
    ...spec,
    async run(ctx) {
      const rows = await ctx.query<T>(query, params(ctx));
      return rows.map((row) => toFinding(row, self));
    },
  };
  return self;
}

export const exposed = (ctx: LintContext) => [ctx.exposedSchemas];

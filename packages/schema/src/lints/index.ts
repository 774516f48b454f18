// The splinter rules and the runner that decides which of them can say anything about this database.
import type { LintContext, Rule, RuleOutcome } from '../findings';
import { objectRules } from './objects';
import { tableRules } from './tables';

export const allRules: Rule[] = [...tableRules, ...objectRules];

export interface RunRulesOptions {
  /** Run the workload lints (unused_index, table_bloat): only meaningful on a database with real traffic. */
  workload?: boolean;
  rules?: Rule[];
}

export async function runRules(ctx: LintContext, options: RunRulesOptions = {}): Promise<RuleOutcome[]> {
  const [present] = await ctx.query<{ schemas: string[]; extensions: string[] }>(
    `select array(select nspname::text from pg_namespace) as schemas, array(select extname::text from pg_extension) as extensions`,
  );
  const outcomes: RuleOutcome[] = [];
  for (const rule of options.rules ?? allRules) {
    if (rule.workload && !options.workload) {
      outcomes.push({
        rule: rule.name,
        status: 'disabled',
        reason: 'needs workload statistics; enable workload lints on a database with real traffic',
      });
      continue;
    }
    const missingSchema = rule.requires?.schema && !present!.schemas.includes(rule.requires.schema);
    const missingExtension = rule.requires?.extension && !present!.extensions.includes(rule.requires.extension);
    if (missingSchema || missingExtension) {
      outcomes.push({
        rule: rule.name,
        status: 'not applicable',
        reason: missingSchema
          ? `schema ${rule.requires!.schema} does not exist`
          : `extension ${rule.requires!.extension} is not installed`,
      });
      continue;
    }
    outcomes.push({ rule: rule.name, status: 'ran', findings: await rule.run(ctx) });
  }
  return outcomes;
}

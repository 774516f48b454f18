// squawk (squawk-cli from npm) on the same corpus: every hazard it reports is reported here too,
// under our rule name, unless the database proves it harmless (each such case says why). The
// mapping is the README's table.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { REPO_ROOT } from '@wingman/testkit';
import { ALL_RULES, lintMigrations } from '../src/index';
import { CORPUS, corpusDatabase } from './helpers';

const SQUAWK = join(REPO_ROOT, 'node_modules', '.bin', 'squawk');

/** squawk's hazard rules → ours. */
export const SQUAWK_TO_OURS: Record<string, string[]> = {
  'require-concurrent-index-creation': ['create_index_not_concurrently'],
  'require-concurrent-index-deletion': ['drop_index_not_concurrently'],
  'require-concurrent-reindex': ['table_rewrite_command'],
  'constraint-missing-not-valid': ['constraint_without_not_valid'],
  'adding-foreign-key-constraint': ['constraint_without_not_valid'],
  'adding-field-with-default': ['add_column_volatile_default'],
  'changing-column-type': ['column_type_rewrite', 'narrowing_type_change'],
  'adding-not-nullable-field': ['set_not_null_without_check'],
  'adding-primary-key-constraint': ['create_index_not_concurrently'],
  'disallowed-unique-constraint': ['create_index_not_concurrently'],
  'ban-drop-column': ['drop_column'],
  'ban-drop-table': ['drop_table'],
  'ban-truncate-cascade': ['truncate'],
  'renaming-column': ['rename_column'],
  'renaming-table': ['rename_table'],
  'ban-concurrent-index-creation-in-transaction': ['concurrently_in_transaction'],
};

/** squawk rules that are not a hazard of applying a migration here, and why. */
export const NOT_HAZARDS: Record<string, string> = {
  'prefer-robust-stmts':
    'IF [NOT] EXISTS for re-runs: run-migrations applies each file in one transaction with its history row, so a failed file leaves nothing half-done to re-run around',
  'require-lock-timeout': 'run-migrations sets lock_timeout for every migration itself (input lock-timeout)',
  'require-statement-timeout':
    'run-migrations sets statement_timeout for every migration itself (input statement-timeout)',
  'prefer-bigint-over-int': 'a type preference with no effect while the migration runs',
  'prefer-text-field': 'a type preference with no effect while the migration runs',
};

/** Where squawk reports and the database proves the statement harmless: file → squawk rule@line → why. */
const HARMLESS: Record<string, string> = {
  'column_type_rewrite.safe.sql changing-column-type@1':
    'varchar(20) → varchar(40) is binary-coercible: no rewrite, no scan (the catalog gives the current type)',
  'narrowing_type_change.safe.sql changing-column-type@1':
    'varchar(20) → text is binary-coercible: no rewrite, nothing narrows',
  'set_not_null_without_check.safe.sql adding-not-nullable-field@2':
    'a validated CHECK (note IS NOT NULL) exists, so SET NOT NULL skips its scan',
  'drop_column.safe.sql ban-drop-column@2': 'the table was created earlier in the same run: no release reads it yet',
  'drop_table.safe.sql ban-drop-table@2': 'the table was created earlier in the same run: no release reads it yet',
};

const { query } = corpusDatabase();

function squawk(file: string): { rule: string; line: number }[] {
  let out: string;
  try {
    out = execFileSync(SQUAWK, ['--reporter', 'json', join(CORPUS, file)], { encoding: 'utf8' });
  } catch (err) {
    out = (err as { stdout: string }).stdout; // exit 1 when it found something
  }
  return (JSON.parse(out || '[]') as { rule_name: string; line: number }[]).map((f) => ({
    rule: f.rule_name,
    line: f.line + 1,
  }));
}

describe('against squawk 2.66.0 on the corpus', () => {
  const files = readdirSync(CORPUS).filter((f) => f !== 'fixture.sql');

  it.each(files)('%s: every hazard squawk reports is ours too, or proven harmless', async (file) => {
    const ours = await lintMigrations([{ file, sql: readFileSync(join(CORPUS, file), 'utf8') }], {
      query,
      smallTableRows: 10_000,
    });
    for (const s of squawk(file)) {
      if (NOT_HAZARDS[s.rule]) continue;
      const mapped = SQUAWK_TO_OURS[s.rule];
      expect([s.rule, mapped ? 'mapped' : 'unmapped: add it to the mapping or NOT_HAZARDS']).toEqual([
        s.rule,
        'mapped',
      ]);
      const key = `${file} ${s.rule}@${s.line}`;
      const reported = ours.some((f) => mapped!.includes(f.rule) && f.line === s.line);
      expect([key, reported || HARMLESS[key] !== undefined]).toEqual([key, true]);
      // A case listed harmless must really be one we do not report.
      if (HARMLESS[key]) expect([key, reported]).toEqual([key, false]);
    }
  });

  it("is the README's mapping table, and the README lists every rule", () => {
    const readme = readFileSync(join(REPO_ROOT, 'actions/run-migrations/README.md'), 'utf8');
    for (const [theirs, ours] of Object.entries(SQUAWK_TO_OURS))
      expect(readme).toContain(`| \`${theirs}\` | ${ours.map((r) => `\`${r}\``).join(', ')} |`);
    for (const r of ALL_RULES)
      expect(readme).toMatch(new RegExp(`^\\| \`${r.name}\` \\| ${r.level} \\| ${r.category} \\|`, 'm'));
  });

  it('squawk misses what the parser and the catalog see: DELETE/UPDATE without WHERE, TRUNCATE, DROP SCHEMA, DROP TYPE, LOCK TABLE, VACUUM FULL, CLUSTER', async () => {
    for (const file of [
      'delete_without_where.sql',
      'update_without_where.sql',
      'truncate.sql',
      'drop_schema.sql',
      'drop_type.sql',
      'lock_table.sql',
    ])
      expect([file, squawk(file).filter((s) => !NOT_HAZARDS[s.rule])]).toEqual([file, []]);
  });
});

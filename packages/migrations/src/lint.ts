// The migration safety lint over the files a run is about to apply, against the database it applies
// them to (read only), before anything changes. lint: error stops the run on a hazard not allowed by
// an override; warn reports and goes on; off never loads the parser.
import type { LintFinding } from '@wingman/migration-lint';
import type pg from 'pg';
import { MigrationsError } from './errors';
import type { MigrationFile } from './files';
import type { RunOptions } from './options';
import type { MigrateResult } from './report';

export async function lintPending(client: pg.Client, o: RunOptions, todo: MigrationFile[], result: MigrateResult) {
  if (o.lint === 'off' || !todo.length) return;
  const { lintMigrations } = await import('@wingman/migration-lint');
  const findings = await lintMigrations(
    todo.map((f) => ({ file: f.file, sql: f.sql })),
    {
      query: async (sql, params) => (await client.query(sql, params)).rows,
      smallTableRows: o.lintSmallTableRows,
    },
  );
  result.lint = findings;
  for (const f of findings) {
    const where = { file: f.file, line: f.line, title: f.rule };
    const text = `${f.rule}: ${f.message}. ${f.effect} Safe: ${f.safe}`;
    if (f.allowed) o.log.notice(`${f.rule} allowed (${f.allowed}): ${f.message}`, where);
    else if (f.level === 'notice') o.log.notice(text, where);
    else if (o.lint === 'error') o.log.error(text, where);
    else o.log.warning(text, where);
  }
  const blocking = findings.filter(hazard);
  if (o.lint === 'error' && blocking.length)
    throw new MigrationsError(
      `the migration lint found ${blocking.length} hazard(s) in the pending migrations (lint: error), so nothing was applied: ` +
        `${blocking[0]!.file}:${blocking[0]!.line} ${blocking[0]!.rule}${blocking.length > 1 ? ` and ${blocking.length - 1} more` : ''}; ` +
        'use the safe alternative each annotation names, or allow one with -- wingman:allow <rule> because <reason> on the line before it',
      { file: blocking[0]!.file, line: blocking[0]!.line },
    );
}

/** A finding that counts: not a notice, not allowed by an override. */
export const hazard = (f: LintFinding) => f.level !== 'notice' && !f.allowed;

// The lint's findings for the places a PR shows them: SARIF for code scanning (next to verify-schema's)
// and a PR comment, edited in place on every push (found again by its hidden marker).
import { sarifLog } from '@wingman/sarif';
import type { Log as SarifLog } from 'sarif';
import type { LintFinding } from './lint';
import { ALL_RULES } from './rules';

export const LINT_COMMENT_MARKER = '<!-- wingman-deploy:run-migrations:lint -->';

export function lintSarif(findings: LintFinding[], tool: { version: string; informationUri: string }): SarifLog {
  return sarifLog(
    { name: 'wingman-deploy migration lint', ...tool },
    ALL_RULES.map((r) => ({
      id: r.name,
      title: r.effect,
      description: `${r.effect} Safe: ${r.safe}`,
      level: r.level,
      properties: { category: r.category },
    })),
    findings.map((f) => ({
      rule: f.rule,
      level: f.allowed || f.level === 'notice' ? 'note' : f.level,
      message: `${f.message}. Safe: ${f.safe}${f.allowed ? ` (allowed: ${f.allowed})` : ''}`,
      file: f.file,
      line: f.line,
      // One alert per rule and statement, kept when lines above it move.
      fingerprint: { key: 'wingmanStatement/v1', value: `${f.rule}:${f.file}:${f.message}` },
    })),
  );
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The PR comment: a table of findings, or a line saying there are none. */
export function lintComment(findings: LintFinding[], context: { runUrl?: string; files: number }): string {
  const counted = findings.filter((f) => f.level !== 'notice' && !f.allowed);
  const head = counted.length
    ? `### ⚠️ Migration lint: ${counted.length} hazard(s) in ${context.files} pending migration(s)`
    : `### ✅ Migration lint: no hazard in ${context.files} pending migration(s)`;
  const lines = [LINT_COMMENT_MARKER, head, ''];
  if (findings.length) {
    lines.push('| | rule | where | finding | safe alternative |', '| --- | --- | --- | --- | --- |');
    for (const f of findings)
      lines.push(
        `| ${f.allowed ? `allowed: ${cell(f.allowed)}` : f.level} | \`${f.rule}\` | \`${f.file}:${f.line}\` | ${cell(f.message)} | ${cell(f.safe)} |`,
      );
    lines.push(
      '',
      'Allow a statement on purpose with `-- wingman:allow <rule> because <reason>` on the line before it.',
    );
  }
  if (context.runUrl) lines.push('', `[The run](${context.runUrl})`);
  return lines.join('\n');
}

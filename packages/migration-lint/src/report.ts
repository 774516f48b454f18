// The lint's findings for the places a PR shows them: SARIF for code scanning (next to verify-schema's)
// and a PR comment, edited in place on every push (found again by its hidden marker).
import type { ReportingDescriptor, Result, Log as SarifLog } from 'sarif';
import type { LintFinding } from './lint';
import { ALL_RULES } from './rules';

export const LINT_COMMENT_MARKER = '<!-- wingman-deploy:run-migrations:lint -->';

const sarifLevel = (f: LintFinding): Result.level => (f.allowed || f.level === 'notice' ? 'note' : f.level);

export function lintSarif(findings: LintFinding[], tool: { version: string; informationUri: string }): SarifLog {
  const rules: ReportingDescriptor[] = ALL_RULES.filter((r) => findings.some((f) => f.rule === r.name)).map((r) => ({
    id: r.name,
    name: r.name,
    shortDescription: { text: r.effect },
    fullDescription: { text: `${r.effect} Safe: ${r.safe}` },
    defaultConfiguration: { level: r.level },
    properties: { category: r.category },
  }));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results: Result[] = findings.map((f) => ({
    ruleId: f.rule,
    ruleIndex: index.get(f.rule),
    level: sarifLevel(f),
    message: { text: `${f.message}. Safe: ${f.safe}${f.allowed ? ` (allowed: ${f.allowed})` : ''}` },
    locations: [{ physicalLocation: { artifactLocation: { uri: f.file }, region: { startLine: f.line } } }],
    // One alert per rule and statement, kept when lines above it move.
    partialFingerprints: { 'wingmanStatement/v1': `${f.rule}:${f.file}:${f.message}` },
  }));
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [{ tool: { driver: { name: 'wingman-deploy migration lint', ...tool, rules } }, results }],
  };
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

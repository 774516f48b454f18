// The summary matrix (variable × platform, for the environment deployed) with a mark per check, the
// findings with what to fix, and the JSON report output. Names, places and shapes only.
import type { CheckResult, Finding } from './check';

const mark = (v: boolean | undefined) => (v === undefined ? '–' : v ? '✅' : '❌');

export function renderConfigMarkdown(environment: string, r: CheckResult): string {
  const errors = r.findings.filter((f) => f.level === 'error');
  const lines = [
    `## ${errors.length ? '❌' : '✅'} verify-config: ${environment}`,
    '',
    '| variable | platform | present | shape | aligned | isolated |',
    '|---|---|---|---|---|---|',
    ...r.cells.map(
      (c) =>
        `| ${c.variable} | ${c.platform} | ${c.present ? (c.readable ? '✅' : '✅ (sensitive: presence only)') : '❌'} | ${mark(c.shape)} | ${mark(c.aligned)} | ${mark(c.isolated)} |`,
    ),
  ];
  const shown = r.findings.filter((f) => f.level !== 'notice');
  if (shown.length) lines.push('', ...shown.map((f) => `- ${f.level === 'error' ? '❌' : '⚠️'} ${f.message}`));
  return `${lines.join('\n')}\n`;
}

export interface ConfigJson {
  environment: string;
  errors: number;
  warnings: number;
  cells: CheckResult['cells'];
  findings: Finding[];
}

export function toConfigJson(environment: string, r: CheckResult): ConfigJson {
  return {
    environment,
    errors: r.findings.filter((f) => f.level === 'error').length,
    warnings: r.findings.filter((f) => f.level === 'warning').length,
    cells: r.cells,
    findings: r.findings,
  };
}

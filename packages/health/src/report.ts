// What people and the next steps read: a Markdown summary (a table per target and a Mermaid
// xychart-beta latency histogram, which GitHub renders in job summaries) and a compact JSON report.

import { formatDuration } from '@wingman/time';
import { formatPercent, type HealthReport, type TargetReport } from './health';

const round = (ms: number | undefined) => (ms === undefined ? undefined : Math.round(ms * 10) / 10);
const cell = (v: unknown) =>
  String(v ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');

export interface TargetJson {
  url: string;
  method: string;
  healthy: boolean;
  ready: boolean;
  attempts: number;
  readyAfterMs?: number;
  status?: number;
  samples: number;
  errors: number;
  errorRate: number;
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  minMs?: number;
  maxMs?: number;
  meanMs?: number;
  /** The first wave of a concurrent sample: its errors count, its latency is not budgeted. */
  warmupRequests?: number;
  warmupMaxMs?: number;
  failures: Array<{ label: string; count: number; example: string }>;
  verdicts: string[];
}

export interface HealthJson {
  healthy: boolean;
  durationMs: number;
  budgets: { p95Ms: number; errorRate: number };
  verdicts: string[];
  targets: TargetJson[];
}

/** The `report` output: every target's figures, ms rounded to 0.1 (for notify-slack and later steps). */
export function toJsonReport(report: HealthReport): HealthJson {
  return {
    healthy: report.healthy,
    durationMs: Math.round(report.durationMs),
    budgets: report.budgets,
    verdicts: report.verdicts,
    targets: report.targets.map((t) => ({
      url: t.url,
      method: t.method,
      healthy: t.healthy,
      ready: t.ready,
      attempts: t.attempts,
      readyAfterMs: t.readyAfterMs === undefined ? undefined : Math.round(t.readyAfterMs),
      status: t.status,
      samples: t.samples,
      errors: t.errors,
      errorRate: t.errorRate,
      p50Ms: round(t.latency?.p50Ms),
      p95Ms: round(t.latency?.p95Ms),
      p99Ms: round(t.latency?.p99Ms),
      minMs: round(t.latency?.minMs),
      maxMs: round(t.latency?.maxMs),
      meanMs: round(t.latency?.meanMs),
      warmupRequests: t.warmup?.requests,
      warmupMaxMs: round(t.warmup?.maxMs),
      failures: t.failures.map((f) => ({ label: f.label, count: f.count, example: f.example })),
      verdicts: t.verdicts,
    })),
  };
}

function stateOf(t: TargetReport): string {
  if (t.healthy) return `✅ ${t.status ?? ''}`.trim();
  if (!t.ready) return `❌ ${t.refused ? 'refused' : 'never ready'}${t.status ? ` (${t.status})` : ''}`;
  const over = [t.p95OverBudget && 'P95', t.errorRateOverBudget && 'error rate'].filter(Boolean).join(' and ');
  return `❌ ${over} over budget`;
}

function binLabel(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(2))}s` : `${Math.round(ms)}`;
}

/** A Mermaid xychart-beta bar chart of one target's latency histogram. */
export function mermaidHistogram(t: TargetReport): string | undefined {
  const h = t.histogram;
  if (!h?.counts.length) return undefined;
  const labels = h.counts.map((_, i) => `"${binLabel(h.edges[i]!)}–${binLabel(h.edges[i + 1]!)}"`);
  const title = `${t.method} ${t.url} — ${t.latency?.count ?? 0} answers`.replace(/"/g, "'");
  const unit = h.edges[h.edges.length - 1]! >= 1000 ? 'latency' : 'latency (ms)';
  return [
    'xychart-beta',
    `  title "${title}"`,
    `  x-axis "${unit}" [${labels.join(', ')}]`,
    `  y-axis "requests" 0 --> ${Math.max(...h.counts)}`,
    `  bar [${h.counts.join(', ')}]`,
  ].join('\n');
}

export function renderHealthMarkdown(report: HealthReport): string {
  const parts: string[] = [];
  parts.push(`## ${report.healthy ? '✅' : '❌'} smoke-health`);
  const budget = report.budgets.p95Ms > 0 ? `P95 ≤ ${formatDuration(report.budgets.p95Ms)}` : 'no P95 budget';
  parts.push(
    `${report.targets.length} target(s) checked in ${formatDuration(report.durationMs)}; budgets: ${budget}, error rate ≤ ${formatPercent(report.budgets.errorRate)}.`,
  );
  if (report.verdicts.length) parts.push(report.verdicts.map((v) => `- ${v}`).join('\n'));
  const header = ['target', 'status', 'ready after', 'P50', 'P95', 'P99', 'errors', 'samples'];
  const rows = report.targets.map((t) => [
    `${t.method} ${t.url}`,
    stateOf(t),
    t.readyAfterMs === undefined
      ? '—'
      : `${formatDuration(t.readyAfterMs)} (${t.attempts} attempt${t.attempts === 1 ? '' : 's'})`,
    t.latency ? formatDuration(t.latency.p50Ms) : '—',
    t.latency ? formatDuration(t.latency.p95Ms) : '—',
    t.latency ? formatDuration(t.latency.p99Ms) : '—',
    t.samples ? `${t.errors} (${formatPercent(t.errorRate)})` : '—',
    t.samples || '—',
  ]);
  parts.push(
    [
      `| ${header.join(' | ')} |`,
      `| ${header.map(() => '---').join(' | ')} |`,
      ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
    ].join('\n'),
  );
  for (const t of report.targets) {
    const chart = mermaidHistogram(t);
    if (chart) parts.push(`\`\`\`mermaid\n${chart}\n\`\`\``);
    if (t.failures.length)
      parts.push(
        `Failed samples on ${t.url}:\n${t.failures.map((f) => `- ${f.count}× ${f.example.replace(/\r?\n/g, ' ')}`).join('\n')}`,
      );
    if (!t.ready && t.readinessFailure) parts.push(`Last readiness answer from ${t.url}: ${t.readinessFailure}`);
  }
  return `${parts.join('\n\n')}\n`;
}

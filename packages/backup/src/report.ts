// The drill as the job summary shows it: the verdict, each phase's time against the budget, the backups
// the platform keeps, and the table-by-table counts.
import { formatDuration } from '@wingman/time';
import type { DrillReport } from './drill';

export function renderDrillMarkdown(r: DrillReport): string {
  const lines: string[] = [];
  lines.push(
    `### Backup drill: ${r.ok ? 'passed' : 'FAILED'} — recovery in ${r.rtoSeconds} s (budget ${r.rtoBudgetSeconds} s)`,
    '',
  );
  for (const p of r.problems) lines.push(`- ❌ ${p}`);
  if (r.problems.length) lines.push('');
  lines.push(
    '| phase | time |',
    '|---|---|',
    `| prepare the scratch database (bootstrap, roles, extensions) | ${formatDuration(r.phases.restorePrepareMs)} |`,
    `| dump (pg_dump ${r.pgDump.major}, one snapshot) | ${formatDuration(r.phases.dumpMs)} |`,
    `| restore (one transaction) | ${formatDuration(r.phases.restoreMs)} |`,
    `| verify (counts, samples, history, lints) | ${formatDuration(r.phases.verifyMs)} |`,
    `| **recovery time** | **${r.rtoSeconds} s** |`,
    '',
  );
  if (r.backup) {
    const b = r.backup;
    lines.push(
      `**Platform backups** (${b.region || 'region unknown'}): newest completed ${b.newestBackupAt ? `${b.newestBackupAt} (${b.backupAgeHours} h old)` : 'none'}; PITR ${b.pitrEnabled ? `on, latest recovery point ${b.latestRecoveryPointAt ?? 'unknown'}${b.recoveryPointAgeHours !== undefined ? ` (${b.recoveryPointAgeHours} h old)` : ''}` : 'off'}; listed: ${b.backups.map((x) => `${x.count} ${x.status}`).join(', ') || 'none'}.`,
      '',
    );
  }
  lines.push(
    `**Migration history**: ${r.history.source} in the source, ${r.history.restored} restored${r.history.equal ? ' — equal' : ' — DIFFERENT'}. **verify-schema on the copy**: ${r.lints.errors} error(s), ${r.lints.warnings} warning(s).`,
    '',
    `<details><summary>${r.tables.length} tables, ${r.rows} rows</summary>`,
    '',
    '| table | source rows | restored | sample |',
    '|---|---:|---:|---|',
    ...r.tables.map(
      (t) =>
        `| ${t.table}${t.kind === 'data' ? ' (rows only)' : ''} | ${t.sourceRows} | ${t.restoredRows} | ${t.sample === 'equal' && t.sourceRows === t.restoredRows ? '✅ equal' : '❌ differs'} |`,
    ),
    '',
    '</details>',
  );
  if (r.skipped.length)
    lines.push('', `Platform tables the scratch bootstrap does not have, not copied: ${r.skipped.join(', ')}.`);
  return `${lines.join('\n')}\n`;
}

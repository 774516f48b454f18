// The one way a duration is written for a reader: logs, errors, summaries and Slack messages.

/**
 * "850 ms", "1.25 s", "12.3 s", "2 min 5 s", "1 h 3 min"; `compact` gives Slack's "4m 12s" / "45s".
 * Below a minute the precision follows the size, so a latency keeps its hundredths and a wait its tenths.
 */
export function formatDuration(ms: number, style: 'text' | 'compact' = 'text'): string {
  if (style === 'compact') {
    const total = Math.max(0, Math.round(ms / 1000));
    const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
    return h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${s}s` : `${s}s`;
  }
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(ms < 10_000 ? 2 : 1))} s`;
  const total = Math.round(ms / 1000);
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  return s > 0 ? `${m} min ${s} s` : `${m} min`;
}

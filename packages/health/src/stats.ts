// Exact statistics over the recorded samples: nearest-rank percentiles (always a latency that was
// actually observed, never an interpolation) and a histogram with round bin widths.

export interface LatencyStats {
  count: number;
  minMs: number;
  maxMs: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/** Nearest-rank percentile of ascending values: the ⌈p/100 · n⌉-th smallest. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) throw new Error('percentile of an empty sample');
  if (p <= 0) return sorted[0]!;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

export function latencyStats(values: readonly number[]): LatencyStats | undefined {
  if (!values.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    minMs: sorted[0]!,
    maxMs: sorted[sorted.length - 1]!,
    meanMs: sorted.reduce((s, v) => s + v, 0) / sorted.length,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
  };
}

export interface Histogram {
  /** Bin i covers [edges[i], edges[i+1]). */
  edges: number[];
  counts: number[];
}

/** 1, 2 or 5 × 10^k, the smallest not below x. */
function niceStep(x: number): number {
  const exp = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * exp >= x) return m * exp;
  return 10 * exp;
}

/** About `bins` bins of a round width (1, 2, 5 × 10^k ms) covering every value. */
export function histogram(values: readonly number[], bins = 12): Histogram {
  if (!values.length) return { edges: [], counts: [] };
  const min = Math.min(...values);
  const max = Math.max(...values);
  const width = niceStep(Math.max(1, (max - min) / bins));
  const start = Math.floor(min / width) * width;
  const n = Math.max(1, Math.floor((max - start) / width) + 1);
  const counts = new Array<number>(n).fill(0);
  for (const v of values) counts[Math.min(n - 1, Math.floor((v - start) / width))]! += 1;
  return { edges: Array.from({ length: n + 1 }, (_, i) => start + i * width), counts };
}

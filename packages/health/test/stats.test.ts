import { describe, expect, it } from '@jest/globals';
import { histogram, latencyStats, percentile } from '../src/stats';

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('is the ⌈p·n⌉-th smallest value, always an observed one', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 0)).toBe(1);
    // n = 50: rank ⌈47.5⌉ = 48.
    const fifty = Array.from({ length: 50 }, (_, i) => (i + 1) * 10);
    expect(percentile(fifty, 95)).toBe(480);
    expect(percentile(fifty, 99)).toBe(500);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([1, 2, 3], 50)).toBe(2);
    expect(() => percentile([], 50)).toThrow('empty');
  });

  it('latencyStats sorts a copy and reports the usual figures', () => {
    const values = [30, 10, 20, 40, 1000];
    const s = latencyStats(values)!;
    expect(values).toEqual([30, 10, 20, 40, 1000]);
    expect(s).toEqual({
      count: 5,
      minMs: 10,
      maxMs: 1000,
      meanMs: 220,
      p50Ms: 30,
      p90Ms: 1000,
      p95Ms: 1000,
      p99Ms: 1000,
    });
    expect(latencyStats([])).toBeUndefined();
  });
});

describe('histogram', () => {
  it('uses round bin widths that cover every value, counting each once', () => {
    const values = [12, 14, 18, 25, 33, 41, 47, 95, 101];
    const h = histogram(values, 10);
    const width = h.edges[1]! - h.edges[0]!;
    expect(width).toBe(10);
    expect(h.edges[0]).toBe(10);
    expect(h.edges[h.edges.length - 1]!).toBeGreaterThan(101);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(values.length);
    expect(h.counts[0]).toBe(3); // 12, 14, 18 in [10, 20)
    expect(h.counts.length).toBe(h.edges.length - 1);
  });

  it('handles one value and an empty sample', () => {
    expect(histogram([5])).toEqual({ edges: [5, 6], counts: [1] });
    expect(histogram([])).toEqual({ edges: [], counts: [] });
  });

  it('picks 1/2/5×10^k widths for seconds-long samples', () => {
    const h = histogram([100, 2500, 2600], 12);
    expect(h.edges[1]! - h.edges[0]!).toBe(500);
    expect(h.counts).toEqual([1, 0, 0, 0, 0, 2]);
  });
});

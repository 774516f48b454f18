import { describe, expect, it } from '@jest/globals';
import { DeadlineExceeded, formatDuration, parseInstant, sleep, startDeadline } from '../src/index';

describe('formatDuration', () => {
  it('writes each size at the precision a reader needs', () => {
    expect(formatDuration(849.6)).toBe('850 ms');
    expect(formatDuration(1234)).toBe('1.23 s');
    expect(formatDuration(12_340)).toBe('12.3 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(600_000)).toBe('10 min');
    expect(formatDuration(3_780_000)).toBe('1 h 3 min');
  });
  it("writes Slack's compact form", () => {
    expect(formatDuration(45_000, 'compact')).toBe('45s');
    expect(formatDuration(252_000, 'compact')).toBe('4m 12s');
    expect(formatDuration(3_780_000, 'compact')).toBe('1h 3m');
  });
});

describe('sleep and the deadline', () => {
  it('a deadline ends a longer sleep with DeadlineExceeded naming its input', async () => {
    const deadline = startDeadline(30, 'wait-timeout');
    const started = Date.now();
    const err = await deadline.sleep(5_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlineExceeded);
    expect((err as Error).message).toBe("the step's 'wait-timeout' (30 ms) ran out");
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(deadline.remaining()).toBe(0);
  });
  it('counts from the given start, so time spent before the call (process start-up) counts too', async () => {
    const deadline = startDeadline(1_000, 'timeout', Date.now() - 990);
    expect(deadline.remaining()).toBeLessThanOrEqual(10);
    await expect(deadline.sleep(5_000)).rejects.toBeInstanceOf(DeadlineExceeded);
    expect(startDeadline(1_000, 'timeout', Date.now() - 5_000).remaining()).toBe(0);
  });
  it('an already aborted signal rejects at once; no signal just waits', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(sleep(5_000, controller.signal)).rejects.toThrow('stop');
    await expect(sleep(5)).resolves.toBeUndefined();
  });
});

describe('parseInstant', () => {
  it('reads ISO 8601, epoch seconds and epoch milliseconds, and refuses anything else', () => {
    expect(parseInstant('2026-11-02T10:15:30.250Z')?.getTime()).toBe(Date.UTC(2026, 10, 2, 10, 15, 30, 250));
    expect(parseInstant(' 1793614530 ')?.getTime()).toBe(1_793_614_530_000);
    expect(parseInstant('1793614530.5')?.getTime()).toBe(1_793_614_530_500);
    expect(parseInstant('1793614530123')?.getTime()).toBe(1_793_614_530_123);
    expect(parseInstant('yesterday')).toBeUndefined();
  });
});

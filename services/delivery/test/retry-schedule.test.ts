import { describe, expect, it } from 'vitest';
import { defaultScheduleMs, parseRetryAfterMs, retryDelayMs, scheduledDelayMs } from '../src/domain/retry-schedule.js';
import type { RetryPolicy } from '../src/domain/types.js';

const policy: RetryPolicy = { maxAttempts: 8, scheduleMs: defaultScheduleMs, maxRetryAfterMs: 3_600_000, jitter: 0.2, timeoutMs: 10_000 };
const mid = () => 0.5;

describe('retry schedule', () => {
  it('follows 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and then repeats 10 h', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => scheduledDelayMs(policy, n, mid));
    expect(delays).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000, 36_000_000]);
  });

  it('spreads delays by at most ±jitter', () => {
    expect(scheduledDelayMs(policy, 1, () => 0)).toBe(4_000);
    expect(scheduledDelayMs(policy, 1, () => 0.999999)).toBeCloseTo(6_000, -1);
    const seen = new Set(Array.from({ length: 50 }, () => scheduledDelayMs(policy, 2, Math.random)));
    expect(seen.size).toBeGreaterThan(1);
    for (const d of seen) {
      expect(d).toBeGreaterThanOrEqual(240_000);
      expect(d).toBeLessThanOrEqual(360_000);
    }
  });

  it('takes a millisecond schedule for tests', () => {
    expect(scheduledDelayMs({ scheduleMs: [10, 20], jitter: 0 }, 3, mid)).toBe(20);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    expect(parseRetryAfterMs('120', now)).toBe(120_000);
    expect(parseRetryAfterMs('Tue, 01 Jan 2030 00:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfterMs('Mon, 31 Dec 2029 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
  });

  it('waits at least as long as Retry-After asks, capped, and never less than the schedule', () => {
    expect(retryDelayMs(policy, 1, 60_000, mid)).toBe(60_000);
    expect(retryDelayMs(policy, 1, 1_000, mid)).toBe(5_000);
    expect(retryDelayMs(policy, 1, 48 * 3_600_000, mid)).toBe(3_600_000);
    expect(retryDelayMs(policy, 6, 48 * 3_600_000, mid)).toBe(36_000_000);
  });
});

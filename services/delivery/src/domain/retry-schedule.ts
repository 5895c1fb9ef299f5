import type { RetryPolicy } from './types.js';

/** Production schedule, like svix: after the first attempt wait 5 s, 5 min, 30 min, 2 h, 5 h, then 10 h. */
export const defaultScheduleMs = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000];

/**
 * Delay before the retry that follows attempt `attempt` (1-based): the schedule entry
 * (last one repeats) with ±jitter so endpoints recovering from an outage are not hit by
 * every queued message at the same instant.
 */
export function scheduledDelayMs(policy: Pick<RetryPolicy, 'scheduleMs' | 'jitter'>, attempt: number, random: () => number): number {
  const s = policy.scheduleMs;
  const base = s[Math.min(Math.max(attempt, 1), s.length) - 1] ?? 0;
  const factor = 1 - policy.jitter + 2 * policy.jitter * random();
  return Math.max(0, Math.round(base * factor));
}

/** Retry-After in ms from delta-seconds or an HTTP date; undefined when absent or unparseable. */
export function parseRetryAfterMs(value: string | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

/**
 * The wait before the next attempt: never sooner than the schedule, and no sooner than
 * the receiver asked (Retry-After) — but a receiver cannot push us past maxRetryAfterMs.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, retryAfterMs: number | undefined, random: () => number): number {
  const scheduled = scheduledDelayMs(policy, attempt, random);
  if (retryAfterMs === undefined) return scheduled;
  return Math.max(scheduled, Math.min(retryAfterMs, policy.maxRetryAfterMs));
}

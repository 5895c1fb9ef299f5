import type { Rate } from './limits.js';

/** One bucket a call takes a token from. `key` names it (class, scope, tenant, principal). */
export interface BucketRequest {
  key: string;
  rate: Rate;
}

export type Admission = { allowed: true } | { allowed: false; retryAfterMs: number; key: string };

/** Takes one token from every bucket, or none when any is empty (then says how long to wait). */
export interface RateLimiter {
  take(buckets: readonly BucketRequest[]): Promise<Admission>;
}

/** Token-bucket arithmetic shared by the in-process limiter and the Redis script's callers. */
export class LocalBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly now: () => number = Date.now,
    /** Divides every rate and burst (a replica's share while Redis is unreachable). */
    private readonly share = 1,
    private readonly maxKeys = 100_000,
  ) {}

  take(buckets: readonly BucketRequest[]): Admission {
    const now = this.now();
    const levels = buckets.map((b) => this.level(b, now));
    for (let i = 0; i < buckets.length; i++) {
      if (levels[i]! < 1) {
        const { perSecond } = this.scaled(buckets[i]!.rate);
        return { allowed: false, retryAfterMs: Math.ceil(((1 - levels[i]!) / perSecond) * 1000), key: buckets[i]!.key };
      }
    }
    buckets.forEach((b, i) => this.set(b.key, levels[i]! - 1, now));
    return { allowed: true };
  }

  private scaled(rate: Rate): Rate {
    return { perSecond: rate.perSecond / this.share, burst: Math.max(1, rate.burst / this.share) };
  }

  private level(b: BucketRequest, now: number): number {
    const { perSecond, burst } = this.scaled(b.rate);
    const state = this.buckets.get(b.key);
    if (!state) return burst;
    return Math.min(burst, state.tokens + (Math.max(0, now - state.at) / 1000) * perSecond);
  }

  private set(key: string, tokens: number, at: number): void {
    this.buckets.delete(key);
    // Least recently used first (a bounded map); such a bucket has almost always refilled.
    if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    this.buckets.set(key, { tokens, at });
  }
}

/** The in-memory twin: one process's buckets (unit tests, single-process runs). */
export class MemoryRateLimiter implements RateLimiter {
  private readonly local: LocalBuckets;
  constructor(now: () => number = Date.now) {
    this.local = new LocalBuckets(now);
  }
  take(buckets: readonly BucketRequest[]): Promise<Admission> {
    return Promise.resolve(this.local.take(buckets));
  }
}

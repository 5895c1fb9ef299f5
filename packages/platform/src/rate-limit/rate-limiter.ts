import { LruCache } from '../lru-cache.js';
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

/**
 * Token buckets in one process: the in-memory twin, and the Redis limiter's fallback.
 * A bucket is forgotten once it would have refilled (a full bucket and no bucket are
 * the same), and the least recently used go first when there are too many.
 */
export class LocalBuckets {
  private readonly buckets: LruCache<string, { tokens: number; at: number }>;

  constructor(
    private readonly now: () => number = Date.now,
    /** Divides every rate and burst (a replica's share while Redis is unreachable). */
    private readonly share = 1,
    maxKeys = 100_000,
  ) {
    this.buckets = new LruCache(maxKeys, now);
  }

  take(buckets: readonly BucketRequest[]): Admission {
    const now = this.now();
    const levels = buckets.map((b) => this.level(b, now));
    for (let i = 0; i < buckets.length; i++) {
      if (levels[i]! < 1) {
        const { perSecond } = this.scaled(buckets[i]!.rate);
        return { allowed: false, retryAfterMs: Math.ceil(((1 - levels[i]!) / perSecond) * 1000), key: buckets[i]!.key };
      }
    }
    buckets.forEach((b, i) => {
      const { perSecond, burst } = this.scaled(b.rate);
      const tokens = levels[i]! - 1;
      this.buckets.set(b.key, { tokens, at: now }, now + ((burst - tokens) / perSecond) * 1000);
    });
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

import type { Redis } from 'ioredis';
import { LruCache } from '../lru-cache.js';
import type { Rate } from './limits.js';
import { LocalBuckets, type Admission, type BucketRequest, type RateLimiter } from './rate-limiter.js';

/**
 * Token buckets in Redis, shared by every replica: one atomic script, one round trip
 * for all of a call's buckets, on Redis's clock (replicas' clocks never matter).
 *
 * ARGV: per key, rate (tokens/ms), burst, want. A key with want 0 is only read (its
 * tokens are already held by this replica). When any wanted bucket has less than one
 * token nothing is taken and the reply is {0, ms until it has one, index of that key};
 * otherwise {1, granted per key}, where granted is up to `want` (a lease).
 */
const TAKE_SCRIPT = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local levels = {}
for i = 1, #KEYS do
  local rate, burst, want = tonumber(ARGV[i * 3 - 2]), tonumber(ARGV[i * 3 - 1]), tonumber(ARGV[i * 3])
  local state = redis.call('HMGET', KEYS[i], 't', 'at')
  local t, at = tonumber(state[1]), tonumber(state[2])
  if t == nil then
    t = burst
  elseif now > at then
    t = math.min(burst, t + (now - at) * rate)
  end
  levels[i] = t
  if want > 0 and t < 1 then
    return {0, math.ceil((1 - t) / rate), i}
  end
end
local out = {1}
for i = 1, #KEYS do
  local rate, burst, want = tonumber(ARGV[i * 3 - 2]), tonumber(ARGV[i * 3 - 1]), tonumber(ARGV[i * 3])
  local got = math.min(want, math.floor(levels[i]))
  if want > 0 then
    redis.call('HSET', KEYS[i], 't', tostring(levels[i] - got), 'at', now)
    redis.call('PEXPIRE', KEYS[i], math.ceil(burst / rate) + 1000)
  end
  out[i + 1] = got
end
return out
`;

type TakeReply = [0, number, number] | [1, ...number[]];
type WithTake = Redis & { assentTakeTokens(numKeys: number, ...args: (string | number)[]): Promise<TakeReply> };

/**
 * How many tokens a replica takes at once: about 20 ms of the rate, at most a tenth of
 * the burst, at least one. Low limits (most write limits) are therefore exact per call;
 * high ones (Check) cost one Redis round trip per lease instead of per call. Tokens a
 * replica holds count as spent, so the limit holds in sum across replicas.
 */
export function leaseSize(rate: Rate): number {
  return Math.max(1, Math.min(Math.floor(rate.perSecond * 0.02), Math.floor(rate.burst / 10)));
}

export interface RedisRateLimiterOptions {
  /** Share of each limit a replica enforces alone while Redis is unreachable (1/n). */
  fallbackReplicas: number;
  /** A Redis call slower than this is given up on for the local fallback. */
  timeoutMs?: number;
  /** Leased tokens not used within this long are dropped (never carried into the future). */
  leaseTtlMs?: number;
  onFallback?: () => void;
  now?: () => number;
}

export class RedisRateLimiter implements RateLimiter {
  private readonly redis: WithTake;
  private readonly leases: LruCache<string, { tokens: number }>;
  /** Until when (ms) a bucket Redis called empty stays empty here. */
  private readonly blocked: LruCache<string, number>;
  private readonly fallback: LocalBuckets;
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private readonly leaseTtlMs: number;
  /** Lease fetches in flight, by the set of buckets they are for. */
  private readonly fetching = new Map<string, Promise<unknown>>();

  constructor(
    redis: Redis,
    private readonly opts: RedisRateLimiterOptions,
  ) {
    if (!('assentTakeTokens' in redis)) redis.defineCommand('assentTakeTokens', { lua: TAKE_SCRIPT });
    this.redis = redis as WithTake;
    this.now = opts.now ?? Date.now;
    this.timeoutMs = opts.timeoutMs ?? 100;
    this.leaseTtlMs = opts.leaseTtlMs ?? 500;
    this.leases = new LruCache(50_000, this.now);
    this.blocked = new LruCache(50_000, this.now);
    this.fallback = new LocalBuckets(this.now, opts.fallbackReplicas);
  }

  /**
   * Concurrent calls that find their leases empty share one fetch: without that, a
   * burst of N callers fetched N leases at once, each overwriting the last, so the
   * tokens of N-1 leases were spent in Redis and never used here, and a burst far
   * below the limit drained the bucket (200 callers against a 10,000/s tenant limit
   * were refused thousands of times). A caller that waited on another's fetch takes
   * from the lease it brought, or fetches again itself.
   */
  async take(buckets: readonly BucketRequest[], waited = 0): Promise<Admission> {
    const now = this.now();
    for (const b of buckets) {
      // A bucket Redis said is empty stays empty here until it has a token again.
      const until = this.blocked.get(b.key);
      if (until !== undefined) return { allowed: false, retryAfterMs: Math.max(1, until - now), key: b.key };
    }
    // Reserve from what this replica already holds; fetch leases for the rest.
    const held = buckets.map((b) => {
      const lease = this.leases.get(b.key);
      if (lease && lease.tokens >= 1) {
        lease.tokens -= 1;
        return lease;
      }
      return undefined;
    });
    if (held.every((l) => l !== undefined)) return { allowed: true };
    const giveBack = () => held.forEach((l) => l && (l.tokens += 1));
    const flight = buckets.map((b) => b.key).join('\n');
    const inFlight = this.fetching.get(flight);
    if (inFlight && waited < 3) {
      giveBack();
      await inFlight;
      return this.take(buckets, waited + 1);
    }
    const fetched = this.fetch(buckets, held, giveBack, now);
    this.fetching.set(flight, fetched);
    try {
      return await fetched;
    } finally {
      if (this.fetching.get(flight) === fetched) this.fetching.delete(flight);
    }
  }

  private async fetch(buckets: readonly BucketRequest[], held: ({ tokens: number } | undefined)[], giveBack: () => void, now: number): Promise<Admission> {
    if (this.redis.status !== 'ready') {
      giveBack();
      return this.fallbackTake(buckets);
    }
    const args: (string | number)[] = buckets.map((b) => `rl:${b.key}`);
    buckets.forEach((b, i) => args.push(b.rate.perSecond / 1000, b.rate.burst, held[i] ? 0 : leaseSize(b.rate)));
    let reply: TakeReply;
    try {
      reply = await withTimeout(this.redis.assentTakeTokens(buckets.length, ...args), this.timeoutMs);
    } catch {
      giveBack();
      return this.fallbackTake(buckets);
    }
    if (reply[0] === 0) {
      giveBack();
      const key = buckets[reply[2] - 1]!.key;
      const retryAfterMs = Math.max(1, reply[1]);
      this.blocked.set(key, now + retryAfterMs, now + retryAfterMs);
      return { allowed: false, retryAfterMs, key };
    }
    buckets.forEach((b, i) => {
      if (held[i]) return;
      // One of the granted tokens is this call's; the rest wait here for the next calls
      // (added to what is left of the current lease, never replacing it).
      const rest = (reply[i + 1] ?? 1) - 1;
      const current = this.leases.get(b.key);
      if (rest > 0) this.leases.set(b.key, { tokens: rest + (current?.tokens ?? 0) }, now + this.leaseTtlMs);
    });
    return { allowed: true };
  }

  private fallbackTake(buckets: readonly BucketRequest[]): Admission {
    this.opts.onFallback?.();
    return this.fallback.take(buckets);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

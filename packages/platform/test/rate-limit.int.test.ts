import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, RedisRateLimiter, type BucketRequest, type Redis } from '@assent/platform';
import { startRedisServer, type RunningRedisServer } from '@assent/testkit';

/**
 * The Redis token buckets on a private Redis (each service's ACL user, as deployed):
 * several replicas share one limit, leases keep the sum, and losing Redis falls back
 * to each replica's share instead of refusing or admitting everything.
 */
const root = 'ratetest';
let acl: RunningRedisServer;
let plain: RunningRedisServer;
const clients: Redis[] = [];
/** A connected client (until it is ready the limiter would use its fallback, as a booting replica does). */
const client = async (url: string) => {
  const c = createRedis(url, root);
  c.on('error', () => undefined);
  clients.push(c);
  if (c.status !== 'ready') await new Promise((resolve) => c.once('ready', resolve));
  return c;
};
const replicas = (n: number, url: string, opts: { fallbackReplicas?: number; onFallback?: () => void } = {}) =>
  Promise.all(Array.from({ length: n }, async () => new RedisRateLimiter(await client(url), { fallbackReplicas: 3, ...opts })));

beforeAll(async () => {
  [acl, plain] = await Promise.all([startRedisServer({ acl: { root } }), startRedisServer()]);
}, 30_000);
afterAll(async () => {
  clients.forEach((c) => c.disconnect());
  await Promise.allSettled([acl?.stop(), plain?.stop()]);
});

/** Calls take() round-robin over the limiters for `ms`; returns how many were admitted and the refusals. */
async function hammer(limiters: RedisRateLimiter[], bucket: BucketRequest[], ms: number, concurrency = 6) {
  const started = Date.now();
  let admitted = 0;
  let i = 0;
  const refusals: number[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() - started < ms) {
        const a = await limiters[i++ % limiters.length]!.take(bucket);
        if (a.allowed) admitted++;
        else {
          refusals.push(a.retryAfterMs);
          await new Promise((r) => setTimeout(r, 5));
        }
      }
    }),
  );
  return { admitted, refusals, seconds: (Date.now() - started) / 1000 };
}

describe('RedisRateLimiter', () => {
  it('holds one limit in sum across three replicas', async () => {
    const limiters = await replicas(3, acl.urlFor('approvals'));
    const bucket = [{ key: 'approvals:write:t:sum', rate: { perSecond: 20, burst: 10 } }];
    const { admitted, refusals, seconds } = await hammer(limiters, bucket, 1_500);
    // One shared bucket: the burst plus the refill, not three times that.
    expect(admitted).toBeGreaterThanOrEqual(10 + Math.floor(20 * 1.5) - 2);
    expect(admitted).toBeLessThanOrEqual(10 + Math.ceil(20 * seconds) + 1);
    expect(refusals.length).toBeGreaterThan(0);
    expect(Math.max(...refusals)).toBeLessThanOrEqual(50);
    // The key is the service's own (its ACL allows rl:approvals:*), and it expires.
    const admin = await client(acl.adminUrl);
    expect(await admin.pttl('rl:approvals:write:t:sum')).toBeGreaterThan(0);
  });

  it('leases tokens for high limits and still holds the sum', async () => {
    const limiters = await replicas(2, acl.urlFor('authz'));
    const bucket = [{ key: 'authz:read:t:lease', rate: { perSecond: 500, burst: 100 } }];
    const { admitted, seconds } = await hammer(limiters, bucket, 600, 10);
    expect(admitted).toBeLessThanOrEqual(100 + Math.ceil(500 * seconds) + 1);
    // The burst is served, less at most one lease per replica left unused.
    expect(admitted).toBeGreaterThanOrEqual(100 - 2 * 10);
  });

  it('admits a burst of 200 concurrent callers far below the limit (one lease fetch, not 200)', async () => {
    const [limiter] = await replicas(1, acl.urlFor('approvals'));
    const buckets = [
      { key: 'approvals:write:p:burst', rate: { perSecond: 5_000, burst: 10_000 } },
      { key: 'approvals:write:t:burst', rate: { perSecond: 10_000, burst: 20_000 } },
    ];
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all(Array.from({ length: 200 }, () => limiter!.take(buckets)));
      expect(results.filter((r) => !r.allowed)).toEqual([]);
    }
  });

  it('refuses a service’s buckets to another service’s Redis user', async () => {
    const fallbacks: number[] = [];
    const [asNotifier] = await replicas(1, acl.urlFor('notifier'), { fallbackReplicas: 1, onFallback: () => fallbacks.push(1) });
    const bucket = (key: string) => [{ key, rate: { perSecond: 1, burst: 1 } }];
    expect(await asNotifier!.take(bucket('notifier:write:t:x'))).toEqual({ allowed: true });
    expect(fallbacks).toHaveLength(0);
    // NOPERM is an error, so the limiter falls back to its own share rather than failing the call.
    expect((await asNotifier!.take(bucket('approvals:write:t:x'))).allowed).toBe(true);
    expect(fallbacks).toHaveLength(1);
    expect(await acl.aclDenials()).toEqual(expect.arrayContaining([expect.stringMatching(/^notifier key .*rl:approvals:write:t:x/)]));
  });

  it('falls back to each replica’s share while Redis is down, and back to Redis after', async () => {
    let fallbacks = 0;
    const limiters = await replicas(3, plain.url, { onFallback: () => fallbacks++ });
    const bucket = [{ key: 'approvals:write:t:down', rate: { perSecond: 1, burst: 30 } }];
    expect((await limiters[0]!.take(bucket)).allowed).toBe(true);
    await plain.stop();
    // Each replica alone admits its third of the burst, quickly, then refuses.
    const started = Date.now();
    const perReplica = await Promise.all(limiters.map(async (l) => (await Promise.all(Array.from({ length: 15 }, () => l.take(bucket)))).filter((a) => a.allowed).length));
    expect(perReplica).toEqual([10, 10, 10]);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(fallbacks).toBe(45);
    await plain.start();
    // Back on Redis once the client has reconnected: a call no longer falls back.
    await expect
      .poll(
        async () => {
          const before = fallbacks;
          await limiters[1]!.take(bucket);
          return fallbacks === before;
        },
        { timeout: 10_000, interval: 200 },
      )
      .toBe(true);
  }, 30_000);
});

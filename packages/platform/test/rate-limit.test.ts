import { describe, expect, it } from 'vitest';
import { Status } from 'nice-grpc';
import { RetryInfo, QuotaFailure } from 'nice-grpc-error-details';
import { pino } from 'pino';
import {
  ConfigError,
  LocalBuckets,
  MemoryRateLimiter,
  RateLimitedError,
  commonConfig,
  commonEnvSpec,
  createMetrics,
  defaultRateLimits,
  leaseSize,
  limitsFor,
  parseEnv,
  rateClassOf,
  rateLimitAdmission,
  rateLimitsSchema,
  toServerError,
  type Principal,
} from '@assent/platform';

const clock = () => {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};
const alice: Principal = { subject: 'alice', kind: 'user', tenant: 'acme', roles: [] };
const write = { path: '/assent.approvals.v1.ApprovalsService/CreateRequest', options: {} };
const read = { path: '/assent.authz.v1.AuthzService/Check', options: { idempotencyLevel: 'NO_SIDE_EFFECTS' as const } };

describe('rate limit settings', () => {
  const valid = { ASSENT_JWKS_URL: 'http://127.0.0.1:1/jwks', ASSENT_JWT_ISSUER: 'http://issuer' };

  it('uses the defaults when unset and merges what is set, per tenant too', () => {
    expect(commonConfig(parseEnv(commonEnvSpec, valid)).rateLimits).toEqual(defaultRateLimits);
    const limits = rateLimitsSchema.parse({ write: { tenant: { perSecond: 5, burst: 10 } }, tenants: { big: { read: { principal: { perSecond: 9000, burst: 9000 } } } } });
    expect(limits.write).toEqual({ principal: defaultRateLimits.write.principal, tenant: { perSecond: 5, burst: 10 } });
    expect(limitsFor(limits, 'big', 'read')).toEqual({ principal: { perSecond: 9000, burst: 9000 }, tenant: defaultRateLimits.read.tenant });
    expect(limitsFor(limits, 'small', 'read')).toEqual(defaultRateLimits.read);
  });

  it('refuses bad JSON and bad values at boot, naming the variable and the field', () => {
    const bad = (v: string) => () => parseEnv(commonEnvSpec, { ...valid, ASSENT_RATE_LIMITS: v });
    expect(bad('{write')).toThrow(ConfigError);
    expect(bad('{write')).toThrow(/ASSENT_RATE_LIMITS: not JSON/);
    expect(bad('{"write":{"tenant":{"perSecond":0,"burst":10}}}')).toThrow(/write\.tenant\.perSecond/);
    expect(bad('{"read":{"principal":{"perSecond":5}}}')).toThrow(/read\.principal\.burst/);
    expect(bad('{"writes":{}}')).toThrow(/ASSENT_RATE_LIMITS/);
  });
});

describe('token buckets in one process (the in-memory twin, and the Redis-down fallback)', () => {
  it('allows the burst, then refuses with the time until a token is back, and refills at the rate', () => {
    const c = clock();
    const b = new LocalBuckets(c.now);
    const bucket = [{ key: 'k', rate: { perSecond: 10, burst: 3 } }];
    expect([b.take(bucket), b.take(bucket), b.take(bucket)].every((a) => a.allowed)).toBe(true);
    expect(b.take(bucket)).toEqual({ allowed: false, retryAfterMs: 100, key: 'k' });
    c.advance(100);
    expect(b.take(bucket).allowed).toBe(true);
    expect(b.take(bucket).allowed).toBe(false);
    c.advance(10_000);
    // Never more than the burst, however long it rested.
    expect([1, 2, 3, 4].map(() => b.take(bucket).allowed)).toEqual([true, true, true, false]);
  });

  it('takes from every bucket or from none', () => {
    const c = clock();
    const b = new LocalBuckets(c.now);
    const tenant = { key: 't', rate: { perSecond: 1, burst: 2 } };
    const one = { key: 'p1', rate: { perSecond: 1, burst: 1 } };
    const two = { key: 'p2', rate: { perSecond: 1, burst: 5 } };
    expect(b.take([tenant, one]).allowed).toBe(true);
    // p1 is empty: the tenant's token is not spent on a refused call.
    expect(b.take([tenant, one])).toMatchObject({ allowed: false, key: 'p1' });
    expect(b.take([tenant, two]).allowed).toBe(true);
    expect(b.take([tenant, two])).toMatchObject({ allowed: false, key: 't' });
  });

  it('enforces a replica’s share when told to (Redis unreachable)', () => {
    const c = clock();
    const b = new LocalBuckets(c.now, 3);
    const bucket = [{ key: 'k', rate: { perSecond: 30, burst: 30 } }];
    const allowed = Array.from({ length: 20 }, () => b.take(bucket).allowed).filter(Boolean).length;
    expect(allowed).toBe(10);
  });
});

describe('leases', () => {
  it('are exact (one token) for low limits and about 20 ms of the rate for high ones', () => {
    expect(leaseSize({ perSecond: 5, burst: 10 })).toBe(1);
    expect(leaseSize({ perSecond: 50, burst: 100 })).toBe(1);
    expect(leaseSize({ perSecond: 1000, burst: 2000 })).toBe(20);
    // Never more than a tenth of the burst.
    expect(leaseSize({ perSecond: 10_000, burst: 100 })).toBe(10);
  });
});

describe('admission of RPCs', () => {
  const limits = rateLimitsSchema.parse({
    write: { principal: { perSecond: 1, burst: 2 }, tenant: { perSecond: 1, burst: 3 } },
    read: { principal: { perSecond: 1, burst: 5 }, tenant: { perSecond: 1, burst: 5 } },
    tenants: { vip: { write: { principal: { perSecond: 1, burst: 4 }, tenant: { perSecond: 1, burst: 4 } } } },
  });
  const setup = () => {
    const c = clock();
    const metrics = createMetrics('approvals');
    return { metrics, admit: rateLimitAdmission({ service: 'approvals', limiter: new MemoryRateLimiter(c.now), limits, metrics }) };
  };

  it('classes RPCs by their contract: NO_SIDE_EFFECTS reads, everything else writes', () => {
    expect(rateClassOf(read)).toBe('read');
    expect(rateClassOf(write)).toBe('write');
    expect(rateClassOf({ path: '/x/Y', options: { idempotencyLevel: 'IDEMPOTENT' } })).toBe('write');
  });

  it('limits a principal, then its tenant, and says which limit refused', async () => {
    const { admit, metrics } = setup();
    await admit(alice, write);
    await admit(alice, write);
    const refused = await admit(alice, write).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect(refused).toMatchObject({ scope: 'write per principal' });
    // Reads have their own buckets.
    await expect(admit(alice, read)).resolves.toBeUndefined();
    // Bob, same tenant: one more write left in the tenant's bucket, then the tenant is out.
    const bob = { ...alice, subject: 'bob' };
    await admit(bob, write);
    await expect(admit(bob, write)).rejects.toMatchObject({ scope: 'write per tenant' });
    // Another tenant is unaffected; a tenant override applies.
    for (let i = 0; i < 4; i++) await admit({ ...alice, tenant: 'vip' }, write);
    await expect(admit({ ...alice, tenant: 'vip' }, write)).rejects.toBeInstanceOf(RateLimitedError);
    expect((await metrics.registry.getSingleMetricAsString('assent_rate_limited_total')).split('\n').filter((l) => l.startsWith('assent_rate_limited_total'))).toHaveLength(2);
  });

  it('does not limit Assent’s own services', async () => {
    const { admit } = setup();
    const svc: Principal = { subject: 'service:approvals', kind: 'service', tenant: undefined, roles: [] };
    for (let i = 0; i < 50; i++) await admit(svc, write);
  });

  it('maps to RESOURCE_EXHAUSTED with RetryInfo and QuotaFailure', () => {
    const err = toServerError(new RateLimitedError('write per tenant', 1_250), pino({ level: 'silent' }), '/x');
    expect(err.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(err.details).toMatch(/write per tenant/);
    const details = (err as unknown as { extra: unknown[] }).extra;
    expect(details).toEqual([
      RetryInfo.fromPartial({ retryDelay: { seconds: 1, nanos: 250_000_000 } }),
      QuotaFailure.fromPartial({ violations: [{ subject: 'write per tenant', description: err.details }] }),
    ]);
  });
});

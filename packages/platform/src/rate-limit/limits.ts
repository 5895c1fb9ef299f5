import { z } from 'zod';

/**
 * Inbound rate limits. Every RPC falls in one of two classes, read from the contract:
 * `read` for methods marked `idempotency_level = NO_SIDE_EFFECTS` in proto/ (Check,
 * Get*, List*, Watch*), `write` for everything else. Each class has a token bucket
 * per principal (within its tenant) and one per tenant; a call takes a token from both.
 * Limits are per service (each service's buckets are its own).
 */
export type RateClass = 'write' | 'read';

/** A token bucket: refills at `perSecond`, holds at most `burst` tokens. */
export interface Rate {
  perSecond: number;
  burst: number;
}

export interface ClassLimits {
  principal: Rate;
  tenant: Rate;
}

export interface RateLimits {
  write: ClassLimits;
  read: ClassLimits;
  /** Per-tenant overrides of any of the above. */
  tenants: Readonly<Record<string, { write?: Partial<ClassLimits>; read?: Partial<ClassLimits> }>>;
  /**
   * While Redis is unreachable each replica enforces 1/fallbackReplicas of every limit
   * on its own: with at most this many replicas the sum still holds, and nothing is
   * refused only because Redis is down.
   */
  fallbackReplicas: number;
}

export const defaultRateLimits: RateLimits = {
  write: { principal: { perSecond: 50, burst: 100 }, tenant: { perSecond: 500, burst: 1000 } },
  read: { principal: { perSecond: 1000, burst: 2000 }, tenant: { perSecond: 5000, burst: 10000 } },
  tenants: {},
  fallbackReplicas: 3,
};

const rate = z
  .object({
    perSecond: z.number().positive().max(1e7),
    burst: z.number().int().min(1).max(1e8),
  })
  .strict();
const classLimits = z.object({ principal: rate.optional(), tenant: rate.optional() }).strict();

/** The JSON of ASSENT_RATE_LIMITS: any part may be left out (the default applies). */
export const rateLimitsSchema = z
  .object({
    write: classLimits.optional(),
    read: classLimits.optional(),
    tenants: z.record(z.string().min(1), z.object({ write: classLimits.optional(), read: classLimits.optional() }).strict()).optional(),
    fallbackReplicas: z.number().int().min(1).max(1000).optional(),
  })
  .strict()
  .transform(
    (v): RateLimits => ({
      write: { ...defaultRateLimits.write, ...v.write },
      read: { ...defaultRateLimits.read, ...v.read },
      tenants: v.tenants ?? {},
      fallbackReplicas: v.fallbackReplicas ?? defaultRateLimits.fallbackReplicas,
    }),
  );

/** The limits that apply to a tenant's calls of one class. */
export function limitsFor(limits: RateLimits, tenant: string, cls: RateClass): ClassLimits {
  const override = limits.tenants[tenant]?.[cls];
  return override ? { ...limits[cls], ...override } : limits[cls];
}

import type { Principal } from '../auth/principal.js';
import { RateLimitedError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import { limitsFor, type RateClass, type RateLimits } from './limits.js';
import type { RateLimiter } from './rate-limiter.js';

/** What the gRPC layer knows of a method: its path and its proto options. */
export interface MethodInfo {
  path: string;
  options: { idempotencyLevel?: 'IDEMPOTENT' | 'NO_SIDE_EFFECTS' };
}

/** The class of an RPC, from its contract: NO_SIDE_EFFECTS methods read, all others write. */
export const rateClassOf = (method: MethodInfo): RateClass => (method.options.idempotencyLevel === 'NO_SIDE_EFFECTS' ? 'read' : 'write');

/**
 * Admits a user's call or throws RateLimitedError. Each call takes a token from its
 * principal's bucket and its tenant's, for its class, in this service's buckets. Assent's
 * own services are not limited (the user calls that caused their calls already were).
 */
export function rateLimitAdmission(opts: { service: string; limiter: RateLimiter; limits: RateLimits; metrics: Metrics }) {
  const { service, limiter, limits, metrics } = opts;
  return async (principal: Principal, method: MethodInfo): Promise<void> => {
    if (principal.kind !== 'user') return;
    const cls = rateClassOf(method);
    const tenant = principal.tenant ?? '-';
    const l = limitsFor(limits, tenant, cls);
    const tenantKey = `${service}:${cls}:t:${tenant}`;
    const admission = await limiter.take([
      { key: tenantKey, rate: l.tenant },
      { key: `${service}:${cls}:p:${tenant}:${principal.subject}`, rate: l.principal },
    ]);
    if (admission.allowed) return;
    const scope = `${cls} per ${admission.key === tenantKey ? 'tenant' : 'principal'}`;
    metrics.rateLimited.inc({ method: method.path, scope });
    throw new RateLimitedError(scope, admission.retryAfterMs);
  };
}

export type RpcAdmission = ReturnType<typeof rateLimitAdmission>;

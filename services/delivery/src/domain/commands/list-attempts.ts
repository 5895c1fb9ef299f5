import { NotFoundError, Violations, type Principal } from '@assent/platform/domain';
import type { DeliveryDeps } from '../ports.js';
import type { Attempt } from '../types.js';
import { requireReader } from './require-access.js';

export const pageSizes = { default: 50, max: 500 };

/** Attempts newest first; one endpoint's, or every endpoint's of the tenant when endpointId is empty. */
export async function listAttempts(
  deps: DeliveryDeps,
  caller: Principal,
  input: { tenant: string; endpointId: string; pageSize: number },
): Promise<Attempt[]> {
  new Violations().check('tenant', input.tenant, 'tenant').check('endpoint_id', input.endpointId, 'id', false).throwIfAny();
  await requireReader(deps, caller, input.tenant);
  if (input.endpointId && !(await deps.endpoints.get(input.tenant, input.endpointId))) {
    throw new NotFoundError('endpoint', input.endpointId);
  }
  // Sizes above the maximum are coerced to it (AIP-158) rather than rejected.
  const limit = Math.min(input.pageSize || pageSizes.default, pageSizes.max);
  return deps.attempts.list(input.tenant, input.endpointId || undefined, limit);
}

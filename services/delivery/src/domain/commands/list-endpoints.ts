import { Violations, type Principal } from '@assent/platform/domain';
import type { DeliveryDeps } from '../ports.js';
import type { Endpoint } from '../types.js';
import { requireReader } from './require-access.js';

/** The tenant's endpoints without their secrets (a secret is shown once, at creation). */
export async function listEndpoints(deps: DeliveryDeps, caller: Principal, input: { tenant: string }): Promise<Omit<Endpoint, 'secret'>[]> {
  new Violations().check('tenant', input.tenant, 'tenant').throwIfAny();
  await requireReader(deps, caller, input.tenant);
  const endpoints = await deps.endpoints.list(input.tenant);
  return endpoints.map(({ secret: _secret, ...rest }) => rest);
}

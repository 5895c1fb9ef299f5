import { NotFoundError, Violations, assertTenantAccess, type Principal } from '@assent/platform/domain';
import type { ApprovalsDeps } from '../ports.js';
import type { Policy } from '../types.js';

export async function getPolicy(deps: ApprovalsDeps, caller: Principal, input: { tenant: string; action: string }): Promise<Policy> {
  new Violations().check('tenant', input.tenant, 'tenant').check('action', input.action, 'action').throwIfAny();
  assertTenantAccess(caller, input.tenant);
  const policy = await deps.policies.get(input.tenant, input.action);
  if (!policy) throw new NotFoundError('policy', input.action, `no policy for action "${input.action}" in tenant "${input.tenant}"`);
  return policy;
}

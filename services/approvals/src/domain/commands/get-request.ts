import { NotFoundError, Violations, assertTenantAccess, type Principal } from '@assent/platform/domain';
import type { ApprovalsDeps } from '../ports.js';
import type { ApprovalRequest } from '../types.js';

export async function getRequest(deps: ApprovalsDeps, caller: Principal, input: { tenant: string; id: string }): Promise<ApprovalRequest> {
  new Violations().check('tenant', input.tenant, 'tenant').check('id', input.id, 'id').throwIfAny();
  assertTenantAccess(caller, input.tenant);
  const stored = await deps.requests.get(input.tenant, input.id);
  if (!stored) throw new NotFoundError('request', input.id);
  return stored.request;
}

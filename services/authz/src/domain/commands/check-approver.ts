import { NotFoundError, PermissionDeniedError, Violations, assertTenantAccess, type Principal } from '@assent/platform/domain';
import type { AuthzDeps } from '../ports.js';
import { requireTenant } from './require-tenant.js';

export async function checkApprover(
  deps: AuthzDeps,
  caller: Principal,
  input: { tenant: string; principal: string; action: string },
): Promise<{ allowed: boolean; reason: string; modelId: string }> {
  const principal = input.principal || caller.subject;
  new Violations().check('tenant', input.tenant, 'tenant').check('principal', principal, 'user').check('action', input.action, 'action').throwIfAny();
  assertTenantAccess(caller, input.tenant);
  if (caller.kind === 'user' && principal !== caller.subject) throw new PermissionDeniedError(`${caller.subject} may only check itself`);
  await requireTenant(deps.tenants, input.tenant);
  if (!(await deps.actions.get(input.tenant, input.action))) throw new NotFoundError('action', input.action);
  const allowed = await deps.relations.isApprover(input.tenant, input.action, principal);
  return {
    allowed,
    reason: allowed ? `${principal} is an approver of ${input.action}` : `${principal} is not an approver of ${input.action} in tenant ${input.tenant}`,
    modelId: deps.relations.modelId(),
  };
}

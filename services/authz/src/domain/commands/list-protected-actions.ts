import { Violations, assertTenantAccess, type Principal } from '@assent/platform/domain';
import type { AuthzDeps } from '../ports.js';
import type { ProtectedAction } from '../types.js';
import { requireTenant } from './require-tenant.js';

export async function listProtectedActions(deps: AuthzDeps, caller: Principal, input: { tenant: string }): Promise<ProtectedAction[]> {
  new Violations().check('tenant', input.tenant, 'tenant').throwIfAny();
  assertTenantAccess(caller, input.tenant);
  await requireTenant(deps.tenants, input.tenant);
  return deps.actions.list(input.tenant);
}

import { PermissionDeniedError, Violations, assertTenantAccess, hasRole, type Principal } from '@assent/platform/domain';
import type { AuthzDeps } from '../ports.js';
import { requireTenant } from './require-tenant.js';

/** Tenant admins (role "admin" in that tenant), platform admins and services add members. */
export async function addTenantMember(deps: AuthzDeps, caller: Principal, input: { tenant: string; user: string }): Promise<void> {
  new Violations().check('tenant', input.tenant, 'tenant').check('user', input.user, 'user').throwIfAny();
  if (!hasRole(caller, 'platform-admin')) {
    assertTenantAccess(caller, input.tenant);
    if (caller.kind !== 'service' && !hasRole(caller, 'admin')) throw new PermissionDeniedError('adding members needs the admin role');
  }
  await requireTenant(deps.tenants, input.tenant);
  await deps.relations.addMember(input.tenant, input.user);
}

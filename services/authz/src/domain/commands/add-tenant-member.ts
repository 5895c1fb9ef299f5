import { PermissionDeniedError, Violations, assertTenantAccess, hasRole, type Principal } from '@assent/platform/domain';
import { eventTypes, tenantMemberAddedData } from '../events.js';
import type { AuthzDeps } from '../ports.js';
import { requireTenant } from './require-tenant.js';

/**
 * Tenant admins (role "admin" in that tenant), platform admins and services add
 * members; every call is published for audit with who made it (idempotent, like
 * group changes).
 */
export async function addTenantMember(deps: AuthzDeps, caller: Principal, input: { tenant: string; user: string }): Promise<void> {
  new Violations().check('tenant', input.tenant, 'tenant').check('user', input.user, 'user').throwIfAny();
  if (!hasRole(caller, 'platform-admin')) {
    assertTenantAccess(caller, input.tenant);
    if (caller.kind !== 'service' && !hasRole(caller, 'admin')) throw new PermissionDeniedError('adding members needs the admin role');
  }
  await requireTenant(deps.tenants, input.tenant);
  await deps.relations.addMember(input.tenant, input.user);
  await deps.events.emit(
    deps.eventFactory.create({ type: eventTypes.tenantMemberAdded, subject: `principal/${input.user}`, tenant: input.tenant, data: tenantMemberAddedData(input, caller.subject) }),
  );
}

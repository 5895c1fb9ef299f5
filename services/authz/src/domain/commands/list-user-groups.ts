import { PermissionDeniedError, Violations, assertTenantAccess, hasRole, type Principal } from '@assent/platform/domain';
import type { AuthzDeps } from '../ports.js';
import { requireTenant } from './require-tenant.js';

/** The tenant's groups a user is in: people ask about themselves, admins and services about anyone. */
export async function listUserGroups(deps: AuthzDeps, caller: Principal, input: { tenant: string; user: string }): Promise<{ groups: string[] }> {
  const user = input.user || caller.subject;
  new Violations().check('tenant', input.tenant, 'tenant').check('user', user, 'user').throwIfAny();
  assertTenantAccess(caller, input.tenant);
  if (caller.kind === 'user' && user !== caller.subject && !hasRole(caller, 'admin')) throw new PermissionDeniedError(`${caller.subject} may only list its own groups`);
  await requireTenant(deps.tenants, input.tenant);
  return { groups: await deps.relations.groupsOf(input.tenant, user) };
}

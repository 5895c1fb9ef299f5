import { PermissionDeniedError, Violations, assertTenantAccess, hasRole, type Principal } from '@assent/platform/domain';
import { eventTypes, groupMemberChangedData } from '../events.js';
import type { AuthzDeps } from '../ports.js';
import { requireTenant } from './require-tenant.js';

export type GroupMemberInput = { tenant: string; group: string; user: string };

/** Tenant admins and platform admins manage a tenant's groups. */
export async function requireGroupAdmin(deps: AuthzDeps, caller: Principal, tenant: string): Promise<void> {
  if (!hasRole(caller, 'platform-admin')) {
    assertTenantAccess(caller, tenant);
    if (caller.kind !== 'service' && !hasRole(caller, 'admin')) throw new PermissionDeniedError('managing groups needs the admin role');
  }
  await requireTenant(deps.tenants, tenant);
}

/**
 * Adds a user to (or removes one from) a tenant's group, and publishes the change
 * for audit with who made it. Both are idempotent; the member must belong to the
 * tenant to be added. Approvers are matched against groups at decision time, so a
 * removal stops that person approving at once, also on requests already open.
 */
export async function changeGroupMember(deps: AuthzDeps, caller: Principal, input: GroupMemberInput, change: 'add' | 'remove'): Promise<void> {
  new Violations().check('tenant', input.tenant, 'tenant').check('group', input.group, 'group').check('user', input.user, 'user').throwIfAny();
  await requireGroupAdmin(deps, caller, input.tenant);
  if (change === 'add') {
    if (!(await deps.relations.isMember(input.tenant, input.user))) {
      throw new PermissionDeniedError(`${input.user} is not a member of tenant ${input.tenant}; add them to the tenant first`);
    }
    await deps.relations.addGroupMember(input.tenant, input.group, input.user);
  } else {
    await deps.relations.removeGroupMember(input.tenant, input.group, input.user);
  }
  await deps.events.emit(
    deps.eventFactory.create({
      type: change === 'add' ? eventTypes.groupMemberAdded : eventTypes.groupMemberRemoved,
      subject: `group/${input.group}`,
      tenant: input.tenant,
      data: groupMemberChangedData(input, caller.subject),
    }),
  );
}

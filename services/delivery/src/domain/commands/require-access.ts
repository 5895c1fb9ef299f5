import { PermissionDeniedError, assertTenantAccess, hasRole, type Principal } from '@assent/platform/domain';

/** Reading a tenant's endpoints and attempts: its users, platform admins and services. */
export function requireReader(caller: Principal, tenant: string): void {
  if (hasRole(caller, 'platform-admin')) return;
  assertTenantAccess(caller, tenant);
}

/** Creating endpoints sends tenant data to the outside world: tenant admins, platform admins and services only. */
export function requireAdmin(caller: Principal, tenant: string): void {
  if (hasRole(caller, 'platform-admin')) return;
  assertTenantAccess(caller, tenant);
  if (caller.kind !== 'service' && !hasRole(caller, 'admin')) {
    throw new PermissionDeniedError('managing webhook endpoints needs the admin role');
  }
}

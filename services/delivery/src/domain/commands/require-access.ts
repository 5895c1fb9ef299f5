import { PermissionDeniedError, assertTenantAccess, hasRole, requireTenantExists, type Principal } from '@assent/platform/domain';
import type { DeliveryDeps } from '../ports.js';

/** Reading a tenant's endpoints and attempts: its users, platform admins and services; NOT_FOUND for a tenant that does not exist. */
export async function requireReader(deps: Pick<DeliveryDeps, 'tenants'>, caller: Principal, tenant: string): Promise<void> {
  if (!hasRole(caller, 'platform-admin')) assertTenantAccess(caller, tenant);
  await requireTenantExists(deps.tenants, tenant);
}

/**
 * Creating endpoints and stream credentials sends tenant data to the outside world:
 * tenant admins, platform admins and services only, and only for a tenant that exists
 * (else NOT_FOUND, and no endpoint, secret or credential is made).
 */
export async function requireAdmin(deps: Pick<DeliveryDeps, 'tenants'>, caller: Principal, tenant: string, what = 'webhook endpoints'): Promise<void> {
  if (!hasRole(caller, 'platform-admin')) {
    assertTenantAccess(caller, tenant);
    if (caller.kind !== 'service' && !hasRole(caller, 'admin')) {
      throw new PermissionDeniedError(`managing ${what} needs the admin role`);
    }
  }
  await requireTenantExists(deps.tenants, tenant);
}

import { assertTenantAccess, hasRole, requireTenantAdmin, requireTenantExists, type Principal } from '@assent/platform/domain';
import type { DeliveryDeps } from '../ports.js';

/** Reading a tenant's endpoints and attempts: its users, platform admins and services; NOT_FOUND for a tenant that does not exist. */
export async function requireReader(deps: Pick<DeliveryDeps, 'tenants'>, caller: Principal, tenant: string): Promise<void> {
  if (!hasRole(caller, 'platform-admin')) assertTenantAccess(caller, tenant);
  await requireTenantExists(deps.tenants, tenant);
}

/**
 * Creating endpoints and stream credentials sends tenant data to the outside world:
 * tenant admins, platform admins and services only (the platform's requireTenantAdmin).
 */
export function requireAdmin(deps: Pick<DeliveryDeps, 'tenants'>, caller: Principal, tenant: string, what = 'webhook endpoints'): Promise<void> {
  return requireTenantAdmin(deps.tenants, caller, tenant, what);
}

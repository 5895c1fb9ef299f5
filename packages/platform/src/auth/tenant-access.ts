import { NotFoundError, PermissionDeniedError } from '../errors.js';
import type { Principal } from './principal.js';

/** Users act only within the tenant their token names; services act for any tenant. */
export function assertTenantAccess(principal: Principal, tenant: string): void {
  if (principal.kind === 'service') return;
  if (principal.tenant !== tenant) {
    throw new PermissionDeniedError(`${principal.subject} may not act in tenant "${tenant}"`);
  }
}

export function hasRole(principal: Principal, role: string): boolean {
  return principal.roles.includes(role);
}

/** Which tenants exist (authz creates them). */
export interface TenantDirectory {
  exists(tenant: string): Promise<boolean>;
}

/** NOT_FOUND for a tenant that does not exist: a list or a write for it would answer as if it did. */
export async function requireTenantExists(tenants: TenantDirectory, tenant: string): Promise<void> {
  if (!(await tenants.exists(tenant))) throw new NotFoundError('tenant', tenant, `tenant "${tenant}" does not exist`);
}

/**
 * Managing what a tenant sends to the outside world or how its people are reached:
 * the tenant's admins (role admin), platform admins and services, and only for a
 * tenant that exists (else NOT_FOUND, and nothing is changed).
 */
export async function requireTenantAdmin(tenants: TenantDirectory, caller: Principal, tenant: string, what: string): Promise<void> {
  if (!hasRole(caller, 'platform-admin')) {
    assertTenantAccess(caller, tenant);
    if (caller.kind !== 'service' && !hasRole(caller, 'admin')) {
      throw new PermissionDeniedError(`managing ${what} needs the admin role`);
    }
  }
  await requireTenantExists(tenants, tenant);
}

/** In-memory twin of the tenant directory, for unit tests. */
export class MemoryTenantDirectory implements TenantDirectory {
  private readonly ids: Set<string>;
  constructor(ids: Iterable<string> = []) {
    this.ids = new Set(ids);
  }
  add(tenant: string): void {
    this.ids.add(tenant);
  }
  async exists(tenant: string): Promise<boolean> {
    return this.ids.has(tenant);
  }
}

import { PermissionDeniedError } from '../errors.js';
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

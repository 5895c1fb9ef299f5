import { NotFoundError } from '@assent/platform/domain';
import type { TenantRepository } from '../ports.js';
import type { Tenant } from '../types.js';

export async function requireTenant(tenants: TenantRepository, id: string): Promise<Tenant> {
  const tenant = await tenants.get(id);
  if (!tenant) throw new NotFoundError('tenant', id);
  return tenant;
}

import { Violations, assertTenantAccess, type Principal } from '@assent/platform/domain';
import type { AuthzDeps } from '../ports.js';
import { requireAction } from './require-action.js';
import { requireTenant } from './require-tenant.js';

/**
 * Who may approve requests for an action now, for routing a request to them: the
 * users the action names and the members of its groups, each a member of the
 * tenant (membership is what eligibility needs too), read from OpenFGA at higher
 * consistency. Anyone in the tenant and services may ask.
 */
export async function listApprovers(deps: AuthzDeps, caller: Principal, input: { tenant: string; action: string }): Promise<string[]> {
  new Violations().check('tenant', input.tenant, 'tenant').check('action', input.action, 'action').throwIfAny();
  assertTenantAccess(caller, input.tenant);
  await requireTenant(deps.tenants, input.tenant);
  await requireAction(deps.actions, input.tenant, input.action);
  return deps.relations.listApprovers(input.tenant, input.action);
}

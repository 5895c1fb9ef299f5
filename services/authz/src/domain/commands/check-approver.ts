import { PermissionDeniedError, Violations, assertTenantAccess, type Principal } from '@assent/platform/domain';
import type { AuthzDeps } from '../ports.js';
import { requireAction } from './require-action.js';
import { requireTenant } from './require-tenant.js';

const MAX_AMONG = 200;

/**
 * Whether the principal is an approver of the action, and which of `among` (for
 * example one request's requirements) include it now.
 */
export async function checkApprover(
  deps: AuthzDeps,
  caller: Principal,
  input: { tenant: string; principal: string; action: string; among?: string[] },
): Promise<{ allowed: boolean; reason: string; modelId: string; matched: string[] }> {
  const principal = input.principal || caller.subject;
  const among = input.among ?? [];
  const v = new Violations().check('tenant', input.tenant, 'tenant').check('principal', principal, 'user').check('action', input.action, 'action');
  if (among.length > MAX_AMONG) v.add('among', `at most ${MAX_AMONG} subjects`);
  among.forEach((s, i) => v.check(`among[${i}]`, s, 'approver'));
  v.throwIfAny();
  assertTenantAccess(caller, input.tenant);
  if (caller.kind === 'user' && principal !== caller.subject) throw new PermissionDeniedError(`${caller.subject} may only check itself`);
  await requireTenant(deps.tenants, input.tenant);
  await requireAction(deps.actions, input.tenant, input.action);
  const allowed = await deps.relations.isApprover(input.tenant, input.action, principal);
  const matched = among.length ? await deps.relations.matchSubjects(input.tenant, principal, among) : [];
  return {
    matched,
    allowed,
    reason: allowed ? `${principal} is an approver of ${input.action}` : `${principal} is not an approver of ${input.action} in tenant ${input.tenant}`,
    modelId: deps.relations.modelId(),
  };
}

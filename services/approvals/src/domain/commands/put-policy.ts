import { InvalidArgumentError, PermissionDeniedError, Violations, assertTenantAccess, hasRole, type Principal } from '@assent/platform/domain';
import { eventTypes, policyJson } from '../events.js';
import type { ApprovalsDeps } from '../ports.js';
import { policyHash, validatePolicy, type PolicyInput } from '../policy-rules.js';
import { allApprovers, type Policy } from '../types.js';

/**
 * Validates and stores a policy (policy-as-code: the hash of the canonical
 * document is recorded on every request made under it) and registers its action
 * as protected with authz, with every approver it may ever route to (escalation
 * tiers included). Tenant admins and platform admins only. Requests already open
 * keep the requirements and timers they were created under; the new version
 * applies to requests created after it.
 */
export async function putPolicy(deps: ApprovalsDeps, caller: Principal, tenant: string, input: PolicyInput | undefined): Promise<Policy> {
  new Violations().check('tenant', tenant, 'tenant').throwIfAny();
  if (!input) throw InvalidArgumentError.field('policy', 'is required');
  validatePolicy(input);
  if (!hasRole(caller, 'platform-admin')) {
    assertTenantAccess(caller, tenant);
    if (caller.kind !== 'service' && !hasRole(caller, 'admin')) throw new PermissionDeniedError('changing policies needs the admin role');
  }
  const policy: Policy = { ...input, hash: policyHash(input) };
  await deps.authz.registerProtectedAction(tenant, policy.action, { id: policy.id, hash: policy.hash }, allApprovers(policy));
  await deps.policies.put(tenant, policy);
  await deps.events.emit(
    deps.newEvent({
      type: eventTypes.policyUpdated,
      subject: `policy/${policy.id}`,
      tenant,
      data: { tenant, policy: policyJson(policy) },
      id: `policy-${tenant}-${policy.id}-${policy.hash.slice(0, 16)}`,
    }),
  );
  return policy;
}

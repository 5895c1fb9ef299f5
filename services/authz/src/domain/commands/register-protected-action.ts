import { Violations, patterns, type Principal } from '@assent/platform/domain';
import type { AuthzDeps } from '../ports.js';
import type { PolicyRef, ProtectedAction } from '../types.js';
import { requireTenant } from './require-tenant.js';
import { requireTrustedService } from './require-service.js';


export async function registerProtectedAction(
  deps: AuthzDeps,
  caller: Principal,
  input: { tenant: string; action: string; policy: PolicyRef | undefined; approvers: string[]; stepUpToAct?: boolean; stepUpToApprove?: boolean },
): Promise<ProtectedAction> {
  const v = new Violations().check('tenant', input.tenant, 'tenant').check('action', input.action, 'action');
  if (!input.policy?.id) v.add('policy.id', 'is required');
  if (!input.policy?.hash || !/^[0-9a-f]{64}$/.test(input.policy.hash)) v.add('policy.hash', 'must be a sha256 hex digest');
  if (input.approvers.length === 0) v.add('approvers', 'at least one approver is required');
  input.approvers.forEach((a, i) => {
    if (!patterns.approver.test(a)) v.add(`approvers[${i}]`, 'must be "user:<id>" or "group:<id>#member"');
  });
  v.throwIfAny();
  requireTrustedService(deps.trustedServices, caller, 'RegisterProtectedAction');
  await requireTenant(deps.tenants, input.tenant);
  await deps.relations.setApprovers(input.tenant, input.action, input.approvers);
  const action: ProtectedAction = {
    tenant: input.tenant,
    action: input.action,
    policy: input.policy as PolicyRef,
    approvers: [...input.approvers],
    updatedAt: deps.clock.now(),
    stepUpToAct: input.stepUpToAct ?? false,
    stepUpToApprove: input.stepUpToApprove ?? false,
  };
  await deps.actions.put(action);
  return action;
}

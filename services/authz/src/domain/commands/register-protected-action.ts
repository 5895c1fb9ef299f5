import { Violations, canonicalJson, checkConditions, patterns, type NamedCondition, type Principal } from '@assent/platform/domain';
import { eventTypes } from '../events.js';
import type { AuthzDeps } from '../ports.js';
import type { PolicyRef, ProtectedAction } from '../types.js';
import { requireTenant } from './require-tenant.js';
import { requireTrustedService } from './require-service.js';

/** What a registration sets; an identical one changes nothing (same version, no event). */
const substance = (a: Pick<ProtectedAction, 'policy' | 'approvers' | 'stepUpToAct' | 'stepUpToApprove' | 'conditions'>) =>
  canonicalJson({ policy: a.policy, approvers: a.approvers, stepUpToAct: a.stepUpToAct, stepUpToApprove: a.stepUpToApprove, conditions: a.conditions });

/**
 * Registers (or re-registers) a protected action: its policy, approvers, step-up
 * needs and protection conditions, each condition compiled within the cost limit
 * first. The registry is versioned and audited: a registration that changes the
 * entry bumps its version and publishes assent.authz.action_registered.v1 with
 * the caller; an identical one (a retry, a re-applied policy) changes nothing.
 */
export async function registerProtectedAction(
  deps: AuthzDeps,
  caller: Principal,
  input: {
    tenant: string;
    action: string;
    policy: PolicyRef | undefined;
    approvers: string[];
    stepUpToAct?: boolean;
    stepUpToApprove?: boolean;
    conditions?: NamedCondition[];
  },
): Promise<ProtectedAction> {
  const v = new Violations().check('tenant', input.tenant, 'tenant').check('action', input.action, 'action');
  if (!input.policy?.id) v.add('policy.id', 'is required');
  if (!input.policy?.hash || !/^[0-9a-f]{64}$/.test(input.policy.hash)) v.add('policy.hash', 'must be a sha256 hex digest');
  if (input.approvers.length === 0) v.add('approvers', 'at least one approver is required');
  input.approvers.forEach((a, i) => {
    if (!patterns.approver.test(a)) v.add(`approvers[${i}]`, 'must be "user:<id>" or "group:<id>#member"');
  });
  const conditions = (input.conditions ?? []).map((c) => ({ name: c.name, when: c.when }));
  checkConditions(v, 'conditions', conditions);
  v.throwIfAny();
  requireTrustedService(deps.trustedServices, caller, 'RegisterProtectedAction');
  await requireTenant(deps.tenants, input.tenant);
  const wanted = {
    policy: { id: (input.policy as PolicyRef).id, hash: (input.policy as PolicyRef).hash },
    approvers: [...input.approvers],
    stepUpToAct: input.stepUpToAct ?? false,
    stepUpToApprove: input.stepUpToApprove ?? false,
    conditions,
  };
  const existing = await deps.actions.get(input.tenant, input.action);
  // The approver tuples are (re)written either way: a retry after a partial failure repairs them.
  await deps.relations.setApprovers(input.tenant, input.action, input.approvers);
  if (existing && substance(existing) === substance(wanted)) return existing;
  const action: ProtectedAction = { tenant: input.tenant, action: input.action, ...wanted, updatedAt: deps.clock.now(), version: (existing?.version ?? 0) + 1 };
  await deps.actions.put(action);
  await deps.events.emit(
    deps.eventFactory.create({
      type: eventTypes.actionRegistered,
      subject: `action/${input.action}`,
      tenant: input.tenant,
      data: { protectedAction: { ...action, updatedAt: action.updatedAt.toISOString() }, actor: caller.subject },
      id: `action-${input.tenant}-${input.action}-v${action.version}`,
    }),
  );
  return action;
}

import { ConflictError, FailedPreconditionError, InvalidArgumentError, PermissionDeniedError, UnavailableError, Violations, assertTenantAccess, hasRole, type Principal } from '@assent/platform/domain';
import { eventTypes, policyJson } from '../events.js';
import type { ApprovalsDeps } from '../ports.js';
import { policyHash, validatePolicy, type PolicyInput } from '../policy-rules.js';
import { allApprovers, type Policy, type PolicyRecord } from '../types.js';

const CAS_ATTEMPTS = 5;
/** How long an apply waits for its version to take effect before saying it is delayed. */
export const ACTIVATION_TIMEOUT_MS = 10_000;

/**
 * Validates and applies a policy: a new version is stored with a compare-and-set,
 * with assent.policy.updated.v1 (who applied it, the version, the hash it
 * replaced) in the same write, so every apply is on record, also one that changes
 * nothing or restores an earlier version. A reaction then registers the action
 * with authz and puts the version in effect; the call returns once it is. Requests
 * already open keep the requirements and timers they were created under; the new
 * version applies to requests created after it. Tenant admins and platform admins only.
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
  for (let attempt = 1; ; attempt++) {
    const head = await deps.policies.head(tenant, policy.action);
    if (head && head.record.policy.id !== policy.id) {
      throw new FailedPreconditionError(`${policy.action} is governed by policy ${head.record.policy.id}; apply that id to change it`, 'ACTION_HAS_POLICY');
    }
    const record: PolicyRecord = { policy, version: (head?.record.version ?? 0) + 1, appliedBy: caller.subject, appliedAt: deps.clock.now() };
    const event = deps.newEvent({
      type: eventTypes.policyUpdated,
      subject: `policy/${policy.id}`,
      tenant,
      data: {
        tenant,
        policy: policyJson(policy),
        appliedBy: record.appliedBy,
        version: String(record.version),
        previousHash: head?.record.policy.hash ?? '',
      },
    });
    try {
      await deps.policies.save(tenant, record, head?.etag ?? 0, [event]);
    } catch (err) {
      if (err instanceof ConflictError && attempt < CAS_ATTEMPTS) continue;
      throw err;
    }
    if (!(await deps.policies.waitActive(tenant, policy.action, record.version, ACTIVATION_TIMEOUT_MS))) {
      throw new UnavailableError(`policy ${policy.id} version ${record.version} is stored and takes effect once authz can register it; retrying the apply is safe`);
    }
    return policy;
  }
}

/**
 * The reaction to a stored policy version (run by the outbox relay, retried until
 * it succeeds): authz learns the action, its protection conditions (the policy's
 * tiers, in order) and every approver it may route to (every tier's and escalation
 * tiers' included), then the version takes effect. Both steps are idempotent, and
 * the read model never goes back to an older version.
 */
export async function activatePolicy(deps: ApprovalsDeps, tenant: string, record: PolicyRecord): Promise<void> {
  const p = record.policy;
  await deps.authz.registerProtectedAction(
    tenant,
    p.action,
    { id: p.id, hash: p.hash },
    allApprovers(p),
    { toAct: p.requireStepUpToAct, toApprove: p.requireStepUpToApprove },
    p.tiers.map(({ name, when }) => ({ name, when })),
  );
  await deps.policies.activate(tenant, record);
}

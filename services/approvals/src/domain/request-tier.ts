import { ConditionEvaluationError, FailedPreconditionError, InvalidArgumentError, firstHolding } from '@assent/platform/domain';
import type { ApprovalRequest, Policy, ProtectionTier } from './types.js';

/**
 * The policy tier a new request is opened under, from the protection condition
 * authz matched on Check (the request's parameters as its context): authz and
 * approvals evaluate the same conditions, registered from this policy, so the
 * tier always exists, unless the policy changed between the Check and the read
 * of the policy. Then nothing is opened and the caller retries.
 */
export function tierOf(policy: Policy, matched: { name: string; when: string } | undefined): ProtectionTier | undefined {
  if (!matched) {
    if (policy.tiers.length === 0) return undefined;
    throw new FailedPreconditionError(
      `authz protects ${policy.action} without conditions, but policy ${policy.id} now has tiers (${policy.tiers.map((t) => t.name).join(', ')}): the policy changed while the request was being opened; retry`,
      'POLICY_CHANGED',
    );
  }
  const tier = policy.tiers.find((t) => t.name === matched.name && t.when === matched.when);
  if (tier) return tier;
  throw new FailedPreconditionError(
    `authz matched condition "${matched.name}" (${matched.when}), which policy ${policy.id} no longer has as a tier: the policy changed while the request was being opened; retry`,
    'POLICY_CHANGED',
  );
}

/** What a request in `tier` pins: its requirements (the tier's own, or the policy's) and the conditions that keep it there. */
export function tierPins(policy: Policy, tier: ProtectionTier | undefined): Pick<ApprovalRequest, 'tier' | 'requirements' | 'tierConditions'> {
  if (!tier) return { tier: '', requirements: structuredClone(policy.requirements), tierConditions: [] };
  return {
    tier: tier.name,
    requirements: structuredClone(tier.requirements.length ? tier.requirements : policy.requirements),
    tierConditions: policy.tiers.map(({ name, when }) => ({ name, when })),
  };
}

/**
 * An approver's edit of a tiered request's parameters must leave it in its tier:
 * the approvals it needs were pinned from that tier, and its grant covers that
 * tier (and the laxer ones) only. The pinned conditions are evaluated as authz
 * evaluates them on Check. Moving to another tier, or below every threshold, is
 * refused (FAILED_PRECONDITION TIER_CHANGE): the requester opens a new request.
 */
export function checkTierKept(r: ApprovalRequest, parameters: Record<string, unknown>): void {
  if (!r.tier || r.tierConditions.length === 0) return;
  let to: string | undefined;
  try {
    to = firstHolding(r.tierConditions, { context: parameters, principal: r.requester, action: r.action, resource: r.resource })?.condition.name;
  } catch (err) {
    if (err instanceof ConditionEvaluationError) throw InvalidArgumentError.field('edits.parameters', err.message);
    throw err;
  }
  if (to === r.tier) return;
  const where = to ? `tier "${to}"` : 'below every tier (no approval needed)';
  throw new FailedPreconditionError(
    `the edit would move request ${r.id} from tier "${r.tier}" to ${where}; approvers may not change which approvals a request needs: the requester must open a new request`,
    'TIER_CHANGE',
  );
}

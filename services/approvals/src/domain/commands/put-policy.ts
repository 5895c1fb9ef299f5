import { createHash } from 'node:crypto';
import { InvalidArgumentError, PermissionDeniedError, Violations, assertTenantAccess, canonicalJson, hasRole, patterns, type Principal } from '@assent/platform/domain';
import { eventTypes, policyJson } from '../events.js';
import type { ApprovalsDeps } from '../ports.js';
import type { Policy } from '../types.js';

const POLICY_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const SLACK_CHANNEL = /^[A-Za-z0-9#][A-Za-z0-9_.-]{0,79}$/;
export const MIN_GRANT_SECONDS = 60;
export const MAX_GRANT_SECONDS = 30 * 24 * 3600;
const MAX_APPROVERS = 100;

export type PolicyInput = Omit<Policy, 'hash'>;

export function validatePolicy(p: PolicyInput): void {
  const v = new Violations();
  if (!p.id) v.add('policy.id', 'is required');
  else if (!POLICY_ID.test(p.id)) v.add('policy.id', 'must be 1-63 lowercase letters, digits or "-"');
  if (!p.action) v.add('policy.action', 'is required');
  else if (!patterns.action.test(p.action)) v.add('policy.action', 'must be dotted lowercase words, e.g. "payouts.change_details"');
  if (p.approvers.length === 0) v.add('policy.approvers', 'at least one approver is required');
  if (p.approvers.length > MAX_APPROVERS) v.add('policy.approvers', `at most ${MAX_APPROVERS} entries`);
  if (new Set(p.approvers).size !== p.approvers.length) v.add('policy.approvers', 'must not repeat an entry');
  p.approvers.forEach((a, i) => {
    if (!patterns.approver.test(a)) v.add(`policy.approvers[${i}]`, 'must be "user:<id>" or "group:<id>#member"');
  });
  // Group sizes are unknown here; with only listed users the quorum must be reachable.
  const onlyUsers = !p.approvers.some((a) => a.startsWith('group:'));
  if (!Number.isInteger(p.quorum) || p.quorum < 1) v.add('policy.quorum', 'must be at least 1');
  else if (onlyUsers && p.quorum > p.approvers.length) v.add('policy.quorum', `cannot exceed the ${p.approvers.length} listed approvers`);
  if (!Number.isInteger(p.grantDurationSeconds) || p.grantDurationSeconds < MIN_GRANT_SECONDS || p.grantDurationSeconds > MAX_GRANT_SECONDS) {
    v.add('policy.grant_duration_seconds', `must be between ${MIN_GRANT_SECONDS} and ${MAX_GRANT_SECONDS}`);
  }
  if (p.slackChannel && !SLACK_CHANNEL.test(p.slackChannel)) v.add('policy.slack_channel', 'must be a Slack channel id or name');
  v.throwIfAny();
}

export function policyHash(p: PolicyInput): string {
  const { id, action, approvers, quorum, allowSelfApproval, requireJustification, grantDurationSeconds, slackChannel } = p;
  return createHash('sha256')
    .update(canonicalJson({ id, action, approvers, quorum, allowSelfApproval, requireJustification, grantDurationSeconds, slackChannel }))
    .digest('hex');
}

/**
 * Validates and stores a policy (policy-as-code: the hash of the canonical
 * document is recorded on every request made under it) and registers its action
 * as protected with authz. Tenant admins and platform admins only.
 */
export async function putPolicy(deps: ApprovalsDeps, caller: Principal, tenant: string, input: PolicyInput | undefined): Promise<Policy> {
  new Violations().check('tenant', tenant, 'tenant').throwIfAny();
  if (!input) throw InvalidArgumentError.field('policy', 'is required');
  const normalized: PolicyInput = { ...input, quorum: input.quorum || 1 };
  validatePolicy(normalized);
  if (!hasRole(caller, 'platform-admin')) {
    assertTenantAccess(caller, tenant);
    if (caller.kind !== 'service' && !hasRole(caller, 'admin')) throw new PermissionDeniedError('changing policies needs the admin role');
  }
  const policy: Policy = { ...normalized, hash: policyHash(normalized) };
  await deps.authz.registerProtectedAction(tenant, policy.action, { id: policy.id, hash: policy.hash }, policy.approvers);
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

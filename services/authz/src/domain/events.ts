import type { CheckResult, Grant, StepUpSession } from './types.js';

/**
 * Event payloads in canonical protobuf JSON (proto/assent/events/v1/events.proto):
 * lowerCamelCase fields, enums by name, timestamps as RFC 3339 strings.
 */
export const eventTypes = {
  checked: 'assent.authz.checked.v1',
  grantIssued: 'assent.grant.issued.v1',
  grantRevoked: 'assent.grant.revoked.v1',
  grantEnded: 'assent.grant.ended.v1',
  groupMemberAdded: 'assent.authz.group_member_added.v1',
  groupMemberRemoved: 'assent.authz.group_member_removed.v1',
  steppedUp: 'assent.authz.stepped_up.v1',
  actionRegistered: 'assent.authz.action_registered.v1',
  tenantCreated: 'assent.authz.tenant_created.v1',
  tenantMemberAdded: 'assent.authz.tenant_member_added.v1',
} as const;

/** assent.authz.tenant_created.v1 (TenantCreated). */
export const tenantCreatedData = (t: { id: string; displayName: string }, created: boolean, actor: string) => ({ tenant: t.id, displayName: t.displayName, created, actor });

/** assent.authz.tenant_member_added.v1 (TenantMemberAdded). */
export const tenantMemberAddedData = (input: { tenant: string; user: string }, actor: string) => ({ tenant: input.tenant, user: input.user, actor });

export const groupMemberChangedData = (input: { tenant: string; group: string; user: string }, actor: string) => ({
  tenant: input.tenant,
  group: input.group,
  user: input.user,
  actor,
});

export function authzCheckedData(input: { tenant: string; principal: string; action: string; resource: string }, result: CheckResult) {
  return {
    tenant: input.tenant,
    principal: input.principal,
    action: input.action,
    resource: input.resource,
    decision: `DECISION_${result.decision}`,
    reason: result.reason,
    modelId: result.modelId,
    ...(result.policy ? { policy: { id: result.policy.id, hash: result.policy.hash } } : {}),
    ...(result.matchedCondition ? { matchedCondition: { name: result.matchedCondition.name, when: result.matchedCondition.when } } : {}),
  };
}

export function grantIssuedData(grant: Grant) {
  return {
    grant: {
      tenant: grant.tenant,
      principal: grant.principal,
      action: grant.action,
      resource: grant.resource,
      grantedAt: grant.grantedAt.toISOString(),
      expiresAt: grant.expiresAt.toISOString(),
      requestId: grant.requestId,
      ...(grant.condition ? { condition: grant.condition } : {}),
    },
  };
}

export const steppedUpData = (tenant: string, s: StepUpSession) => ({
  tenant,
  session: { principal: s.principal, acr: s.acr, amr: [...s.amr], authTime: s.authTime.toISOString(), expiresAt: s.expiresAt.toISOString() },
});

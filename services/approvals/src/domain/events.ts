import type { ApprovalRequest, Outcome, Policy, Vote } from './types.js';

/**
 * Event payloads in canonical protobuf JSON of proto/assent/events/v1/events.proto
 * (lowerCamelCase, enums by name, uint64 as string, RFC 3339 timestamps).
 */
export const eventTypes = {
  requested: 'assent.approval.requested.v1',
  voted: 'assent.approval.voted.v1',
  decided: 'assent.approval.decided.v1',
  policyUpdated: 'assent.policy.updated.v1',
} as const;

function voteJson(v: Vote) {
  return { approver: v.approver, outcome: `OUTCOME_${v.outcome}`, comment: v.comment, at: v.at.toISOString() };
}

export function requestJson(r: ApprovalRequest) {
  return {
    id: r.id,
    tenant: r.tenant,
    action: r.action,
    resource: r.resource,
    requester: r.requester,
    justification: r.justification,
    state: `REQUEST_STATE_${r.state}`,
    policyId: r.policyId,
    policyHash: r.policyHash,
    approvers: [...r.approvers],
    quorum: r.quorum,
    votes: r.votes.map(voteJson),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    ...(r.decidedAt ? { decidedAt: r.decidedAt.toISOString() } : {}),
    ...(r.grantExpiresAt ? { grantExpiresAt: r.grantExpiresAt.toISOString() } : {}),
    revision: String(r.version),
  };
}

export const requestedData = (r: ApprovalRequest) => ({ request: requestJson(r), slackChannel: r.slackChannel });
export const votedData = (r: ApprovalRequest, v: Vote) => ({ request: requestJson(r), vote: voteJson(v) });
export const decidedData = (r: ApprovalRequest, outcome: Outcome, decidedBy: string) => ({
  request: requestJson(r),
  outcome: `OUTCOME_${outcome}`,
  decidedBy,
});

export function policyJson(p: Policy) {
  return {
    id: p.id,
    action: p.action,
    approvers: [...p.approvers],
    quorum: p.quorum,
    allowSelfApproval: p.allowSelfApproval,
    requireJustification: p.requireJustification,
    grantDurationSeconds: String(p.grantDurationSeconds),
    slackChannel: p.slackChannel,
    hash: p.hash,
  };
}

import { InvalidArgumentError } from '@assent/platform';
import { approvalsv1 } from '@assent/proto';
import type { ApprovalRequest, Outcome, Policy, RequestState } from '../../domain/types.js';
import type { PolicyInput } from '../../domain/commands/put-policy.js';

const states: Record<RequestState, approvalsv1.RequestState> = {
  PENDING: approvalsv1.RequestState.REQUEST_STATE_PENDING,
  APPROVED: approvalsv1.RequestState.REQUEST_STATE_APPROVED,
  DECLINED: approvalsv1.RequestState.REQUEST_STATE_DECLINED,
};
const outcomes: Record<Outcome, approvalsv1.Outcome> = {
  APPROVE: approvalsv1.Outcome.OUTCOME_APPROVE,
  DECLINE: approvalsv1.Outcome.OUTCOME_DECLINE,
};

export function fromProtoState(s: approvalsv1.RequestState): RequestState | undefined {
  if (s === approvalsv1.RequestState.REQUEST_STATE_UNSPECIFIED) return undefined;
  const found = (Object.keys(states) as RequestState[]).find((k) => states[k] === s);
  if (!found) throw InvalidArgumentError.field('state', 'is not a known request state');
  return found;
}

export function toProtoRequest(r: ApprovalRequest): approvalsv1.ApprovalRequest {
  return {
    id: r.id,
    tenant: r.tenant,
    action: r.action,
    resource: r.resource,
    requester: r.requester,
    justification: r.justification,
    state: states[r.state],
    policyId: r.policyId,
    policyHash: r.policyHash,
    approvers: [...r.approvers],
    quorum: r.quorum,
    votes: r.votes.map((v) => ({ approver: v.approver, outcome: outcomes[v.outcome], comment: v.comment, at: v.at })),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    decidedAt: r.decidedAt,
    grantExpiresAt: r.grantExpiresAt,
    revision: String(r.version),
  };
}

export function toProtoPolicy(p: Policy): approvalsv1.Policy {
  return { ...p, approvers: [...p.approvers], grantDurationSeconds: String(p.grantDurationSeconds) };
}

export function fromProtoPolicy(p: approvalsv1.Policy | undefined): PolicyInput | undefined {
  if (!p) return undefined;
  return {
    id: p.id,
    action: p.action,
    approvers: [...p.approvers],
    quorum: p.quorum,
    allowSelfApproval: p.allowSelfApproval,
    requireJustification: p.requireJustification,
    grantDurationSeconds: Number(p.grantDurationSeconds),
    slackChannel: p.slackChannel,
  };
}

import { approvalsv1, eventsv1 } from '@assent/proto';
import type { ApprovalRequestView, Outcome } from '../../domain/types.js';

/** Event payload (canonical protobuf JSON) → the domain's view of the request. */
export function toRequestView(r: approvalsv1.ApprovalRequest | undefined): ApprovalRequestView {
  return {
    id: r?.id ?? '',
    tenant: r?.tenant ?? '',
    action: r?.action ?? '',
    resource: r?.resource ?? '',
    requester: r?.requester ?? '',
    justification: r?.justification ?? '',
    policyId: r?.policyId ?? '',
    quorum: r?.quorum ?? 0,
    approvers: [...(r?.approvers ?? [])],
    votes: (r?.votes ?? []).map((v) => ({ approver: v.approver, outcome: approvalsv1.outcomeToJSON(v.outcome).replace(/^OUTCOME_/, ''), onBehalfOf: v.onBehalfOf })),
    dueAt: r?.timers?.dueAt,
    requireStepUpToApprove: r?.requireStepUpToApprove ?? false,
    state: r ? approvalsv1.requestStateToJSON(r.state).replace(/^REQUEST_STATE_/, '').replace('UNSPECIFIED', '') : '',
    awaiting: [...(r?.awaiting ?? [])],
  };
}

export function toOutcome(o: approvalsv1.Outcome): Outcome | undefined {
  if (o === approvalsv1.Outcome.OUTCOME_APPROVE) return 'APPROVE';
  if (o === approvalsv1.Outcome.OUTCOME_DECLINE) return 'DECLINE';
  return undefined;
}

export const parseApprovalRequested = (data: unknown) => {
  const d = eventsv1.ApprovalRequested.fromJSON(data);
  return { request: toRequestView(d.request), slackChannel: d.slackChannel };
};

export const parseApprovalDecided = (data: unknown) => {
  const d = eventsv1.ApprovalDecided.fromJSON(data);
  return { request: toRequestView(d.request), outcome: toOutcome(d.outcome), decidedBy: d.decidedBy };
};

export const parseApprovalActed = (data: unknown) => {
  const d = eventsv1.ApprovalActed.fromJSON(data);
  return { request: toRequestView(d.request), actor: d.actor, reason: d.reason };
};

export const parseApprovalTimerFired = (data: unknown) => {
  const d = eventsv1.ApprovalTimerFired.fromJSON(data);
  return { request: toRequestView(d.request), timer: d.timer, escalationTier: d.escalationTier };
};

export const parseApprovalVoted = (data: unknown) => {
  const d = eventsv1.ApprovalVoted.fromJSON(data);
  const v = d.vote;
  const outcome = v ? approvalsv1.outcomeToJSON(v.outcome).replace(/^OUTCOME_/, '') : '';
  return { request: toRequestView(d.request), voter: v?.approver ?? '', outcome, reason: v?.comment ?? '' };
};

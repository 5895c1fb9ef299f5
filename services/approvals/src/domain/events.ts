import { awaiting, type FiredTimer } from './schedule.js';
import type { Acknowledgement, ActedVia, ApprovalRequest, Delegation, Outcome, Policy, RequestEdit, Requirement, Schedule, Vote } from './types.js';
import { approverSubjects } from './request-approvers.js';

/**
 * Event payloads in canonical protobuf JSON of proto/assent/events/v1/events.proto
 * (lowerCamelCase, enums by name, 64-bit integers as strings, RFC 3339 timestamps).
 */
export const eventTypes = {
  requested: 'assent.approval.requested.v1',
  voted: 'assent.approval.voted.v1',
  decided: 'assent.approval.decided.v1',
  changesRequested: 'assent.approval.changes_requested.v1',
  resubmitted: 'assent.approval.resubmitted.v1',
  commented: 'assent.approval.commented.v1',
  cancelled: 'assent.approval.cancelled.v1',
  expired: 'assent.approval.expired.v1',
  overdue: 'assent.approval.overdue.v1',
  reminder: 'assent.approval.reminder.v1',
  escalated: 'assent.approval.escalated.v1',
  snoozed: 'assent.approval.snoozed.v1',
  reassigned: 'assent.approval.reassigned.v1',
  breakGlass: 'assent.approval.break_glass.v1',
  breakGlassReviewed: 'assent.approval.break_glass_reviewed.v1',
  unsnoozed: 'assent.approval.unsnoozed.v1',
  edited: 'assent.approval.edited.v1',
  delegationSet: 'assent.approval.delegation_set.v1',
  delegationEnded: 'assent.approval.delegation_ended.v1',
  effective: 'assent.approval.effective.v1',
  grantExtended: 'assent.approval.grant_extended.v1',
  voteRefused: 'assent.approval.vote_refused.v1',
  policyUpdated: 'assent.policy.updated.v1',
} as const;

/** The event a fired timer is announced with. */
export const timerEventTypes: Record<FiredTimer['timer'], string> = {
  expiry: eventTypes.expired,
  sla: eventTypes.overdue,
  reminder: eventTypes.reminder,
  escalation: eventTypes.escalated,
  snooze: eventTypes.unsnoozed,
  effective: eventTypes.effective,
};

const opt = <K extends string>(key: K, d: Date | undefined) => (d ? ({ [key]: d.toISOString() } as Record<K, string>) : {});

function voteJson(v: Vote) {
  return {
    approver: v.approver,
    outcome: `OUTCOME_${v.outcome}`,
    comment: v.comment,
    at: v.at.toISOString(),
    submission: v.submission,
    eligibleFor: [...v.eligibleFor],
    acknowledged: [...v.acknowledged],
    onBehalfOf: v.onBehalfOf ?? '',
    ...viaJson(v.via),
  };
}

/** `via` of a vote or an event: only when a channel service acted for the person. */
export const viaJson = (via: ActedVia | undefined) => (via ? { via: { service: via.service, channel: `ACTING_CHANNEL_${via.channel.toUpperCase()}` } } : {});

const ackJson = (a: Acknowledgement) => ({ id: a.id, text: a.text });

function editJson(e: RequestEdit) {
  return { by: e.by, at: e.at.toISOString(), submission: e.submission, changes: e.changes.map((c) => ({ field: c.field, from: c.from ?? null, to: c.to ?? null })), reason: e.reason };
}

const requirementJson = (q: Requirement) => ({ name: q.name, approvers: [...q.approvers], quorum: q.quorum });

export function scheduleJson(s: Schedule) {
  return {
    slaSeconds: String(s.slaSeconds),
    reminderAfterSeconds: s.reminderAfterSeconds.map(String),
    reminderRepeatSeconds: String(s.reminderRepeatSeconds),
    escalation: s.escalation.map((t) => ({ afterSeconds: String(t.afterSeconds), approvers: [...t.approvers], mode: `ESCALATION_MODE_${t.mode}` })),
    ...(s.escalationLoopTo !== undefined ? { escalationLoopTo: s.escalationLoopTo } : {}),
    expireAfterSeconds: String(s.expireAfterSeconds),
  };
}

export function requestJson(r: ApprovalRequest) {
  const t = r.timers;
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
    approvers: approverSubjects(r.requirements),
    quorum: r.requirements.reduce((n, q) => n + q.quorum, 0),
    votes: r.votes.map(voteJson),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    ...opt('decidedAt', r.decidedAt),
    ...opt('grantExpiresAt', r.grantExpiresAt),
    revision: String(r.version),
    requirements: r.requirements.map(requirementJson),
    schedule: scheduleJson(r.schedule),
    timers: {
      submittedAt: t.submittedAt.toISOString(),
      ...opt('dueAt', t.dueAt),
      overdue: t.overdue,
      ...opt('expiresAt', t.expiresAt),
      remindersSent: t.remindersSent,
      ...opt('nextReminderAt', t.nextReminderAt),
      escalations: t.escalations,
      ...opt('nextEscalationAt', t.nextEscalationAt),
    },
    submission: r.submission,
    submissions: r.submissions.map((s) => ({ number: s.number, justification: s.justification, at: s.at.toISOString(), editedBy: s.editedBy })),
    snoozes: r.snoozes.map((s) => ({ user: s.user, until: s.until.toISOString() })),
    ...(r.breakGlass
      ? {
          breakGlass: {
            at: r.breakGlass.at.toISOString(),
            reason: r.breakGlass.reason,
            reviewedBy: r.breakGlass.review?.by ?? '',
            ...opt('reviewedAt', r.breakGlass.review?.at),
            verdict: r.breakGlass.review ? `BREAK_GLASS_VERDICT_${r.breakGlass.review.verdict}` : 'BREAK_GLASS_VERDICT_UNSPECIFIED',
            reviewReason: r.breakGlass.review?.reason ?? '',
          },
        }
      : {}),
    ...(r.grantClosed ? { grantClosed: { kind: r.grantClosed.kind, at: r.grantClosed.at.toISOString(), by: r.grantClosed.by, reason: r.grantClosed.reason } } : {}),
    handoffs: r.handoffs.map((h) => ({ from: h.from, to: h.to, at: h.at.toISOString(), reason: h.reason, requirements: [...h.requirements] })),
    closedBy: r.closedBy,
    closeReason: r.closeReason,
    awaiting: awaiting(r),
    parameters: { ...r.parameters },
    ...opt('effectiveAt', r.effectiveAt),
    grantDurationSeconds: String(r.grantDurationSeconds),
    ...opt('grantStartsAt', r.grantStartsAt),
    edits: r.edits.map(editJson),
    acknowledgements: r.acknowledgements.map(ackJson),
    approverEditable: [...r.approverEditable],
    maxGrantDurationSeconds: String(r.maxGrantDurationSeconds),
    previousRequestId: r.previousRequestId,
    attempt: r.attempt,
    extendsRequestId: r.extendsRequestId,
    grantExtensions: r.grantExtensions.map((x) => ({ at: x.at.toISOString(), seconds: String(x.seconds), reason: x.reason, requestId: x.requestId, expiresAt: x.expiresAt.toISOString() })),
    extensionRequiresApproval: r.extensionRequiresApproval,
    requireStepUpToApprove: r.requireStepUpToApprove,
    tier: r.tier,
  };
}

export const requestedData = (r: ApprovalRequest) => ({ request: requestJson(r), slackChannel: r.slackChannel });
export const votedData = (r: ApprovalRequest, v: Vote) => ({ request: requestJson(r), vote: voteJson(v) });
export const decidedData = (r: ApprovalRequest, outcome: Outcome, decidedBy: string, via?: ActedVia) => ({
  request: requestJson(r),
  outcome: `OUTCOME_${outcome}`,
  decidedBy,
  ...viaJson(via),
});
export const breakGlassData = (r: ApprovalRequest, actor: string, reason: string, severity: 'high' | 'info') => ({ request: requestJson(r), actor, reason, severity });
export const actedData = (r: ApprovalRequest, actor: string, reason: string, via?: ActedVia) => ({ request: requestJson(r), actor, reason, ...viaJson(via) });
/** assent.approval.edited.v1: the request after the edit (its last entry in `edits` is this one). */
export const editedData = (r: ApprovalRequest, e: RequestEdit) => actedData(r, e.by, e.reason);
export const timerFiredData = (r: ApprovalRequest, f: FiredTimer) => ({
  request: requestJson(r),
  timer: f.timer,
  scheduledAt: f.scheduledAt.toISOString(),
  notify: f.timer === 'expiry' ? awaiting(r) : f.timer === 'effective' ? [] : [...f.notify],
  escalationTier: f.timer === 'escalation' ? f.tier : 0,
  reminders: f.timer === 'reminder' ? f.missed : 0,
});
export const voteRefusedData = (input: { tenant: string; requestId: string; principal: string; outcome: Outcome; reason: string; code: string; via?: ActedVia | undefined }) => ({
  tenant: input.tenant,
  requestId: input.requestId,
  principal: input.principal,
  outcome: `OUTCOME_${input.outcome}`,
  reason: input.reason,
  code: input.code,
  ...viaJson(input.via),
});

export function policyJson(p: Policy) {
  return {
    id: p.id,
    action: p.action,
    approvers: approverSubjects(p.requirements),
    quorum: p.requirements.length === 1 ? (p.requirements[0]?.quorum ?? 0) : 0,
    allowSelfApproval: p.allowSelfApproval,
    requireJustification: p.requireJustification,
    grantDurationSeconds: String(p.grantDurationSeconds),
    slackChannel: p.slackChannel,
    hash: p.hash,
    requirements: p.requirements.map(requirementJson),
    schedule: scheduleJson(p.schedule),
    allowBreakGlass: p.allowBreakGlass,
    acknowledgements: p.acknowledgements.map(ackJson),
    maxGrantDurationSeconds: String(p.maxGrantDurationSeconds),
    approverEditable: [...p.approverEditable],
    ...(p.parametersSchema ? { parametersSchema: p.parametersSchema } : {}),
    rerequestCooldownSeconds: String(p.rerequestCooldownSeconds),
    maxRequestsPerDay: p.maxRequestsPerDay,
    extensionRequiresApproval: p.extensionRequiresApproval,
    requireStepUpToAct: p.requireStepUpToAct,
    requireStepUpToApprove: p.requireStepUpToApprove,
    tiers: p.tiers.map((t) => ({ name: t.name, when: t.when, requirements: t.requirements.map(requirementJson) })),
  };
}

export function delegationJson(d: Delegation) {
  return {
    id: d.id,
    from: d.from,
    to: d.to,
    startsAt: d.startsAt.toISOString(),
    endsAt: d.endsAt.toISOString(),
    reason: d.reason,
    createdBy: d.createdBy,
    createdAt: d.createdAt.toISOString(),
    ...opt('endedAt', d.ended?.at),
    endedBy: d.ended?.by ?? '',
  };
}

export const delegationChangedData = (d: Delegation, actor: string) => ({ delegation: delegationJson(d), actor });

import { InvalidArgumentError } from '@assent/platform';
import { approvalsv1 } from '@assent/proto';
import { delegationJson, policyJson, requestJson } from '../../domain/events.js';
import { emptySchedule, type PolicyInput } from '../../domain/policy-rules.js';
import type { ApprovalRequest, Delegation, EscalationMode, Policy, RequestState, Schedule } from '../../domain/types.js';
import type { SnoozePreset } from '../../domain/commands/snooze-request.js';
import type { RequestEdits } from '../../domain/request-parameters.js';
import type { InboxTab } from '../../domain/ports.js';

const states: Record<RequestState, approvalsv1.RequestState> = {
  PENDING: approvalsv1.RequestState.REQUEST_STATE_PENDING,
  CHANGES_REQUESTED: approvalsv1.RequestState.REQUEST_STATE_CHANGES_REQUESTED,
  APPROVED: approvalsv1.RequestState.REQUEST_STATE_APPROVED,
  DEFERRED: approvalsv1.RequestState.REQUEST_STATE_DEFERRED,
  DECLINED: approvalsv1.RequestState.REQUEST_STATE_DECLINED,
  CANCELLED: approvalsv1.RequestState.REQUEST_STATE_CANCELLED,
  EXPIRED: approvalsv1.RequestState.REQUEST_STATE_EXPIRED,
};

export function fromProtoState(s: approvalsv1.RequestState): RequestState | undefined {
  if (s === approvalsv1.RequestState.REQUEST_STATE_UNSPECIFIED) return undefined;
  const found = (Object.keys(states) as RequestState[]).find((k) => states[k] === s);
  if (!found) throw InvalidArgumentError.field('state', 'is not a known request state');
  return found;
}

// The event payload is the canonical JSON of the same message, so an RPC answer and
// the event of the same revision can never disagree.
export const toProtoRequest = (r: ApprovalRequest): approvalsv1.ApprovalRequest => approvalsv1.ApprovalRequest.fromJSON(requestJson(r));
export const toProtoPolicy = (p: Policy): approvalsv1.Policy => approvalsv1.Policy.fromJSON(policyJson(p));
export const toProtoDelegation = (d: Delegation): approvalsv1.Delegation => approvalsv1.Delegation.fromJSON(delegationJson(d));

const modes: Partial<Record<approvalsv1.EscalationMode, EscalationMode>> = {
  [approvalsv1.EscalationMode.ESCALATION_MODE_UNSPECIFIED]: 'ADD',
  [approvalsv1.EscalationMode.ESCALATION_MODE_ADD]: 'ADD',
  [approvalsv1.EscalationMode.ESCALATION_MODE_REPLACE]: 'REPLACE',
};

export const seconds = (field: string, value: string): number => {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw InvalidArgumentError.field(field, 'is out of range');
  return n;
};

function fromProtoSchedule(s: approvalsv1.Schedule | undefined): Schedule {
  if (!s) return emptySchedule();
  return {
    slaSeconds: seconds('policy.schedule.sla_seconds', s.slaSeconds),
    reminderAfterSeconds: s.reminderAfterSeconds.map((r, i) => seconds(`policy.schedule.reminder_after_seconds[${i}]`, r)),
    reminderRepeatSeconds: seconds('policy.schedule.reminder_repeat_seconds', s.reminderRepeatSeconds),
    escalation: s.escalation.map((t, i) => {
      const mode = modes[t.mode];
      if (!mode) throw InvalidArgumentError.field(`policy.schedule.escalation[${i}].mode`, 'must be ADD or REPLACE');
      return { afterSeconds: seconds(`policy.schedule.escalation[${i}].after_seconds`, t.afterSeconds), approvers: [...t.approvers], mode };
    }),
    escalationLoopTo: s.escalationLoopTo,
    expireAfterSeconds: seconds('policy.schedule.expire_after_seconds', s.expireAfterSeconds),
  };
}

/** `approvers` + `quorum` is the one-requirement shorthand; `requirements` the general form. */
export function fromProtoPolicy(p: approvalsv1.Policy | undefined): PolicyInput | undefined {
  if (!p) return undefined;
  if (p.requirements.length && (p.approvers.length || p.quorum)) {
    throw InvalidArgumentError.field('policy.approvers', 'set either approvers (with quorum) or requirements, not both');
  }
  const requirement = (q: approvalsv1.ApproverRequirement) => ({ name: q.name, approvers: [...q.approvers], quorum: q.quorum || 1 });
  const requirements = p.requirements.length ? p.requirements.map(requirement) : [{ name: 'approvers', approvers: [...p.approvers], quorum: p.quorum || 1 }];
  return {
    id: p.id,
    action: p.action,
    requirements,
    allowSelfApproval: p.allowSelfApproval,
    requireJustification: p.requireJustification,
    grantDurationSeconds: seconds('policy.grant_duration_seconds', p.grantDurationSeconds),
    slackChannel: p.slackChannel,
    schedule: fromProtoSchedule(p.schedule),
    allowBreakGlass: p.allowBreakGlass,
    acknowledgements: p.acknowledgements.map((a) => ({ id: a.id, text: a.text })),
    maxGrantDurationSeconds: seconds('policy.max_grant_duration_seconds', p.maxGrantDurationSeconds),
    approverEditable: [...p.approverEditable],
    parametersSchema: p.parametersSchema,
    rerequestCooldownSeconds: seconds('policy.rerequest_cooldown_seconds', p.rerequestCooldownSeconds),
    maxRequestsPerDay: p.maxRequestsPerDay,
    extensionRequiresApproval: p.extensionRequiresApproval,
    requireStepUpToAct: p.requireStepUpToAct,
    requireStepUpToApprove: p.requireStepUpToApprove,
    tiers: p.tiers.map((t) => ({ name: t.name, when: t.when, requirements: t.requirements.map(requirement) })),
  };
}

/** An approver's edits; an unset field stays as it is. */
export function fromProtoEdits(e: approvalsv1.RequestEdits | undefined): RequestEdits | undefined {
  if (!e) return undefined;
  return {
    grantDurationSeconds: e.grantDurationSeconds === undefined ? undefined : seconds('edits.grant_duration_seconds', e.grantDurationSeconds),
    effectiveAt: e.effectiveAt,
    parameters: e.parameters,
  };
}

const presets: Partial<Record<approvalsv1.SnoozePreset, SnoozePreset>> = {
  [approvalsv1.SnoozePreset.SNOOZE_PRESET_ONE_HOUR]: 'ONE_HOUR',
  [approvalsv1.SnoozePreset.SNOOZE_PRESET_FOUR_HOURS]: 'FOUR_HOURS',
  [approvalsv1.SnoozePreset.SNOOZE_PRESET_TOMORROW]: 'TOMORROW',
  [approvalsv1.SnoozePreset.SNOOZE_PRESET_NEXT_WEEK]: 'NEXT_WEEK',
};

export function fromProtoPreset(p: approvalsv1.SnoozePreset): SnoozePreset | undefined {
  if (p === approvalsv1.SnoozePreset.SNOOZE_PRESET_UNSPECIFIED) return undefined;
  const preset = presets[p];
  if (!preset) throw InvalidArgumentError.field('preset', 'is not a known snooze preset');
  return preset;
}

const tabs: Partial<Record<approvalsv1.InboxTab, InboxTab>> = {
  [approvalsv1.InboxTab.INBOX_TAB_UNSPECIFIED]: 'pending',
  [approvalsv1.InboxTab.INBOX_TAB_PENDING]: 'pending',
  [approvalsv1.InboxTab.INBOX_TAB_SNOOZED]: 'snoozed',
  [approvalsv1.InboxTab.INBOX_TAB_DONE]: 'done',
};

export function fromProtoTab(t: approvalsv1.InboxTab): InboxTab {
  const tab = tabs[t];
  if (!tab) throw InvalidArgumentError.field('tab', 'is not a known inbox tab');
  return tab;
}

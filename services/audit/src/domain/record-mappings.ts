import { actorOr, externalActor, systemActor } from './actor-of.js';
import { stringAt, textAt, valueAt } from './json-read.js';
import type { CanonicalFields, JsonValue, RecordActor, RecordCategory, SourceEvent } from './types.js';

/** What a mapping decides; canonical-fields.ts adds what every event has (payload hash, trace id). */
export type Mapped = Omit<CanonicalFields, 'payloadHash' | 'traceId'>;
type Mapping = (event: SourceEvent) => Mapped;

/** "request/01J…" → { kind: "request", id: "01J…" }; a value without "/" is an id of `kind`. */
export function targetOf(value: string, kind = 'resource'): Mapped['target'] {
  const slash = value.indexOf('/');
  return slash > 0 ? { kind: value.slice(0, slash), id: value.slice(slash + 1) } : { kind, id: value };
}

/** Fields every mapping starts from: the event's subject is its target unless the mapping says otherwise. */
function mapped(e: SourceEvent, action: string, category: RecordCategory, actor: RecordActor, more: Partial<Mapped> = {}): Mapped {
  return { actor, action, target: targetOf(e.subject), outcome: 'success', reason: '', policyHash: '', requestId: '', category, details: {}, ...more };
}

/** Facts of the request an approval event carries. */
function requestFacts(e: SourceEvent): Pick<Mapped, 'policyHash' | 'requestId'> {
  return { policyHash: textAt(e.data, 'request', 'policyHash'), requestId: textAt(e.data, 'request', 'id') };
}

/** `via` of an event or vote: the channel service that acted for the person, if any. */
function viaOf(v: JsonValue | undefined): { [key: string]: JsonValue } {
  const service = stringAt(v, 'via', 'service');
  return service ? { via: { service, channel: textAt(v, 'via', 'channel') } } : {};
}

/** ApprovalActed (actor, reason, via): who acted on a request and why. */
function acted(action: string, category: RecordCategory = 'approval'): Mapping {
  return (e) =>
    mapped(e, action, category, actorOr(stringAt(e.data, 'actor'), e.source), {
      ...requestFacts(e),
      reason: textAt(e.data, 'reason'),
      details: { requestAction: textAt(e.data, 'request', 'action'), state: textAt(e.data, 'request', 'state'), ...viaOf(e.data) },
    });
}

/** ApprovalTimerFired: the approvals service acting on a timer. */
function timer(action: string): Mapping {
  return (e) =>
    mapped(e, action, 'approval', systemActor(e.source), {
      ...requestFacts(e),
      details: {
        timer: textAt(e.data, 'timer'),
        scheduledAt: textAt(e.data, 'scheduledAt'),
        notify: valueAt(e.data, 'notify') ?? [],
        state: textAt(e.data, 'request', 'state'),
        ...(textAt(e.data, 'escalationTier') && textAt(e.data, 'escalationTier') !== '0' ? { escalationTier: textAt(e.data, 'escalationTier') } : {}),
      },
    });
}

/** The action a refused attempt was trying: OUTCOME_APPROVE / "APPROVE" → approval.vote, and so on. */
function attemptedAction(outcome: string): string {
  const o = outcome.replace(/^OUTCOME_/, '');
  if (o === 'REQUEST_CHANGES') return 'approval.request_changes';
  if (o === 'COMMENT') return 'approval.comment';
  return 'approval.vote';
}

function grantFacts(e: SourceEvent): Pick<Mapped, 'target' | 'requestId' | 'details'> {
  return {
    target: { kind: 'principal', id: textAt(e.data, 'grant', 'principal') },
    requestId: textAt(e.data, 'grant', 'requestId'),
    details: { action: textAt(e.data, 'grant', 'action'), resource: textAt(e.data, 'grant', 'resource'), expiresAt: textAt(e.data, 'grant', 'expiresAt') },
  };
}

/**
 * The mapping of every event type producers publish (proto/assent/events/v1) to a
 * canonical record: action, category, actor, target, outcome, reason, policy hash,
 * request id and details. The actor is the person or service that caused the event,
 * read from the payload; the emitting service (type "system") only for what it did on
 * its own. An event type missing here is parked, never recorded half-mapped
 * (UnmappedEventError). docs/architecture.md "Audit records" has this table in prose.
 */
export const recordMappings: Readonly<Record<string, Mapping>> = {
  'assent.approval.requested.v1': (e) =>
    mapped(e, 'approval.request', 'approval', actorOr(stringAt(e.data, 'request', 'requester'), e.source), {
      ...requestFacts(e),
      reason: textAt(e.data, 'request', 'justification'),
      details: { requestAction: textAt(e.data, 'request', 'action'), resource: textAt(e.data, 'request', 'resource'), state: textAt(e.data, 'request', 'state') },
    }),
  'assent.approval.voted.v1': (e) =>
    mapped(e, 'approval.vote', 'approval', actorOr(stringAt(e.data, 'vote', 'approver'), e.source), {
      ...requestFacts(e),
      reason: textAt(e.data, 'vote', 'comment'),
      details: { vote: textAt(e.data, 'vote', 'outcome'), onBehalfOf: textAt(e.data, 'vote', 'onBehalfOf'), ...viaOf(valueAt(e.data, 'vote')) },
    }),
  'assent.approval.decided.v1': (e) =>
    mapped(e, 'approval.decide', 'approval', actorOr(stringAt(e.data, 'decidedBy') ?? stringAt(e.data, 'request', 'requester'), e.source), {
      ...requestFacts(e),
      reason: textAt(e.data, 'request', 'closeReason'),
      details: { decision: textAt(e.data, 'outcome'), requestAction: textAt(e.data, 'request', 'action'), ...viaOf(e.data) },
    }),
  'assent.approval.changes_requested.v1': acted('approval.request_changes'),
  'assent.approval.resubmitted.v1': acted('approval.resubmit'),
  'assent.approval.commented.v1': acted('approval.comment'),
  'assent.approval.cancelled.v1': acted('approval.cancel'),
  'assent.approval.snoozed.v1': acted('approval.snooze'),
  'assent.approval.reassigned.v1': acted('approval.reassign'),
  'assent.approval.edited.v1': acted('approval.edit'),
  'assent.approval.grant_extended.v1': acted('grant.extend', 'access'),
  'assent.approval.break_glass.v1': (e) =>
    mapped(e, 'approval.break_glass', 'security', actorOr(stringAt(e.data, 'actor'), e.source), { ...requestFacts(e), reason: textAt(e.data, 'reason'), details: { severity: textAt(e.data, 'severity') } }),
  'assent.approval.break_glass_reviewed.v1': (e) =>
    mapped(e, 'approval.break_glass_review', 'security', actorOr(stringAt(e.data, 'actor'), e.source), {
      ...requestFacts(e),
      reason: textAt(e.data, 'reason'),
      details: { verdict: textAt(e.data, 'request', 'breakGlass', 'verdict') },
    }),
  'assent.approval.expired.v1': timer('approval.expire'),
  'assent.approval.overdue.v1': timer('approval.overdue'),
  'assent.approval.reminder.v1': timer('approval.remind'),
  'assent.approval.escalated.v1': timer('approval.escalate'),
  'assent.approval.unsnoozed.v1': timer('approval.unsnooze'),
  'assent.approval.effective.v1': timer('approval.take_effect'),
  'assent.approval.vote_refused.v1': (e) =>
    mapped(e, attemptedAction(textAt(e.data, 'outcome')), 'security', actorOr(stringAt(e.data, 'principal'), e.source), {
      outcome: 'denied',
      target: { kind: 'request', id: textAt(e.data, 'requestId') },
      requestId: textAt(e.data, 'requestId'),
      reason: textAt(e.data, 'reason'),
      details: { code: textAt(e.data, 'code'), attempted: textAt(e.data, 'outcome'), ...viaOf(e.data) },
    }),
  'assent.approval.delegation_set.v1': (e) =>
    mapped(e, 'delegation.set', 'governance', actorOr(stringAt(e.data, 'actor'), e.source), {
      reason: textAt(e.data, 'delegation', 'reason'),
      details: { from: textAt(e.data, 'delegation', 'from'), to: textAt(e.data, 'delegation', 'to'), startsAt: textAt(e.data, 'delegation', 'startsAt'), endsAt: textAt(e.data, 'delegation', 'endsAt') },
    }),
  'assent.approval.delegation_ended.v1': (e) =>
    mapped(e, 'delegation.end', 'governance', actorOr(stringAt(e.data, 'actor'), e.source), {
      details: { from: textAt(e.data, 'delegation', 'from'), to: textAt(e.data, 'delegation', 'to'), endedAt: textAt(e.data, 'delegation', 'endedAt') },
    }),
  // Every apply is an event, also one that changes nothing or restores an earlier version.
  'assent.policy.updated.v1': (e) => {
    const hash = textAt(e.data, 'policy', 'hash');
    const previousHash = textAt(e.data, 'previousHash');
    return mapped(e, 'policy.apply', 'governance', actorOr(stringAt(e.data, 'appliedBy'), e.source), {
      policyHash: hash,
      details: { policyAction: textAt(e.data, 'policy', 'action'), version: textAt(e.data, 'version'), previousHash, changed: hash !== previousHash },
    });
  },
  'assent.authz.checked.v1': (e) => {
    const decision = textAt(e.data, 'decision');
    return mapped(e, 'authz.check', 'access', actorOr(stringAt(e.data, 'principal'), e.source), {
      target: targetOf(textAt(e.data, 'resource')),
      outcome: decision === 'DECISION_ALLOW' ? 'success' : 'denied',
      reason: textAt(e.data, 'reason'),
      policyHash: textAt(e.data, 'policy', 'hash'),
      details: { checkedAction: textAt(e.data, 'action'), decision, modelId: textAt(e.data, 'modelId'), ...(stringAt(e.data, 'matchedCondition', 'name') ? { matchedCondition: textAt(e.data, 'matchedCondition', 'name') } : {}) },
    });
  },
  'assent.authz.action_registered.v1': (e) =>
    mapped(e, 'protected_action.register', 'governance', actorOr(stringAt(e.data, 'actor'), e.source), {
      target: { kind: 'action', id: textAt(e.data, 'protectedAction', 'action') },
      policyHash: textAt(e.data, 'protectedAction', 'policy', 'hash'),
      details: { version: textAt(e.data, 'protectedAction', 'version'), policyId: textAt(e.data, 'protectedAction', 'policy', 'id') },
    }),
  'assent.authz.model_applied.v1': (e) =>
    mapped(e, 'authz.apply_model', 'governance', actorOr(stringAt(e.data, 'actor'), e.source), {
      target: { kind: 'model', id: textAt(e.data, 'modelId') },
      details: { previousModelId: textAt(e.data, 'previousModelId') },
    }),
  'assent.authz.group_member_added.v1': (e) =>
    mapped(e, 'group.add_member', 'governance', actorOr(stringAt(e.data, 'actor'), e.source), { target: { kind: 'group', id: textAt(e.data, 'group') }, details: { user: textAt(e.data, 'user') } }),
  'assent.authz.group_member_removed.v1': (e) =>
    mapped(e, 'group.remove_member', 'governance', actorOr(stringAt(e.data, 'actor'), e.source), { target: { kind: 'group', id: textAt(e.data, 'group') }, details: { user: textAt(e.data, 'user') } }),
  'assent.authz.tenant_created.v1': (e) =>
    mapped(e, 'tenant.create', 'governance', actorOr(stringAt(e.data, 'actor'), e.source), {
      target: { kind: 'tenant', id: textAt(e.data, 'tenant') },
      details: { displayName: textAt(e.data, 'displayName'), created: valueAt(e.data, 'created') === true },
    }),
  'assent.authz.tenant_member_added.v1': (e) =>
    mapped(e, 'tenant.add_member', 'governance', actorOr(stringAt(e.data, 'actor'), e.source), { target: { kind: 'principal', id: textAt(e.data, 'user') } }),
  'assent.authz.stepped_up.v1': (e) =>
    mapped(e, 'authz.step_up', 'access', actorOr(stringAt(e.data, 'session', 'principal'), e.source), {
      details: { acr: textAt(e.data, 'session', 'acr'), amr: valueAt(e.data, 'session', 'amr') ?? [], expiresAt: textAt(e.data, 'session', 'expiresAt') },
    }),
  // Authz writes a grant when approvals asks (on approval) and ends it when its time is up: the emitting service is the actor, the grantee the target.
  'assent.grant.issued.v1': (e) => mapped(e, 'grant.issue', 'access', systemActor(e.source), grantFacts(e)),
  'assent.grant.revoked.v1': (e) => mapped(e, 'grant.revoke', 'access', actorOr(stringAt(e.data, 'revokedBy'), e.source), { ...grantFacts(e), reason: textAt(e.data, 'reason') }),
  'assent.grant.ended.v1': (e) => mapped(e, 'grant.end', 'access', systemActor(e.source), grantFacts(e)),
  'assent.delivery.endpoint_created.v1': (e) =>
    mapped(e, 'endpoint.create', 'governance', actorOr(stringAt(e.data, 'actor'), e.source), {
      target: { kind: 'endpoint', id: textAt(e.data, 'endpoint', 'id') },
      details: { origin: textAt(e.data, 'endpoint', 'origin'), eventTypes: valueAt(e.data, 'endpoint', 'eventTypes') ?? [] },
    }),
  'assent.delivery.stream_credential_created.v1': (e) =>
    mapped(e, 'stream_credential.create', 'governance', actorOr(stringAt(e.data, 'actor'), e.source), { target: { kind: 'credential', id: textAt(e.data, 'credentialId') }, details: { consumer: textAt(e.data, 'consumer') } }),
  'assent.delivery.stream_credential_revoked.v1': (e) =>
    mapped(e, 'stream_credential.revoke', 'governance', actorOr(stringAt(e.data, 'actor'), e.source), { target: { kind: 'credential', id: textAt(e.data, 'credentialId') }, details: { consumer: textAt(e.data, 'consumer') } }),
  'assent.notifier.interaction_refused.v1': (e) => {
    const user = stringAt(e.data, 'externalUser');
    const team = stringAt(e.data, 'externalTeam');
    const who = user ? externalActor(`${stringAt(e.data, 'channel') ?? 'chat'}:${team ? `${team}/` : ''}${user}`) : systemActor(e.source);
    return mapped(e, attemptedAction(textAt(e.data, 'attempted')), 'security', who, {
      outcome: 'denied',
      target: { kind: 'request', id: textAt(e.data, 'requestId') },
      requestId: textAt(e.data, 'requestId'),
      reason: textAt(e.data, 'reason'),
      details: { channel: textAt(e.data, 'channel'), attempted: textAt(e.data, 'attempted') },
    });
  },
  'assent.notifier.contact_changed.v1': (e) =>
    mapped(e, textAt(e.data, 'change') === 'removed' ? 'contact.remove' : 'contact.set', 'governance', actorOr(stringAt(e.data, 'actor'), e.source), {
      target: { kind: 'principal', id: textAt(e.data, 'principal') },
      details: { channel: textAt(e.data, 'channel') },
    }),
};

import type { JsonValue, SourceEvent } from './types.js';

/** Reads a string at a path of object keys; undefined when any step is missing or not a string. */
function stringAt(data: JsonValue, ...path: string[]): string | undefined {
  let cur: JsonValue | undefined = data;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = cur[key];
  }
  return typeof cur === 'string' && cur !== '' ? cur : undefined;
}

/**
 * Who caused the event, from what each payload says about it (proto/assent/events/v1):
 * the voter of a vote, the approver who decided, whoever acted (changes requested,
 * comment, resubmit, cancel), the person whose vote was refused, else the requester;
 * nobody for a timer (the emitting service); the principal an authz decision was
 * made for; who stepped up; the grantee of a grant; who applied a policy or changed a group. Anything
 * else is attributed to the emitting service (the CloudEvents source).
 */
export function actorOf(event: SourceEvent): string {
  const { type, data } = event;
  let actor: string | undefined;
  if (stringAt(data, 'timer') !== undefined && type.startsWith('assent.approval.')) {
    actor = undefined;
  } else if (type.startsWith('assent.approval.vote_refused.')) {
    actor = stringAt(data, 'principal');
  } else if (type.startsWith('assent.approval.')) {
    actor = stringAt(data, 'vote', 'approver') ?? stringAt(data, 'decidedBy') ?? stringAt(data, 'actor') ?? stringAt(data, 'request', 'requester');
  } else if (type.startsWith('assent.policy.updated.') || type.startsWith('assent.authz.group_member_') || type.startsWith('assent.notifier.contact_changed.')) {
    actor = stringAt(data, 'appliedBy') ?? stringAt(data, 'actor');
  } else if (type.startsWith('assent.authz.checked.')) {
    actor = stringAt(data, 'principal');
  } else if (type.startsWith('assent.authz.stepped_up.')) {
    actor = stringAt(data, 'session', 'principal');
  } else if (type.startsWith('assent.notifier.interaction_refused.')) {
    // Nobody Assent knows: the chat identity that tried.
    const team = stringAt(data, 'externalTeam');
    const user = stringAt(data, 'externalUser');
    actor = user ? `${stringAt(data, 'channel') ?? 'chat'}:${team ? `${team}/` : ''}${user}` : undefined;
  } else if (type.startsWith('assent.grant.issued.')) {
    actor = stringAt(data, 'grant', 'principal');
  }
  return actor ?? event.source;
}

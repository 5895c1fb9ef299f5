import type { GroupMembers } from '../ports.js';
import type { ApprovalRequestView } from '../types.js';

/**
 * The people a request names as approvers (`user:<id>` subjects), without the
 * requester. Group subjects (`group:<id>#member`) are returned apart (approverPeople
 * expands them).
 */
export function namedApprovers(r: ApprovalRequestView): { people: string[]; groups: string[] } {
  const people = new Set<string>();
  const groups: string[] = [];
  for (const subject of r.approvers) {
    if (subject.startsWith('user:')) {
      const id = subject.slice('user:'.length);
      if (id && id !== r.requester) people.add(id);
    } else groups.push(subject);
  }
  return { people: [...people], groups };
}

const GROUP = /^group:(.+)#member$/;

/**
 * Every person who may approve: the named people and the members of the named groups
 * (asked of authz now, so someone who joined a group since the request was made is
 * included), without the requester, each once. Groups are returned apart when there is
 * no way to expand them.
 */
export async function approverPeople(r: ApprovalRequestView, groups: GroupMembers | undefined): Promise<{ people: string[]; unexpanded: string[] }> {
  const named = namedApprovers(r);
  if (!groups) return { people: named.people, unexpanded: named.groups };
  const people = new Set(named.people);
  const unexpanded: string[] = [];
  for (const subject of named.groups) {
    const group = GROUP.exec(subject)?.[1];
    if (!group) {
      unexpanded.push(subject);
      continue;
    }
    for (const member of await groups.membersOf(r.tenant, group)) if (member !== r.requester) people.add(member);
  }
  return { people: [...people], unexpanded };
}

/** Everyone who voted on the request, and everyone a delegate voted for. */
export function actedOn(r: ApprovalRequestView, decidedBy: string): Set<string> {
  const acted = new Set<string>(decidedBy ? [decidedBy] : []);
  for (const v of r.votes) {
    acted.add(v.approver);
    if (v.onBehalfOf) acted.add(v.onBehalfOf);
  }
  return acted;
}

import type { ApprovalRequestView } from '../types.js';

/**
 * The people a request names as approvers (`user:<id>` subjects), without the
 * requester. Group subjects (`group:<id>#member`) are returned apart: expanding
 * them needs authz's group membership, which the notifier is not allowed to read yet.
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

/** Everyone who voted on the request, and everyone a delegate voted for. */
export function actedOn(r: ApprovalRequestView, decidedBy: string): Set<string> {
  const acted = new Set<string>(decidedBy ? [decidedBy] : []);
  for (const v of r.votes) {
    acted.add(v.approver);
    if (v.onBehalfOf) acted.add(v.onBehalfOf);
  }
  return acted;
}

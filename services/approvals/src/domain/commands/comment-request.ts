import { PermissionDeniedError, Violations, assertTenantAccess, type Principal } from '@assent/platform/domain';
import { actedData, eventTypes } from '../events.js';
import type { ApprovalsDeps } from '../ports.js';
import type { ApprovalRequest, Vote } from '../types.js';
import { requireReason, requireState } from './decide-request.js';
import { transition } from './transition.js';
import { isRequestApprover } from '../request-approvers.js';

/**
 * Adds a note to an open request's history; decides nothing. The requester and
 * anyone authz counts among the request's approvers may comment.
 */
export async function commentRequest(deps: ApprovalsDeps, caller: Principal, input: { tenant: string; id: string; comment: string }): Promise<ApprovalRequest> {
  new Violations().check('tenant', input.tenant, 'tenant').check('id', input.id, 'id').throwIfAny();
  const comment = requireReason('comment', input.comment);
  assertTenantAccess(caller, input.tenant);
  if (caller.kind !== 'user') throw new PermissionDeniedError('comments are made by people');
  let allowed: boolean | undefined;
  return transition(deps, input.tenant, input.id, async (current, now) => {
    requireState(current, ['PENDING', 'CHANGES_REQUESTED'], 'comment on');
    if (caller.subject !== current.requester) {
      allowed ??= await isRequestApprover(deps, current, caller.subject);
      if (!allowed) throw new PermissionDeniedError(`${caller.subject} is neither the requester nor an approver of request ${current.id}`);
    }
    const via = caller.via ? { service: caller.via.service, channel: caller.via.channel } : undefined;
    const note: Vote = { approver: caller.subject, outcome: 'COMMENT', comment, at: now, submission: current.submission, eligibleFor: [], acknowledged: [], ...(via ? { via } : {}) };
    return {
      next: { ...current, votes: [...current.votes, note] },
      events: (n) => [deps.newEvent({ type: eventTypes.commented, subject: `request/${n.id}`, tenant: n.tenant, data: actedData(n, caller.subject, comment, via) })],
    };
  });
}

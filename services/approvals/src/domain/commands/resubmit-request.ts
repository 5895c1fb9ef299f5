import { PermissionDeniedError, Violations, assertTenantAccess, type Principal } from '@assent/platform/domain';
import { actedData, eventTypes } from '../events.js';
import type { ApprovalsDeps } from '../ports.js';
import { submissionTimers } from '../schedule.js';
import type { ApprovalRequest } from '../types.js';
import { requireReason, requireState } from './decide-request.js';
import { transition } from './transition.js';

/**
 * The requester amends a request an approver sent back and submits it again: the
 * same request, PENDING, with a new submission number. Every version stays in
 * `submissions`; approvals of earlier submissions stay in the history but no longer
 * count, so approvers see and approve what is now asked. SLA and reminders restart.
 */
export async function resubmitRequest(deps: ApprovalsDeps, caller: Principal, input: { tenant: string; id: string; justification: string }): Promise<ApprovalRequest> {
  new Violations().check('tenant', input.tenant, 'tenant').check('id', input.id, 'id').throwIfAny();
  const justification = requireReason('justification', input.justification);
  assertTenantAccess(caller, input.tenant);
  return transition(deps, input.tenant, input.id, async (current, now) => {
    if (caller.subject !== current.requester) throw new PermissionDeniedError(`only the requester (${current.requester}) may resubmit request ${current.id}`);
    requireState(current, ['CHANGES_REQUESTED'], 'resubmit');
    const submission = current.submission + 1;
    return {
      next: {
        ...current,
        state: 'PENDING',
        justification,
        submission,
        submissions: [...current.submissions, { number: submission, justification, at: now, editedBy: '' }],
        timers: submissionTimers(current.schedule, current.createdAt, now, current.timers),
      },
      events: (n) => [deps.newEvent({ type: eventTypes.resubmitted, subject: `request/${n.id}`, tenant: n.tenant, data: actedData(n, caller.subject, justification) })],
    };
  });
}

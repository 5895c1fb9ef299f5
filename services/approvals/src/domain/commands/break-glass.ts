import { FailedPreconditionError, InvalidArgumentError, PermissionDeniedError, Violations, assertTenantAccess, type Principal } from '@assent/platform/domain';
import { approvedAt } from '../approval-effect.js';
import { breakGlassData, decidedData, eventTypes } from '../events.js';
import type { ApprovalsDeps } from '../ports.js';
import type { ApprovalRequest, BreakGlassVerdict, Vote } from '../types.js';
import { requireReason, requireState } from './decide-request.js';
import { transition } from './transition.js';
import { isRequestApprover } from '../request-approvers.js';

const MIN_REASON = 10;

/**
 * The requester approves their own pending request in an emergency, where its
 * policy allows it. The request is APPROVED as by any approval (the grant consumer
 * writes the grant from the decided event), the act is published at high severity
 * (assent.approval.break_glass.v1), and it waits in every approver's pending inbox
 * for a post-hoc review.
 */
export async function breakGlass(deps: ApprovalsDeps, caller: Principal, input: { tenant: string; id: string; reason: string }): Promise<ApprovalRequest> {
  new Violations().check('tenant', input.tenant, 'tenant').check('id', input.id, 'id').throwIfAny();
  const reason = requireReason('reason', input.reason);
  if (reason.length < MIN_REASON) throw InvalidArgumentError.field('reason', `must say why this cannot wait (at least ${MIN_REASON} characters)`);
  assertTenantAccess(caller, input.tenant);
  return transition(deps, input.tenant, input.id, async (current, now) => {
    if (caller.subject !== current.requester) throw new PermissionDeniedError(`only the requester (${current.requester}) may break the glass on request ${current.id}`);
    if (!current.allowBreakGlass) throw new PermissionDeniedError(`policy ${current.policyId} does not allow break-glass approval`);
    requireState(current, ['PENDING'], 'break the glass on');
    const vote: Vote = { approver: caller.subject, outcome: 'APPROVE', comment: `break-glass: ${reason}`, at: now, submission: current.submission, eligibleFor: [], acknowledged: [] };
    const next: ApprovalRequest = { ...current, ...approvedAt(current, now), votes: [...current.votes, vote], breakGlass: { at: now, reason, review: undefined } };
    return {
      next,
      events: (n) => [
        deps.newEvent({ type: eventTypes.breakGlass, subject: `request/${n.id}`, tenant: n.tenant, data: breakGlassData(n, caller.subject, reason, 'high') }),
        deps.newEvent({ type: eventTypes.decided, subject: `request/${n.id}`, tenant: n.tenant, data: decidedData(n, 'APPROVE', caller.subject) }),
      ],
    };
  });
}

/** An approver of the request (not the requester) records the post-hoc verdict on a break-glass approval, once. */
export async function reviewBreakGlass(
  deps: ApprovalsDeps,
  caller: Principal,
  input: { tenant: string; id: string; verdict: BreakGlassVerdict | undefined; reason: string },
): Promise<ApprovalRequest> {
  new Violations().check('tenant', input.tenant, 'tenant').check('id', input.id, 'id').throwIfAny();
  const reason = requireReason('reason', input.reason);
  if (!input.verdict) throw InvalidArgumentError.field('verdict', 'must be ACCEPTED or CONCERN');
  const verdict = input.verdict;
  assertTenantAccess(caller, input.tenant);
  return transition(deps, input.tenant, input.id, async (current, now) => {
    const bg = current.breakGlass;
    if (!bg) throw new FailedPreconditionError(`request ${current.id} was not approved by break-glass`, 'NOT_BREAK_GLASS');
    if (bg.review) throw new FailedPreconditionError(`request ${current.id} was already reviewed by ${bg.review.by}`, 'ALREADY_REVIEWED');
    if (caller.subject === current.requester) throw new PermissionDeniedError('requesters cannot review their own break-glass approval');
    if (!(await isRequestApprover(deps, current, caller.subject))) {
      throw new PermissionDeniedError(`${caller.subject} is not among the approvers of request ${current.id}`);
    }
    return {
      next: { ...current, breakGlass: { ...bg, review: { by: caller.subject, at: now, verdict, reason } } },
      events: (n) => [deps.newEvent({ type: eventTypes.breakGlassReviewed, subject: `request/${n.id}`, tenant: n.tenant, data: breakGlassData(n, caller.subject, reason, 'info') })],
    };
  });
}

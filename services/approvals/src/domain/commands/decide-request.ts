import { ConflictError, FailedPreconditionError, NotFoundError, PermissionDeniedError, Violations, assertTenantAccess, type Principal } from '@assent/platform/domain';
import { decidedData, eventTypes, votedData } from '../events.js';
import type { ApprovalsDeps } from '../ports.js';
import type { ApprovalRequest, Outcome, Vote } from '../types.js';

const MAX_COMMENT = 2000;
const CAS_ATTEMPTS = 5;

/**
 * Records an approver's vote. One decline decides; approvals decide once the
 * quorum is met. The transition is a compare-and-set, so concurrent votes on N
 * replicas are applied one at a time (a lost race re-reads and re-validates),
 * and exactly one `decided` event is ever emitted per request.
 */
export async function decideRequest(
  deps: ApprovalsDeps,
  caller: Principal,
  input: { tenant: string; id: string; comment: string },
  outcome: Outcome,
): Promise<ApprovalRequest> {
  const v = new Violations().check('tenant', input.tenant, 'tenant').check('id', input.id, 'id');
  if (input.comment.length > MAX_COMMENT) v.add('comment', `must be at most ${MAX_COMMENT} characters`);
  v.throwIfAny();
  assertTenantAccess(caller, input.tenant);
  if (caller.kind !== 'user') throw new PermissionDeniedError('approvals are made by people');
  const approver = caller.subject;

  let checkedApprover = false;
  for (let attempt = 1; ; attempt++) {
    const stored = await deps.requests.get(input.tenant, input.id);
    if (!stored) throw new NotFoundError('request', input.id);
    const current = stored.request;
    if (current.state !== 'PENDING') {
      throw new FailedPreconditionError(`request ${current.id} is already ${current.state.toLowerCase()}`, 'REQUEST_NOT_PENDING');
    }
    if (approver === current.requester && !current.allowSelfApproval) {
      throw new PermissionDeniedError(`policy ${current.policyId} does not allow approving your own request`);
    }
    if (current.votes.some((vote) => vote.approver === approver)) {
      throw new FailedPreconditionError(`${approver} has already voted on request ${current.id}`, 'ALREADY_VOTED');
    }
    if (!checkedApprover) {
      const allowed = await deps.authz.isApprover(input.tenant, approver, current.action);
      if (!allowed.allowed) throw new PermissionDeniedError(allowed.reason);
      checkedApprover = true;
    }

    const now = deps.clock.now();
    const vote: Vote = { approver, outcome, comment: input.comment.trim(), at: now };
    const votes = [...current.votes, vote];
    const approvals = votes.filter((x) => x.outcome === 'APPROVE').length;
    const state = outcome === 'DECLINE' ? 'DECLINED' : approvals >= current.quorum ? 'APPROVED' : 'PENDING';
    const next: ApprovalRequest = {
      ...current,
      votes,
      state,
      updatedAt: now,
      decidedAt: state === 'PENDING' ? undefined : now,
      version: current.version + 1,
    };
    const event =
      state === 'PENDING'
        ? deps.newEvent({ type: eventTypes.voted, subject: `request/${next.id}`, tenant: next.tenant, data: votedData(next, vote) })
        : deps.newEvent({ type: eventTypes.decided, subject: `request/${next.id}`, tenant: next.tenant, data: decidedData(next, outcome, approver) });
    try {
      return (await deps.requests.update(next, stored.etag, [event])).request;
    } catch (err) {
      if (err instanceof ConflictError && attempt < CAS_ATTEMPTS) continue;
      throw err;
    }
  }
}

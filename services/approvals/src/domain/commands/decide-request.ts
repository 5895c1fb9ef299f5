import { FailedPreconditionError, InvalidArgumentError, PermissionDeniedError, Violations, assertTenantAccess, patterns, type Principal } from '@assent/platform/domain';
import { actedData, decidedData, eventTypes, voteRefusedData, votedData } from '../events.js';
import type { ApprovalsDeps } from '../ports.js';
import { evaluateQuorum } from '../quorum.js';
import type { ApprovalRequest, Outcome, RequestState, Vote } from '../types.js';
import { transition } from './transition.js';
import { approverSubjects, matchedSubjects } from '../request-approvers.js';

export const MAX_COMMENT = 2000;

type Decision = Exclude<Outcome, 'COMMENT'>;

/**
 * The request's requirements the principal is eligible for: authz matches the
 * principal (a tenant member) against the request's pinned approver subjects, with
 * group membership as it is now. The pinned set, not the action's current policy,
 * decides, so a policy edit never changes who may approve a request already open.
 */
async function eligibility(deps: ApprovalsDeps, r: ApprovalRequest, principal: string): Promise<{ eligibleFor: string[]; reason: string }> {
  const subjects = approverSubjects(r.requirements);
  const matched = new Set(await matchedSubjects(deps, r, principal));
  const eligibleFor = r.requirements.filter((q) => q.approvers.some((a) => matched.has(a))).map((q) => q.name);
  return { eligibleFor, reason: `${principal} is not among the approvers of request ${r.id} (${subjects.join(', ')})` };
}

/**
 * Records an approver's decision, with its reason. APPROVE counts toward the
 * requirements the approver is eligible for (checked with authz now, not when the
 * request was made); the request is APPROVED once every requirement has its
 * quorum. One DECLINE declines; REQUEST_CHANGES hands it back to the requester.
 * Refused attempts (not eligible, own request, another tenant) are published as
 * assent.approval.vote_refused.v1 for audit before the caller gets the error.
 */
export async function decideRequest(
  deps: ApprovalsDeps,
  caller: Principal,
  input: { tenant: string; id: string; comment: string },
  outcome: Decision,
): Promise<ApprovalRequest> {
  const v = new Violations().check('tenant', input.tenant, 'tenant').check('id', input.id, 'id');
  if (input.comment.length > MAX_COMMENT) v.add('comment', `must be at most ${MAX_COMMENT} characters`);
  else if (!input.comment.trim()) v.add('comment', 'is required: every decision carries a reason');
  v.throwIfAny();
  const refuse = async (code: string, reason: string) => {
    await deps.events.emit(
      deps.newEvent({
        type: eventTypes.voteRefused,
        subject: `request/${input.id}`,
        tenant: input.tenant,
        data: voteRefusedData({ tenant: input.tenant, requestId: input.id, principal: caller.subject, outcome, reason, code }),
      }),
    );
    return new PermissionDeniedError(reason);
  };
  try {
    assertTenantAccess(caller, input.tenant);
  } catch (err) {
    if (err instanceof PermissionDeniedError && patterns.id.test(input.id)) throw await refuse('WRONG_TENANT', err.message);
    throw err;
  }
  if (caller.kind !== 'user') throw new PermissionDeniedError('approvals are made by people');
  const approver = caller.subject;
  const reason = input.comment.trim();

  let eligible: { eligibleFor: string[]; reason: string; of: string } | undefined;
  return transition(deps, input.tenant, input.id, async (current, now) => {
    requireState(current, ['PENDING'], outcome);
    if (approver === current.requester && (outcome !== 'APPROVE' || !current.allowSelfApproval)) {
      throw await refuse('SELF_APPROVAL', outcome === 'APPROVE' ? `policy ${current.policyId} does not allow approving your own request` : 'requesters cancel their own requests rather than decide them');
    }
    if (current.votes.some((x) => x.approver === approver && x.submission === current.submission && x.outcome !== 'COMMENT')) {
      throw new FailedPreconditionError(`${approver} has already acted on submission ${current.submission} of request ${current.id}`, 'ALREADY_VOTED');
    }
    // A lost compare-and-set re-reads the request; authz is asked again only if its
    // approvers changed meanwhile (an escalation or a handoff).
    const of = JSON.stringify(current.requirements);
    if (eligible?.of !== of) eligible = { ...(await eligibility(deps, current, approver)), of };
    if (eligible.eligibleFor.length === 0) throw await refuse('NOT_ELIGIBLE', eligible.reason);

    const vote: Vote = { approver, outcome, comment: reason, at: now, submission: current.submission, eligibleFor: eligible.eligibleFor };
    const votes = [...current.votes, vote];
    const approvals = votes.filter((x) => x.submission === current.submission && x.outcome === 'APPROVE');
    const state: RequestState =
      outcome === 'DECLINE' ? 'DECLINED' : outcome === 'REQUEST_CHANGES' ? 'CHANGES_REQUESTED' : evaluateQuorum(current.requirements, approvals).met ? 'APPROVED' : 'PENDING';
    const closed = state === 'APPROVED' || state === 'DECLINED';
    const next: ApprovalRequest = { ...current, votes, state, decidedAt: closed ? now : undefined };
    return {
      next,
      events: (n) => [
        deps.newEvent<unknown>(
          state === 'PENDING'
            ? { type: eventTypes.voted, subject: `request/${n.id}`, tenant: n.tenant, data: votedData(n, vote) }
            : state === 'CHANGES_REQUESTED'
              ? { type: eventTypes.changesRequested, subject: `request/${n.id}`, tenant: n.tenant, data: actedData(n, approver, reason) }
              : { type: eventTypes.decided, subject: `request/${n.id}`, tenant: n.tenant, data: decidedData(n, outcome, approver) },
        ),
      ],
    };
  });
}

/** FAILED_PRECONDITION unless the request is in one of `states`, saying what it is instead. */
export function requireState(r: ApprovalRequest, states: RequestState[], doing: string): void {
  if (states.includes(r.state)) return;
  const what = r.state === 'CHANGES_REQUESTED' ? 'waiting for the requester to resubmit' : `already ${r.state.toLowerCase()}`;
  throw new FailedPreconditionError(`cannot ${doing.toLowerCase().replace('_', ' ')} request ${r.id}: it is ${what}`, 'REQUEST_NOT_PENDING');
}

export function requireReason(field: string, text: string): string {
  if (text.length > MAX_COMMENT) throw InvalidArgumentError.field(field, `must be at most ${MAX_COMMENT} characters`);
  if (!text.trim()) throw InvalidArgumentError.field(field, 'is required');
  return text.trim();
}

import { FailedPreconditionError, InvalidArgumentError, PermissionDeniedError, Violations, assertTenantAccess, patterns, type Principal } from '@assent/platform/domain';
import { approvedAt } from '../approval-effect.js';
import { actedData, decidedData, editedData, eventTypes, voteRefusedData, votedData } from '../events.js';
import { applyEdits, noEdits, type RequestEdits } from '../request-parameters.js';
import type { ApprovalsDeps } from '../ports.js';
import { evaluateQuorum } from '../quorum.js';
import { delegationActive, type ApprovalRequest, type Outcome, type RequestEdit, type RequestState, type Vote } from '../types.js';
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
async function eligibility(deps: ApprovalsDeps, r: ApprovalRequest, principal: string, now: Date): Promise<{ eligibleFor: string[]; onBehalfOf: string | undefined; reason: string }> {
  const subjects = approverSubjects(r.requirements);
  const eligibleAs = async (user: string) => {
    const matched = new Set(await matchedSubjects(deps, r, user));
    return r.requirements.filter((q) => q.approvers.some((a) => matched.has(a))).map((q) => q.name);
  };
  const own = await eligibleAs(principal);
  if (own.length) return { eligibleFor: own, onBehalfOf: undefined, reason: '' };
  // Out of office: act for someone who delegated to the principal and has not acted on this submission.
  const acted = actedOn(r);
  const away = (await deps.delegations.received(r.tenant, principal)).filter((d) => delegationActive(d, now) && d.from !== r.requester && !acted.has(d.from));
  for (const d of away) {
    const forThem = await eligibleAs(d.from);
    if (forThem.length) return { eligibleFor: forThem, onBehalfOf: d.from, reason: '' };
  }
  return { eligibleFor: [], onBehalfOf: undefined, reason: `${principal} is not among the approvers of request ${r.id} (${subjects.join(', ')})${away.length ? ', nor are the people they act for' : ''}` };
}

/** Everyone who has acted on the current submission, in person or through a delegate: one person, one vote. */
function actedOn(r: ApprovalRequest): Set<string> {
  const votes = r.votes.filter((v) => v.submission === r.submission && v.outcome !== 'COMMENT');
  return new Set(votes.flatMap((v) => (v.onBehalfOf ? [v.approver, v.onBehalfOf] : [v.approver])));
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
  input: {
    tenant: string;
    id: string;
    comment: string;
    acknowledged?: string[];
    /** Bulk: acknowledgement ids the request does not list are ignored, not refused. */
    lenientAcknowledged?: boolean;
    edits?: RequestEdits | undefined;
  },
  outcome: Decision,
): Promise<ApprovalRequest> {
  const v = new Violations().check('tenant', input.tenant, 'tenant').check('id', input.id, 'id');
  if (input.comment.length > MAX_COMMENT) v.add('comment', `must be at most ${MAX_COMMENT} characters`);
  else if (!input.comment.trim()) v.add('comment', 'is required: every decision carries a reason');
  if (outcome !== 'APPROVE' && !noEdits(input.edits)) v.add('edits', 'are made with an approval');
  v.throwIfAny();
  const acknowledged = [...new Set(input.acknowledged ?? [])];
  const refuse = async (code: string, reason: string) => {
    await deps.events.emit(
      deps.newEvent({
        type: eventTypes.voteRefused,
        subject: `request/${input.id}`,
        tenant: input.tenant,
        data: voteRefusedData({ tenant: input.tenant, requestId: input.id, principal: caller.subject, outcome, reason, code, via: caller.via }),
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

  let eligible: { eligibleFor: string[]; onBehalfOf: string | undefined; reason: string; of: string } | undefined;
  return transition(deps, input.tenant, input.id, async (current, now) => {
    requireState(current, ['PENDING'], outcome);
    if (approver === current.requester && (outcome !== 'APPROVE' || !current.allowSelfApproval)) {
      throw await refuse('SELF_APPROVAL', outcome === 'APPROVE' ? `policy ${current.policyId} does not allow approving your own request` : 'requesters cancel their own requests rather than decide them');
    }
    if (actedOn(current).has(approver)) {
      throw new FailedPreconditionError(`${approver} has already acted on submission ${current.submission} of request ${current.id}`, 'ALREADY_VOTED');
    }
    // A lost compare-and-set re-reads the request; authz is asked again only if its
    // approvers or its voters changed meanwhile (an escalation, a handoff, a vote).
    const of = JSON.stringify([current.requirements, current.submission, [...actedOn(current)]]);
    if (eligible?.of !== of) eligible = { ...(await eligibility(deps, current, approver, now)), of };
    if (eligible.eligibleFor.length === 0) throw await refuse('NOT_ELIGIBLE', eligible.reason);

    if (outcome === 'APPROVE' && current.requireStepUpToApprove) {
      // A channel (Slack, an email link) vouches for who the person is, never for a
      // fresh strong sign-in, so a step-up session cannot be used through one.
      if (caller.via) {
        await refuse('STEP_UP_REQUIRED', `policy ${current.policyId} needs a step-up to approve, which ${caller.via.channel} cannot give`);
        throw new FailedPreconditionError(
          `approving request ${current.id} needs a step-up, which ${caller.via.channel} cannot give: sign in strongly, step up (assentctl authz step-up) and approve with your own token`,
          'STEP_UP_REQUIRED',
        );
      }
      const stepUp = await deps.authz.stepUpActive(current.tenant, approver);
      if (!stepUp.active) {
        await refuse('STEP_UP_REQUIRED', `policy ${current.policyId} needs a step-up to approve`);
        throw new FailedPreconditionError(
          `approving request ${current.id} needs a step-up session (${stepUp.requirement}): sign in again strongly and step up (assentctl authz step-up), then approve`,
          'STEP_UP_REQUIRED',
        );
      }
    }
    if (outcome === 'APPROVE') checkAcknowledged(current, input.lenientAcknowledged ? acknowledged.filter((a) => current.acknowledgements.some((x) => x.id === a)) : acknowledged);
    const edited = outcome === 'APPROVE' ? edit(current, input.edits, approver, reason, now) : { request: current, edit: undefined };
    const base = edited.request;
    const vote: Vote = {
      approver,
      outcome,
      comment: reason,
      at: now,
      submission: base.submission,
      eligibleFor: eligible.eligibleFor,
      acknowledged: outcome === 'APPROVE' ? acknowledged.filter((a) => current.acknowledgements.some((x) => x.id === a)) : [],
      ...(eligible.onBehalfOf ? { onBehalfOf: eligible.onBehalfOf } : {}),
      ...(caller.via ? { via: { service: caller.via.service, channel: caller.via.channel } } : {}),
    };
    const votes = [...base.votes, vote];
    const approvals = votes.filter((x) => x.submission === base.submission && x.outcome === 'APPROVE');
    const state: RequestState =
      outcome === 'DECLINE' ? 'DECLINED' : outcome === 'REQUEST_CHANGES' ? 'CHANGES_REQUESTED' : evaluateQuorum(base.requirements, approvals).met ? 'APPROVED' : 'PENDING';
    const next: ApprovalRequest =
      state === 'APPROVED' ? { ...base, votes, ...approvedAt(base, now) } : { ...base, votes, state, decidedAt: state === 'DECLINED' ? now : undefined };
    return {
      next,
      events: (n) => [
        ...(edited.edit ? [deps.newEvent({ type: eventTypes.edited, subject: `request/${n.id}`, tenant: n.tenant, data: editedData(n, edited.edit) })] : []),
        deps.newEvent<unknown>(
          state === 'PENDING'
            ? { type: eventTypes.voted, subject: `request/${n.id}`, tenant: n.tenant, data: votedData(n, vote) }
            : state === 'CHANGES_REQUESTED'
              ? { type: eventTypes.changesRequested, subject: `request/${n.id}`, tenant: n.tenant, data: actedData(n, approver, reason, vote.via) }
              : { type: eventTypes.decided, subject: `request/${n.id}`, tenant: n.tenant, data: decidedData(n, outcome, approver, vote.via) },
        ),
      ],
    };
  });
}

/** An approval needs every acknowledgement the request lists ticked, and no unknown one. */
function checkAcknowledged(r: ApprovalRequest, acknowledged: string[]): void {
  const known = new Set(r.acknowledgements.map((a) => a.id));
  const unknown = acknowledged.filter((a) => !known.has(a));
  if (unknown.length) throw InvalidArgumentError.field('acknowledged', `request ${r.id} has no acknowledgement ${unknown.map((a) => `"${a}"`).join(', ')}`);
  const missing = r.acknowledgements.filter((a) => !acknowledged.includes(a.id));
  if (missing.length) {
    throw InvalidArgumentError.field('acknowledged', `approving request ${r.id} needs every acknowledgement ticked; missing: ${missing.map((a) => `"${a.id}" (${a.text})`).join('; ')}`);
  }
}

/**
 * An approver's edits, applied before their vote. An edit that only shortens the
 * grant keeps earlier approvals (they approved more); any other opens a new
 * submission, so earlier approvals stop counting and those approvers are asked
 * again about what is now asked. Timers keep running: an edit does not restart the SLA.
 */
function edit(r: ApprovalRequest, edits: RequestEdits | undefined, by: string, reason: string, now: Date): { request: ApprovalRequest; edit: RequestEdit | undefined } {
  if (noEdits(edits) || !edits) return { request: r, edit: undefined };
  const { patch, changes, narrowing } = applyEdits(r, edits, now);
  if (!changes.length) return { request: r, edit: undefined };
  const submission = narrowing ? r.submission : r.submission + 1;
  const record: RequestEdit = { by, at: now, submission, changes, reason };
  const submissions = narrowing ? r.submissions : [...r.submissions, { number: submission, justification: r.justification, at: now, editedBy: by }];
  return { request: { ...r, ...patch, submission, submissions, edits: [...r.edits, record] }, edit: record };
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

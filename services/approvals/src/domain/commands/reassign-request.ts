import { InvalidArgumentError, PermissionDeniedError, Violations, assertTenantAccess, type Principal } from '@assent/platform/domain';
import { actedData, eventTypes } from '../events.js';
import type { ApprovalsDeps } from '../ports.js';
import { evaluateQuorum } from '../quorum.js';
import type { ApprovalRequest } from '../types.js';
import { requireReason, requireState } from './decide-request.js';
import { transition } from './transition.js';
import { matchedSubjects } from '../request-approvers.js';

/**
 * An approver passes their part of a pending request to another member of the
 * tenant: the new person joins every unmet requirement the caller can approve, and
 * a caller named directly ("user:<caller>") leaves it (one reached through a group
 * stays eligible through the group; groups are managed in authz). The handoff is
 * appended to the request's chain and published, and the pinned requirements change
 * only for this request.
 */
export async function reassignRequest(deps: ApprovalsDeps, caller: Principal, input: { tenant: string; id: string; to: string; reason: string }): Promise<ApprovalRequest> {
  new Violations().check('tenant', input.tenant, 'tenant').check('id', input.id, 'id').check('to', input.to, 'user').throwIfAny();
  const reason = requireReason('reason', input.reason);
  assertTenantAccess(caller, input.tenant);
  if (caller.kind !== 'user') throw new PermissionDeniedError('handoffs are made by people');
  if (input.to === caller.subject) throw InvalidArgumentError.field('to', 'must be someone else');
  return transition(deps, input.tenant, input.id, async (current, now) => {
    requireState(current, ['PENDING'], 'reassign');
    if (input.to === current.requester) throw new PermissionDeniedError('a request cannot be handed to its requester');
    const mine = new Set(await matchedSubjects(deps, current, caller.subject));
    const approvals = current.votes.filter((v) => v.submission === current.submission && v.outcome === 'APPROVE');
    const unmet = new Set(evaluateQuorum(current.requirements, approvals).unmet.map((q) => q.name));
    const passed = current.requirements.filter((q) => unmet.has(q.name) && q.approvers.some((a) => mine.has(a))).map((q) => q.name);
    if (!passed.length) throw new PermissionDeniedError(`${caller.subject} has no part of request ${current.id} left to hand off`);
    // The new person must be a member of the tenant: authz matches only members.
    if (!(await deps.authz.matchApprover(current.tenant, input.to, current.action, [`user:${input.to}`])).length) {
      throw new PermissionDeniedError(`${input.to} is not a member of tenant ${current.tenant}`);
    }
    const requirements = current.requirements.map((q) => {
      if (!passed.includes(q.name)) return q;
      const approvers = q.approvers.filter((a) => a !== `user:${caller.subject}`);
      return { ...q, approvers: approvers.includes(`user:${input.to}`) ? approvers : [...approvers, `user:${input.to}`] };
    });
    return {
      next: { ...current, requirements, handoffs: [...current.handoffs, { from: caller.subject, to: input.to, at: now, reason, requirements: passed }] },
      events: (n) => [deps.newEvent({ type: eventTypes.reassigned, subject: `request/${n.id}`, tenant: n.tenant, data: actedData(n, caller.subject, reason) })],
    };
  });
}

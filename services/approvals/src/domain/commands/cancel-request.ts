import { PermissionDeniedError, Violations, assertTenantAccess, type Principal } from '@assent/platform/domain';
import { grantStart, removeRequestGrant } from '../approval-effect.js';
import { actedData, eventTypes } from '../events.js';
import type { ApprovalsDeps } from '../ports.js';
import type { ApprovalRequest } from '../types.js';
import { requireReason, requireState } from './decide-request.js';
import { transition } from './transition.js';

/**
 * The requester withdraws a request, with a reason: an open one (nothing is
 * granted and its timers stop), or a DEFERRED one before its effect starts (its
 * not-yet-active grant is removed from authz first).
 */
export async function cancelRequest(deps: ApprovalsDeps, caller: Principal, input: { tenant: string; id: string; reason: string }): Promise<ApprovalRequest> {
  new Violations().check('tenant', input.tenant, 'tenant').check('id', input.id, 'id').throwIfAny();
  const reason = requireReason('reason', input.reason);
  assertTenantAccess(caller, input.tenant);
  return transition(deps, input.tenant, input.id, async (current, now) => {
    if (caller.subject !== current.requester) throw new PermissionDeniedError(`only the requester (${current.requester}) may cancel request ${current.id}`);
    requireState(current, ['PENDING', 'CHANGES_REQUESTED', 'DEFERRED'], 'cancel');
    // The grant consumer may not have written it yet; removal is idempotent, and it
    // writes nothing once the request is no longer approved.
    if (current.state === 'DEFERRED' && grantStart(current)) await removeRequestGrant(deps, current, 'revoked', caller.subject, reason);
    const closed = current.state === 'DEFERRED' ? { grantClosed: { kind: 'revoked' as const, at: now, by: caller.subject, reason } } : {};
    return {
      next: { ...current, ...closed, state: 'CANCELLED', closedBy: caller.subject, closeReason: reason },
      events: (n) => [deps.newEvent({ type: eventTypes.cancelled, subject: `request/${n.id}`, tenant: n.tenant, data: actedData(n, caller.subject, reason) })],
    };
  });
}

import { PermissionDeniedError, Violations, assertTenantAccess, type Principal } from '@assent/platform/domain';
import { actedData, eventTypes } from '../events.js';
import type { ApprovalsDeps } from '../ports.js';
import type { ApprovalRequest } from '../types.js';
import { requireReason, requireState } from './decide-request.js';
import { transition } from './transition.js';

/** The requester withdraws an open request, with a reason; nothing is granted and its timers stop. */
export async function cancelRequest(deps: ApprovalsDeps, caller: Principal, input: { tenant: string; id: string; reason: string }): Promise<ApprovalRequest> {
  new Violations().check('tenant', input.tenant, 'tenant').check('id', input.id, 'id').throwIfAny();
  const reason = requireReason('reason', input.reason);
  assertTenantAccess(caller, input.tenant);
  return transition(deps, input.tenant, input.id, async (current) => {
    if (caller.subject !== current.requester) throw new PermissionDeniedError(`only the requester (${current.requester}) may cancel request ${current.id}`);
    requireState(current, ['PENDING', 'CHANGES_REQUESTED'], 'cancel');
    return {
      next: { ...current, state: 'CANCELLED', closedBy: caller.subject, closeReason: reason },
      events: (n) => [deps.newEvent({ type: eventTypes.cancelled, subject: `request/${n.id}`, tenant: n.tenant, data: actedData(n, caller.subject, reason) })],
    };
  });
}

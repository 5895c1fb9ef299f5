import { FailedPreconditionError, PermissionDeniedError, Violations, assertTenantAccess, hasRole, type Principal } from '@assent/platform/domain';
import { grantStart, removeRequestGrant } from '../approval-effect.js';
import type { ApprovalsDeps } from '../ports.js';
import type { ApprovalRequest } from '../types.js';
import { requireReason } from './decide-request.js';
import { transition } from './transition.js';
import { isRequestApprover } from '../request-approvers.js';

/**
 * Ends an approved request's grant early, with a reason: the requester, an approver
 * of the request, or a tenant admin. Authz removes exactly this request's grant and
 * publishes assent.grant.revoked.v1 (who, why); the request records it, and its
 * grant-end timer is cleared.
 */
export async function revokeGrant(deps: ApprovalsDeps, caller: Principal, input: { tenant: string; id: string; reason: string }): Promise<ApprovalRequest> {
  new Violations().check('tenant', input.tenant, 'tenant').check('id', input.id, 'id').throwIfAny();
  const reason = requireReason('reason', input.reason);
  assertTenantAccess(caller, input.tenant);
  if (caller.kind !== 'user') throw new PermissionDeniedError('grants are revoked by people');
  return transition(deps, input.tenant, input.id, async (current, now) => {
    if (current.state === 'DEFERRED') {
      throw new FailedPreconditionError(`the grant of request ${current.id} has not started; the requester cancels it instead`, 'NOT_STARTED');
    }
    if (current.state !== 'APPROVED' || !current.grantExpiresAt || !grantStart(current)) {
      throw new FailedPreconditionError(`request ${current.id} has no grant to revoke`, 'NO_GRANT');
    }
    if (current.grantClosed) throw new FailedPreconditionError(`the grant of request ${current.id} is already ${current.grantClosed.kind}`, 'GRANT_CLOSED');
    if (current.grantExpiresAt <= now) throw new FailedPreconditionError(`the grant of request ${current.id} has already ended`, 'GRANT_CLOSED');
    const mayRevoke =
      caller.subject === current.requester ||
      hasRole(caller, 'admin') ||
      (await isRequestApprover(deps, current, caller.subject));
    if (!mayRevoke) throw new PermissionDeniedError(`${caller.subject} may not revoke the grant of request ${current.id}`);
    await removeRequestGrant(deps, current, 'revoked', caller.subject, reason);
    return { next: { ...current, grantClosed: { kind: 'revoked', at: now, by: caller.subject, reason } }, events: () => [] };
  });
}

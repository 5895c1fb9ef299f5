import type { ApprovalsDeps } from './ports.js';
import type { ApprovalRequest } from './types.js';

/**
 * The fields an approval sets at `now`: the grant's window starts at the later of
 * the decision and the requested start; before that start the request is DEFERRED
 * (the grant is written at once with that start, so OpenFGA's condition keeps it
 * inert until then even if the timer that marks it APPROVED is late).
 */
export function approvedAt(r: ApprovalRequest, now: Date): Pick<ApprovalRequest, 'state' | 'decidedAt' | 'grantStartsAt'> {
  const deferred = r.effectiveAt !== undefined && r.effectiveAt > now;
  return { state: deferred ? 'DEFERRED' : 'APPROVED', decidedAt: now, grantStartsAt: deferred ? r.effectiveAt : now };
}

/** Where an approved request's grant window starts (requests decided before deferral existed: the decision). */
export const grantStart = (r: ApprovalRequest): Date | undefined => r.grantStartsAt ?? r.decidedAt;

/**
 * Removes this request's grant from authz: only the grant that starts where this
 * request's does, so a later grant for the same resource stays. Idempotent; a grant
 * not yet written (a deferred request) is removed by its computed window.
 */
export function removeRequestGrant(deps: ApprovalsDeps, r: ApprovalRequest, why: 'revoked' | 'ended', by: string, reason: string): Promise<void> {
  const grantedAt = grantStart(r) as Date;
  return deps.authz.removeGrant({
    tenant: r.tenant,
    principal: r.requester,
    action: r.action,
    resource: r.resource,
    requestId: r.id,
    grantedAt,
    expiresAt: r.grantExpiresAt ?? new Date(grantedAt.getTime() + r.grantDurationSeconds * 1000),
    why,
    revokedBy: by,
    reason,
    condition: r.tier,
  });
}

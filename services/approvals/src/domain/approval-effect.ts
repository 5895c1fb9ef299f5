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

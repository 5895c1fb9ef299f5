import type { ApprovalsDeps } from '../ports.js';
import { timerEventTypes, timerFiredData } from '../events.js';
import { grantStart, removeRequestGrant } from '../approval-effect.js';
import { fireDue } from '../schedule.js';
import type { ApprovalRequest } from '../types.js';
import { transition } from './transition.js';

/**
 * The scheduler's wake-up for one request: applies every timer due now (expiry,
 * SLA, reminders, escalation tiers) in one transition with one event per timer.
 * Safe to call any number of times: what already fired is recorded on the request,
 * so an early, late or repeated wake changes nothing, and of replicas waking the
 * same request at once the compare-and-set lets exactly one write.
 */
export function fireTimers(deps: ApprovalsDeps, tenant: string, id: string): Promise<ApprovalRequest> {
  return transition(deps, tenant, id, async (current, now) => {
    if (current.state === 'APPROVED') return endGrant(deps, current, now);
    const { request, fired } = fireDue(current, now);
    if (!fired.length) return undefined;
    return {
      next: request,
      events: (n) => fired.map((f) => deps.newEvent({ type: timerEventTypes[f.timer], subject: `request/${n.id}`, tenant: n.tenant, data: timerFiredData(n, f) })),
    };
  });
}

/**
 * An approved request's grant has run out: it is removed from authz (which
 * publishes assent.grant.ended.v1; only this request's grant, by its start) and the
 * request records that its grant is over. OpenFGA's condition already stopped the
 * grant counting at its end; this removes the tuple, so none outlives its request.
 */
async function endGrant(deps: ApprovalsDeps, r: ApprovalRequest, now: Date) {
  if (!r.grantExpiresAt || r.grantClosed || r.grantExpiresAt > now || !grantStart(r)) return undefined;
  await removeRequestGrant(deps, r, 'ended', '', '');
  return { next: { ...r, grantClosed: { kind: 'ended' as const, at: now, by: '', reason: '' } }, events: () => [] };
}

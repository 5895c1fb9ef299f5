import type { ApprovalsDeps } from '../ports.js';
import { timerEventTypes, timerFiredData } from '../events.js';
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
    const { request, fired } = fireDue(current, now);
    if (!fired.length) return undefined;
    return {
      next: request,
      events: (n) => fired.map((f) => deps.newEvent({ type: timerEventTypes[f.timer], subject: `request/${n.id}`, tenant: n.tenant, data: timerFiredData(n, f) })),
    };
  });
}

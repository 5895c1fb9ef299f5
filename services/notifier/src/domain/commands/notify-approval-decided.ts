import type { NotifierDeps } from '../ports.js';
import type { ApprovalRequestView, EventRef, NotifyResult, Outcome } from '../types.js';
import { notifyApprovalChanged } from './notify-approval-changed.js';
import { requestViolations } from './validate-request.js';

/**
 * Shows the outcome where the request was announced: every message of the request is
 * updated (buttons replaced by who decided), a thread reply notifies everyone in it,
 * and the requester hears it in a DM. With no message known, a new one goes to the
 * tenant's default channel.
 */
export async function notifyApprovalDecided(
  deps: NotifierDeps,
  event: EventRef,
  input: { request: ApprovalRequestView; outcome: Outcome | undefined; decidedBy: string },
): Promise<NotifyResult> {
  const v = requestViolations(input.request);
  if (!input.outcome) v.add('outcome', 'must be OUTCOME_APPROVE or OUTCOME_DECLINE');
  v.throwIfAny();
  return notifyApprovalChanged(deps, event, { request: input.request, change: { kind: 'decided', outcome: input.outcome as Outcome, by: input.decidedBy } });
}

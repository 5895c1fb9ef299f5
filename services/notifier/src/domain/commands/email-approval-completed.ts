import { approvalCompletedEmail, type Completion } from '../email/approval-email.js';
import { messageIdOf, portalUrl } from '../email/email-links.js';
import { actedOn, approverPeople } from '../email/recipients.js';
import { DeliveryRejectedError } from '../errors.js';
import { eventTypes } from '../events.js';
import { notificationId } from '../notification-id.js';
import type { NotifierDeps } from '../ports.js';
import type { ApprovalRequestView, EventRef, Notification, NotifyResult } from '../types.js';
import { findSent, recordSent } from './record-notification.js';
import { requestViolations } from './validate-request.js';

/** Events after which a request asks nothing more of its approvers. */
export const completionEventTypes: ReadonlySet<string> = new Set([eventTypes.approvalDecided, eventTypes.approvalCancelled, eventTypes.approvalExpired]);

/**
 * Tells the approvers who were emailed about the request and did not act that it
 * is over (approved, declined, cancelled or expired). Those who voted, and those a
 * delegate voted for, know already. Idempotent per (event, address) like the invitation.
 */
export async function emailApprovalCompleted(
  deps: NotifierDeps,
  event: EventRef,
  input: { request: ApprovalRequestView; completion: Completion | undefined; by: string },
): Promise<NotifyResult> {
  const r = input.request;
  const v = requestViolations(r);
  if (!input.completion) v.add('outcome', 'must be OUTCOME_APPROVE or OUTCOME_DECLINE');
  v.throwIfAny();
  const completion = input.completion as Completion;
  const email = deps.email;
  if (!email) return { status: 'skipped', reason: 'email is not configured (NOTIFIER_SMTP_HOST is unset)' };

  let record = await deps.notifications.forRequest(r.tenant, r.id);
  // Only people who were asked by email hear the end by email.
  const invited = new Set(record.notifications.filter((n) => n.channel === 'EMAIL' && n.eventType === eventTypes.approvalRequested).map((n) => n.destination));
  const acted = actedOn(r, input.by);
  const results: Notification[] = [];
  let sentAny = false;
  for (const person of (await approverPeople(r, email.groups)).people.filter((p) => !acted.has(p))) {
    const address = await email.directory.addressOf(r.tenant, person);
    if (!address || !invited.has(address)) continue;
    const target = { tenant: r.tenant, requestId: r.id, event, destination: address, channel: 'EMAIL' as const };
    const sent = findSent(record, target);
    if (sent) {
      results.push(sent);
      continue;
    }
    const content = approvalCompletedEmail(r, { completion, by: input.by, portalUrl: portalUrl(deps.portalBaseUrl, r) });
    let messageId: string;
    try {
      ({ messageId } = await email.mailer.send({ to: address, messageId: messageIdOf(notificationId(event.id, 'EMAIL', address)), ...content }));
    } catch (err) {
      if (err instanceof DeliveryRejectedError && err.code.startsWith('recipient_')) continue;
      throw err;
    }
    const recorded = await recordSent(deps, target, messageId, record);
    record = recorded.record;
    results.push(recorded.notification);
    sentAny = true;
  }
  if (!results.length) return { status: 'skipped', reason: 'every approver emailed about it has acted (or none was emailed)' };
  return { status: sentAny ? 'sent' : 'duplicate', notifications: results };
}

import { approvalRequestedEmail } from '../email/approval-email.js';
import { messageIdOf, portalUrl, reviewUrl } from '../email/email-links.js';
import { approverPeople } from '../email/recipients.js';
import { DeliveryRejectedError } from '../errors.js';
import { notificationId } from '../notification-id.js';
import type { NotifierDeps } from '../ports.js';
import type { ApprovalRequestView, EventRef, Notification, NotifyResult } from '../types.js';
import { completionEventTypes } from './email-approval-completed.js';
import { findSent, recordSent } from './record-notification.js';
import { requestViolations } from './validate-request.js';

/**
 * Emails each approver the request names (people, and each member of a named group)
 * at the address the tenant's directory holds for them, with their own signed link. Idempotent per (event, address): the
 * request's record is read once and each sent email recorded before the next is
 * sent, so a redelivery sends only what is missing. A refused recipient (SMTP 5xx
 * for that address) is skipped and named; any other failure is thrown (retried, or
 * parked when it is permanent).
 */
export async function emailApprovalRequested(deps: NotifierDeps, event: EventRef, input: { request: ApprovalRequestView }): Promise<NotifyResult> {
  const r = input.request;
  requestViolations(r).throwIfAny();
  const email = deps.email;
  if (!email) return { status: 'skipped', reason: 'email is not configured (NOTIFIER_SMTP_HOST is unset)' };
  const { people, unexpanded: groups } = await approverPeople(r, email.groups);

  let record = await deps.notifications.forRequest(r.tenant, r.id);
  // Delivered after the request ended (a retry): an invitation to act would mislead.
  if (record.notifications.some((n) => completionEventTypes.has(n.eventType))) return { status: 'skipped', reason: `request ${r.id} is already over` };

  const results: Notification[] = [];
  const unreachable: string[] = [];
  let sentAny = false;
  for (const person of people) {
    const address = await email.directory.addressOf(r.tenant, person);
    if (!address) {
      unreachable.push(`${person} (no email address)`);
      continue;
    }
    const target = { tenant: r.tenant, requestId: r.id, event, destination: address, channel: 'EMAIL' as const };
    const sent = findSent(record, target);
    if (sent) {
      results.push(sent);
      continue;
    }
    const id = notificationId(event.id, 'EMAIL', address);
    const expiresAt = new Date(deps.clock.now().getTime() + email.linkTtlSeconds * 1000);
    // The link id is the notification id: a resent copy carries the same single-use link.
    const token = await email.links.issueLink({ tenant: r.tenant, requestId: r.id, principal: person, linkId: id, expiresAt });
    const content = approvalRequestedEmail(r, { reviewUrl: reviewUrl(email.publicBaseUrl, token), portalUrl: portalUrl(deps.portalBaseUrl, r), linkExpiresAt: expiresAt });
    let messageId: string;
    try {
      ({ messageId } = await email.mailer.send({ to: address, messageId: messageIdOf(id), ...content }));
    } catch (err) {
      if (err instanceof DeliveryRejectedError && err.code.startsWith('recipient_')) {
        unreachable.push(`${person} (${address}: ${err.code})`);
        continue;
      }
      throw err;
    }
    const recorded = await recordSent(deps, target, messageId, record);
    record = recorded.record;
    results.push(recorded.notification);
    sentAny = true;
  }
  if (!results.length) {
    const why = [...unreachable, ...groups.map((g) => `${g} (group members are not known to the notifier)`)];
    return { status: 'skipped', reason: why.length ? `no approver could be emailed: ${why.join(', ')}` : 'the request names no approver' };
  }
  return { status: sentAny ? 'sent' : 'duplicate', notifications: results, ...(unreachable.length || groups.length ? { unreachable: [...unreachable, ...groups] } : {}) };
}

import { eventTypes } from '../events.js';
import type { NotifierDeps } from '../ports.js';
import { approvalRequestedMessage } from '../slack/approval-message.js';
import { slackRef } from '../slack/provider-ref.js';
import type { ApprovalRequestView, EventRef, NotifyResult } from '../types.js';
import { findSent, recordSent } from './record-notification.js';
import { checkSlackChannel, requestViolations } from './validate-request.js';

/**
 * Posts the interactive Approve / Decline message to the policy's Slack channel
 * (or the default one). Idempotent per event: a redelivery finds the recorded
 * notification and posts nothing. One read and one write of the request's record.
 */
export async function notifyApprovalRequested(
  deps: NotifierDeps,
  event: EventRef,
  input: { request: ApprovalRequestView; slackChannel: string },
): Promise<NotifyResult> {
  const r = input.request;
  const destination = input.slackChannel || deps.defaultSlackChannel || '';
  const v = requestViolations(r);
  if (input.slackChannel) checkSlackChannel(v, 'slack_channel', input.slackChannel);
  v.throwIfAny();
  if (!deps.slack) return { status: 'skipped', reason: 'Slack is not configured (NOTIFIER_SLACK_BOT_TOKEN is unset)' };
  if (!destination) return { status: 'skipped', reason: 'the policy names no Slack channel and NOTIFIER_SLACK_DEFAULT_CHANNEL is unset' };

  const target = { tenant: r.tenant, requestId: r.id, event, destination };
  // One read answers both questions: posted already (a redelivery), and decided already.
  const record = await deps.notifications.forRequest(r.tenant, r.id);
  const sent = findSent(record, target);
  if (sent) return { status: 'duplicate', notifications: [sent] };
  // Delivered out of order after a retry: buttons on a decided request would mislead, and the decision was already posted.
  if (record.notifications.some((n) => n.eventType === eventTypes.approvalDecided)) return { status: 'skipped', reason: `request ${r.id} was already decided` };

  const posted = await deps.slack.postMessage({ channel: destination, ...approvalRequestedMessage(r, deps.portalBaseUrl) });
  const { notification } = await recordSent(deps, target, slackRef(posted), record);
  return { status: 'sent', notifications: [notification] };
}

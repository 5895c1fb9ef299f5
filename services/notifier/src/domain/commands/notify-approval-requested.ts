import { eventTypes } from '../events.js';
import type { NotifierDeps } from '../ports.js';
import { approvalRequestedMessage } from '../slack/approval-message.js';
import { slackRef } from '../slack/provider-ref.js';
import { routeSlack } from '../slack/slack-routes.js';
import type { ApprovalRequestView, EventRef, NotifyResult } from '../types.js';
import { findSent, recordSent } from './record-notification.js';
import { checkSlackChannel, requestViolations } from './validate-request.js';

const closing: ReadonlySet<string> = new Set([eventTypes.approvalDecided, eventTypes.approvalCancelled, eventTypes.approvalExpired]);

/**
 * Posts the interactive message to the policy's Slack channel (or the tenant's
 * default one), only when that channel is the tenant's own (routeSlack): a channel
 * that is not is refused and reported, never posted to nor rerouted. Idempotent per
 * event: a redelivery finds the recorded notification and posts nothing. One read and
 * one write of the request's record.
 */
export async function notifyApprovalRequested(
  deps: NotifierDeps,
  event: EventRef,
  input: { request: ApprovalRequestView; slackChannel: string },
): Promise<NotifyResult> {
  const r = input.request;
  const v = requestViolations(r);
  if (input.slackChannel) checkSlackChannel(v, 'slack_channel', input.slackChannel);
  v.throwIfAny();
  if (!deps.slack) return { status: 'skipped', reason: 'Slack is not configured (NOTIFIER_SLACK_BOT_TOKEN is unset)' };
  const route = await routeSlack(deps.slackChannels, deps.slackInstall, r.tenant, input.slackChannel);
  if ('refused' in route) return { status: 'skipped', reason: `not posted: ${route.refused}` };
  const destination = route.destination;

  const target = { tenant: r.tenant, requestId: r.id, event, destination };
  // One read answers both questions: posted already (a redelivery), and over already.
  const record = await deps.notifications.forRequest(r.tenant, r.id);
  const sent = findSent(record, target);
  if (sent) return { status: 'duplicate', notifications: [sent] };
  // Delivered out of order after a retry: buttons on a closed request would mislead, and its end was already posted.
  if (record.notifications.some((n) => closing.has(n.eventType))) return { status: 'skipped', reason: `request ${r.id} was already decided or closed` };

  const posted = await deps.slack.postMessage({ channel: destination, ...approvalRequestedMessage(r, deps.portalBaseUrl) });
  const { notification } = await recordSent(deps, target, slackRef(posted), record);
  return { status: 'sent', notifications: [notification] };
}

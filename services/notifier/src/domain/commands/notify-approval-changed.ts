import { DeliveryRejectedError } from '../errors.js';
import { eventTypes } from '../events.js';
import type { NotifierDeps, SlackGateway } from '../ports.js';
import { approvalMessage, changeReply, requesterMessage } from '../slack/approval-message.js';
import { parseSlackRef, slackRef } from '../slack/provider-ref.js';
import { finalKinds, requesterHearsOf, type RequestChange } from '../slack/request-change.js';
import { routeSlack, slackEnabledFor } from '../slack/slack-routes.js';
import type { ApprovalRequestView, EventRef, Notification, NotifyResult, RequestNotifications } from '../types.js';
import { findSent, recordSent } from './record-notification.js';
import { requestViolations } from './validate-request.js';

// The original message is gone or no longer ours to edit.
const ORIGINAL_GONE = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed', 'thread_not_found']);

/** Destination under which the requester's DM is recorded (one per event). */
export const dmDestination = (slackUser: string): string => `@${slackUser}`;

/**
 * Any change to a request (a vote short of quorum, changes requested, a resubmission,
 * a comment, a snooze, a handoff, an escalation, the end) replaces every Slack message
 * of the request with how it reads now (chat.update), so nobody acts on a stale button;
 * changes people should be pinged about also get a thread reply. When the change is
 * the requester's business (decided, expired, changes requested) and the tenant maps
 * the requester to a Slack user, they get a DM. Idempotent per (event, destination):
 * one read of the request's record, each message recorded before the next is sent.
 */
export async function notifyApprovalChanged(deps: NotifierDeps, event: EventRef, input: { request: ApprovalRequestView; change: RequestChange }): Promise<NotifyResult> {
  const r = input.request;
  requestViolations(r).throwIfAny();
  const { change } = input;
  const slack = deps.slack;
  if (!slack) return { status: 'skipped', reason: 'Slack is not configured (NOTIFIER_SLACK_BOT_TOKEN is unset)' };

  let record = await deps.notifications.forRequest(r.tenant, r.id);
  const originals = record.notifications.filter((n) => n.channel === 'SLACK' && n.eventType === eventTypes.approvalRequested);
  let targets: { destination: string; original: { channel: string; ts: string } | undefined }[] = originals.map((n) => ({ destination: n.destination, original: parseSlackRef(n.providerRef) }));
  const skipped: string[] = [];
  if (!targets.length && change.kind === 'decided') {
    // Announced nowhere (posted before routing existed, or skipped): say how it ended where the tenant's requests go.
    const route = await routeSlack(deps.slackChannels, deps.slackInstall, r.tenant, '');
    if ('destination' in route) targets = [{ destination: route.destination, original: undefined }];
    else skipped.push(route.refused);
  }

  const message = approvalMessage(r, change, deps.portalBaseUrl);
  const reply = changeReply(change);
  const results: Notification[] = [];
  let sentAny = false;
  const record_ = async (destination: string, ref: string) => {
    const recorded = await recordSent(deps, { tenant: r.tenant, requestId: r.id, event, destination }, ref, record);
    record = recorded.record;
    results.push(recorded.notification);
    sentAny = true;
  };
  for (const t of targets) {
    const sent = findSent(record, { tenant: r.tenant, requestId: r.id, event, destination: t.destination });
    if (sent) {
      results.push(sent);
      continue;
    }
    const ref = t.original
      ? await updateOriginal(slack, t.original, message, reply, finalKinds.has(change.kind))
      : slackRef(await slack.postMessage({ channel: t.destination, ...message }));
    await record_(t.destination, ref);
  }

  const unreachable: string[] = [];
  if (requesterHearsOf.has(change.kind)) {
    const dm = await tellRequester(deps, slack, record, event, r, change);
    if (dm.kind === 'sent') await record_(dm.destination, dm.ref);
    else if (dm.kind === 'duplicate') results.push(dm.notification);
    else if (dm.kind === 'unreachable') unreachable.push(dm.why);
  }
  if (!results.length) {
    return { status: 'skipped', reason: [...skipped, ...unreachable, targets.length ? '' : `no Slack message about request ${r.id} is known`].filter(Boolean).join('; ') };
  }
  return { status: sentAny ? 'sent' : 'duplicate', notifications: results, ...(unreachable.length ? { unreachable } : {}) };
}

type DmResult =
  | { kind: 'sent'; destination: string; ref: string }
  | { kind: 'duplicate'; notification: Notification }
  | { kind: 'unreachable'; why: string }
  | { kind: 'none' };

async function tellRequester(deps: NotifierDeps, slack: SlackGateway, record: RequestNotifications, event: EventRef, r: ApprovalRequestView, change: RequestChange): Promise<DmResult> {
  if (!deps.slackUsers || !r.requester) return { kind: 'none' };
  // Only a tenant that uses Slack hears from it.
  if (!(await slackEnabledFor(deps.slackChannels, deps.slackInstall, r.tenant))) return { kind: 'none' };
  const user = await deps.slackUsers.slackUserOf(r.tenant, r.requester);
  if (!user) return { kind: 'unreachable', why: `requester ${r.requester} (no Slack user linked)` };
  const destination = dmDestination(user);
  const sent = findSent(record, { tenant: r.tenant, requestId: r.id, event, destination });
  if (sent) return { kind: 'duplicate', notification: sent };
  const channel = await slack.openDirectMessage(user);
  const posted = await slack.postMessage({ channel, ...requesterMessage(r, change, deps.portalBaseUrl) });
  return { kind: 'sent', destination, ref: slackRef(posted) };
}

async function updateOriginal(
  slack: SlackGateway,
  original: { channel: string; ts: string },
  message: { text: string; blocks: ReturnType<typeof approvalMessage>['blocks'] },
  reply: { text: string } | undefined,
  final: boolean,
): Promise<string> {
  try {
    const updated = slackRef(await slack.updateMessage({ channel: original.channel, ts: original.ts, ...message }));
    return reply ? slackRef(await slack.postMessage({ channel: original.channel, threadTs: original.ts, ...reply })) : updated;
  } catch (err) {
    if (err instanceof DeliveryRejectedError && ORIGINAL_GONE.has(err.code)) {
      // Deleted by someone in the channel: how it ended is still worth a new message; an interim change is not.
      return final ? slackRef(await slack.postMessage({ channel: original.channel, ...message })) : `${original.channel}:gone`;
    }
    throw err;
  }
}

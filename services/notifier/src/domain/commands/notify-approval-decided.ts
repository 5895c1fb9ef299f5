import { DeliveryRejectedError } from '../errors.js';
import { eventTypes } from '../events.js';
import type { NotifierDeps, SlackGateway } from '../ports.js';
import { approvalDecidedMessage, approvalDecidedReply } from '../slack/approval-message.js';
import { parseSlackRef, slackRef } from '../slack/provider-ref.js';
import type { ApprovalRequestView, EventRef, Notification, NotifyResult, Outcome } from '../types.js';
import { findSent, recordSent } from './record-notification.js';
import { requestViolations } from './validate-request.js';

// The original message is gone or no longer ours to edit: tell the channel in a new message instead.
const ORIGINAL_GONE = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed', 'thread_not_found']);

/**
 * Shows the outcome where the request was announced: the original message is
 * updated (buttons replaced by who decided) and a thread reply notifies
 * everyone in it. With no original known, a new message goes to the default channel.
 * One read of the request's record, then one write per message target.
 */
export async function notifyApprovalDecided(
  deps: NotifierDeps,
  event: EventRef,
  input: { request: ApprovalRequestView; outcome: Outcome | undefined; decidedBy: string },
): Promise<NotifyResult> {
  const r = input.request;
  const v = requestViolations(r);
  if (!input.outcome) v.add('outcome', 'must be OUTCOME_APPROVE or OUTCOME_DECLINE');
  v.throwIfAny();
  const outcome = input.outcome as Outcome;
  const slack = deps.slack;
  if (!slack) return { status: 'skipped', reason: 'Slack is not configured (NOTIFIER_SLACK_BOT_TOKEN is unset)' };

  let record = await deps.notifications.forRequest(r.tenant, r.id);
  const originals = record.notifications.filter((n) => n.channel === 'SLACK' && n.eventType === eventTypes.approvalRequested);
  const targets: { destination: string; original: { channel: string; ts: string } | undefined }[] = originals.length
    ? originals.map((n) => ({ destination: n.destination, original: parseSlackRef(n.providerRef) }))
    : deps.defaultSlackChannel
      ? [{ destination: deps.defaultSlackChannel, original: undefined }]
      : [];
  if (!targets.length) return { status: 'skipped', reason: 'no message about this request is known and NOTIFIER_SLACK_DEFAULT_CHANNEL is unset' };

  const message = approvalDecidedMessage(r, outcome, input.decidedBy, deps.portalBaseUrl);
  const results: Notification[] = [];
  let sentAny = false;
  for (const t of targets) {
    const target = { tenant: r.tenant, requestId: r.id, event, destination: t.destination };
    const sent = findSent(record, target);
    if (sent) {
      results.push(sent);
      continue;
    }
    const ref = t.original
      ? await updateOriginal(slack, t.original, message, approvalDecidedReply(outcome, input.decidedBy))
      : slackRef(await slack.postMessage({ channel: t.destination, ...message }));
    // Recorded per target before the next is sent, so a retry after a failure sends only what is missing.
    const recorded = await recordSent(deps, target, ref, record);
    record = recorded.record;
    results.push(recorded.notification);
    sentAny = true;
  }
  return { status: sentAny ? 'sent' : 'duplicate', notifications: results };
}

async function updateOriginal(
  slack: SlackGateway,
  original: { channel: string; ts: string },
  message: ReturnType<typeof approvalDecidedMessage>,
  reply: { text: string },
): Promise<string> {
  try {
    await slack.updateMessage({ channel: original.channel, ts: original.ts, ...message });
    return slackRef(await slack.postMessage({ channel: original.channel, threadTs: original.ts, ...reply }));
  } catch (err) {
    if (err instanceof DeliveryRejectedError && ORIGINAL_GONE.has(err.code)) {
      return slackRef(await slack.postMessage({ channel: original.channel, ...message }));
    }
    throw err;
  }
}

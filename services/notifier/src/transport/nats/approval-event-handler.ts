import { InvalidArgumentError, PoisonMessageError, RetryLaterError, parseEvent, type AssentEvent, type Logger } from '@assent/platform';
import { emailApprovalCompleted } from '../../domain/commands/email-approval-completed.js';
import { emailApprovalRequested } from '../../domain/commands/email-approval-requested.js';
import { notifyApprovalChanged } from '../../domain/commands/notify-approval-changed.js';
import { notifyApprovalDecided } from '../../domain/commands/notify-approval-decided.js';
import { notifyApprovalRequested } from '../../domain/commands/notify-approval-requested.js';
import { DeliveryRejectedError, DeliveryRetryableError } from '../../domain/errors.js';
import { eventTypes } from '../../domain/events.js';
import type { NotifierDeps } from '../../domain/ports.js';
import type { NotifyResult } from '../../domain/types.js';
import type { RequestChange } from '../../domain/slack/request-change.js';
import { parseApprovalActed, parseApprovalDecided, parseApprovalRequested, parseApprovalTimerFired, parseApprovalVoted } from './mapping.js';

/** Events by people (ApprovalActed payloads) that change what a request's Slack messages say. */
const actedKinds = {
  [eventTypes.approvalChangesRequested]: 'changes_requested',
  [eventTypes.approvalResubmitted]: 'resubmitted',
  [eventTypes.approvalCommented]: 'commented',
  [eventTypes.approvalReassigned]: 'reassigned',
  [eventTypes.approvalSnoozed]: 'snoozed',
} as const satisfies Record<string, RequestChange['kind']>;

/**
 * One approval event → one command → ack (return), retry (throw) or park
 * (PoisonMessageError). Events the notifier has nothing to say about are acked.
 */
export async function handleApprovalEvent(deps: NotifierDeps, logger: Logger, payload: Uint8Array | string): Promise<NotifyResult | undefined> {
  let event: AssentEvent;
  try {
    event = parseEvent(payload);
  } catch (err) {
    throw new PoisonMessageError(`not a CloudEvent: ${(err as Error).message}`, { cause: err });
  }
  const log = logger.child({ eventId: event.id, eventType: event.type, tenant: event.tenantid });
  try {
    const result = await dispatch(deps, event);
    if (result) logResult(log, result);
    return result;
  } catch (err) {
    if (err instanceof InvalidArgumentError || err instanceof DeliveryRejectedError) {
      throw new PoisonMessageError(err.message, { cause: err });
    }
    if (err instanceof DeliveryRetryableError && err.retryAfterMs) {
      // The consumer redelivers no sooner than Slack's Retry-After (bounded by the platform).
      throw new RetryLaterError(err.message, err.retryAfterMs, { cause: err });
    }
    throw err;
  }
}

async function dispatch(deps: NotifierDeps, event: AssentEvent): Promise<NotifyResult | undefined> {
  const ref = { id: event.id, type: event.type };
  switch (event.type) {
    case eventTypes.approvalRequested: {
      const input = parseApprovalRequested(event.data);
      sameTenant(event, input.request.tenant);
      return everyChannel(notifyApprovalRequested(deps, ref, input), emailApprovalRequested(deps, ref, input));
    }
    case eventTypes.approvalDecided: {
      const input = parseApprovalDecided(event.data);
      sameTenant(event, input.request.tenant);
      const completion = input.outcome === 'APPROVE' ? 'APPROVED' : input.outcome === 'DECLINE' ? 'DECLINED' : undefined;
      return everyChannel(notifyApprovalDecided(deps, ref, input), emailApprovalCompleted(deps, ref, { request: input.request, completion, by: input.decidedBy }));
    }
    case eventTypes.approvalVoted: {
      const input = parseApprovalVoted(event.data);
      sameTenant(event, input.request.tenant);
      return notifyApprovalChanged(deps, ref, { request: input.request, change: { kind: 'voted', by: input.voter, outcome: input.outcome, reason: input.reason } });
    }
    case eventTypes.approvalCancelled: {
      const input = parseApprovalActed(event.data);
      sameTenant(event, input.request.tenant);
      return everyChannel(
        notifyApprovalChanged(deps, ref, { request: input.request, change: { kind: 'cancelled', by: input.actor, reason: input.reason } }),
        emailApprovalCompleted(deps, ref, { request: input.request, completion: 'CANCELLED', by: input.actor }),
      );
    }
    case eventTypes.approvalExpired: {
      const input = parseApprovalTimerFired(event.data);
      sameTenant(event, input.request.tenant);
      return everyChannel(
        notifyApprovalChanged(deps, ref, { request: input.request, change: { kind: 'expired' } }),
        emailApprovalCompleted(deps, ref, { request: input.request, completion: 'EXPIRED', by: '' }),
      );
    }
    case eventTypes.approvalEscalated:
    case eventTypes.approvalUnsnoozed: {
      const input = parseApprovalTimerFired(event.data);
      sameTenant(event, input.request.tenant);
      const change: RequestChange = event.type === eventTypes.approvalEscalated ? { kind: 'escalated', tier: input.escalationTier } : { kind: 'unsnoozed' };
      return notifyApprovalChanged(deps, ref, { request: input.request, change });
    }
    case eventTypes.approvalChangesRequested:
    case eventTypes.approvalResubmitted:
    case eventTypes.approvalCommented:
    case eventTypes.approvalReassigned:
    case eventTypes.approvalSnoozed: {
      const input = parseApprovalActed(event.data);
      sameTenant(event, input.request.tenant);
      return notifyApprovalChanged(deps, ref, { request: input.request, change: { kind: actedKinds[event.type], by: input.actor, reason: input.reason } });
    }
    default:
      // Reminders, edits, grants and future approval events change nothing a message shows.
      return undefined;
  }
}

/**
 * Runs each channel's command to the end even when another fails, so a Slack outage
 * never holds back email (or the reverse). Each is idempotent, so when one failed the
 * redelivery repeats only what is missing. A transient failure wins over a permanent
 * one: parking would stop the other channel's retry.
 */
async function everyChannel(...commands: Promise<NotifyResult>[]): Promise<NotifyResult> {
  const settled = await Promise.allSettled(commands);
  const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  const permanent = (e: unknown) => e instanceof InvalidArgumentError || e instanceof DeliveryRejectedError;
  const transient = failures.find((e) => !permanent(e));
  if (transient !== undefined) throw transient;
  if (failures.length) throw failures[0];
  return mergeResults(settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : [])));
}

function mergeResults(results: NotifyResult[]): NotifyResult {
  const done = results.filter((r) => r.status !== 'skipped');
  const notifications = done.flatMap((r) => r.notifications);
  const unreachable = done.flatMap((r) => r.unreachable ?? []);
  const extra = unreachable.length ? { unreachable } : {};
  if (done.some((r) => r.status === 'sent')) return { status: 'sent', notifications, ...extra };
  if (done.length) return { status: 'duplicate', notifications, ...extra };
  return { status: 'skipped', reason: results.map((r) => (r.status === 'skipped' ? r.reason : '')).join('; ') };
}

/** The tenant in the payload must be the one the event (and its subject) is scoped to. */
function sameTenant(event: AssentEvent, tenant: string): void {
  if (tenant !== event.tenantid) {
    throw InvalidArgumentError.field('request.tenant', `is "${tenant}" but the event belongs to tenant "${event.tenantid}"`);
  }
}

function logResult(log: Logger, result: NotifyResult): void {
  if (result.status !== 'skipped' && result.unreachable?.length) log.warn({ unreachable: result.unreachable }, 'some approvers could not be notified');
  if (result.status === 'sent') log.info({ notifications: result.notifications.map((n) => ({ id: n.id, channel: n.channel, destination: n.destination, providerRef: n.providerRef })) }, 'notification sent');
  else if (result.status === 'duplicate') log.info('already notified; nothing sent');
  else log.warn({ reason: result.reason }, 'notification skipped');
}

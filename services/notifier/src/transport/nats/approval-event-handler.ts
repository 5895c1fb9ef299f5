import { InvalidArgumentError, PoisonMessageError, RetryLaterError, parseEvent, type AssentEvent, type Logger } from '@assent/platform';
import { notifyApprovalDecided } from '../../domain/commands/notify-approval-decided.js';
import { notifyApprovalRequested } from '../../domain/commands/notify-approval-requested.js';
import { DeliveryRejectedError, DeliveryRetryableError } from '../../domain/errors.js';
import { eventTypes } from '../../domain/events.js';
import type { NotifierDeps } from '../../domain/ports.js';
import type { NotifyResult } from '../../domain/types.js';
import { parseApprovalDecided, parseApprovalRequested } from './mapping.js';

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
      return notifyApprovalRequested(deps, ref, input);
    }
    case eventTypes.approvalDecided: {
      const input = parseApprovalDecided(event.data);
      sameTenant(event, input.request.tenant);
      return notifyApprovalDecided(deps, ref, input);
    }
    default:
      // Votes short of quorum and future approval events: nothing to tell humans yet.
      return undefined;
  }
}

/** The tenant in the payload must be the one the event (and its subject) is scoped to. */
function sameTenant(event: AssentEvent, tenant: string): void {
  if (tenant !== event.tenantid) {
    throw InvalidArgumentError.field('request.tenant', `is "${tenant}" but the event belongs to tenant "${event.tenantid}"`);
  }
}

function logResult(log: Logger, result: NotifyResult): void {
  if (result.status === 'sent') log.info({ notifications: result.notifications.map((n) => ({ id: n.id, destination: n.destination, providerRef: n.providerRef })) }, 'notification sent');
  else if (result.status === 'duplicate') log.info('already notified; nothing sent');
  else log.warn({ reason: result.reason }, 'notification skipped');
}

import { notificationId } from '../notification-id.js';
import type { NotifierDeps } from '../ports.js';
import type { EventRef, Notification, NotificationChannel, RequestNotifications } from '../types.js';

export interface SlackTarget {
  tenant: string;
  requestId: string;
  event: EventRef;
  destination: string;
  /** Defaults to SLACK. */
  channel?: NotificationChannel;
}

const idOf = (t: SlackTarget): string => notificationId(t.event.id, t.channel ?? 'SLACK', t.destination);

/** The notification this event already produced for this destination, if any (checked before sending). */
export function findSent(record: RequestNotifications, t: SlackTarget): Notification | undefined {
  const id = idOf(t);
  return record.notifications.find((n) => n.id === id);
}

/**
 * Records a sent Slack message (or email) on top of `basis` (the request's record this command
 * read); if a concurrent delivery recorded it first, that record wins.
 */
export async function recordSent(
  deps: NotifierDeps,
  t: SlackTarget,
  providerRef: string,
  basis: RequestNotifications,
): Promise<{ notification: Notification; record: RequestNotifications }> {
  const n: Notification = {
    id: idOf(t),
    tenant: t.tenant,
    channel: t.channel ?? 'SLACK',
    destination: t.destination,
    requestId: t.requestId,
    eventId: t.event.id,
    eventType: t.event.type,
    providerRef,
    sentAt: deps.clock.now(),
  };
  const { record } = await deps.notifications.add(n, basis);
  return { notification: findSent(record, t) ?? n, record };
}

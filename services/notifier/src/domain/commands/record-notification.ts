import { notificationId } from '../notification-id.js';
import type { NotifierDeps } from '../ports.js';
import type { EventRef, Notification } from '../types.js';

export interface SlackTarget {
  tenant: string;
  requestId: string;
  event: EventRef;
  destination: string;
}

/** The notification this event already produced for this destination, if any (checked before sending). */
export function findSent(deps: NotifierDeps, t: SlackTarget): Promise<Notification | undefined> {
  return deps.notifications.get(t.tenant, t.requestId, notificationId(t.event.id, 'SLACK', t.destination));
}

/** Records a sent Slack message; if a concurrent delivery recorded it first, that record wins. */
export async function recordSent(deps: NotifierDeps, t: SlackTarget, providerRef: string): Promise<Notification> {
  const n: Notification = {
    id: notificationId(t.event.id, 'SLACK', t.destination),
    tenant: t.tenant,
    channel: 'SLACK',
    destination: t.destination,
    requestId: t.requestId,
    eventId: t.event.id,
    eventType: t.event.type,
    providerRef,
    sentAt: deps.clock.now(),
  };
  if (await deps.notifications.add(n)) return n;
  return (await deps.notifications.get(n.tenant, n.requestId, n.id)) ?? n;
}

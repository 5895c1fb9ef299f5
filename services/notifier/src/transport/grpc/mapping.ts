import { notifierv1 } from '@assent/proto';
import type { Notification, NotificationChannel } from '../../domain/types.js';

const channels: Record<NotificationChannel, notifierv1.Channel> = {
  SLACK: notifierv1.Channel.CHANNEL_SLACK,
  EMAIL: notifierv1.Channel.CHANNEL_EMAIL,
};

export const toProtoNotification = (n: Notification): notifierv1.Notification => ({
  id: n.id,
  tenant: n.tenant,
  channel: channels[n.channel],
  destination: n.destination,
  requestId: n.requestId,
  eventId: n.eventId,
  eventType: n.eventType,
  providerRef: n.providerRef,
  sentAt: n.sentAt,
});
